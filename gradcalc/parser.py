"""Text to graphs: Lark's LALR parser builds graph nodes as it reduces, with no tree and no recursion.

A ``Program`` reads a program line by line. Names bound on one line are seen by the next, and
each output statement becomes a ``Graph`` as soon as it has been read, so a long stream of
problems is answered one by one in bounded memory. This is the only module that imports lark.
"""

import functools
import hashlib
import json
import os
import re
import unicodedata

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from . import arrays, numbers
from .errors import GradcalcError, InputError, MathError, NotUtf8, Unparsable
from .graph import CONSTANT, INPUT, LITERAL, OPERATION, Claim, GraphBuilder
from .ops import ATTRIBUTES, CALL, CONSTANTS, FUNCTIONS, INFIX, OPS
from .textwidth import shortened

# Subscript digits may be part of a name (x₁); to check a name against Python's rule they
# count as digits. Superscripts are exponents: x² is x^2, x⁻¹ is x^-1.
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")

_EXPECTED_WORDS = {
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "EQUAL": "'='",
    "PLUS": "'+'",
    "_MINUS": "'-'",
    "_TIMES": "'*'",
    "_DIVIDE": "'/'",
    "_POW": "'^'",
    "DERIVATIVE": "d(f)/d(u)",
    "DOT": "'.'",
    "MODULE": "a name",  # np. before a function
    "LSQB": "'['",
    "RSQB": "']'",
    "$END": "the end of the statement",
}
MAX_DIMENSIONS = 8

# Python that gradcalc does not take, and what to write instead, by how it starts: a statement's
# first word ("for"), a call ("Value(", np.array's too) or a method or attribute (".backward").
# "{call}" is the call as written, "{inside}" its arguments, "{name}" "a = " when it is assigned.
_PYTHON = {
    "for": "loops are not part of gradcalc: write each step on a line of its own (c += c + 1, …)",
    "while": "loops are not part of gradcalc: write each step on a line of its own (c += c + 1, …)",
    "if": "gradcalc has no if: write the branch that applies, or use max, min, relu, abs or clamp",
    "def": "gradcalc has no functions of your own: bind names to the expressions (h = x*w + b) and use them",
    "lambda": "gradcalc has no functions of your own: bind names to the expressions (h = x*w + b) and use them",
    "import": "gradcalc needs no import: its functions are built in, and np., math. and torch. before one "
              "are understood (np.exp(x)); leave the line out",
    "from": "gradcalc needs no import: its functions are built in, and np., math. and torch. before one "
            "are understood (np.exp(x)); leave the line out",
    "print(": "print(…) is not needed: write the expression on a line of its own; its value and every "
             "gradient are shown",
    "Value(": "{call}: a number needs no Value(…) here: write {name}{inside}",
    "Tensor(": "{call}: a number needs no Tensor(…) here: write {name}{inside}",
    "tensor(": "{call}: write {name}{inside} (a number, or an array as [1, 2])",
    "array(": "{call}: write {name}{inside} (a number, or an array as [1, 2])",
    ".backward": ".backward() is not needed: gradcalc computes every gradient; write the output as a line "
                 "of its own",
    ".data": ".data is not needed: write the expression itself; its value is shown",
    ".grad": ".grad is not needed: every input's gradient is shown with the output (or check d(f)/d(x) = …)",
    ".item": ".item() is not needed: write the expression itself",
}

_OPERATORS = {"PLUS", "_MINUS", "_TIMES", "_DIVIDE", "_POW", "_IMPLICIT", "AT", "QUOTE"}


GRAMMARS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammars")  # installed from a wheel
if not os.path.isdir(GRAMMARS):  # a checkout: the grammars folder beside the package
    GRAMMARS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "grammars")
GRAMMAR = os.path.join(GRAMMARS, "gradcalc.lark")
# The grammar's LALR tables, built by write_tables() and shipped beside the grammar as reviewed,
# versioned data: building them costs more than the rest of start-up, and a cache outside the
# package could be planted, swapped or corrupted. The file is JSON (data, never code) under a
# header line with its own SHA-256 and the grammar's, so a damaged or stale file is never used.
TABLES = os.path.join(GRAMMARS, "gradcalc.tables")
_OPTIONS = dict(start="statement", parser="lalr", lexer="contextual", maybe_placeholders=False)


class _ImplicitMultiplication(PostLex):
    """Puts an _IMPLICIT token where juxtaposition means a product: a number or a closing
    parenthesis followed by a name or "(": 2x, 3(x+1), (a+b)(a-b), (x+y)z, 2np.exp(x)."""

    always_accept = ("NAME", "LPAR", "MODULE")

    def process(self, stream):
        previous = None
        for token in stream:
            kind = token.type
            if (previous == "NUMBER" or previous == "RPAR") and (kind == "NAME" or kind == "LPAR" or kind == "MODULE"):
                yield Token.new_borrow_pos("_IMPLICIT", "", token)
            yield token
            previous = kind


