"""Every number in a chapter's prose is backed by the run (issue 20, item 2).

For each executed chapter notebook ``notebooks/NN_*.ipynb`` every number in the markdown cells
must be BACKED by one of (a number registered under ``test`` is backed by its test even when a
printed number happens to match it; otherwise in this order):

output
    a number printed by a cell of the executed notebook (stream, ``text/plain`` or a
    ``text/html`` table) that equals it at the prose's precision: prose ``0.89`` is backed by a
    printed ``0.887``, prose ``89 %`` by ``0.887`` or ``88.7 %``, ``28,436`` by ``28436``,
    ``28k`` by ``28,436``. Outputs of the cells near the sentence are searched first, then the
    whole chapter's (the report says which);
code
    a numeric literal of a visible code cell that equals it exactly (``window=500``, ``0.43`` for
    "43 %"); hidden ``solution`` cells do not count;
test
    an entry of ``tests/prose_claims/chNN.py:TESTED`` naming the lesson-test function that
    asserts it; the function must exist and its source must hold the number;
allow
    an entry of ``tests/prose_claims/chNN.py:ALLOWED`` with the reason it is not about an output.

Not numbers for this check: inline code, fenced code, links, images and HTML tags, a heading's
section number ("## 3 · ...", "**1 · world.**", "section 6"), list markers ("1. "), exercise
ids ("03.3", "04.1–04.5"), chapter references ("chapter 03", "chapters 05–07", "§4", a bare
zero-padded "07") and the day of a date in the story ("on 1 December", "15 May"). ISO dates and clock times
("2024-12-01", "17:00") are whole tokens, backed when the same text is printed or in code.

Run ``python tests/test_prose_numbers.py 03`` for a per-chapter report of every number and what
backs it.
"""

from __future__ import annotations

import ast
import bisect
import importlib
import json
import math
import re
import sys
import tokenize
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for `python tests/test_prose_numbers.py`
    sys.path.insert(0, str(ROOT))

NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = [f"{n:02d}" for n in range(11)]
NEAR = 3  # code cells before and after a markdown cell whose outputs are searched first

# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------

_FENCED = re.compile(r"```.*?```", re.S)
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+")
_HEADING_NUMBER = re.compile(r"^(\s*#+\s*)[\d.]+\s*·", re.M)
_LIST_MARKER = re.compile(r"^(\s*)\d+[.)]\s", re.M)
_CHAPTER_REF = re.compile(
    r"\b(?:chapters?|ch\.?|§)\s*\d{1,2}(?:\s*(?:–|-|,|and|or|to)\s*\d{1,2}\b)*"
    r"|§\s*\d+(?:\.\d+)?",
    re.I,
)
_EXERCISE_ID = re.compile(r"\b(?:0\d|10)\.\d{1,2}(?:\s*[–-]\s*(?:0\d|10)\.\d{1,2})?\b")
_PADDED_ID = re.compile(r"\b0\d\.\d{1,2}\b")  # "03.3": no quantity is written with a leading 0
_SECTION = re.compile(r"\b\d+\s*·|\bsections?\s+\d+(?:\s*(?:–|-|,|and|or|to)\s*\d+)*", re.I)
_DAY_OF_MONTH = re.compile(
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b"
)
_EXERCISE_CONTEXT = re.compile(r"(?:exercises?|checks?|self-checks?|solutions?)\W*$|\*\*$", re.I)
_DATE_OR_TIME = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{1,2}:\d{2}\b")
_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-−])?"
    r"(?P<num>\d+(?:\.\d+)?[eE][-+]?\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w.]*\d)"
    r"(?P<suffix>\s?%|k\b)?"
)
_PRINTED = re.compile(r"(?<![\w.])[-−]?(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(\s?%)?")
_PRINTED_THOUSANDS = re.compile(r"(?<![\w.,])[-−]?(\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?![\d,])(\s?%)?")


@dataclass(frozen=True)
class ProseNumber:
    """One number as the prose writes it, with the value range it claims."""

    text: str  # normalised key: "0.887", "28,436", "12%", "28k", "2024-12-01"
    cell: int  # index of the markdown cell
    context: str

    @property
    def is_token(self) -> bool:
        """Dates and clock times are matched as text, not as numbers."""
        return bool(_DATE_OR_TIME.fullmatch(self.text))


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def clean_markdown(source: str) -> str:
    """Blank out what is not prose: code, links, tags, section numbers, ids, chapter refs."""
    text = _FENCED.sub(_blank, source)
    text = _INLINE_CODE.sub(_blank, text)
    text = _LINK.sub(_blank, text)
    text = _TAG.sub(_blank, text)
    text = _URL.sub(_blank, text)
    text = _HEADING_NUMBER.sub(
        lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), text
    )
    text = _LIST_MARKER.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), text)
    text = _CHAPTER_REF.sub(_blank, text)
    text = _SECTION.sub(_blank, text)
    text = _DAY_OF_MONTH.sub(_blank, text)
    text = _PADDED_ID.sub(_blank, text)
    out, last = [], 0
    for match in _EXERCISE_ID.finditer(text):
        if _EXERCISE_CONTEXT.search(text[max(0, match.start() - 30) : match.start()]):
            out.append(text[last : match.start()] + " " * len(match.group(0)))
            last = match.end()
    out.append(text[last:])
    return "".join(out)


