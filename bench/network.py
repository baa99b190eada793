"""The two-layer network of the course at batch 64, hidden 100, input 784: forward plus
backward through gradcalc's API in float mode, against PyTorch on the CPU in the same run."""

import gradcalc

from . import report
from .timing import median_time

PROGRAM = """
h = sigmoid(affine(x, W1, b1))
y = softmax(affine(h, W2, b2))
loss = cross_entropy(y, t)
"""


def workload(batch=64, inputs=784, hidden=100, classes=10, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return {
        "x": rng.random((batch, inputs)),
        "t": np.eye(classes)[rng.integers(0, classes, batch)],
        "W1": 0.01 * rng.standard_normal((inputs, hidden)),
        "b1": np.zeros(hidden),
        "W2": 0.01 * rng.standard_normal((hidden, classes)),
        "b2": np.zeros(classes),
    }


PARAMETERS = ("W1", "b1", "W2", "b2")


def gradcalc_step(point, wrt=None):
    graph = gradcalc.parse(PROGRAM)
    return lambda: gradcalc.evaluate(graph, at=point, exact=False, wrt=wrt)


def torch_step(point, dtype_name, wrt=PARAMETERS):
    import torch

    dtype = getattr(torch, dtype_name)
    tensors = {name: torch.tensor(value, dtype=dtype) for name, value in point.items()}
    params = {name: tensors[name].requires_grad_() for name in wrt}

    def step():
        for p in params.values():
            p.grad = None
        h = torch.sigmoid(tensors["x"] @ tensors["W1"] + tensors["b1"])
        y = torch.softmax(h @ tensors["W2"] + tensors["b2"], dim=-1)
        loss = -(tensors["t"] * torch.log(y)).sum() / y.shape[0]
        loss.backward()
        return loss

    return step


def check_agreement(point):
    """gradcalc's and PyTorch's gradients agree (a benchmark of wrong answers is worthless)."""
    import numpy as np
    import torch

    result = gradcalc.evaluate(gradcalc.parse(PROGRAM), at=point, exact=False)
    tensors = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in point.items()}
    h = torch.sigmoid(tensors["x"] @ tensors["W1"] + tensors["b1"])
    y = torch.softmax(h @ tensors["W2"] + tensors["b2"], dim=-1)
    loss = -(tensors["t"] * torch.log(y)).sum() / y.shape[0]
    loss.backward()
    for name in point:
        assert np.allclose(result.gradient[name], tensors[name].grad.numpy(), rtol=1e-9, atol=1e-12), name


def run(quick=False):
    """Rows of (what, seconds, the PyTorch float64 time doing the same work)."""
    repeats = 5 if quick else 100
    point = workload(batch=8 if quick else 64)
    mine = {
        "parameters": median_time(gradcalc_step(point, wrt=PARAMETERS), repeats),
        "every input": median_time(gradcalc_step(point), repeats),
    }
    try:
        import torch  # noqa: F401
    except ImportError:
        return [(f"gradcalc, gradients of {what}", seconds, None) for what, seconds in mine.items()]
    check_agreement(point)
    theirs = {
        "parameters": median_time(torch_step(point, "float64"), repeats),
        "every input": median_time(torch_step(point, "float64", wrt=tuple(point)), repeats),
    }
    rows = []
    for what in mine:
        rows.append((f"gradcalc (NumPy float64), gradients of {what}", mine[what], theirs[what]))
        rows.append((f"PyTorch CPU float64, gradients of {what}", theirs[what], theirs[what]))
    rows.append(("PyTorch CPU float32, gradients of parameters", median_time(torch_step(point, "float32"), repeats),
                 theirs["parameters"]))
    return rows


def section(quick, workdir):
    batch = 8 if quick else 64
    table = report.Table(["implementation", "median", "vs PyTorch float64, same gradients"])
    for what, seconds, reference in run(quick):
        versus = report.ratio(seconds / reference) if reference else "(PyTorch not installed)"
        table.add(what, report.seconds(seconds), versus)
    return report.Section(
        f"Two-layer network, forward + backward (batch {batch}, 784 → 100 → 10, float64)",
        "Through the Python API, graph parsed once, NumPy float64, against PyTorch 2 (CPU) doing the same "
        f"computation in the same run; medians of {5 if quick else 100} runs after checking both give the same "
        "gradients.",
        [table],
    )