class _Reducer:
    """Lark's callbacks, one per grammar alias, each adding a node to the current program."""

    def __init__(self):
        self.program = None

    def number(self, children):
        return self.program.literal(children[0])

    def name(self, children):
        return self.program.lookup(children[0])

    def call(self, children):
        return self.program.call(children[0], tuple(children[1:]))

    def module_call(self, children):
        return self.program.call(children[1], tuple(children[2:]), module=children[0])

    def module_name(self, children):
        return self.program.module_name(children[0], children[1])

    def method(self, children):
        return self.program.method(children[0], children[1], tuple(children[2:]))

    def attribute(self, children):
        return self.program.attribute(children[0], children[1])

    def superscript(self, children):
        return self.program.superscript(children[0], children[1])

    def neg(self, children):
        return self.program.negate(children[0])

    def signed(self, children):
        return self.program.array_number(children[0], positive=True)

    def negative(self, children):
        return self.program.array_number(children[0], positive=False)

    def row(self, children):
        return children

    def array(self, children):
        return self.program.array_literal(children)

    def assign(self, children):
        return self.program.assign(children[0], children[1])

    def output(self, children):
        return self.program.output(children[0])

    def check(self, children):
        subject, answer, *tolerance = children
        return self.program.check(subject, answer, tolerance[0] if tolerance else None)

    def tolerance(self, children):
        return children[0]


def _operator_callback(op):
    return lambda self, children: self.program.tape.apply(op, tuple(children))


def _update_callback(op):
    return lambda self, children: self.program.update(children[0], op, children[1])


class _Number:
    """A number inside an array literal: its exact value, its text and where it is."""

    def __init__(self, token, value, text):
        self.token, self.value, self.text = token, value, text


# An operator's grammar alias is its op's name: add, mul, pow, transpose, item… (neg, above,
# folds the sign of a literal instead).
# A compound assignment's alias is its op's name and "_assign": c += 1 is add_assign.
for _op in OPS.values():
    if _op.form != CALL and not hasattr(_Reducer, _op.name):
        setattr(_Reducer, _op.name, _operator_callback(_op))
    if _op.form == INFIX:
        setattr(_Reducer, f"{_op.name}_assign", _update_callback(_op))

_parser = None
_reducer = _Reducer()


def _lark():
    global _parser
    if _parser is None:
        with open(GRAMMAR, "rb") as grammar:
            text = grammar.read()
        _parser = _load_tables(hashlib.sha256(text).hexdigest()) or Lark(
            text.decode("utf-8"), postlex=_ImplicitMultiplication(), transformer=_reducer, **_OPTIONS)
    return _parser


@functools.cache  # made when first needed: a name's pattern takes milliseconds to compile
def _pattern(kind):
    """The grammar's NAME ("name"), NUMBER ("number") or MODULE ("module", at the end), or an assignment's target
    ("assignment"), which is read before parsing so that a statement that fails to parse still
    marks its name as broken rather than leaving it to look like a free input."""
    if kind == "number":
        return re.compile(_lark().get_terminal("NUMBER").pattern.to_regexp())
    if kind == "module":  # np. at the end of a text
        return re.compile(rf"(?<!\w){_lark().get_terminal('MODULE').pattern.to_regexp()}$")
    name = _lark().get_terminal("NAME").pattern.to_regexp()
    return re.compile(name if kind == "name" else rf"\s*({name})\s*(?:\*\*|[-+*/^@])?=")


def plain_number(text):
    """The value of `text` when it is one number literal, as the grammar's NUMBER reads it (the
    common --at x=3, read without parsing a program); None otherwise."""
    if not _pattern("number").fullmatch(text):
        return None
    try:
        return numbers.literal(text)
    except OverflowError:
        raise MathError(_too_large(text), column=1, source=text) from None


def _too_large(text):
    return f"{shortened(text)} is too large for a number"


def _load_tables(grammar_sha256):
    """The parser from the shipped tables; None when they are missing, damaged, or built from
    another grammar (edited since: write_tables() rebuilds them), and the grammar is built instead."""
    try:
        with open(TABLES, "rb") as file:
            header, body = file.read().split(b"\n", 1)
        if header.decode("ascii") != _header(body, grammar_sha256):
            return None
        tables = json.loads(body, object_pairs_hook=_numbered_keys)
        return Lark._load_from_dict(tables["data"], tables["memo"], postlex=_ImplicitMultiplication(),
                                    transformer=_reducer)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # another Lark's format: build instead
        return None


def _header(body, grammar_sha256):
    return f"# gradcalc parse tables sha256 {hashlib.sha256(body).hexdigest()} grammar sha256 {grammar_sha256}"


