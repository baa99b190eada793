"""Seeded workloads: the seed problem, random expressions, deep chains and nestings, a
rational-only program, a file of one-line problems. Each is gradcalc source text, the same
for every run with the same arguments; every size is a count of operations (graph nodes
that are not leaves), so µs per operation compares across workloads."""

import random
import re

SEED = (
    "apple = 100\napple_count = 5\norange = 80\norange_count = 3\ntax = 1.08\n"
    "s = apple * apple_count\nt = orange * orange_count\nu = s + t\nE = u * tax\n"
)

VARIABLES = ("x", "y", "z")
FUNCTIONS = ("sin", "cos", "exp", "tanh", "sigmoid")
AT = {"x": 0.5, "y": -0.25, "z": 0.75}

# The shapes a random expression's node takes: (text with {0} and {1} for the subtrees, {v}
# for a variable and {f} for a function, operations it adds, subtrees, probability). Each maps
# values in [-1, 1] into [-1, 1] (sums are halved, divisions are by 1 + v² ≥ 1, exp(1)/4 < 1),
# so at a point with |x|, |y|, |z| ≤ 1 every value is finite however big the expression.
_FORMS = (
    ("(({0} + {1}) * 0.5)", 2, 2, 0.30),
    ("(({0} - {1}) * 0.5)", 2, 2, 0.20),
    ("({0} * {1})", 1, 2, 0.25),
    ("({0} / (1 + {v}*{v}))", 3, 1, 0.15),
)
_CALL = ("({f}({0}) * 0.25)", 2, 1, 0.10)


def random_expression(operations, seed=1, functions=True):
    """One expression of exactly `operations` operations: a random tree over x, y, z and
    small constants, each subtree's share of the operations drawn uniformly (so the depth
    grows like log n, as in a random search tree), written out with an explicit stack in time
    linear in its length. Without `functions`, only + - * / (what every peer has)."""
    rng = random.Random(seed)
    forms = _FORMS + ((_CALL,) if functions else ())
    weights = [form[3] for form in forms]
    pieces = []
    stack = [operations]  # operation budgets of subtrees still to write, and literal text
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        if item == 0:
            pieces.append(rng.choice(VARIABLES))
            continue
        text, cost, subtrees, _ = rng.choices(forms, weights)[0]
        if cost > item:  # the last operation of a subtree: a product
            text, cost, subtrees, _ = _FORMS[2]
        rest = item - cost
        budgets = [rest] if subtrees == 1 else [left := rng.randint(0, rest), rest - left]
        text = text.format("\0", "\0", v=rng.choice(VARIABLES), f=rng.choice(FUNCTIONS))
        parts = text.split("\0")  # the text around the subtrees, in order
        for k in range(len(parts) - 1, 0, -1):
            stack.append(parts[k])
            stack.append(budgets[k - 1])
        stack.append(parts[0])
    return "".join(pieces) + "\n"


def chain(terms, seed=1):
    """x + x·c1 + x·c2 + …: a long left-deep sum, as deep as it is long (2·terms - 2
    operations)."""
    rng = random.Random(seed)
    return "x" + "".join(f" + x*{rng.randint(1, 9)}" for _ in range(terms - 1)) + "\n"


def nesting(depth):
    """((((x + 1) + 1) …): as deep as it is long (`depth` operations)."""
    return "(" * depth + "x" + " + 1)" * depth + "\n"


def rational(operations, seed=1):
    """Decimal literals and + - * / only, exactly `operations` operations: exact arithmetic's
    workload (every value is a fraction, until it outgrows gradcalc's exact range)."""
    rng = random.Random(seed)
    text, count = ["x"], 0
    while count < operations:
        op = rng.choice("+-*/") if operations - count >= 4 else rng.choice("+-*")
        literal = f"{rng.randint(1, 99)}.{rng.randint(1, 99)}"
        if op == "/":
            text.append(f" / (1 + x*x*{literal})")
            count += 4
        else:
            text.append(f" {op} {literal}")
            count += 1
    return "".join(text) + "\n"


def problem_file(lines, seed=1):
    """One small problem per line, as a class's worksheet piped through gradcalc."""
    rng = random.Random(seed)
    templates = ("x*y + {a}", "sin(x) * {a} + y", "(x + {a})*(y - {b})", "exp(x/{a}) - y*y", "x^2 + {a}*x + {b}")
    return "".join(rng.choice(templates).format(a=rng.randint(1, 9), b=rng.randint(1, 9)) + "\n" for _ in range(lines))


_TOKEN = re.compile(r"(?P<number>(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)|(?P<call>[^\W\d]\w*(?=\())|(?P<name>[^\W\d]\w*)"
                    r"|(?P<operator>[-+*/^])")


def nodes(text):
    """The number of nodes of the graph of one of this module's single expressions: one per
    operator, call and literal, one per distinct name (a name is one node however often it is
    used). Counted from the text, without parsing (it does not know unary minus or implicit
    multiplication, which these workloads never write)."""
    count, names = 0, set()
    for token in _TOKEN.finditer(text):
        if token.lastgroup == "name":
            names.add(token.group())
        else:
            count += 1
    return count + len(names)


def write(directory, name, text):
    """`text` in `directory`/`name`.gc (written once: later calls reuse the file); its path."""
    path = directory / f"{name}.gc"
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return path