def prose_numbers(source: str, cell: int = 0) -> list[ProseNumber]:
    """Every number of one markdown cell, normalised (see ProseNumber.text)."""
    text = clean_markdown(source)
    found = []
    for match in _DATE_OR_TIME.finditer(text):
        found.append((match.start(), match.group(0)))
    text = _DATE_OR_TIME.sub(_blank, text)
    for match in _NUMBER.finditer(text):
        if re.fullmatch(r"0\d", match.group("num")):  # "07": a chapter's number, not a quantity
            continue
        suffix = (match.group("suffix") or "").strip()
        found.append((match.start(), match.group("num") + suffix))
    flat = " ".join(source.split())
    numbers = []
    for start, token in sorted(found):
        line = " ".join(text[max(0, start - 60) : start + 60].split())
        numbers.append(ProseNumber(token, cell, line if line else flat[:120]))
    return numbers


def claimed_range(token: str) -> list[tuple[float, float]]:
    """Values a prose number stands for, each as (value, half a unit of its last digit).

    "0.89" -> 0.89 +- 0.005; "89%" -> 89 +- 0.5 or 0.89 +- 0.005; "28k" -> 28000 +- 500.
    """
    percent, thousand = token.endswith("%"), token.endswith("k")
    digits = token.rstrip("%k").replace(",", "")
    mantissa, _, exponent = digits.lower().partition("e")  # "1e-3": a unit of 10**-3
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    value, half = float(digits), 0.5 * 10.0 ** (int(exponent or 0) - decimals)
    if thousand:
        return [(value * 1000, half * 1000)]
    if percent:
        return [(value, half), (value / 100, half / 100)]
    return [(value, half)]


def printed_values(text: str) -> list[float]:
    """Every number in printed text, as absolute values; "88.7 %" also counts as 0.887."""
    values = []
    for pattern in (_PRINTED, _PRINTED_THOUSANDS):
        for match in pattern.finditer(text):
            try:
                value = abs(float(match.group(1).replace(",", "")))
            except ValueError:
                continue
            values.append(value)
            if match.group(2):
                values.append(value / 100)
    return values


def backs(token: str, values: list[float]) -> bool:
    """Whether one of the sorted printed values equals the prose number at its precision."""
    for value, half in claimed_range(token):
        tolerance = half + 1e-9 * max(1.0, value)
        at = bisect.bisect_left(values, value - tolerance)
        if at < len(values) and values[at] <= value + tolerance:
            return True
    return False


def code_literals(source: str) -> list[float]:
    """Numeric literals of a code cell (magics and shell lines are skipped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    values = []
    try:
        for tok in tokenize.generate_tokens(StringIO("\n".join(lines) + "\n").readline):
            if tok.type == tokenize.NUMBER:
                try:
                    values.append(float(tok.string.replace("_", "").rstrip("jJ")))
                except ValueError:
                    continue
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - notebooks are valid Python
        pass
    return values


def equals_literal(token: str, literals: list[float]) -> bool:
    """Whether the prose number is exactly one of the code's literals (43% == 0.43)."""
    percent, thousand = token.endswith("%"), token.endswith("k")
    value = float(token.rstrip("%k").replace(",", ""))
    wanted = [value * 1000] if thousand else [value, value / 100] if percent else [value]
    return any(
        math.isclose(w, lit, rel_tol=1e-9, abs_tol=1e-12) for w in wanted for lit in literals
    )


# ---------------------------------------------------------------------------------------------
# A chapter: its notebook, its registry, its lesson test
# ---------------------------------------------------------------------------------------------


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(_source({"source": output.get("text", "")}))
        data = output.get("data", {})
        for mime in ("text/plain", "text/html"):
            if mime in data:
                text = _source({"source": data[mime]})
                parts.append(_TAG.sub(" ", text) if mime == "text/html" else text)
    return "\n".join(parts)


def notebook_path(chapter: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"{chapter}_*.ipynb")
    return path


def registry(chapter: str) -> tuple[dict, dict]:
    """(TESTED, ALLOWED) of tests/prose_claims/chNN.py; empty when the file does not exist."""
    try:
        module = importlib.import_module(f"tests.prose_claims.ch{chapter}")
    except ModuleNotFoundError:
        return {}, {}
    return dict(getattr(module, "TESTED", {})), dict(getattr(module, "ALLOWED", {}))