def _numbered_keys(pairs):
    """JSON object keys are strings; Lark numbers its states, tokens and memo entries."""
    return {int(key) if key.isdigit() else key: value for key, value in pairs}


def write_tables(path=TABLES):
    """Build the parser from the grammar and write its tables to `path`:
    python -c "from gradcalc.parser import write_tables; write_tables()" after editing the grammar."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    with open(GRAMMAR, "rb") as grammar:
        text = grammar.read()
    data, memo = Lark(text.decode("utf-8"), **_OPTIONS).memo_serialize([TerminalDef, Rule])
    # only the options chosen here: a Lark with other options (older, newer) loads them too
    data["options"] = {key: value for key, value in data["options"].items() if key in _OPTIONS}
    body = json.dumps({"data": data, "memo": memo}, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8") + b"\n"
    with open(path, "wb") as file:
        file.write(_header(body, hashlib.sha256(text).hexdigest()).encode("ascii") + b"\n" + body)


def is_name(text):
    """Whether `text` is a name: a Python identifier, which may hold subscript digits (x₁)."""
    return text.isidentifier() or (not text.isascii() and text.translate(_SUBSCRIPT_DIGITS).isidentifier()
                                   and not text[0].translate(_SUBSCRIPT_DIGITS).isdigit())


def canonical_name(text):
    """A name given from outside a program (--at x₁=2) as the program's own names are kept, or
    None when it is not a name."""
    name = _normal(text)
    return name if is_name(name) else None


_WRITTEN_CHECK = re.compile(r"check(?!\w)\s*([^=]*)")
_WRITTEN_DERIVATIVE = re.compile(r"d\(\s*([^()\s]+)\s*\)\s*/\s*d\(\s*([^()\s]+)\s*\)|∂\s*([^/\s]+)\s*/\s*∂\s*(\S+)")


def written_claim(statement):
    """What a check statement is about, read from its text alone (it may not parse): its subject
    as written, spaces collapsed, with f and u of a d(f)/d(u) or ∂f/∂u (else None, None); None for
    a statement that is not a check."""
    found = _WRITTEN_CHECK.match(statement)
    if found is None:
        return None
    subject = " ".join(found.group(1).split())
    derivative = _WRITTEN_DERIVATIVE.fullmatch(subject)
    if derivative is None:
        return subject, None, None
    return subject, _normal(derivative.group(1) or derivative.group(3)), _normal(derivative.group(2) or derivative.group(4))
class _Redefinition(Exception):
    """A name bound again in a program that redefines (the interactive session): the statement
    stops being read, and the program is read again with the name's new definition."""


