"""What may import what (ARCHITECTURE.md, "Import rules"), checked on the source of the package.

Every module of ``mlsys_helpers`` belongs to one layer; a module may import (at the top or
inside a function) only from its own layer or an earlier one, and inside the *stations* layer
only from an earlier station. That the core modules do not import matplotlib or ipywidgets at
import time is checked by running them: tests/test_common.py,
``test_core_modules_import_neither_matplotlib_nor_ipywidgets``.
"""

from __future__ import annotations

import ast
import io
import pkgutil
import re
import tokenize
from pathlib import Path

import pytest

import mlsys_helpers as mh

PACKAGE = Path(mh.__file__).parent

#: The stations in import order: a station imports only stations to its left. ``drift`` comes
#: first: the Drift description (kind, pattern, schedule) is what a world applies while sampling,
#: and ``inject`` works on any frame, so ``world`` depends on ``drift`` and not the other way.
STATIONS = (
    "drift",
    "world",
    "datasets",
    "collect",
    "quality",
    "train",
    "value",
    "serve",
    "detect",
    "monitor",
    "loop",
    "deploy",
)
#: The layers after the stations, in order; inside one of them any import is allowed.
LAYERS = (
    ("plots", "_panels", "widgets"),  # the front end: matplotlib and ipywidgets live here
    ("incidents",),  # the capstone: a whole system, so every station (plots only lazily)
    ("exercises", "_keys", "envcheck", "__main__", "_notebooks", "_classroom", "_course"),
    ("_offline",),  # imported by the test and notebook start-up, imports nothing of ours
)


def rank(name: str) -> tuple[int, int]:
    """(layer, position): stations are layer 0, ordered; a later layer has a larger number."""
    if name in STATIONS:
        return 0, STATIONS.index(name)
    for layer, names in enumerate(LAYERS, start=1):
        if name in names:
            return layer, 0
    raise KeyError(f"mlsys_helpers.{name} is in no layer: add it to tests/test_architecture.py")


def imported_units(source: str) -> set[str]:
    """The top-level units of the package (``detect``, ``_keys``, ...) that ``source`` imports,
    anywhere in the file (function-level imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "mlsys_helpers":
                continue
            if len(parts) == 1:  # from mlsys_helpers import detect, world
                found.update(a.name for a in node.names)
            else:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "mlsys_helpers" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError("use absolute imports (from mlsys_helpers.x import y)")
    return found


def violations(unit: str, source: str) -> list[str]:
    """Messages for every import of ``source`` (code of ``unit``) that breaks the rules."""
    out = []
    for other in sorted(imported_units(source) - {unit}):
        if other.startswith("__") and other != "__main__":
            continue  # from mlsys_helpers import __version__
        if rank(other) > rank(unit):
            out.append(f"{unit} imports {other}, which comes after it")
    return out


def _units():
    """(unit, path) for every file of the package: ``detect/batch.py`` belongs to ``detect``."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.name == "__init__.py" and len(rel.parts) == 1:
            continue  # the package's own lazy loader
        yield rel.parts[0].removesuffix(".py"), path


def test_every_module_of_the_package_has_a_place():
    units = {m.name for m in pkgutil.iter_modules(mh.__path__)} | {"__main__"}
    for unit in units:
        rank(unit)
    assert set(STATIONS) <= units


def test_the_package_lists_the_stations_first_in_the_same_order():
    assert mh._MODULES[: len(STATIONS)] == STATIONS


@pytest.mark.parametrize(("unit", "path"), list(_units()), ids=lambda v: str(v))
def test_no_module_imports_a_later_station_or_layer(unit, path):
    assert violations(unit, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("unit", "source"),
    [
        ("train", "from mlsys_helpers.monitor import Monitor"),
        ("train", "def f():\n    from mlsys_helpers import monitor\n"),
        ("world", "import mlsys_helpers.collect"),
        ("drift", "from mlsys_helpers.world import LoanWorld"),
        ("detect", "from mlsys_helpers.plots import plot_detector"),
        ("serve", "from mlsys_helpers.incidents import open_case"),
        ("plots", "from mlsys_helpers.exercises import check"),
    ],
)
def test_the_rule_catches_an_import_of_something_later(unit, source):
    assert violations(unit, source) != []


def test_the_rule_allows_imports_of_earlier_units():
    assert violations("monitor", "from mlsys_helpers.detect import compare") == []
    assert violations("world", "from mlsys_helpers.drift import Drift") == []
    assert violations("widgets", "from mlsys_helpers.world import LoanWorld") == []
    assert violations("detect", "from mlsys_helpers.detect.streaming import _Detector") == []


ROOT = PACKAGE.parent


