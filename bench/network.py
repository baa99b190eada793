"""The two-layer network of the course at batch 64, hidden 100, input 784: forward plus
backward through gradcalc's API in float mode, against PyTorch on the CPU in the same run."""

import time

import gradcalc

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


def median_time(step, repeats):
    step()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


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