class Program:
    """A program read statement by statement into one tape.

    ``read_line`` yields a Graph for each output statement on the line and a Claim for each
    check statement; ``read_end`` yields the last assignment's graph when the program had no
    output statement. With ``keep=True`` outputs are not yielded: ``graph()`` returns the whole
    program once it has been read.

    With ``redefine=True`` (the interactive session) a binding is a definition, as a spreadsheet
    cell's formula: binding a name again replaces its definition, and what is defined from the
    name follows it (the program's definitions are read again in an order where each comes after
    the names it uses); a definition that uses its own name (x += 1, x = 2*x) builds on the
    name's earlier one. Without it a name means its latest binding from that line on, as in Python.
    """

    def __init__(self, keep=False, given=(), redefine=False):
        self.keep = keep
        self.given = given  # names given values from outside (--at): inputs, even a constant's name
        self.redefine = redefine
        self.definitions = {}  # with redefine: name -> its definition's statements (line, text, offset, statement, uses)
        self._replaying = False
        self._bindings()
        self.outputs, self.sources, self.lines = [], [], []
        self.had_output = False
        self._line_number = 0
        self._line = ""
        self._offset = 0
        self._statement = ""
        self._new_leaves = []
        self._pending_output = None
        self._names_used, self._assigned = set(), None  # the names the statement uses, the name it binds

    def _bindings(self):
        """No bindings yet: the state the program's statements build."""
        self.tape = GraphBuilder()
        self.scope = {}  # name -> node of its latest binding: inputs, named nodes, aliases
        self.named = {}  # label -> node, every binding: a name's first under the name, a later one as c@5
        self.latest_label = {}  # a rebound name -> the label of its latest binding
        self.assigned_on = {}  # name -> line of its first binding
        self.first_used_on = {}  # free input's name -> line of its first use
        self.constants = {}  # constant's name -> node
        self.failed = {}  # name -> line whose assignment failed
        self.spellings = {}  # a non-ASCII name's NFKC form -> the name as first written
        self.last_assignment = None
        self.last_assignment_line = None

    # -- reading -------------------------------------------------------------------------

    def read_line(self, line, number):
        """Read one line; yield each statement's Graph (an output) or Claim (a check) as it is
        completed, or the GradcalcError that stopped it: each statement is judged on its own."""
        if number == 1 and line.startswith("\ufeff"):  # the byte-order mark Notepad writes
            line = line[1:]
        self._line_number, self._line = number, line
        self.tape.line = number
        code = line.split("#", 1)[0]
        offset = 0
        for statement in code.split(";"):
            if statement.strip():
                self._offset = offset + len(statement) - len(statement.lstrip())
                self._statement = statement.strip()
                try:
                    item = self._read_statement(statement.lstrip())
                except GradcalcError as error:
                    item = error
                if item is not None:
                    yield item
            offset += len(statement) + 1

    def read_end(self):
        """After the last line: the last assignment is the output of a program without one."""
        if not self.had_output and self.last_assignment is not None:
            node, source = self.last_assignment
            if self.keep:
                self.outputs.append(node)
                self.sources.append(source)
                self.lines.append(self.last_assignment_line)
            else:
                yield self.tape.graph([node], [source], self.named, lines=[self.last_assignment_line])

    @property
    def statement(self):
        """The statement read last, as written: the one an error just yielded stopped."""
        return self._statement

    def graph(self):
        """The whole program (``keep=True``): every output and every named node."""
        return self.tape.graph(self.outputs, self.sources, self.named, keep_named=True, lines=self.lines)

    def _read_statement(self, text):
        start = len(self.tape)
        self._new_leaves = []
        self._pending_output = self._pending_claim = None
        self._names_used, self._assigned = set(), None
        _reducer.program = self
        try:
            _lark().parse(text)
        except _Redefinition as redefinition:
            self._forget(start, keep_leaves=False)
            self._define(str(redefinition))
            return None
        except (UnexpectedInput, InputError, MathError) as error:
            self._forget(start, keep_leaves=False)
            target = _pattern("assignment").match(text)
            name = target and _normal(target.group(1))
            # (in the session, a definition that fails leaves the earlier one; later uses follow
            # from the first failure)
            if target and name not in self.definitions and (name not in self.scope or name in self.assigned_on):
                self.failed[name] = getattr(error, "depends_on", None) or self._line_number
                self.scope.pop(name, None)
            elif not target and not text.startswith("check"):
                self.had_output = True  # a broken output still means the program has outputs
            if isinstance(error, UnexpectedInput):
                raise self._syntax_error(error) from None
            raise
        if self.redefine and self._assigned is not None and not self._replaying:
            self.definitions[self._assigned] = [self._record()]
        if self._pending_claim is not None:
            claim = self._claim(*self._pending_claim)
            if not self.keep:
                self._forget(start, keep_leaves=True)
            return claim
        node = self._pending_output
        if node is None:
            return None
        self.had_output = True
        if self.keep:
            self.outputs.append(node)
            self.sources.append(self._statement)
            self.lines.append(self._line_number)
            return None
        graph = self.tape.graph([node], [self._statement], self.named, lines=[self._line_number])
        self._forget(start, keep_leaves=True)
        return graph

    # -- redefinition (the interactive session) -------------------------------------------

    def _record(self):
        return self._line_number, self._line, self._offset, self._statement, frozenset(self._names_used)

    def _define(self, name):
        """The statement being read defines `name` again: the program is read again with the new
        definition, which replaces the old one or, when it uses the name, builds on it."""
        if name in self._names_used and name not in self.definitions:
            raise self._statement_error(f"{name} has no value to update yet: bind it first ({name} = …)")
        definitions = dict(self.definitions)
        definitions[name] = (definitions[name] if name in self._names_used else []) + [self._record()]
        order = _dependency_order(definitions)
        if isinstance(order, tuple):
            raise self._statement_error(
                f"{name} would depend on itself ({' → '.join(order)}): in the session, what is defined from a "
                f"name follows its new definition; keep the earlier {name} and give this one another name")
        current = self._record()
        old, self.definitions = self.definitions, definitions
        try:
            self._replay(order)
        except GradcalcError:
            self.definitions = old
            self._replay(_dependency_order(old))
            raise
        finally:
            self._line_number, self._line, self._offset, self._statement, _ = current
            self.tape.line = self._line_number

    def _replay(self, order):
        """Read the definitions again, each name's after the names it uses."""
        self._bindings()
        self._replaying = True
        try:
            for name in order:
                for number, line, offset, statement, _ in self.definitions[name]:
                    self._line_number, self._line, self._offset, self._statement = number, line, offset, statement
                    self.tape.line = number
                    self._read_statement(statement)
        finally:
            self._replaying = False

    def _forget(self, start, keep_leaves):
        """Drop the nodes the last statement made. Its new inputs and constants are named, so
        later statements may use them: keep those (moved to the end) unless the statement failed."""
        leaves = [(name, self.tape.kinds[node], self.tape.leaf_values[node]) for name, node in self._new_leaves]
        self.tape.truncate(start)
        for name, kind, value in leaves:
            tables = (self.constants,) if kind == CONSTANT else (self.scope, self.named)
            node = self.tape.leaf(kind, name, value, name) if keep_leaves else None
            for table in tables:
                if keep_leaves:
                    table[name] = node
                else:
                    del table[name]
            if not keep_leaves:
                self.first_used_on.pop(name, None)

    # -- callbacks from the grammar ------------------------------------------------------

    def literal(self, token):
        return self.tape.leaf(LITERAL, str(token), self._number(token))

    def array_number(self, token, positive):
        value = self._number(token)
        return _Number(token, value if positive else -value, str(token) if positive else f"-{token}")

    def _number(self, token):
        try:
            return numbers.literal(token)
        except OverflowError:
            raise self._error(MathError, _too_large(token), token) from None

    def lookup(self, token):
        name = self._name(token)
        self._names_used.add(name)
        node = self.scope.get(name)
        if node is not None:
            return node
        if name in self.failed:
            raise self._failed(name, token)
        if name in CONSTANTS and name not in self.given:
            node = self.constants.get(name)
            if node is None:
                node = self.constants[name] = self.tape.leaf(CONSTANT, name, CONSTANTS[name], name)
                self._new_leaves.append((name, node))
            return node
        if name in FUNCTIONS:
            raise self._error(InputError, f"{name} is a function: write {name}(…)", token)
        node = self.scope[name] = self.named[name] = self.tape.leaf(INPUT, name, None, name)
        self.first_used_on[name] = self._line_number
        self._new_leaves.append((name, node))
        return node

    def call(self, token, arguments, module=None):
        """f(…), or np.f(…) with a module's name before it (`module`, the token "np.")."""
        name = _folded(token)  # ｓｉｎ is sin
        op = FUNCTIONS.get(name)
        if op is None:
            self._pasted_python(name + "(", module or token)
            if module is None and (name in self.scope or name in CONSTANTS):
                raise self._error(InputError, f"{name} is not a function; for a product write {name}*(…)", token)
            near = nearest_name(name, FUNCTIONS)
            hint = f"; did you mean {module or ''}{near}?" if near else "" if module else f" (for a product write {name}*(…))"
            raise self._error(InputError, f"unknown function {module or ''}{name}{hint}", token)
        if len(arguments) != op.arity:
            wanted = "1 argument" if op.arity == 1 else f"{op.arity} arguments"
            raise self._error(InputError, f"{name} takes {wanted}, got {len(arguments)}", token)
        return self.tape.apply(op, arguments)

    def module_name(self, module, token):
        """np.pi, math.e: a constant with a module's name before it, the constant even where the
        program binds its name (e = c - d)."""
        name = _folded(token)
        if name in CONSTANTS:
            return self.tape.leaf(CONSTANT, name, CONSTANTS[name], name)
        if name in FUNCTIONS:
            raise self._error(InputError, f"{module}{name} is a function: write {module}{name}(…)", token)
        raise self._error(InputError, f"{module}{name}: gradcalc knows the functions and the constants "
                                      f"{' '.join(CONSTANTS)} after {module}", token)

    def method(self, node, token, arguments):
        """a.f(…) is f(a, …), for every function of the table (z.relu(), x.pow(2), x.clamp(0, 1))."""
        name = _folded(token)
        op = FUNCTIONS.get(name)
        if op is None:
            self._pasted_python("." + name, token)
            near = nearest_name(name, FUNCTIONS)
            hint = f"; did you mean .{near}()?" if near else ""
            raise self._error(InputError, f"unknown method .{name}(){hint} (a method is a function of the "
                                          f"value before the dot: x.exp() is exp(x))", token)
        if len(arguments) + 1 != op.arity:
            wanted = "no arguments" if op.arity == 1 else "1 argument" if op.arity == 2 else f"{op.arity - 1} arguments"
            raise self._error(InputError, f".{name}(…) takes {wanted}, got {len(arguments)} "
                                          f"(the value before the dot is {name}'s first argument)", token)
        return self.tape.apply(op, (node, *arguments))

    def attribute(self, node, token):
        """a.T: an op's attribute (the transpose)."""
        name = _folded(token)
        op = ATTRIBUTES.get(name)
        if op is not None:
            return self.tape.apply(op, (node,))
        self._pasted_python("." + name, token)
        if name in FUNCTIONS:
            raise self._error(InputError, f".{name} is a method: write .{name}()", token)
        known = ", ".join(f".{attribute}" for attribute in ATTRIBUTES)
        raise self._error(InputError, f"unknown attribute .{name} (gradcalc knows {known}, and methods such "
                                      f"as .exp())", token)

    def _pasted_python(self, word, token):
        """Raise the error that says what to write instead of `word`, Python that gradcalc does not
        take (Value(…), .backward()), if it is one."""
        hint = _PYTHON.get(word)
        if hint is not None:
            raise self._error(InputError, self._hint(hint, token.column - 1), token)

    def _hint(self, hint, start):
        """A hint of _PYTHON filled in for the word at `start` in the statement."""
        statement = self._statement
        call, inside = statement[start:], ""
        opening = statement.find("(", start)
        if opening >= 0 and not statement[start:opening].strip(" .").count(" "):
            depth = 0
            for end in range(opening, len(statement)):
                depth += {"(": 1, ")": -1}.get(statement[end], 0)
                if depth == 0:
                    call, inside = statement[start:end + 1], statement[opening + 1:end].strip()
                    break
        target = _pattern("assignment").match(statement)
        name = f"{target.group(1)} = " if target and target.end() <= start else ""
        return hint.format(call=call, inside=inside, name=name)

    def array_literal(self, items):
        """[1, 2] or [[1, 2], [3, 4]]: a rectangular array of numbers, an exact leaf."""
        shape, probe = [], items
        while isinstance(probe, list):
            shape.append(len(probe))
            probe = probe[0]
        if len(shape) > MAX_DIMENSIONS:
            raise self._error(InputError, f"an array has at most {MAX_DIMENSIONS} dimensions", probe.token)
        stack = [(items, 0)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, list):
                if depth >= len(shape):
                    raise self._error(InputError, "ragged array: a row where the first row has a number",
                                      _first_number(item).token)
                if len(item) != shape[depth]:
                    raise self._error(InputError, f"ragged array: this row has {len(item)} "
                                      f"element{'s' if len(item) != 1 else ''}, the first row {shape[depth]}",
                                      _first_number(item).token)
                stack.extend((child, depth + 1) for child in item)
            elif depth != len(shape):
                raise self._error(InputError, f"ragged array: a number where a row of {shape[depth]} was expected",
                                  item.token)
        value = arrays.exact_array(_nested(items, lambda number: number.value))
        text = _nested_text(items)
        return self.tape.leaf(LITERAL, text, value)

    def superscript(self, node, token):
        exponent = int(token.translate(_SUPERSCRIPTS))
        return self.tape.apply(OPS["pow"], (node, self.tape.leaf(LITERAL, str(exponent), exponent)))

    def _name(self, token, column=None):
        """A name as written (only canonically equivalent spellings, which look the same, are one
        name: a decomposed café is café). Python would also fold ｘ into x and x₁ into x1 (NFKC);
        two names that look different are never merged: where that folding would merge them,
        it is an error that says so."""
        if token.isascii():
            name = str(token)
            folded = name
        else:
            name = unicodedata.normalize("NFC", str(token))
            if not is_name(name):
                raise self._error(InputError, f"{name!r} is not a valid name", token, column)
            folded = unicodedata.normalize("NFKC", name)
        other = self.spellings.setdefault(folded, name)
        if other != name:
            raise self._error(InputError, f"{name} and {other} look different but Unicode normalisation (NFKC, as "
                                          f"Python does) makes them one name: write one spelling", token, column)
        return name

    def negate(self, node):
        tape = self.tape
        if tape.kinds[node] == LITERAL:  # -3 is a signed literal, not an operation
            label = tape.labels[node]
            tape.labels[node] = label[1:] if label.startswith("-") else "-" + label
            tape.leaf_values[node] = -tape.leaf_values[node]
            return node
        return tape.apply(OPS["neg"], (node,))

    def assign(self, token, node):
        """NAME = node. A name bound again means its new node from here on (earlier uses keep the
        old one); the new node is labelled NAME@LINE (NAME@LINE:COLUMN where the line binds NAME
        more than once), which no name can be, and the first binding keeps the plain name."""
        name = self._name(token)
        if name in FUNCTIONS:
            raise self._error(InputError, f"{name} is the name of a function; choose another name", token)
        if self.redefine and not self._replaying and (name in self.definitions or name in self.scope
                                                      or name in self.constants):
            raise _Redefinition(name)
        if name in self.constants:
            raise self._error(
                InputError, f"{name} is assigned after its use as the constant {name}; assign it before using it", token
            )
        if name in self.scope and name not in self.assigned_on:
            raise self._error(
                InputError,
                f"{name} is assigned after its use on line {self.first_used_on[name]}; assign it before using it",
                token,
            )
        label = name
        if name in self.assigned_on:
            label = f"{name}@{self._line_number}"
            if label in self.named or self.assigned_on[name] == self._line_number:
                label += f":{self._offset + token.column}"
            self.latest_label[name] = label
        tape = self.tape
        kind = tape.kinds[node]
        if kind == LITERAL:
            tape.kinds[node], tape.names[node], tape.labels[node] = INPUT, label, label
        elif kind == OPERATION and tape.names[node] is None:
            tape.names[node] = label
        self.scope[name] = self.named[label] = node
        self._assigned = name
        self.failed.pop(name, None)
        self.assigned_on.setdefault(name, self._line_number)
        self.last_assignment = (node, self._statement)
        self.last_assignment_line = self._line_number

    def update(self, token, op, node):
        """NAME += node (and -= *= /= **= @=): NAME bound to its current node `op` node."""
        name = self._name(token)
        self._names_used.add(name)
        if name not in self.assigned_on or name not in self.scope:
            if name in self.failed:
                raise self._error(InputError, f"{name} has no value: its definition on line {self.failed[name]} failed",
                                  token)
            raise self._error(InputError, f"{name} has no value to update yet: bind it first ({name} = …)", token)
        self.assign(token, self.tape.apply(op, (self.scope[name], node)))

    def output(self, node):
        self._pending_output = node

    def check(self, subject, answer, tolerance):
        """`check EXPR = ANSWER [± TOL]` or `check d(f)/d(u) = ANSWER [± TOL]`."""
        if isinstance(subject, Token):
            written = subject.replace("d(", " (")  # the d of d( is not a name; the columns stay
            of, wrt = (self._name(Token.new_borrow_pos("NAME", found.group(), subject), subject.column + found.start())
                       for found in _pattern("name").finditer(written))
            for name in (of, wrt):
                if name in self.failed:
                    raise self._failed(name, subject)
                if name not in self.scope:
                    raise self._error(InputError, f"{subject}: {name} is not a name the program binds"
                                      f"{self._did_you_mean(name)}", subject)
            subject = self.scope[of]
            of, wrt = self.latest_label.get(of, of), self.latest_label.get(wrt, wrt)  # the bindings of this line
        else:
            of = wrt = None
            self._derivative_written_as_a_quotient(subject)
        for name, node in self._new_leaves:  # a name first met in the answer: not the program's
            if self.tape.kinds[node] == INPUT and self._uses(answer, node):
                raise InputError(f"the answer uses {name}, which is not a name the program binds"
                                 f"{self._did_you_mean(name)}", line=self._line_number,
                                 column=self._offset + 1, source=self._line)
        if tolerance is not None and self._uses(tolerance, None):
            raise InputError("the tolerance must be a number or a constant expression such as 1/3 or sqrt(2)/2",
                             line=self._line_number, column=self._offset + 1, source=self._line)
        self._pending_claim = (subject, answer, tolerance, of, wrt)

    def _uses(self, node, name_node):
        """Whether the expression at `node` uses the node `name_node`, or (None) any of the
        program's names: an input or a named node (constants such as pi are not names)."""
        stack = [node]
        while stack:
            i = stack.pop()
            if i == name_node or (name_node is None and (self.tape.kinds[i] == INPUT or self.tape.names[i])
                                  and self.tape.kinds[i] != CONSTANT):
                return True
            stack.extend(self.tape.args[i])
        return False

    def _did_you_mean(self, name):
        near = nearest_name(name, [n for n in self.scope if n != name])
        return f"; did you mean {near}?" if near else ""

    def _derivative_written_as_a_quotient(self, subject):
        """`check dprice/dorange = …` reads as a quotient of two unknown names: say how a
        derivative is written instead."""
        tape = self.tape
        if tape.ops[subject] is not OPS["div"]:
            return
        names = [tape.names[i] if tape.kinds[i] == INPUT else None for i in tape.args[subject]]
        new = {node for _, node in self._new_leaves}
        if all(name and name[0] in "d∂" and name[1:] in self.scope for name in names) and set(tape.args[subject]) & new:
            of, wrt = (name[1:] for name in names)
            raise InputError(f"{names[0]}/{names[1]}: for the derivative of {of} with respect to {wrt} "
                             f"write d({of})/d({wrt}) (or ∂{of}/∂{wrt})", line=self._line_number,
                             column=self._offset + 1, source=self._line)

    def _claim(self, subject, answer, tolerance, of, wrt):
        roots = [subject, answer] + ([tolerance] if tolerance is not None else [])
        graph = self.tape.graph(roots, [self._statement] * len(roots), self.named, lines=[self._line_number] * len(roots))
        position = self.named[wrt] if wrt is not None else subject
        text = self.tape.labels[answer] if self.tape.kinds[answer] == LITERAL else None
        return Claim(graph, self._statement, self._line_number, of, wrt, position, text, self._uses(answer, None))

    # -- errors ----------------------------------------------------------------------------

    def _statement_error(self, message):
        """An InputError about the statement being read as a whole."""
        return InputError(message, line=self._line_number, column=self._offset + 1, source=self._line)

    def _error(self, kind, message, token, column=None):
        column = token.column if column is None else column
        return kind(message, line=self._line_number, column=self._offset + column, source=self._line)

    def _failed(self, name, token):
        """Using a name whose definition failed: an error that follows from that line's."""
        line = self.failed[name]
        return InputError(f"{name} has no value: its definition on line {line} failed", line=self._line_number,
                          column=self._offset + token.column, source=self._line, depends_on=line)

    def _syntax_error(self, error):
        column = self._offset + error.column if error.column and error.column > 0 else None
        kind = Unparsable
        if isinstance(error, UnexpectedCharacters):
            message = f"unexpected character {self._line[column - 1]!r}" if column else "unexpected character"
            if column and self._line[column - 1] == "\ufffd":
                message += " (the input is not valid UTF-8 here)"
                kind = NotUtf8
        elif isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
            column = self._offset + len(self._statement) + 1
            message = f"the statement ended early; expected {_expected(error.expected)}"
        else:
            token = error.token
            what = {"NUMBER": "number ", "NAME": "name "}.get(token.type, "")
            message = f"unexpected {what}{str(token)!r}; expected {_expected(error.expected)}"
        pasted = self._pasted_word()
        if pasted is not None:  # Python that gradcalc does not take: say what to write instead
            start, hint = pasted
            message, column = self._hint(hint, start), self._offset + start + 1
        return kind(message, line=self._line_number, column=column, source=self._line)

    def _pasted_word(self):
        """(where, hint) for the first word of the statement that is Python gradcalc does not take
        (for, print, Value, .backward…), or None."""
        statement = self._statement
        for found in _pattern("name").finditer(statement):
            word, start = found.group(), found.start()
            before = statement[:start]
            if before.endswith(".") and not _pattern("module").search(before):
                key = "." + word
            elif statement[found.end():].lstrip().startswith("("):
                key = word + "("
            else:
                key = word if not before.strip() else None
            if key in _PYTHON:
                return start, _PYTHON[key]
        return None


