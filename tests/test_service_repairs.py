"""The repair table of mlsys_helpers.serve.repairs, checked row by row.

Each row of the table in the module docstring names what arrives, what the service does, who
answers and the function that does it. For every row this file holds one example request: the
named function must do what the row says, and a ModelService must answer the example with the
row's ``served by``. A row without an example, or an example without a row, fails.
"""

from __future__ import annotations

import math
import re

import pytest

from mlsys_helpers.serve import NOTHING_READ, ModelService, fallback, repairs
from tests.test_serve import fit_models, make_frame

CLEAN = {"income": 50_000.0, "debt_ratio": 0.3, "region": "north"}


def table_rows(doc: str) -> list[dict[str, str]]:
    """The rows of the first simple reST table in ``doc``; a line with an empty ``served by``
    cell continues the row above."""
    lines = doc.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("====")]
    top, head, bottom = rules[0], rules[1], rules[2]
    starts = [m.start() for m in re.finditer(r"=+", lines[top])]

    def cells(line: str) -> list[str]:
        return [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]

    names = cells(lines[top + 1])
    rows: list[dict[str, str]] = []
    for line in lines[head + 1 : bottom]:
        row = dict(zip(names, cells(line), strict=True))
        if row["served by"]:
            rows.append(row)
        else:
            for name, cell in row.items():
                if cell:
                    rows[-1][name] = f"{rows[-1][name]} {cell}"
    return rows


ROWS = table_rows(repairs.__doc__)


class Raising:
    """A model that always raises."""

    def predict(self, frame):
        raise RuntimeError("the model is down")


@pytest.fixture(scope="module")
def fitted():
    return fit_models(make_frame())


@pytest.fixture(scope="module")
def columns(fitted):
    schema = fitted[2]
    return {c.name: c for c in schema.columns}


@pytest.fixture(scope="module")
def by_norm(columns):
    return {repairs._norm(name): [name] for name in columns}


def _check_renamed(columns, by_norm):
    assert repairs._renamed_to("Debt-Ratio", by_norm, {}) == "debt_ratio"
    assert repairs._renamed_to("DEBT RATIO", by_norm, {}) == "debt_ratio"
    assert repairs._renamed_to("DebtRatio", by_norm, {"debt_ratio": 0.3}) is None  # ambiguous


def _check_extra(columns, by_norm):
    assert repairs._renamed_to("debug_id", by_norm, {}) is None


def _check_reordered(columns, by_norm):
    given, problems = repairs._given_fields(dict(reversed(CLEAN.items())), columns, by_norm)
    assert given == CLEAN and problems == []


def _check_string_number(columns, by_norm):
    assert repairs._number_from_string("52000") == 52_000.0
    assert repairs._number_from_string("n/a") is None


def _check_category_case(columns, by_norm):
    assert repairs._match_category(" North", columns["region"].categories) == "north"


def _check_missing(columns, by_norm):
    assert repairs._is_missing(None) and repairs._is_missing(float("nan"))
    assert not repairs._is_missing(0.0)


def _check_unseen(columns, by_norm):
    value, problems, fatal = repairs._read_category(columns["region"], "mars")
    assert value == "mars" and fatal == "" and problems[0].startswith("unseen category")


def _check_too_many_missing(columns, by_norm):
    assert repairs._missing_problem(2, 3, 0.5)[1] == "too many missing fields"
    assert repairs._missing_problem(1, 3, 0.5) == ("", "")


def _check_wrong_type(columns, by_norm):
    for value in ("lots", float("inf"), [1], True):
        number, problems, fatal = repairs._read_number(columns["income"], value, 0.1)
        assert math.isnan(number) and fatal == "unreadable field", value


def _check_out_of_range(columns, by_norm):
    income = columns["income"]
    assert "hard lower bound" in repairs._range_problem(income, -5.0, 0.1)
    assert "outside training range" in repairs._range_problem(income, 10 * income.max, 0.1)
    assert repairs._range_problem(income, 50_000.0, 0.1) == ""
    assert repairs._read_number(income, 10**400, 0.1)[2] == "out of range"


def _check_nothing_read(columns, by_norm):
    for request in (["not", "a", "dict"], {"income": "x", "debt_ratio": "y", "region": 3}):
        parsed = repairs._read_request(request, columns, by_norm, margin=0.1, max_missing=0.5)
        assert parsed.fatal == NOTHING_READ, request


def _check_too_slow(columns, by_norm):
    assert fallback._over_budget("", 50.0, 10.0)
    assert not fallback._over_budget("", 5.0, 10.0) and not fallback._over_budget("", 50.0, None)


def _check_raises(columns, by_norm):
    values, errors = fallback._call(Raising(), [CLEAN], columns)
    assert values == [None] and errors == ["RuntimeError: the model is down"]


