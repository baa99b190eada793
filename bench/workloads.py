"""Seeded workloads: the seed problem, random expressions, deep chains and nestings, a
rational-only program, a file of one-line problems. Each is gradcalc source text."""

import random

SEED = (
    "apple = 100\napple_count = 5\norange = 80\norange_count = 3\ntax = 1.08\n"
    "s = apple * apple_count\nt = orange * orange_count\nu = s + t\nE = u * tax\n"
)

VARIABLES = ("x", "y", "z")
FUNCTIONS = ("sin", "cos", "exp", "tanh", "sigmoid")
AT = {"x": 0.5, "y": -0.25, "z": 0.75}


def random_expression(operations, seed=1, functions=True):
    """One expression with about `operations` operations: a random binary tree over x, y, z and
    small constants, built without recursion. Exponents stay small and divisions are by
    (1 + u*u), so the value stays finite at any point."""
    rng = random.Random(seed)
    pieces = [rng.choice(VARIABLES) for _ in range(operations + 1)]
    count = 0
    while len(pieces) > 1:
        k = rng.randrange(len(pieces) - 1)
        left, right = pieces[k], pieces[k + 1]
        kind = rng.random()
        if functions and kind < 0.1:
            combined = f"{rng.choice(FUNCTIONS)}({left}) + {right}"
            count += 2
        elif kind < 0.45:
            combined = f"({left} + {right})"
            count += 1
        elif kind < 0.65:
            combined = f"({left} - {right})"
            count += 1
        elif kind < 0.9:
            combined = f"({left} * 0.5 * {right})"
            count += 2
        else:
            combined = f"({left} / (1 + {right} * {right}))"
            count += 3
        pieces[k:k + 2] = [combined]
        if count >= operations:
            pieces = [" + ".join(pieces)]
            break
    return pieces[0] + "\n"


def chain(terms, seed=1):
    """x + x·c1 + x·c2 + …: a long left-deep sum."""
    rng = random.Random(seed)
    return "x" + "".join(f" + x*{rng.randint(1, 9)}" for _ in range(terms - 1)) + "\n"


def nesting(depth):
    """((((x + 1) + 1) …): as deep as it is long."""
    return "(" * depth + "x" + " + 1)" * depth + "\n"


def rational(operations, seed=1):
    """Decimal literals and + - * / only: exact arithmetic's workload."""
    rng = random.Random(seed)
    ops = ("+", "-", "*", "/")
    text = ["x"]
    for _ in range(operations // 2):
        op = rng.choice(ops)
        literal = f"{rng.randint(1, 99)}.{rng.randint(1, 99)}"
        text.append(f" {op} {literal}" if op != "/" else f" / (1 + x*x*{literal})")
    return "".join(text) + "\n"


def problem_file(lines, seed=1):
    """One small problem per line, as a class's worksheet piped through gradcalc."""
    rng = random.Random(seed)
    templates = ("x*y + {a}", "sin(x) * {a} + y", "(x + {a})*(y - {b})", "exp(x/{a}) - y*y", "x^2 + {a}x + {b}")
    return "".join(rng.choice(templates).format(a=rng.randint(1, 9), b=rng.randint(1, 9)) + "\n" for _ in range(lines))
