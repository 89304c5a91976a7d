"""Every self-check must be earned: probed with the answers confused learners give.

The checks are discovered from the key registry (``mh.exercises.EXERCISES``), so an exercise a
later chapter adds is probed too. For each check:

- at least 8 wrong answers are rejected: generic ones derived from the key (the starter ``None``,
  the sign flip, the complement 1 - x, x100, x/100, the key as a string, in a list, in a Series,
  just outside the tolerance, coarser rounding that changes the value, ...) and the exercise's own
  named wrong answers (``Exercise.wrong``: the neighbouring printed number, the wrong window or
  column, the plausible wrong method), at least 3 of those;
- the right answer passes in equivalent forms: rounded to the chapter's precision, 3.0 for 3,
  NumPy scalars, any date-like value (``np.datetime64``, tz-aware, ``date``), case and spaces;
- a wrong answer of the wrong *type* gets a message about its type;
- hints guide: every code fragment they name is an expression (the nbval run of each chapter
  evaluates it at the exercise, ``MLSYS_CHECK_HINTS``), and no hint contains the solution's code;
- no cell above an exercise prints its numeric answer; solution cells hide code and output.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from mlsys_helpers import _notebooks, exercises
from mlsys_helpers.exercises import FAILED, NOT_ATTEMPTED, PASSED, check

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
IDS = sorted(exercises.EXERCISES)
MIN_WRONG, MIN_NAMED_WRONG = 8, 3


def _checker(exercise_id):
    return exercises.EXERCISES[exercise_id].checker


def _key(exercise_id):
    checker = _checker(exercise_id)
    assert hasattr(checker, "key"), (
        f"{exercise_id}: build the checker with mlsys_helpers._keys (Number, WholeNumber, Text, "
        "Date, Month, ...) so the probes know its key"
    )
    return checker.key()


def _generic_wrong(exercise_id) -> dict:
    """Wrong answers derived from the key alone (every kind of check gets some)."""
    checker, key = _checker(exercise_id), _key(exercise_id)
    wrong: dict = {"a list holding the key": [key], "a dict": {"answer": key}}
    if isinstance(checker, exercises.Number | exercises.WholeNumber) or (
        isinstance(key, int | float) and not isinstance(key, bool)
    ):
        tol = getattr(checker, "tol", 0.0)
        candidates = {
            "sign flip": -key,
            "complement 1 - x": 1 - key,
            "x100": 100 * key,
            "x/100": key / 100,
            "the key as a string": str(key),
            "the key in a Series": pd.Series([key, key]),
            "True": True,
            "just above the tolerance": key + 2.5 * tol + 1,
        }
        if tol:
            candidates["just above the tolerance"] = key + 2.5 * tol
            candidates["just below the tolerance"] = key - 2.5 * tol
        decimals = getattr(checker, "decimals", 0)
        for coarser in range(max(decimals - 1, 0)):  # rounding coarser than the chapter shows
            candidates[f"rounded to {coarser} decimals"] = round(key, coarser)
        for label, value in candidates.items():
            number = (
                value if isinstance(value, int | float) and not isinstance(value, bool) else None
            )
            if number is not None and abs(number - key) <= tol:
                continue  # not wrong (e.g. -0 for a key of 0, or rounding that changes nothing)
            wrong[label] = value
    elif isinstance(checker, exercises.Date | exercises.Month):
        day = pd.Timestamp(key + ("-01" if isinstance(checker, exercises.Month) else ""))
        past = getattr(checker, "tol_days", 0) + 1
        if isinstance(checker, exercises.Month):
            past = 32
        wrong |= {
            "too early": f"{day - pd.Timedelta(days=past):%Y-%m-%d}",
            "too late": f"{day + pd.Timedelta(days=past):%Y-%m-%d}",
            "a year off": f"{day - pd.DateOffset(years=1):%Y-%m-%d}",
            "not a date": "soon",
            "an int": int(f"{day:%Y%m%d}"),
            "empty": "",
            "a Series of dates": pd.Series([day, day]),
        }
    elif isinstance(key, dict):  # a diagnosis {"cause": ..., "start": ...}
        day = pd.Timestamp(key["start"])
        wrong |= {
            "no start": {"cause": key["cause"]},
            "the start as an int": key | {"start": int(f"{day:%Y%m%d}")},
            "a week early": key | {"start": f"{day - pd.Timedelta(days=7):%Y-%m-%d}"},
            "a week late": key | {"start": f"{day + pd.Timedelta(days=7):%Y-%m-%d}"},
            "a cause outside the categories": key | {"cause": "bad luck"},
            "not a date": key | {"start": "last week"},
            "None as the cause": key | {"cause": None},
        }
    else:  # text and other answers
        text = str(key)
        wrong |= {
            "empty": "",
            "a number": 1,
            "True": True,
            "truncated": text[:-1],
            "with a word added": text + " drift x",
            "negated": "not " + text,
            "a Series holding the key": pd.Series([text]),
        }
    return wrong


def _named_wrong(exercise_id) -> dict:
    exercise = exercises.EXERCISES[exercise_id]
    if exercise.wrong is not None:
        return dict(exercise.wrong())
    plausible = getattr(exercise.checker, "plausible_wrong", None)  # e.g. every ch09 diagnosis
    return dict(plausible()) if plausible is not None else {}


def _right_forms(exercise_id) -> dict:
    checker, key = _checker(exercise_id), _key(exercise_id)
    forms: dict = {"the key": key}
    if isinstance(checker, exercises.WholeNumber):
        forms |= {"a float": float(key), "np.int64": np.int64(key), "np.float64": np.float64(key)}
    elif isinstance(checker, exercises.Number):
        shown = round(key, checker.decimals)
        forms |= {
            f"rounded to {checker.decimals} decimals": shown,
            "np.float64": np.float64(key),
            "np.float32 of the rounded value": np.float32(shown),
            "a 0-d array": np.array(key),
        }
        if float(shown).is_integer():
            forms["an int"] = int(shown)
    elif isinstance(checker, exercises.Date):
        day = pd.Timestamp(key)
        forms |= {
            "a Timestamp": day,
            "a Timestamp at noon": day + pd.Timedelta(hours=12),
            "np.datetime64": np.datetime64(f"{key}T09:30"),
            "a date": dt.date(day.year, day.month, day.day),
            "a datetime": dt.datetime(day.year, day.month, day.day, 18),
            "tz-aware": (day + pd.Timedelta(hours=10)).tz_localize("America/New_York"),
            "with spaces": f"  {key} ",
            "a Period": pd.Period(key, freq="D"),
        }
    elif isinstance(checker, exercises.Month):
        day = pd.Timestamp(key + "-01")
        forms |= {
            "a Timestamp in the month": day + pd.Timedelta(days=9),
            "np.datetime64": np.datetime64(key),
            "tz-aware": (day + pd.Timedelta(days=3)).tz_localize("UTC"),
            "with spaces": f" {key} ",
        }
    elif isinstance(key, str):
        forms |= {"upper case": key.upper(), "padded": f"  {key.title()}  "}
    elif isinstance(key, dict):
        day = pd.Timestamp(key["start"])
        forms |= {
            "cause in upper case": key | {"cause": f" {key['cause'].upper()} "},
            "a Timestamp": key | {"start": day},
            "np.datetime64": key | {"start": np.datetime64(key["start"])},
            "tz-aware": key | {"start": (day + pd.Timedelta(hours=9)).tz_localize("Europe/Paris")},
            "a date": key | {"start": dt.date(day.year, day.month, day.day)},
            "two days late": key | {"start": f"{day + pd.Timedelta(days=2):%Y-%m-%d}"},
        }
    return forms


@pytest.mark.parametrize("exercise_id", IDS)
def test_none_means_not_attempted(exercise_id):
    result = check(exercise_id, None)
    assert result.status == NOT_ATTEMPTED
    assert "not attempted yet" in repr(result)


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_check_rejects_at_least_eight_wrong_answers(exercise_id):
    named = _named_wrong(exercise_id)
    assert len(named) >= MIN_NAMED_WRONG, (
        f"{exercise_id}: name at least {MIN_NAMED_WRONG} plausible wrong answers in "
        "Exercise(wrong=...): the neighbouring printed number, the wrong window or column, the "
        "plausible wrong method"
    )
    wrong = {"the starter None": None} | _generic_wrong(exercise_id) | named
    assert len(wrong) >= MIN_WRONG
    accepted = [label for label, value in wrong.items() if check(exercise_id, value).passed]
    assert accepted == [], f"{exercise_id} accepts wrong answers: {accepted}"
    for label, value in wrong.items():
        if value is not None:
            result = check(exercise_id, value)
            assert result.status == FAILED and "Hint:" in result.message, label


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_check_accepts_the_right_answer_in_equivalent_forms(exercise_id):
    rejected = [
        label
        for label, value in _right_forms(exercise_id).items()
        if not check(exercise_id, value).passed
    ]
    assert rejected == [], f"{exercise_id} rejects right answers: {rejected}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_named_wrong_answers_are_distinct_from_the_key(exercise_id):
    # a wrong method that gives the key's number is no wrong method: change what is asked
    for label, value in _named_wrong(exercise_id).items():
        assert not check(exercise_id, value).passed, label


def _debt_ratio_by_the_wrong_formula():
    """Chapter 01's training minimum minus 0.1 x its maximum (not x its span)."""
    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.train import time_split
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    train, _ = time_split(world.sample(12_000, rng=7), test_size=0.25)
    limits = infer_schema(train[list(world.features)])["debt_ratio"]
    return limits.min - 0.1 * limits.max


