"""Tests for mlsys_helpers.value: the go / no-go calculator."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys_helpers import value

BASE = dict(
    accuracy=0.85,
    baseline_accuracy=0.75,
    decisions_per_year=10_000,
    value_per_correct=20.0,
    cost_per_error=80.0,
    build_cost=100_000.0,
    upkeep_per_year=40_000.0,
    years=2.0,
)


def case(**changes):
    return value.decision_value(**(BASE | changes))


def test_net_value_follows_the_documented_formula_computed_by_hand():
    # 0.10 * (20 + 80) = 10 per decision; 100,000 a year; 2 * (100,000 - 40,000) - 100,000
    result = case()
    assert result.gain_per_decision == pytest.approx(10.0)
    assert result.gain_per_year == pytest.approx(100_000.0)
    assert result.net_value == pytest.approx(20_000.0)
    assert result.go and result.verdict == "go"


def test_no_go_when_the_gain_does_not_pay_for_build_and_upkeep():
    result = case(decisions_per_year=2_000)  # 20,000 a year < 40,000 upkeep
    assert result.net_value < 0
    assert not result.go and result.verdict == "no-go"


def test_model_worse_than_the_baseline_is_no_go_with_infinite_break_even_volume():
    result = case(accuracy=0.70)
    assert not result.go
    assert math.isinf(result.break_even_decisions_per_year)


def test_at_the_break_even_volume_net_value_is_zero():
    result = case(decisions_per_year=3_000)
    again = case(decisions_per_year=result.break_even_decisions_per_year)
    assert again.net_value == pytest.approx(0.0, abs=1e-6)


def test_at_the_break_even_gain_net_value_is_zero():
    result = case(decisions_per_year=6_000)  # needs 0.15 of gain: accuracy 0.90
    again = case(
        decisions_per_year=6_000, accuracy=BASE["baseline_accuracy"] + result.break_even_gain
    )
    assert again.net_value == pytest.approx(0.0, abs=1e-6)


def test_break_even_gain_is_infinite_without_decisions():
    assert math.isinf(case(decisions_per_year=0).break_even_gain)


def test_exactly_zero_net_value_is_no_go():
    result = case(build_cost=0.0, upkeep_per_year=100_000.0)
    assert result.net_value == pytest.approx(0.0, abs=1e-6)
    assert result.go is (result.net_value > 0)


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        case().go = False


def test_summary_states_verdict_and_net_value():
    text = case().summary()
    assert text.startswith("go: net value over 2 years = 20,000")
    assert "break-even" in text


@pytest.mark.parametrize(
    "name, bad, match",
    [
        ("accuracy", 1.2, r"accuracy must be in \[0, 1\], got 1.2"),
        ("baseline_accuracy", -0.1, r"baseline_accuracy must be in \[0, 1\]"),
        ("decisions_per_year", -5, r"decisions_per_year must be in \[0, inf\]"),
        ("cost_per_error", float("nan"), r"cost_per_error must be in"),
        ("build_cost", -1.0, r"build_cost must be in"),
        ("years", 0, r"years must be > 0"),
        ("years", float("inf"), r"years must be > 0 and finite"),
    ],
)
def test_invalid_values_raise_value_error_naming_the_argument(name, bad, match):
    with pytest.raises(ValueError, match=match):
        case(**{name: bad})


@pytest.mark.parametrize("bad", ["0.9", True, None])
def test_non_numbers_raise_type_error(bad):
    with pytest.raises(TypeError, match="accuracy must be a number"):
        case(accuracy=bad)


def test_cases_table_has_one_row_per_case_with_verdicts():
    table = value.cases_table({"big": case(), "small": case(decisions_per_year=2_000)})
    assert isinstance(table, pd.DataFrame)
    assert table.index.tolist() == ["big", "small"]
    assert table["verdict"].tolist() == ["go", "no-go"]
    assert {f.name for f in dataclasses.fields(value.ValueCase)} <= set(table.columns)


def test_cases_table_rejects_non_cases():
    with pytest.raises(
        TypeError, match="cases must map names to ValueCase or PayoffCase objects, got"
    ):
        value.cases_table({"x": 1})
    with pytest.raises(TypeError, match="cases must be a mapping"):
        value.cases_table([case()])


unit = st.floats(0.0, 1.0)
money = st.floats(0.0, 1e7)


@settings(max_examples=60, deadline=None)
@given(unit, unit, st.floats(0.0, 1e6), money, money, money, money, st.floats(0.1, 20.0))
def test_go_iff_positive_net_value_and_more_volume_never_hurts(a, b, n, v, c, build, upkeep, years):
    kwargs = dict(
        accuracy=a,
        baseline_accuracy=b,
        decisions_per_year=n,
        value_per_correct=v,
        cost_per_error=c,
        build_cost=build,
        upkeep_per_year=upkeep,
        years=years,
    )
    result = value.decision_value(**kwargs)
    assert result.go == (result.net_value > 0)
    assert result.break_even_decisions_per_year >= 0 and result.break_even_gain >= 0
    if a >= b:  # a model at least as accurate gains more (or as much) with more decisions
        more = value.decision_value(**(kwargs | {"decisions_per_year": 2 * n + 1}))
        assert more.net_value >= result.net_value - 1e-6 * max(1.0, abs(result.net_value))


# ------------------------------------------------------------ priced per kind of decision
PAYOFFS = {(0, 0): 100.0, (0, 1): -2_000.0}  # approve & repaid, approve & default; declines 0


def test_payoff_per_decision_prices_each_pair_computed_by_hand():
    # approvals: repaid (+100), default (-2,000); declines: 0 whatever happened
    got = value.payoff_per_decision([0, 0, 1, 1], [0, 1, 0, 1], payoffs=PAYOFFS)
    assert got == pytest.approx((100 - 2_000 + 0 + 0) / 4)


def test_two_models_with_the_same_accuracy_can_differ_in_money():
    actual = [0, 0, 1, 1]
    wrong_decline = value.payoff_per_decision([1, 0, 1, 1], actual, payoffs=PAYOFFS)
    wrong_approval = value.payoff_per_decision([0, 0, 0, 1], actual, payoffs=PAYOFFS)
    assert wrong_decline == pytest.approx(25.0)  # one repaid approval, one forgone
    assert wrong_approval == pytest.approx((200 - 2_000) / 4)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(payoffs=[1, 2]), TypeError, "payoffs must be a mapping"),
        (dict(payoffs={0: 1.0}), ValueError, "pairs"),
        (dict(payoffs={(0, 0): "a"}), TypeError, r"payoffs\[\(0, 0\)\] must be a number"),
    ],
)
def test_payoff_per_decision_rejects_bad_payoffs(kwargs, error, match):
    with pytest.raises(error, match=match):
        value.payoff_per_decision([0], [0], **kwargs)


def test_payoff_per_decision_rejects_mismatched_or_empty_inputs():
    with pytest.raises(ValueError, match="same length"):
        value.payoff_per_decision([0, 1], [0], payoffs=PAYOFFS)
    with pytest.raises(ValueError, match="at least one"):
        value.payoff_per_decision([], [], payoffs=PAYOFFS)


def test_payoff_value_follows_the_same_payback_arithmetic_as_decision_value():
    # decision_value's gain per decision fed as money gives the same net value and break-even
    accuracy_case = case()
    money_case = value.payoff_value(
        payoff=accuracy_case.gain_per_decision,
        baseline_payoff=0.0,
        decisions_per_year=BASE["decisions_per_year"],
        build_cost=BASE["build_cost"],
        upkeep_per_year=BASE["upkeep_per_year"],
        years=BASE["years"],
    )
    assert money_case.net_value == pytest.approx(accuracy_case.net_value)
    assert money_case.break_even_decisions_per_year == pytest.approx(
        accuracy_case.break_even_decisions_per_year
    )
    assert money_case.verdict == accuracy_case.verdict


def test_payoff_value_is_no_go_with_infinite_break_even_when_the_model_earns_less():
    result = value.payoff_value(
        payoff=-10.0, baseline_payoff=-5.0, decisions_per_year=1e6, build_cost=0.0,
        upkeep_per_year=1.0,
    )  # fmt: skip
    assert not result.go and math.isinf(result.break_even_decisions_per_year)


def test_payoff_value_validates_its_arguments():
    good = dict(payoff=1.0, baseline_payoff=0.0, decisions_per_year=1, build_cost=0,
                upkeep_per_year=0)  # fmt: skip
    with pytest.raises(TypeError, match="payoff must be a number"):
        value.payoff_value(**(good | {"payoff": "1"}))
    with pytest.raises(ValueError, match="build_cost must be in"):
        value.payoff_value(**(good | {"build_cost": -1}))
    with pytest.raises(ValueError, match="years must be > 0"):
        value.payoff_value(**(good | {"years": 0}))


def test_cases_table_mixes_accuracy_and_payoff_cases():
    money = value.payoff_value(payoff=1.0, baseline_payoff=0.0, decisions_per_year=10,
                               build_cost=0, upkeep_per_year=0)  # fmt: skip
    table = value.cases_table({"accuracy": case(), "money": money})
    assert table["verdict"].tolist() == ["go", "go"]
    assert math.isnan(table.loc["money", "accuracy"])