def lesson_function(chapter: str, reference: str) -> str | None:
    """Source of the lesson-test function `reference` names, or None when it does not exist."""
    module, _, name = reference.rpartition("::")
    path = ROOT / "tests" / (module or f"test_lessons_{chapter}.py")
    if not path.exists():
        return None
    source = path.read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node)
    return None


def _without_comments(source: str) -> str:
    tokens = tokenize.generate_tokens(StringIO(source).readline)
    return tokenize.untokenize(t for t in tokens if t.type != tokenize.COMMENT)


def asserted_by(token: str, function_source: str, equivalent: str | None = None) -> bool:
    """Whether a test function's code (not its comments) holds the prose number.

    The number must be a numeric literal of the function equal to it at the prose's precision
    ("0.89" is held by ``0.887``; "30" by ``30`` or ``0.30``), or, for an entry with a documented
    equivalent, that equivalent text must appear in the function's code.
    """
    if equivalent is not None:
        return equivalent in _without_comments(function_source)
    literals = sorted(
        abs(float(node.value))
        for node in ast.walk(ast.parse(function_source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )
    if token.endswith("%") or token.endswith("k"):
        return backs(token, literals)
    return any(backs(candidate, literals) for candidate in (token, token + "%"))


@dataclass
class Finding:
    number: ProseNumber
    backing: str  # "output near", "output", "code", "test", "allow", or "" when unbacked


def audit(chapter: str, notebook: dict | None = None) -> tuple[list[Finding], list[str]]:
    """Every prose number of a chapter with what backs it, and the registry's problems."""
    nb = notebook if notebook is not None else json.loads(notebook_path(chapter).read_text())
    cells = nb["cells"]
    tested, allowed = registry(chapter)
    outputs = {i: _output_text(c) for i, c in enumerate(cells) if c["cell_type"] == "code"}
    everything = "\n".join(outputs.values())
    all_values = sorted(printed_values(everything))
    visible_code = "\n".join(
        _source(c)
        for c in cells
        if c["cell_type"] == "code" and "solution" not in c.get("metadata", {}).get("tags", [])
    )
    literals = code_literals(visible_code)
    code_positions = sorted(outputs)

    problems = []
    test_ok = {}
    for token, entry in tested.items():
        name, equivalent = (entry, None) if isinstance(entry, str) else (entry[0], entry[1])
        body = lesson_function(chapter, name)
        if body is None:
            problems.append(f"TESTED[{token!r}] names {name!r}, which does not exist")
        elif not asserted_by(token, body, equivalent):
            problems.append(f"TESTED[{token!r}]: {name} does not contain {equivalent or token!r}")
        else:
            test_ok[token] = True

    findings, seen = [], set()
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        at = bisect.bisect_left(code_positions, index)
        near = code_positions[max(0, at - NEAR) : at + NEAR]
        near_text = "\n".join(outputs[i] for i in near)
        near_values = sorted(printed_values(near_text))
        for number in prose_numbers(_source(cell), index):
            seen.add(number.text)
            if test_ok.get(number.text):  # registered: the lesson test is the backing
                backing = "test"
            elif number.is_token:
                backing = (
                    "output near"
                    if number.text in near_text
                    else "output"
                    if number.text in everything
                    else "code"
                    if number.text in visible_code
                    else ""
                )
            elif backs(number.text, near_values):
                backing = "output near"
            elif backs(number.text, all_values):
                backing = "output"
            elif equals_literal(number.text, literals):
                backing = "code"
            else:
                backing = ""
            if not backing and number.text in allowed:
                backing = "allow"
            findings.append(Finding(number, backing))
    for token in list(tested) + list(allowed):
        if token not in seen:
            problems.append(f"registry entry {token!r} no longer appears in the chapter's prose")
    for token, reason in allowed.items():
        if not isinstance(reason, str) or len(reason.split()) < 2:
            problems.append(f"ALLOWED[{token!r}] needs a reason, got {reason!r}")
    return findings, problems


def report(chapter: str) -> str:
    """A readable summary: counts per backing, then every unbacked number with its context."""
    findings, problems = audit(chapter)
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.backing or "UNBACKED"] = counts.get(f.backing or "UNBACKED", 0) + 1
    lines = [f"chapter {chapter}: {len(findings)} numbers " + str(dict(sorted(counts.items())))]
    lines += [
        f"  UNBACKED {f.number.text!r} (cell {f.number.cell}): ...{f.number.context}..."
        for f in findings
        if not f.backing
    ]
    lines += [f"  REGISTRY {p}" for p in problems]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_number_in_the_prose_is_backed_by_the_run(chapter):
    findings, problems = audit(chapter)
    unbacked = [f for f in findings if not f.backing]
    assert not unbacked and not problems, report(chapter)


# The matcher itself: it must reject a wrong number and accept the rounded right one.


@pytest.mark.parametrize(
    ("prose", "printed", "backed"),
    [
        ("0.887", "accuracy 0.887", True),
        ("0.89", "accuracy 0.887", True),
        ("0.9", "accuracy 0.887", True),
        ("0.877", "accuracy 0.887", False),
        ("0.88", "accuracy 0.887", False),
        ("0.887", "accuracy 0.89", False),  # the prose claims more precision than was printed
        ("89%", "accuracy 0.887", True),
        ("88.7%", "accuracy 0.887", True),
        ("88.7%", "accuracy 88.7 %", True),
        ("0.887", "accuracy 88.7 %", True),
        ("87%", "accuracy 0.887", False),
        ("28,436", "break-even 28436 decisions", True),
        ("28,436", "break-even 28,436 decisions", True),
        ("28,437", "break-even 28,436 decisions", False),
        ("28k", "break-even 28,436 decisions", True),
        ("29k", "break-even 28,436 decisions", False),
        ("4,843", "break-even 48,430 decisions", False),
        ("5.3", "gain $5.27 per decision", True),
        ("5.2", "gain $5.27 per decision", False),
        ("0.03", "change -0.030", True),
        ("1e-3", "tolerance 0.001", True),
        ("1e-3", "tolerance 0.002", False),
    ],
)
def test_the_matcher_accepts_the_rounded_run_number_and_rejects_a_wrong_one(prose, printed, backed):
    (number,) = prose_numbers(f"The run gives {prose} here.")
    assert number.text == prose
    assert backs(number.text, sorted(printed_values(printed))) is backed


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("## 3 · The value of 0.887", ["0.887"]),
        ("Use `window=500` and see [chapter 03](03_x.ipynb): 12 % fewer", ["12%"]),
        ("1. Measure 28,436 decisions\n2. Then 28k", ["28,436", "28k"]),
        ("Exercise 03.3 and exercises 04.1–04.5 ask for 5.3", ["5.3"]),
        ("as chapters 05–07 and §4 show, 0.5", ["0.5"]),
        ("**2 · train.** up to section 6, from 15 May: **04.2** 10.5 deg C", ["10.5"]),
        ("the cutoff 2024-12-01 at 17:00 gives 12.5 %", ["2024-12-01", "17:00", "12.5%"]),
        ("Python 3.11 or v2 and 1/201", ["3.11", "1", "201"]),
    ],
)
def test_extraction_skips_what_is_not_a_claim(markdown, expected):
    assert [n.text for n in prose_numbers(markdown)] == expected