@pytest.mark.parametrize(
    ("exercise_id", "answers"),
    [
        ("02.4", lambda: [1, 1.0, 0.99]),  # a guess near the key 0.999 +- 0.01
        ("01.3", lambda: [_debt_ratio_by_the_wrong_formula()]),  # passed at tol 1e-3
        ("07.1", lambda: [0.05]),  # the setup's magnitude, next to a key of 0.051
    ],
)
def test_the_answers_issue_20_found_accepted_are_rejected(exercise_id, answers):
    # These passed before the checks were repaired (this test fails on the old keys).
    accepted = [a for a in answers() if check(exercise_id, a).passed]
    assert accepted == []


@pytest.mark.parametrize("exercise_id", IDS)
def test_messages_know_the_type_of_a_wrong_answer(exercise_id):
    checker = _checker(exercise_id)
    if not hasattr(checker, "diagnose"):
        pytest.fail(f"{exercise_id}: its checker has no diagnose(): messages must know the type")
    key = _key(exercise_id)
    series = check(exercise_id, pd.Series([key, key])).message
    assert "got a pandas Series" in series, series
    if isinstance(checker, exercises.Number | exercises.WholeNumber):
        assert "drop the quotes" in check(exercise_id, str(key)).message
        assert "reduce it to one number" in series
    if isinstance(checker, exercises.Number) and checker.fraction and 0.01 < key <= 1:
        assert "percentage" in check(exercise_id, 100 * key).message