def test_the_design_documents_are_in_the_repository_and_the_readme_links_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("ARCHITECTURE.md", "CONTRIBUTING.md"):
        assert (ROOT / name).is_file()
        assert f"]({name})" in readme
    assert "shared folder" not in readme


def test_architecture_md_gives_the_station_order_this_test_enforces():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| 0 stations")]
    documented = tuple(name.strip("` ") for name in row.split("|")[2].split(","))
    assert documented == STATIONS


# -- short units (issue 17, item 2) -------------------------------------------------------------
#
# Lines of code of a unit: lines holding a token, minus blank, comment-only and docstring lines
# (the counting of the project's tool unitlen.py: a class counts all its lines, methods included,
# decorators too; a function nested in another counts in both). Docstrings stay full: only code
# is counted.

CLASS_LIMIT = 150
FUNCTION_LIMIT = 60

#: Units over the limit today, with their lines of code when this list was written. None may grow;
#: each is to be split along what it mixes (ARCHITECTURE.md, "Short units"). When one is short
#: enough, the test says to remove it from here: the list only shrinks.
KNOWN_LONG = {}


def code_lines(source: str) -> set[int]:
    """Line numbers that hold code: not blank, not only a comment, not part of a docstring."""
    tree = ast.parse(source)
    doc: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    doc.update(range(body[0].lineno, body[0].end_lineno + 1))
    skipped = (
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    )
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skipped:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines - doc