def _dependency_order(definitions):
    """The names of `definitions` (name -> statements, each with the names it uses last), each
    after the names its definition uses, otherwise in their order; where some depend on each other
    in a circle, that circle instead, as a tuple of names from one back to itself."""
    uses = {name: set().union(*(record[-1] for record in statements)) & definitions.keys() - {name}
            for name, statements in definitions.items()}
    order, placed = [], set()
    while len(order) < len(uses):
        ready = next((name for name in uses if name not in placed and uses[name] <= placed), None)
        if ready is None:
            return _circle(uses, placed)
        order.append(ready)
        placed.add(ready)
    return order


def _circle(uses, placed):
    """A circle among the names not placed, each of which uses another of them."""
    path, name = [], next(name for name in uses if name not in placed)
    while name not in path:
        path.append(name)
        name = next(used for used in sorted(uses[name]) if used not in placed)
    return tuple(path[path.index(name):] + [name])


def _folded(token):
    """A function's, method's or attribute's name as written, compatibility forms folded (ｓｉｎ is sin)."""
    return unicodedata.normalize("NFKC", token) if not token.isascii() else str(token)


def nearest_name(name, names):
    """The name among `names` closest to `name` (a typo's likely meaning), or None."""
    import difflib  # only for a message

    near = difflib.get_close_matches(name, names, n=1)
    return near[0] if near else None