# row -> (function the table names, its check, an example request, service keywords, problem
# or reason the response must show)
EXAMPLES = {
    "renamed field": (
        "_renamed_to",
        _check_renamed,
        {"Debt-Ratio": 0.3, "income": 50_000.0, "region": "north"},
        {},
        "renamed field 'Debt-Ratio' -> 'debt_ratio'",
    ),
    "extra field": (
        "_renamed_to",
        _check_extra,
        {**CLEAN, "debug_id": 7},
        {},
        "extra field 'debug_id' ignored",
    ),
    "reordered fields": (
        "_given_fields",
        _check_reordered,
        dict(reversed(CLEAN.items())),
        {},
        None,
    ),
    "number sent as a string": (
        "_number_from_string",
        _check_string_number,
        {**CLEAN, "income": "52000"},
        {},
        "parsed 'income' from string '52000'",
    ),
    "category case / spaces": (
        "_match_category",
        _check_category_case,
        {**CLEAN, "region": " North"},
        {},
        "matched 'region' ' North' to 'north'",
    ),
    "missing field, null, NaN": (
        "_is_missing",
        _check_missing,
        {**CLEAN, "income": None},
        {},
        "missing 'income'",
    ),
    "unseen category": (
        "_read_category",
        _check_unseen,
        {**CLEAN, "region": "mars"},
        {},
        "unseen category 'mars'",
    ),
    "too many missing fields": (
        "_missing_problem",
        _check_too_many_missing,
        {"debt_ratio": 0.3},
        {"max_missing": 0.5},
        "too many missing fields (2 of 3)",
    ),
    "wrong type, inf, garbage": (
        "_read_number",
        _check_wrong_type,
        {**CLEAN, "income": "lots"},
        {},
        "unreadable 'income'",
    ),
    "out of range": (
        "_range_problem",
        _check_out_of_range,
        {**CLEAN, "income": -5.0},
        {},
        "'income'=-5 is below the hard lower bound",
    ),
    "not a JSON object, or no field readable": (
        "_read_request",
        _check_nothing_read,
        ["not", "a", "dict"],
        {},
        "request must be a JSON object, got list",
    ),
    "model too slow": (
        "_over_budget",
        _check_too_slow,
        dict(CLEAN),
        {"latency_budget_ms": 10.0, "model_latency_ms": 50.0, "latency_sigma": 0.0},
        "over latency budget (50.0 ms > 10 ms)",
    ),
    "model raises": (
        "_call",
        _check_raises,
        dict(CLEAN),
        {"model": Raising()},
        "model error: RuntimeError: the model is down",
    ),
}


def test_the_table_is_read():
    assert len(ROWS) == 13
    assert {r["served by"] for r in ROWS} == {"model", "fallback", "rejected"}


def test_every_row_has_an_example_and_every_example_a_row():
    assert [r["request"] for r in ROWS] == list(EXAMPLES)


@pytest.mark.parametrize("row", ROWS, ids=[r["request"] for r in ROWS])
def test_the_named_function_does_what_the_row_says(row, columns, by_norm):
    name, check, *_ = EXAMPLES[row["request"]]
    assert row["function"] == f"``{name}``"
    module = fallback if hasattr(fallback, name) else repairs
    assert callable(getattr(module, name))
    check(columns, by_norm)


@pytest.mark.parametrize("row", ROWS, ids=[r["request"] for r in ROWS])
def test_the_service_answers_as_the_row_says(row, fitted):
    pipe, rule, schema = fitted
    _, _, request, kwargs, shown = EXAMPLES[row["request"]]
    kwargs = {"model": pipe, "fallback": rule, "rng": 0, **kwargs}
    response = ModelService(schema=schema, **kwargs).predict(request)
    assert response.source == row["served by"], response
    if shown is None:
        assert response.problems == () and response.reason == ""
    else:
        assert any(p.startswith(shown) for p in (*response.problems, response.reason)), response


def test_the_repairs_served_by_the_model_give_the_clean_answer(fitted):
    # renaming, ignoring, reordering, parsing and matching lose nothing: the clean prediction
    # (a missing value is imputed and an unseen category ignored, so those may differ)
    pipe, rule, schema = fitted
    service = ModelService(pipe, schema=schema, fallback=rule, rng=0)
    clean = service.predict(dict(CLEAN)).prediction
    exact = [r["request"] for r in ROWS if r["served by"] == "model"]
    exact = [name for name in exact if name not in ("missing field, null, NaN", "unseen category")]
    assert len(exact) == 5
    for name in exact:
        assert service.predict(EXAMPLES[name][2]).prediction == clean, name