def _defs(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every class and function, nested ones as ``Outer.inner``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _defs(node, f"{name}.")
        else:
            yield from _defs(node, prefix)


def unit_lengths(source: str, path: str) -> dict[str, tuple[str, int]]:
    """``{"path::Qualified.name": (kind, lines of code)}`` for every class and function."""
    lines = code_lines(source)
    out = {}
    for name, node in _defs(ast.parse(source)):
        start = min([d.lineno for d in node.decorator_list] + [node.lineno])
        n = len([i for i in lines if start <= i <= node.end_lineno])
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        out[f"{path}::{name}"] = (kind, n)
    return out


def unit_problems(lengths: dict[str, tuple[str, int]], known: dict[str, int]) -> list[str]:
    """Units over the limit and not listed, listed units that grew, and stale entries."""
    problems = []
    for unit, (kind, n) in sorted(lengths.items()):
        limit = CLASS_LIMIT if kind == "class" else FUNCTION_LIMIT
        if n > limit and unit not in known:
            problems.append(f"{unit}: {kind} of {n} lines of code, over {limit}: split it")
        elif unit in known and n > known[unit]:
            problems.append(f"{unit}: grew from {known[unit]} to {n} lines of code")
    for unit in sorted(known):
        if unit not in lengths:
            problems.append(f"{unit}: no longer exists: remove it from the list (KNOWN_LONG)")
            continue
        kind, n = lengths[unit]
        if n <= (CLASS_LIMIT if kind == "class" else FUNCTION_LIMIT):
            problems.append(
                f"{unit}: {n} lines of code now, within the limit: remove it from the list (KNOWN_LONG)"
            )
    return problems


def _package_unit_lengths() -> dict[str, tuple[str, int]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        out.update(unit_lengths(path.read_text(encoding="utf-8"), rel))
    return out


def test_no_class_over_150_and_no_function_over_60_lines_of_code_except_the_known_ones():
    problems = unit_problems(_package_unit_lengths(), KNOWN_LONG)
    assert not problems, "\n".join(["long units (ARCHITECTURE.md, 'Short units'):", *problems])


def test_docstrings_comments_and_blank_lines_are_not_code():
    source = (
        "class A:\n"
        '    """Doc\n\n    over lines."""\n'
        "\n"
        "    # a comment\n"
        "    @staticmethod\n"
        "    def f(x):\n"
        '        """Doc."""\n'
        "        return (x +\n"
        "                1)  # trailing\n"
    )
    lengths = unit_lengths(source, "m.py")
    assert lengths == {"m.py::A": ("class", 5), "m.py::A.f": ("function", 4)}


def test_the_unit_rule_catches_long_grown_and_stale_entries():
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    lengths = unit_lengths(f"def long():\n{body}\ndef short():\n    pass\n", "m.py")
    assert lengths["m.py::long"] == ("function", 62)
    assert "m.py::long: function of 62 lines of code, over 60: split it" in unit_problems(
        lengths, {}
    )
    assert unit_problems(lengths, {"m.py::long": 62}) == []
    assert unit_problems(lengths, {"m.py::long": 61}) == [
        "m.py::long: grew from 61 to 62 lines of code"
    ]
    stale = unit_problems(lengths, {"m.py::long": 62, "m.py::short": 80, "m.py::gone": 70})
    assert len(stale) == 2 and all("remove it from the list" in p for p in stale)


# -- error wording (issue 17, item 3; ARCHITECTURE.md, "API conventions") ----------------------
#
# Every ValueError/TypeError raised for a bad argument reads "<argument> must <expectation>, got
# <what was given>" (or ", missing [...]" for missing columns). The message is read from the
# source: a str constant, an f-string (a placeholder stands for its expression: `{name}` is an
# argument's name held in a variable), `+` of such parts, `"...".format(...)`, or a local variable
# assigned one of those in the same function (every assignment before the raise is checked).

#: The argument the message starts with: a name or a `{placeholder}`, optionally indexed or an
#: attribute of it (`frame['income']`, `frame[{column!r}]`, `drift.category`), or two joined (`baseline + min_effect`,
#: `predicted and actual`).
_ARGUMENT = r"(?:\{[^{}]+\}|[A-Za-z_]\w*)(?:\[[^\]]+\]|\.\w+)*"
_JOINER = r"(?: \+ | and | or |, )"
WORDING = re.compile(
    rf"^{_ARGUMENT}(?:(?: \+ | and | or |, ){_ARGUMENT})* must \S.*, (?:got|missing) \S", re.S
)

#: Raises that do not follow the pattern on purpose: ``(file, function, message start) -> why``.
WORDING_EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("quality/schema.py", "ColumnSchema.__post_init__.fail", "{problem} (column {self.name!r})"): (
        "a wrapper: every call passes a problem that reads '<field> must ..., got ...' "
        "(test_schema matches each) and adds the column it is about"
    ),
}


def message_templates(node: ast.expr, function: ast.AST | None, before: int) -> list[str] | None:
    """The possible texts of a message expression, placeholders as ``{expr}``; None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                conversion = "" if value.conversion == -1 else f"!{chr(value.conversion)}"
                parts.append(f"{{{ast.unparse(value.value)}{conversion}}}")
        return ["".join(parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = message_templates(node.left, function, before)
        right = message_templates(node.right, function, before)
        if left is None and right is None:
            return None
        left = left or [f"{{{ast.unparse(node.left)}}}"]  # "got " + repr(x): a placeholder
        right = right or [f"{{{ast.unparse(node.right)}}}"]
        return [a + b for a in left for b in right]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # "..." % values
        return message_templates(node.left, function, before)
    if isinstance(node, ast.IfExp):
        body = message_templates(node.body, function, before)
        orelse = message_templates(node.orelse, function, before)
        return None if body is None or orelse is None else body + orelse
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return message_templates(node.func.value, function, before)
    if isinstance(node, ast.Name) and function is not None:
        found: list[str] = []
        for sub in ast.walk(function):
            if (
                isinstance(sub, ast.Assign)
                and sub.lineno < before
                and any(isinstance(t, ast.Name) and t.id == node.id for t in sub.targets)
            ):
                texts = message_templates(sub.value, function, sub.lineno)
                if texts is None:
                    return None
                found += texts
        return found or None
    return None


def _argument_names(node: ast.AST) -> set[str]:
    """The names a caller can give: a function's parameters; a class's fields (annotated names
    of its body, as in a dataclass) and the parameters of its ``__init__``."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return {a.arg for a in every if a is not None}
    names = set()
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
        elif isinstance(item, ast.FunctionDef) and item.name == "__init__":
            names |= _argument_names(item)
    return names


def _raises(tree: ast.AST, function: ast.AST | None = None, qualname: str = ""):
    """(function qualname, function node, Raise node) of every raise, in source order."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{qualname}.{node.name}" if qualname else node.name
            inner = node if not isinstance(node, ast.ClassDef) else function
            yield from _raises(node, inner, name)
        else:
            if isinstance(node, ast.Raise):
                yield qualname or "<module>", function, node
            yield from _raises(node, function, qualname)


def _not_arguments(text: str, names: set[str]) -> list[str]:
    """The names the message starts with that are no argument of the module (placeholders pass)."""
    subject = text.split(" must ", 1)[0]
    parts = [re.split(r"[\[.]", part, maxsplit=1)[0] for part in re.split(_JOINER, subject)]
    return [part for part in parts if not part.startswith("{") and part not in names]


def wording_problems(source: str, path: str) -> list[tuple[tuple[str, str, str], str]]:
    """``((file, function, message start), problem)`` for every ValueError/TypeError raised in
    ``source`` whose message does not follow the pattern."""
    out = []
    tree = ast.parse(source)
    # The names a caller of this module can write: validation is often done away from the
    # signature (a dataclass's __post_init__, a mixin's fit, a helper given the whole object).
    names = set()
    for unit in ast.walk(tree):
        if isinstance(unit, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names |= _argument_names(unit)
    for qualname, function, node in _raises(tree):
        exc = node.exc
        if isinstance(exc, ast.Name) and exc.id in ("ValueError", "TypeError"):
            exc = ast.Call(func=exc, args=[], keywords=[])  # raise ValueError: no message
        if not (
            isinstance(exc, ast.Call)
            and isinstance(exc.func, ast.Name)
            and exc.func.id in ("ValueError", "TypeError")
        ):
            continue
        where = f"{path}:{node.lineno} {qualname}: {exc.func.id}"
        if not exc.args:
            out.append(((path, qualname, ""), f"{where} has no message"))
            continue
        texts = message_templates(exc.args[0], function, node.lineno)
        if texts is None:
            code = ast.unparse(exc.args[0])
            out.append(((path, qualname, code[:40]), f"{where}({code}): message not readable"))
            continue
        for text in texts:
            if not WORDING.match(text):
                out.append(((path, qualname, text[:40]), f"{where}({text!r})"))
            elif strangers := _not_arguments(text, names):
                problem = f"{where}({text!r}): {', '.join(strangers)} is no argument here"
                out.append(((path, qualname, text[:40]), problem))
    return out


def _package_wording_problems():
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        out += wording_problems(path.read_text(encoding="utf-8"), rel)
    return out


def _excepted(key: tuple[str, str, str], exceptions) -> bool:
    path, qualname, start = key
    return any((path, qualname) == (p, q) and start.startswith(s[:40]) for p, q, s in exceptions)


def test_errors_name_the_argument_what_it_must_be_and_what_was_got():
    problems = [
        problem
        for key, problem in _package_wording_problems()
        if not _excepted(key, WORDING_EXCEPTIONS)
    ]
    assert not problems, "\n".join(
        [
            f"{len(problems)} ValueError/TypeError messages do not read "
            "'<argument> must <expectation>, got <value>' (ARCHITECTURE.md, 'API conventions'):",
            *problems,
        ]
    )


def test_every_wording_exception_still_exists_and_says_why():
    keys = [key for key, _ in _package_wording_problems()]
    for exception, reason in WORDING_EXCEPTIONS.items():
        assert len(reason) > 20, f"{exception}: say why"
        assert any(_excepted(key, [exception]) for key in keys), (
            f"{exception} no longer exists or now follows the pattern: remove it from the list"
        )


@pytest.mark.parametrize(
    "message",
    [
        'raise ValueError(f"magnitude must be >= 0, got {magnitude}")',
        'raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")',
        'raise ValueError(f"{name} must be in [0, 1], got {value!r}")',
        "raise ValueError(f\"frame['income'] must be numeric, got {dtype}\")",
        'raise ValueError(f"frame must have the columns {cols}, missing {absent}")',
        'raise ValueError("window must be an int >= 2, got " + repr(window))',
        'message = f"rate must be <= 1, got {rate}"\n    raise ValueError(message)',
        'raise ValueError(f"frame[{column!r}] must be numeric, got {dtype}")',
        'raise ValueError(f"baseline + effect must be in (0, 1), got {p}")',
        'raise ValueError(f"frame.index must be sorted, got {frame.index[:3]}")',
    ],
)
def test_the_wording_rule_accepts_the_pattern(message):
    source = f"def f(magnitude, frame, *, window, rate, baseline, effect):\n    {message}\n"
    assert wording_problems(source, "m.py") == []


def test_the_argument_may_be_a_field_of_the_class_or_of_its_init():
    source = (
        "class Drift:\n"
        "    magnitude: float\n"
        "    def __post_init__(self):\n"
        '        raise ValueError(f"magnitude must be >= 0, got {self.magnitude}")\n'
        "class Monitor:\n"
        "    def __init__(self, window):\n"
        "        self.window = window\n"
        "    def run(self, stream):\n"
        '        raise ValueError(f"window must fit in stream, got {self.window}")\n'
    )
    assert wording_problems(source, "m.py") == []


@pytest.mark.parametrize(
    "message",
    [
        'raise ValueError(f"unknown kind {kind!r}")',  # no argument first, no "must"
        'raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")',  # "; got"
        'raise ValueError("features must not be empty")',  # what was got?
        'raise ValueError(f"the window must be >= 2, got {window}")',  # "the" is no argument
        'raise TypeError(f"{name}={value!r} is not a number")',
        "raise ValueError",
        "raise ValueError(message)",  # unknown text
        'message = "bad"\n    raise TypeError(message)',
        'raise ValueError("rate must be <= 1, got %s" % rate if a else "oops")',
        'raise ValueError(f"size must be >= 2, got {window}")',  # size is no argument here
        'raise ValueError(f"rate and size must be given, got {rate}")',
    ],
)
def test_the_wording_rule_catches_other_messages(message):
    source = f"def f(rate, window, a):\n    {message}\n\nclass C:\n    def __init__(self, b): ...\n"
    assert len(wording_problems(source, "m.py")) == 1
