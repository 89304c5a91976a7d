"""Tests for mlsys_helpers.schema: inference, JSON round trip, argument checks, single values."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.quality import validate
from mlsys_helpers.schema import ColumnSchema, Schema, infer_schema
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
    with pytest.raises(ValueError, match="exclude names columns not in frame"):
        infer_schema(frame, exclude=["nope"])
    with pytest.raises(TypeError, match="not a single str"):
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