def _normal(name):
    """A name's canonical form (NFC), as Program._name gives it, without its checks."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def _first_number(item):
    while isinstance(item, list):
        item = item[0]
    return item


def _nested(items, leaf):
    """The same nesting of lists with `leaf` applied to each number (no recursion: arrays may nest deep)."""
    result = []
    stack = [(items, result)]
    while stack:
        source, target = stack.pop()
        for item in source:
            if isinstance(item, list):
                inner = []
                target.append(inner)
                stack.append((item, inner))
            else:
                target.append(leaf(item))
    return result


def _nested_text(items):
    """'[[1, 2], [3, 4]]' as written."""
    pieces, stack = [], [items]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
        elif isinstance(item, list):
            stack.append("]")
            for k in range(len(item) - 1, -1, -1):
                stack.append(item[k])
                if k:
                    stack.append(", ")
            stack.append("[")
        else:
            pieces.append(item.text)
    return "".join(pieces)


def _expected(terminals):
    terminals = set(terminals)
    words = []
    if terminals & _OPERATORS:
        words.append("an operator")
    words += sorted({_EXPECTED_WORDS.get(t, repr(t)) for t in terminals - _OPERATORS if not t.startswith("__")})
    if "a number" in words and "a name" in words:
        words = ["a number", "a name"] + [w for w in words if w not in ("a number", "a name")]
    if len(words) > 1:
        return ", ".join(words[:-1]) + " or " + words[-1]
    return words[0] if words else "something else"


def parse(text, inputs=()):
    """Parse a whole program into one Graph: every output and every named node. The names in
    `inputs` are inputs even where they are constants' names."""
    program = Program(keep=True, given=inputs)
    for number, line in enumerate(text.splitlines() or [""], 1):
        for item in program.read_line(line, number):
            if isinstance(item, GradcalcError):
                raise item
    for _ in program.read_end():
        pass
    return program.graph()