def test_one_message_per_kind_of_mistake():
    right = _key("04.2")
    messages = {
        check("04.2", pd.Series([right])).message,
        check("04.2", str(right)).message,
        check("04.2", 100 * right).message,
        check("04.2", right + 0.1).message,
    }
    assert len(messages) == 4


# --- hints ----------------------------------------------------------------------------------


def _solution_cells() -> dict[str, str]:
    """Exercise id -> source of its solution cell, from the chapter sources."""
    found = {}
    for source in _notebooks.chapter_sources(NOTEBOOKS):
        nb = _notebooks.notebook_from_source(source)
        for cell in nb.cells:
            if "solution" in cell.metadata.get("tags", []):
                match = re.search(r'mh\.exercises\.check\("([0-9.]+)"', cell.source)
                found[match.group(1)] = cell.source
    return found


@pytest.mark.parametrize("exercise_id", IDS)
def test_hint_code_fragments_are_python_expressions(exercise_id):
    for fragment in exercises.hint_code(exercises.EXERCISES[exercise_id].hint):
        ast.parse(fragment, mode="eval")  # SyntaxError: a hint names code that cannot run


def _squash(code: str) -> str:
    return re.sub(r"\s+", "", code).replace('"', "'")


@pytest.mark.parametrize("exercise_id", IDS)
def test_hints_guide_and_never_hold_the_solution_code(exercise_id):
    solution = _solution_cells().get(exercise_id)
    if solution is None:
        pytest.skip(f"{exercise_id} has no chapter source in notebooks/.sources/ yet")
    hint = _squash(exercises.EXERCISES[exercise_id].hint)
    tree = ast.parse(solution)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.Expr) and not (
            isinstance(node, ast.Expr) and "exercises.check" in ast.unparse(node)
        ):
            value = ast.unparse(node.value)
            if len(value) > 25 and not value.startswith(("print(", "f'")):
                assert _squash(value) not in hint, f"{exercise_id}'s hint holds `{value}`"


