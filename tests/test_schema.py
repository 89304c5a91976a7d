"""Tests for mlsys_helpers.quality.schema: inference, JSON round trip, argument checks, single values."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.quality import ColumnSchema, Schema, infer_schema, validate
from tests.test_quality import loan_frame


@pytest.fixture(scope="module")
def schema() -> Schema:
    return infer_schema(loan_frame(3000, seed=0))


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return loan_frame(3000, seed=1)


# ----------------------------------------------------------------------------------- inference
def test_infer_schema_reads_kinds_ranges_categories_and_uniqueness(schema):
    frame = loan_frame(3000, seed=0)
    assert schema.names == tuple(frame.columns)
    kinds = {c.name: c.kind for c in schema.columns}
    assert kinds == {
        "timestamp": "datetime",
        "income": "numeric",
        "debt_ratio": "numeric",
        "age": "numeric",
        "region": "categorical",
        "channel": "categorical",
        "has_cosigner": "boolean",
        "target": "numeric",
    }
    assert schema["income"].min == frame["income"].min()
    assert schema["income"].max == frame["income"].max()
    assert schema["region"].categories == ("east", "north", "south", "west")
    assert schema["region"].shares == pytest.approx(
        [(frame["region"] == r).mean() for r in ("east", "north", "south", "west")]
    )
    assert schema["target"].categories == ("0", "1")
    assert schema["has_cosigner"].categories == ("False", "True")
    assert schema["timestamp"].unique and not schema["age"].unique
    assert not schema["income"].unique  # floats are never declared unique
    assert schema["age"].categories is None  # not a label column
    assert all(c.null_rate == 0 for c in schema.columns)


def test_infer_schema_records_null_rates_and_excluded_columns():
    frame = loan_frame(1000).assign(true_proba=0.5)
    frame.loc[:99, "income"] = np.nan
    schema = infer_schema(frame, exclude=["true_proba"])
    assert schema["income"].null_rate == pytest.approx(0.1)
    assert "true_proba" not in schema and schema.ignored == ("true_proba",)
    assert validate(frame, schema).passed  # ignored columns are not "extra"


def test_identifier_like_string_columns_get_an_open_category_set():
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(100)]})
    spec = infer_schema(frame)["id"]
    assert spec.categories is None and spec.unique


def test_schema_round_trips_through_json(schema):
    text = json.dumps(schema.to_dict())
    assert Schema.from_dict(json.loads(text)) == schema


def test_schema_lookup_of_unknown_column_names_the_columns(schema):
    with pytest.raises(KeyError, match="no column 'nope' in schema"):
        schema["nope"]


def test_infer_schema_rejects_bad_arguments():
    frame = loan_frame(10)
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        infer_schema(frame.to_dict())
    with pytest.raises(ValueError, match="exclude must name columns of frame"):
        infer_schema(frame, exclude=["nope"])
    with pytest.raises(TypeError, match="exclude must be a sequence of column names, got str"):
        infer_schema(frame, exclude="target")
    with pytest.raises(ValueError, match="max_categories must be an int >= 2"):
        infer_schema(frame, max_categories=1)


def test_column_schema_validates_its_fields():
    with pytest.raises(ValueError, match="kind must be one of"):
        ColumnSchema("x", "text", "str")
    with pytest.raises(ValueError, match="null_rate must be in"):
        ColumnSchema("x", "numeric", "float64", null_rate=2.0)
    with pytest.raises(ValueError, match="one entry per category"):
        ColumnSchema("x", "categorical", "str", categories=("a",), shares=(0.5, 0.5))


# --------------------------------------------------------------------------- single values
def test_check_value_accepts_normal_values(schema, clean):
    row = clean.iloc[0]
    for spec in schema.columns:
        assert spec.check_value(row[spec.name]) is None, spec.name
    assert schema["timestamp"].check_value("2024-05-01 10:00") is None


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("income", "52000", "expected a number"),
        ("income", True, "expected a number"),
        ("income", 52.0, "out of range"),  # in thousands
        ("income", float("inf"), "non-finite"),
        ("income", None, "missing value"),
        ("income", np.nan, "missing value"),
        ("region", "atlantis", "unseen category 'atlantis'"),
        ("region", 3, "expected a string"),
        ("has_cosigner", "yes", "expected a boolean"),
        ("timestamp", "not a date", "cannot parse"),
        ("timestamp", 12.5, "expected a datetime"),
        ("target", 2, "unseen class"),
    ],
)
def test_check_value_describes_problems(schema, column, value, problem):
    message = schema[column].check_value(value)
    assert message is not None and problem in message and column in message


def test_check_value_range_margin(schema):
    spec = schema["age"]
    just_outside = spec.max + 0.05 * (spec.max - spec.min)
    assert spec.check_value(just_outside) is not None
    assert spec.check_value(just_outside, margin=0.1) is None
    assert spec.check_value(spec.max) is None and spec.check_value(spec.min) is None


def test_check_value_accepts_missing_when_reference_had_missing():
    spec = ColumnSchema("x", "numeric", "float64", null_rate=0.1, min=0.0, max=1.0)
    assert spec.check_value(None) is None and spec.check_value(np.nan) is None


# ------------------------------------------------------------------------------ hard bounds
def test_a_column_never_negative_in_training_gets_a_hard_lower_bound_of_zero(schema):
    assert schema["income"].lower_bound == 0.0 and schema["debt_ratio"].lower_bound == 0.0
    assert schema["income"].upper_bound is None
    # the service widens the range by 10 % of its span: income's lower edge used to go to about
    # -14,000 on a frame like this; the hard bound holds whatever the margin
    spec = schema["income"]
    assert spec.min - 0.1 * (spec.max - spec.min) < -1.0
    assert not spec.within_range(-1.0, margin=0.1)
    assert not spec.within_range(-1.0, margin=10.0)
    assert spec.within_range(spec.min * 0.99, margin=0.1)


def test_an_inferred_bound_can_be_removed_when_the_domain_allows_negatives():
    summer = pd.DataFrame({"temperature": [15.4, 22.0, 31.5]})  # deg C, never below 0 in summer
    inferred = infer_schema(summer)["temperature"]
    assert inferred.lower_bound == 0.0
    assert "below the hard lower bound 0" in inferred.check_value(-0.5, margin=1.0)
    edited = infer_schema(summer, bounds={"temperature": (None, None)})["temperature"]
    assert edited.lower_bound is None
    assert edited.check_value(-0.5, margin=1.0) is None  # 15.4 - 1.0 * 16.1 = -0.7


def test_a_column_with_negative_training_values_gets_no_lower_bound():
    spec = infer_schema(pd.DataFrame({"balance": [-20.0, 5.0, 40.0]}))["balance"]
    assert spec.lower_bound is None and spec.within_range(-25.0, margin=0.1)


@pytest.mark.parametrize("value", [-1.0, -0.05, -500, -1e-9])
def test_check_value_reports_a_value_below_the_hard_bound_at_any_margin(schema, value):
    message = schema["debt_ratio"].check_value(value, margin=1.0)
    assert message == f"'debt_ratio'={value!r} is below the hard lower bound 0"


def test_hard_bounds_are_editable_and_survive_the_json_round_trip(schema):
    adults = schema.with_bounds({"age": (18, 120), "debt_ratio": (0, None)})
    assert (adults["age"].lower_bound, adults["age"].upper_bound) == (18.0, 120.0)
    assert adults["age"].check_value(12, margin=1.0) == "'age'=12 is below the hard lower bound 18"
    assert (
        adults["age"].check_value(130, margin=1.0) == "'age'=130 is above the hard upper bound 120"
    )
    assert schema["age"].lower_bound == 0.0  # the original is unchanged
    assert Schema.from_dict(json.loads(json.dumps(adults.to_dict()))) == adults
    frame = loan_frame(200, seed=3)
    assert infer_schema(frame, bounds={"age": (18, 120)})["age"].upper_bound == 120.0


@pytest.mark.parametrize(
    ("bounds", "error", "match"),
    [
        (
            {"age": (40, None)},
            ValueError,
            r"min must be >= the hard lower_bound \(40\), got 18 \(column 'age'\)",
        ),
        (
            {"age": (None, 30)},
            ValueError,
            r"max must be <= the hard upper_bound \(30\), got 79 \(column 'age'\)",
        ),
        (
            {"region": (0, 1)},
            ValueError,
            r"bounds\['region'\] must be for a numeric column, got a categorical column",
        ),
        ({"age": 18}, ValueError, r"bounds\['age'\] must be a \(lower, upper\) pair"),
        ({"nope": (0, 1)}, KeyError, "no column 'nope'"),
        ([("age", (18, 99))], TypeError, "bounds must be a mapping"),
    ],
)
def test_with_bounds_refuses_bounds_that_contradict_the_data(schema, bounds, error, match):
    with pytest.raises(error, match=match):
        schema.with_bounds(bounds)


# ------------------------------------------------------------------------ non-finite values
def test_infer_schema_keeps_infinity_out_of_the_range():
    frame = pd.DataFrame({"x": [1.0, 2.0, np.inf, 3.0, -np.inf]})
    spec = infer_schema(frame)["x"]
    assert (spec.min, spec.max) == (1.0, 3.0)
    assert json.loads(json.dumps(infer_schema(frame).to_dict()))["columns"][0]["max"] == 3.0


# -------------------------------------------------------------- inconsistent schemas on load
def _loaded(**fields):
    entry = {"name": "income", "kind": "numeric", "dtype": "float64"} | fields
    return Schema.from_dict({"columns": [entry]})


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"min": 5.0, "max": 1.0}, r"min must be <= max \(1\), got 5 \(column 'income'\)"),
        ({"kind": "money"}, r"kind must be one of .*\(column 'income'\)"),
        ({"max": float("inf")}, r"max must be finite, got inf \(column 'income'\)"),
        ({"min": "0"}, r"min must be a number or None, got '0' \(column 'income'\)"),
        (
            {"lower_bound": 1.0, "upper_bound": 0.0},
            r"lower_bound must be <= upper_bound \(0\), got 1",
        ),
        (
            {"min": -3.0, "lower_bound": 0.0},
            r"min must be >= the hard lower_bound \(0\), got -3 \(column 'income'\)",
        ),
        (
            {"kind": "categorical", "min": 0.0},
            r"min must be None for a 'categorical' column, got 0.0 \(column 'income'\)",
        ),
        ({"null_rate": 1.5}, r"null_rate must be in \[0, 1\], got 1.5 \(column 'income'\)"),
        (
            {"colour": "red"},
            r"columns\[0\] must have only ColumnSchema fields, got \['colour'\] in column 'income'",
        ),
        (
            {"categories": ["a"], "shares": [1.5]},
            r"shares must lie in \[0, 1\], got \(1.5,\) \(column 'income'\)",
        ),
    ],
)
def test_inconsistent_schemas_are_refused_on_load_naming_the_column(fields, match):
    with pytest.raises(ValueError, match=match):
        _loaded(**fields)


def test_a_column_entry_without_kind_is_refused_naming_the_column():
    with pytest.raises(
        ValueError,
        match=r"columns\[0\] must have the fields \['dtype', 'kind'\], missing \['kind'\] in column 'x'",
    ):
        Schema.from_dict({"columns": [{"name": "x", "dtype": "float64"}]})