def test_code_literals_back_numbers_exactly():
    literals = code_literals("%matplotlib inline\nrule = Rule(threshold=0.43, window=8_000)\n")
    assert equals_literal("43%", literals)
    assert equals_literal("8,000", literals)
    assert equals_literal("0.43", literals)
    assert not equals_literal("0.4", literals)  # code is matched exactly, not rounded


def test_a_changed_number_in_a_chapters_prose_fails_the_check():
    nb = json.loads(notebook_path("01").read_text())
    findings, _ = audit("01", nb)
    before = {f.number.text for f in findings if not f.backing}
    target = next(
        f
        for f in findings
        if f.backing.startswith("output") and len(f.number.text.partition(".")[2]) >= 2
    )
    digits = target.number.text  # e.g. 0.887 -> 0.882: off by five in the last printed digit
    lie = digits[:-1] + str((int(digits[-1]) + 5) % 10)
    cell = nb["cells"][target.number.cell]
    cell["source"] = _source(cell).replace(digits, lie, 1)
    lied, _ = audit("01", nb)
    assert {f.number.text for f in lied if not f.backing} - before == {lie}


def test_a_registry_entry_that_lies_is_caught():
    body = "def test_x():\n    assert abs(gain - 5.27) < 0.05\n"
    assert asserted_by("5.3", body)
    assert not asserted_by("6.3", body)
    assert asserted_by("28k", "def t():\n    assert n == 28_436\n")
    assert asserted_by("28k", "def t():\n    assert n > 20_000\n", equivalent="20_000")
    assert not asserted_by("28k", "def t():\n    assert n > 2\n", equivalent="20_000")
    assert asserted_by("30", "def t():\n    assert 0.295 <= drop <= 0.305\n")  # 30 points
    # a comment is not an assertion
    assert not asserted_by("30", "def t():\n    assert drop > 0.1  # about 30 points\n")
    assert not asserted_by("30", "def t():\n    pass  # 30\n", equivalent="30")


if __name__ == "__main__":
    for chapter in sys.argv[1:] or CHAPTERS:
        print(report(chapter))