def test_a_broken_hint_fails_the_hint_run(monkeypatch):
    exercise = exercises.EXERCISES["00.2"]
    broken = exercises.Exercise("00.2", exercise.checker, "", "Use `frame['no such column']`.")
    monkeypatch.setitem(exercises.EXERCISES, "00.2", broken)
    with pytest.raises(AssertionError, match="no such column"):
        exercises.run_hint_code("00.2", {"frame": pd.DataFrame({"a": [1]})})
    monkeypatch.setenv("MLSYS_CHECK_HINTS", "1")
    namespace = {"mh": None, "frame": pd.DataFrame({"a": [1]}), "check": check}
    with pytest.raises(AssertionError, match="KeyError"):
        exec('check("00.2", None)', namespace)  # noqa: S102
    exercises.run_hint_code("00.1", {})  # a hint without code always runs


def test_the_test_suite_follows_every_hint_in_the_notebook_runs():
    import os

    assert os.environ.get("MLSYS_CHECK_HINTS") == "1"  # tests/conftest.py sets it for nbval


# --- what a learner sees ------------------------------------------------------------------------


def _executed() -> list[Path]:
    return [_notebooks.notebook_path(p) for p in _notebooks.chapter_sources(NOTEBOOKS)]


def _printed(cell) -> str:
    texts = []
    for output in cell.get("outputs", []):
        texts.append(output.get("text", ""))
        data = output.get("data", {})
        texts.append(data.get("text/plain", ""))
        texts.append(data.get("text/html", ""))
    return "\n".join(t if isinstance(t, str) else "".join(t) for t in texts)


