"""Tests for mlsys_helpers.quality: clean data passes, every pathology and corruption is caught
(the schema itself: tests/test_schema.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys_helpers import collect, quality
from mlsys_helpers.quality import Schema, infer_schema, validate

REGIONS = np.array(["north", "south", "east", "west"])
CHANNELS = np.array(["web", "branch", "phone"])


def loan_frame(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """A small loan-like frame, built here so these tests do not depend on mlsys_helpers.world."""
    gen = np.random.default_rng(seed)
    income = gen.lognormal(10.8, 0.5, n)
    debt_ratio = gen.beta(2, 5, n)
    region = gen.choice(REGIONS, n, p=[0.4, 0.3, 0.2, 0.1])
    logit = (
        -1.5 + 3.0 * (debt_ratio - 0.3) - 1.2 * (np.log(income) - 10.8) + 0.5 * (region == "west")
    )
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "income": income,
            "debt_ratio": debt_ratio,
            "age": gen.integers(18, 80, n),
            "region": region,
            "channel": gen.choice(CHANNELS, n, p=[0.5, 0.3, 0.2]),
            "has_cosigner": gen.random(n) < 0.15,
            "target": (gen.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


@pytest.fixture(scope="module")
def schema() -> Schema:
    return infer_schema(loan_frame(3000, seed=0))


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return loan_frame(3000, seed=1)


def failed(report: quality.QualityReport) -> set[tuple[str, str]]:
    return {(row.check, row.column) for row in report.failures.itertuples(index=False)}


# ------------------------------------------------------------------------------ clean data
def test_clean_data_passes(schema, clean):
    report = validate(clean, schema)
    assert report.passed, report.summary()
    assert list(report.table.columns) == ["check", "column", "passed", "observed", "expected"]
    assert report.failures.empty


@pytest.mark.slow
def test_false_alarm_rate_on_clean_data_is_low():
    # 100 independent reference/new pairs of 3000 rows from the same distribution: with the
    # default tolerances at least 95 % must pass (expected: nearly all; the label-mix tolerance is
    # ~3.9 standard errors of a share difference).
    passes = [
        validate(
            loan_frame(3000, seed=2 * k + 10), infer_schema(loan_frame(3000, seed=2 * k + 11))
        ).passed
        for k in range(100)
    ]
    assert np.mean(passes) >= 0.95


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    null_share=st.floats(0, 1),
)
def test_a_frame_always_passes_its_own_schema(n, seed, null_share):
    gen = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "f": gen.normal(size=n),
            "i": gen.integers(0, 5, n),
            "s": gen.choice(np.array(["a", "b", "c"]), n),
            "b": gen.random(n) < 0.5,
            "t": pd.date_range("2024-01-01", periods=n, freq="D"),
            "target": gen.integers(0, 3, n),
        }
    )
    frame["f"] = frame["f"].where(gen.random(n) >= null_share)
    frame["s"] = frame["s"].where(gen.random(n) >= null_share)
    schema = infer_schema(frame)
    assert Schema.from_dict(json.loads(json.dumps(schema.to_dict()))) == schema
    report = validate(frame, schema)
    assert report.passed, report.summary()


def test_validate_does_not_mutate_its_input(schema, clean):
    before = clean.copy(deep=True)
    validate(clean, schema)
    pd.testing.assert_frame_equal(clean, before)


# ------------------------------------------------------------------ collection pathologies
@pytest.mark.parametrize(
    ("mechanism", "depends_on"), [("MCAR", None), ("MAR", "debt_ratio"), ("MNAR", None)]
)
def test_catches_a_jump_in_missing_values(schema, clean, mechanism, depends_on):
    broken = collect.make_missing(
        clean, columns="income", rate=0.2, mechanism=mechanism, depends_on=depends_on, rng=0
    )
    assert failed(validate(broken, schema)) == {("null_rate", "income")}


def test_missing_values_in_a_boolean_column_are_a_null_jump_not_a_type_error(schema, clean):
    broken = collect.make_missing(clean, columns="has_cosigner", rate=0.2, rng=0)
    assert failed(validate(broken, schema)) == {("null_rate", "has_cosigner")}


def test_tolerates_a_small_null_rate_below_the_tolerance(schema, clean):
    broken = collect.make_missing(clean, columns="income", rate=0.01, rng=0)
    assert validate(broken, schema).passed


def test_catches_duplicates(schema, clean):
    broken = collect.duplicate_rows(clean, rate=0.03, rng=0)
    assert failed(validate(broken, schema)) == {("duplicates", "*"), ("unique", "timestamp")}


def test_catches_a_label_mix_change_from_label_noise(schema, clean):
    broken = collect.label_noise(clean, rate=0.2, rng=0)
    assert failed(validate(broken, schema)) == {("label_mix", "target")}


def test_catches_a_group_mix_change_from_sampling_bias(schema, clean):
    broken = collect.sampling_bias(clean, column="region", keep={"north": 0.3}, rng=0)
    assert ("label_mix", "region") in failed(validate(broken, schema))


def test_catches_a_label_mix_change_from_sampling_bias_on_a_feature(schema, clean):
    # keeping mostly high incomes removes defaulters: the class balance moves
    broken = collect.sampling_bias(clean, column="income", strength=3.0, rng=0)
    assert ("label_mix", "target") in failed(validate(broken, schema))


# --------------------------------------------------------------------- serving corruptions
def test_catches_a_missing_column(schema, clean):
    assert failed(validate(clean.drop(columns="age"), schema)) == {("missing_column", "age")}


def test_catches_numbers_sent_as_strings(schema, clean):
    broken = clean.assign(income=clean["income"].round(2).astype(str))
    report = validate(broken, schema)
    assert failed(report) == {("type", "income")}
    assert "numeric" in report.failures.loc[0, "expected"]


def test_catches_a_unit_change(schema, clean):
    broken = clean.assign(income=clean["income"] / 1000)  # income in thousands
    assert failed(validate(broken, schema)) == {("range", "income")}


def test_catches_an_unseen_category(schema, clean):
    broken = clean.copy()
    broken.loc[broken.index[:30], "channel"] = "partner_app"  # 1 % of rows
    report = validate(broken, schema)
    assert failed(report) == {("unseen_category", "channel")}
    assert "partner_app" in report.failures.loc[0, "observed"]


def test_catches_an_unseen_class_in_the_target(schema, clean):
    broken = clean.copy()
    broken.loc[broken.index[:5], "target"] = 2
    assert ("unseen_category", "target") in failed(validate(broken, schema))


def test_catches_an_extra_column(schema, clean):
    broken = clean.assign(debug_flag=1)
    assert failed(validate(broken, schema)) == {("extra_column", "debug_flag")}


def test_catches_a_boolean_sent_as_text(schema, clean):
    broken = clean.assign(has_cosigner=clean["has_cosigner"].map({True: "yes", False: "no"}))
    assert failed(validate(broken, schema)) == {("type", "has_cosigner")}


def test_tolerances_can_be_tightened_and_loosened(schema, clean):
    broken = collect.label_noise(clean, rate=0.2, rng=0)
    assert validate(broken, schema, mix_tolerance=0.5).passed
    assert not validate(clean, schema, mix_tolerance=0.0).passed


def test_summary_lists_the_failed_checks(schema, clean):
    report = validate(clean.drop(columns="age").assign(extra=0), schema)
    text = report.summary()
    assert text.startswith("2 of ")
    assert "missing_column [age]" in text and "extra_column [extra]" in text
    assert repr(report).startswith("QualityReport(passed=False")


def test_an_empty_batch_fails_its_own_check(schema, clean):
    # a batch with no rows is a broken export, not clean data (it used to pass every check)
    report = validate(clean.iloc[:0], schema)
    assert failed(report) == {("rows", "*")}
    assert "0 rows" in report.failures.loc[0, "observed"]


def test_validate_rejects_bad_arguments(schema, clean):
    with pytest.raises(TypeError, match="schema must be a Schema"):
        validate(clean, schema.to_dict())
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        validate(clean.to_numpy(), schema)
    with pytest.raises(ValueError, match="mix_tolerance must be in"):
        validate(clean, schema, mix_tolerance=-0.1)
    with pytest.raises(TypeError, match="null_tolerance must be a number"):
        validate(clean, schema, null_tolerance="5%")


# ---------------------------------------------------------- impossible values, empty batches
def test_a_few_negative_incomes_fail_the_hard_bounds_whatever_the_range_tolerance(schema, clean):
    broken = clean.copy()
    broken.loc[broken.index[:3], "income"] = [-1.0, 0.0, -500.0]  # 3 of 3000: 0.1 % of the rows
    report = validate(broken, schema)
    assert failed(report) == {("bounds", "income")}  # 0.0 is possible: a zero income
    row = report.failures.iloc[0]
    assert row["observed"].startswith("2 outside hard bounds [0, inf]")
    assert not validate(broken, schema, range_tolerance=1.0).passed


def test_edited_bounds_catch_an_underage_applicant(schema, clean):
    adults = schema.with_bounds({"age": (18, 120)})
    broken = clean.copy()
    broken.loc[broken.index[0], "age"] = 12
    assert validate(broken, schema).passed  # inferred: only age >= 0 is known
    assert failed(validate(broken, adults)) == {("bounds", "age")}


def test_infinity_is_its_own_check_not_part_of_the_range(schema, clean):
    broken = clean.copy()
    broken.loc[broken.index[:2], "debt_ratio"] = [np.inf, -np.inf]
    report = validate(broken, schema)
    assert failed(report) == {("finite", "debt_ratio")}
    assert report.failures.loc[0, "observed"] == "2 non-finite values"


def test_a_reference_with_infinity_still_validates_a_clean_frame():
    reference = pd.DataFrame({"x": [1.0, np.inf, 2.0, 3.0]})
    schema = infer_schema(reference)
    assert schema["x"].max == 3.0
    assert validate(pd.DataFrame({"x": [1.5, 2.5]}), schema).passed
    assert failed(validate(reference, schema)) == {("finite", "x")}


# ------------------------------------------------------------------------- the pandera contract
def test_to_pandera_is_a_dataframe_schema_reporting_every_failure_case(schema, clean):
    import pandera.pandas as pa

    contract = schema.to_pandera()
    assert isinstance(contract, pa.DataFrameSchema)
    assert set(contract.columns) == set(schema.names)
    contract.validate(clean, lazy=True)  # a clean frame meets the contract
    broken = clean.copy()
    broken.loc[broken.index[[3, 7]], "income"] = -1.0
    broken.loc[broken.index[[5]], "channel"] = "partner_app"
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        contract.validate(broken, lazy=True)
    cases = caught.value.failure_cases
    as_rows = set(zip(cases["column"], cases["check"], cases["index"], strict=True))
    assert {("income", "bounds", 3), ("income", "bounds", 7)} <= as_rows
    assert ("channel", "unseen_category", 5) in as_rows


def test_the_report_keeps_pandera_failure_cases(schema, clean):
    broken = clean.copy()
    broken.loc[broken.index[[4, 9]], "region"] = "atlantis"
    cases = validate(broken, schema).cases
    unseen = cases.loc[cases["check"] == "unseen_category"]
    assert set(unseen["column"]) == {"region"}
    assert sorted(unseen["index"]) == [4, 9] and set(unseen["failure_case"]) == {"atlantis"}
    # the reference range is checked value by value too: a clean sample has a few values
    # outside it (tolerated by the range check), and nothing else
    assert set(validate(clean, schema).cases["check"]) <= {"range"}