@pytest.mark.parametrize("ipynb", _executed(), ids=lambda p: p.stem)
def test_no_cell_above_an_exercise_prints_its_number(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    above = []
    for cell in nb.cells:
        match = re.search(r'^mh\.exercises\.check\("([0-9.]+)"', cell.source, flags=re.M)
        if match and "solution" not in cell.metadata.get("tags", []):
            checker = _checker(match.group(1))
            if isinstance(checker, exercises.Number):
                key, d = checker.key(), checker.decimals
                shown = [f"{key:.{d}f}"]
                if checker.fraction and d >= 3:  # as a percentage with decimals ("12.3 %")
                    shown += [f"{100 * key:.{d - 2}f}%", f"{100 * key:.{d - 2}f} %"]
                printed = "\n".join(_printed(c) for c in above)
                leaks = [s for s in shown if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", printed)]
                assert leaks == [], f"{match.group(1)}: a cell above prints {leaks}"
        if cell.cell_type == "code" and "solution" not in cell.metadata.get("tags", []):
            above.append(cell)


@pytest.mark.parametrize("source", _notebooks.chapter_sources(NOTEBOOKS), ids=lambda p: p.stem)
def test_every_numeric_question_says_how_precise_an_answer_must_be(source):
    # one rule for every check: the key rounded to the stated precision passes, coarser fails
    cells = _notebooks.notebook_from_source(source).cells
    for previous, cell in zip(cells, cells[1:], strict=False):
        match = re.search(r'^mh\.exercises\.check\("([0-9.]+)"', cell.source, flags=re.M)
        if match and "solution" not in cell.metadata.get("tags", []):
            if isinstance(_checker(match.group(1)), exercises.Number):
                said = previous.source.lower()
                assert any(w in said for w in ("decimal", "to the dollar", "whole")), match[1]


@pytest.mark.parametrize("ipynb", _executed(), ids=lambda p: p.stem)
def test_solution_cells_hide_their_code_and_their_output(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions
    for cell in solutions:
        assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_the_handout_template_folds_the_whole_solution_cell():
    from mlsys_helpers import _classroom

    template = _classroom.HANDOUT_TEMPLATE
    block = template[
        template.index("{% block codecell %}") : template.index("{% endblock codecell %}")
    ]
    # super() renders the input and the outputs of the cell: both sit inside <details>
    assert block.index("<details") < block.index("super()") < block.index("</details>")


def test_03_3_prices_errors_by_kind_and_rejects_the_accuracy_priced_break_even():
    # Chapter 03 calls the accuracy-priced calculator the flawed version: 03.3 asks for the
    # break-even with each kind of error priced on its own (value.payoff_value).
    named = _named_wrong("03.3")
    flawed = named["priced by accuracy (decision_value, the flawed version)"]
    assert len({"the starter None": None} | _generic_wrong("03.3") | named) >= MIN_WRONG
    for answer in (
        flawed,
        round(flawed),
        named["the printed per-kind break-even (upkeep 100,000)"],
    ):
        assert check("03.3", answer).status == FAILED, answer
    key = _key("03.3")
    assert abs(flawed - key) > 10 * _checker("03.3").tol  # far outside the tolerance
    assert check("03.3", round(key, -2)).passed  # "within 100 of the exact value"


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "right", "wrong"),
    [("00.1", " Monitor ", "train"), ("00.3", False, True)],
)
def test_chapter_00_answers(exercise_id, right, wrong):
    assert check(exercise_id, right).status == PASSED
    failed = check(exercise_id, wrong)
    assert failed.status == FAILED
    assert "Hint:" in failed.message


def test_the_seed_exercise_key_is_computed_not_typed():
    assert check("00.2", int(np.random.default_rng(7).integers(0, 1000))).passed


def test_malformed_answer_is_a_wrong_answer_not_a_crash():
    assert check("00.2", object()).status == FAILED
    assert check("00.1", ["monitor"]).status == FAILED


def test_unknown_exercise_id_raises_value_error():
    with pytest.raises(ValueError, match="exercise_id must be one of"):
        check("99.9", 1)


def test_exercise_id_must_be_a_string():
    with pytest.raises(TypeError, match="exercise_id must be a str"):
        check(1.1, 1)


def test_result_renders_as_html():
    html = check("00.1", "monitor")._repr_html_()
    assert "correct" in html and html.startswith("<div")


def test_number_accepts_the_rounded_key_and_nothing_coarser():
    checker = exercises.Number(0.8512, decimals=3)
    assert checker(0.851) and checker(0.8514) and checker(np.float32(0.851))
    assert not checker(0.85) and not checker(0.852) and not checker("0.851") and not checker(True)
    with pytest.raises(ValueError, match="decimals must be >= 0"):
        exercises.Number(1.0, decimals=-1)


def test_number_message_spots_a_percentage_only_for_fractions():
    assert "percentage" in exercises.Number(0.25, decimals=2, fraction=True).diagnose(25)
    assert exercises.Number(25.0, decimals=0).diagnose(25.0) is None


def test_close_to_accepts_numbers_within_tolerance_only():
    checker = exercises.close_to(0.85, tol=0.01)
    assert checker(0.851) and checker(0.845)
    assert not checker(0.83) and not checker("0.85") and not checker(True)


def test_close_to_computes_a_callable_key_lazily():
    calls = []
    checker = exercises.close_to(lambda: calls.append(1) or 2.0, tol=0.1)
    assert calls == []
    assert checker(2.05) and calls == [1]


def test_one_of_accepts_any_listed_spelling():
    checker = exercises.one_of("covariate", "covariate drift")
    assert checker(" Covariate  Drift") and not checker("concept")


def test_date_accepts_every_date_like_form_within_its_tolerance():
    checker = exercises.Date("2025-03-31", tol_days=3)
    for day in ("2025-03-28", np.datetime64("2025-04-03"), dt.date(2025, 3, 31)):
        assert checker(day)
    assert checker(pd.Timestamp("2025-03-31 23:00", tz="Asia/Tokyo"))
    assert not checker("2025-03-27") and not checker(20250331) and not checker(True)


def test_a_diagnosis_says_which_half_is_wrong():
    from mlsys_helpers._keys import ch09

    right = ch09.Diagnosis(1).key()
    late = f"{pd.Timestamp(right['start']) + pd.Timedelta(days=10):%Y-%m-%d}"
    assert "the cause is right" in check("09.1", right | {"start": late}).message
    wrong_cause = next(c for c in _ch09_categories() if c != right["cause"])
    assert "not the root cause" in check("09.1", right | {"cause": wrong_cause}).message
    assert "CATEGORIES" in check("09.1", right | {"cause": "aliens"}).message
    assert "not a date" in check("09.1", right | {"start": "soon"}).message


def _ch09_categories():
    from mlsys_helpers import incidents

    return incidents.CATEGORIES
