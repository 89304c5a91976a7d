"""Is a model worth building? A small value/cost calculator for go / no-go decisions.

A model earns money only through the decisions it improves. Compared with the alternative it
would replace (an expert rule, a manual process), each decision gains

    (accuracy - baseline_accuracy) * (value_per_correct + cost_per_error)

because a decision the model gets right *and* the baseline gets wrong both earns the value of a
correct decision and avoids the cost of an error. Over ``years`` the model must pay back its build
cost and its yearly upkeep (monitoring, retraining, on-call, infrastructure)::

    net_value = years * (decisions_per_year * gain_per_decision - upkeep_per_year) - build_cost

and the verdict is **go** when ``net_value > 0``. No discounting, and the baseline's own running
cost is taken as zero (a rule needs upkeep too: subtract it from ``upkeep_per_year`` if you know
it). Accuracy weights every error alike; when false alarms and misses cost very different amounts,
put in the average cost per error at the operating threshold you plan to use.

>>> from mlsys_helpers import value
>>> case = value.decision_value(accuracy=0.90, baseline_accuracy=0.75, decisions_per_year=20_000,
...                             value_per_correct=50, cost_per_error=400, build_cost=250_000,
...                             upkeep_per_year=150_000, years=3)
>>> case.verdict, round(case.net_value)
('go', 3350000)

Accuracy weights every error alike, which is rarely true. A lender who approves a loan that
defaults loses far more than one who declines a good applicant forgoes. :func:`payoff_per_decision`
prices each (decision, outcome) pair on its own, like chapter 01's scorecard, and
:func:`payoff_value` runs the same go / no-go arithmetic on the difference in money per decision
instead of the difference in accuracy:

>>> payoffs = {(0, 0): 100, (0, 1): -2_000}  # approve & repaid, approve & default; declines: 0
>>> model = payoff_per_decision([0, 0, 1, 1], [0, 0, 1, 0], payoffs=payoffs)
>>> rule = payoff_per_decision([0, 0, 0, 1], [0, 0, 1, 0], payoffs=payoffs)
>>> model, rule
(50.0, -450.0)
>>> payoff_value(payoff=model, baseline_payoff=rule, decisions_per_year=1_000,
...              build_cost=100_000, upkeep_per_year=50_000).verdict
'go'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = [
    "PayoffCase",
    "ValueCase",
    "cases_table",
    "decision_value",
    "payoff_per_decision",
    "payoff_value",
]


class _Verdict:
    """The shared reading of a go / no-go case: ``verdict`` from ``go``."""

    go: bool

    @property
    def verdict(self) -> str:
        """``"go"`` or ``"no-go"``."""
        return "go" if self.go else "no-go"


@dataclass(frozen=True)
class ValueCase(_Verdict):
    """The inputs and the verdict of one go / no-go calculation (see :func:`decision_value`).

    Attributes
    ----------
    accuracy, baseline_accuracy, decisions_per_year, value_per_correct, cost_per_error,
    build_cost, upkeep_per_year, years : float
        The inputs, as given.
    gain_per_decision : float
        ``(accuracy - baseline_accuracy) * (value_per_correct + cost_per_error)``.
    gain_per_year : float
        ``decisions_per_year * gain_per_decision``.
    net_value : float
        ``years * (gain_per_year - upkeep_per_year) - build_cost``.
    break_even_decisions_per_year : float
        Decision volume at which ``net_value`` is zero (``inf`` when the model is not more
        accurate than the baseline).
    break_even_gain : float
        Accuracy gain over the baseline (a fraction, 0.05 = 5 points) at which ``net_value`` is
        zero at this volume (``inf`` when no decision has value: ``value + cost == 0`` or no
        decisions).
    go : bool
        ``net_value > 0``.
    """

    accuracy: float
    baseline_accuracy: float
    decisions_per_year: float
    value_per_correct: float
    cost_per_error: float
    build_cost: float
    upkeep_per_year: float
    years: float
    gain_per_decision: float
    gain_per_year: float
    net_value: float
    break_even_decisions_per_year: float
    break_even_gain: float
    go: bool

    def summary(self) -> str:
        """The verdict and the numbers behind it, in three lines.

        Examples
        --------
        >>> case = decision_value(accuracy=0.76, baseline_accuracy=0.75, decisions_per_year=2000,
        ...                       value_per_correct=50, cost_per_error=400, build_cost=50_000,
        ...                       upkeep_per_year=20_000)
        >>> print(case.summary())
        no-go: net value over 3 years = -83,000
        gain = 1.0 accuracy points x (50 + 400) per decision x 2,000 decisions/year = 9,000/year
        break-even: 8,148 decisions/year at this gain, or 4.1 points of gain at this volume
        """
        points = 100 * (self.accuracy - self.baseline_accuracy)
        return (
            f"{self.verdict}: net value over {self.years:g} years = {self.net_value:,.0f}\n"
            f"gain = {points:.1f} accuracy points x ({self.value_per_correct:,.0f} + "
            f"{self.cost_per_error:,.0f}) per decision x {self.decisions_per_year:,.0f} "
            f"decisions/year = {self.gain_per_year:,.0f}/year\n"
            f"break-even: {self.break_even_decisions_per_year:,.0f} decisions/year at this gain, "
            f"or {100 * self.break_even_gain:.1f} points of gain at this volume"
        )


def _number(name: str, x: object, *, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    x = float(x)
    if not (low <= x <= high) or math.isnan(x):
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {x:g}")
    return x


def decision_value(
    *,
    accuracy: float,
    baseline_accuracy: float,
    decisions_per_year: float,
    value_per_correct: float,
    cost_per_error: float,
    build_cost: float,
    upkeep_per_year: float,
    years: float = 3.0,
) -> ValueCase:
    """Go / no-go for replacing a baseline (rule, manual process) with a model.

    Parameters
    ----------
    accuracy : float
        The model's accuracy in [0, 1], measured on data like production's (a held-out,
        later period).
    baseline_accuracy : float
        Accuracy in [0, 1] of what the model replaces, on the same data.
    decisions_per_year : float
        How many decisions the model makes per year (>= 0).
    value_per_correct : float
        Money earned by one correct decision (>= 0).
    cost_per_error : float
        Money lost by one wrong decision (>= 0).
    build_cost : float
        One-off cost to build and deploy the model (>= 0).
    upkeep_per_year : float
        Yearly cost to run, monitor and retrain it (>= 0).
    years : float, default 3.0
        Horizon over which the model must pay back (> 0); no discounting.

    Returns
    -------
    ValueCase
        Inputs, derived gains, break-even points and the verdict (``.go``, ``.verdict``).

    Examples
    --------
    A small lender: 2 points better than the rule, 3,000 decisions a year: no-go.

    >>> small = decision_value(accuracy=0.77, baseline_accuracy=0.75, decisions_per_year=3000,
    ...                        value_per_correct=50, cost_per_error=400, build_cost=60_000,
    ...                        upkeep_per_year=30_000, years=3)
    >>> small.verdict, round(small.gain_per_year), round(small.break_even_decisions_per_year)
    ('no-go', 27000, 5556)
    """
    accuracy = _number("accuracy", accuracy, high=1.0)
    baseline_accuracy = _number("baseline_accuracy", baseline_accuracy, high=1.0)
    value_per_correct = _number("value_per_correct", value_per_correct)
    cost_per_error = _number("cost_per_error", cost_per_error)
    decisions_per_year, build_cost, upkeep_per_year, years = _payback_inputs(
        decisions_per_year, build_cost, upkeep_per_year, years
    )
    stake = (
        value_per_correct + cost_per_error
    )  # what one decision flipped from wrong to right is worth
    gain_per_decision = (accuracy - baseline_accuracy) * stake
    gain_per_year, net_value, break_even_volume, needed_per_year = _payback(
        gain_per_decision, decisions_per_year, build_cost, upkeep_per_year, years
    )
    volume_stake = decisions_per_year * stake
    break_even_gain = needed_per_year / volume_stake if volume_stake > 0 else math.inf
    return ValueCase(
        accuracy=accuracy,
        baseline_accuracy=baseline_accuracy,
        decisions_per_year=decisions_per_year,
        value_per_correct=value_per_correct,
        cost_per_error=cost_per_error,
        build_cost=build_cost,
        upkeep_per_year=upkeep_per_year,
        years=years,
        gain_per_decision=gain_per_decision,
        gain_per_year=gain_per_year,
        net_value=net_value,
        break_even_decisions_per_year=break_even_volume,
        break_even_gain=break_even_gain,
        go=bool(net_value > 0),
    )


def _payback_inputs(decisions_per_year, build_cost, upkeep_per_year, years):
    """Validate the volume, the costs and the horizon shared by both calculators."""
    decisions_per_year = _number("decisions_per_year", decisions_per_year)
    build_cost = _number("build_cost", build_cost)
    upkeep_per_year = _number("upkeep_per_year", upkeep_per_year)
    years = _number("years", years)
    if years == 0.0 or math.isinf(years):
        raise ValueError(f"years must be > 0 and finite, got {years:g}")
    return decisions_per_year, build_cost, upkeep_per_year, years


def _payback(gain_per_decision, decisions_per_year, build_cost, upkeep_per_year, years):
    """Yearly gain, net value, break-even volume and the money needed per year."""
    gain_per_year = decisions_per_year * gain_per_decision
    net_value = years * (gain_per_year - upkeep_per_year) - build_cost
    needed_per_year = upkeep_per_year + build_cost / years  # what must be earned each year
    break_even_volume = needed_per_year / gain_per_decision if gain_per_decision > 0 else math.inf
    return gain_per_year, net_value, break_even_volume, needed_per_year


def payoff_per_decision(predicted, actual, *, payoffs: Mapping) -> float:
    """Average money per decision when every (decision, outcome) pair has its own price.

    Parameters
    ----------
    predicted : array-like of labels
        The decisions (e.g. 1 = decline, 0 = approve).
    actual : array-like of labels
        What really happened, same length.
    payoffs : mapping of (predicted, actual) to float
        Money earned (positive) or lost (negative) by one decision of that kind; pairs not
        listed earn 0 (e.g. a declined application earns and loses nothing).

    Returns
    -------
    float
        Mean money per decision.

    Examples
    --------
    >>> payoff_per_decision([0, 0, 1], [0, 1, 1], payoffs={(0, 0): 1_500, (0, 1): -7_000})
    -1833.3333333333333
    """
    if not isinstance(payoffs, Mapping):
        raise TypeError(f"payoffs must be a mapping (predicted, actual) -> money, got "
                        f"{type(payoffs).__name__}")  # fmt: skip
    bad = [key for key in payoffs if not (isinstance(key, tuple) and len(key) == 2)]
    if bad:
        raise ValueError(f"payoffs must have (predicted, actual) pairs as keys, got {bad}")
    predicted, actual = np.asarray(predicted).ravel(), np.asarray(actual).ravel()
    if predicted.shape != actual.shape:
        raise ValueError(
            f"predicted and actual must have the same length, got {predicted.size} and {actual.size}"
        )
    if predicted.size == 0:
        raise ValueError("predicted must hold at least one decision, got an empty array")
    money = np.zeros(predicted.size)
    for (decision, outcome), amount in payoffs.items():
        money[(predicted == decision) & (actual == outcome)] = _number(
            f"payoffs[{(decision, outcome)!r}]", amount, low=-math.inf
        )
    return float(money.mean())


@dataclass(frozen=True)
class PayoffCase(_Verdict):
    """The inputs and the verdict of one go / no-go calculation priced per decision kind.

    Attributes
    ----------
    payoff, baseline_payoff : float
        Money per decision of the model and of what it replaces (see
        :func:`payoff_per_decision`).
    decisions_per_year, build_cost, upkeep_per_year, years : float
        The inputs, as given.
    gain_per_decision : float
        ``payoff - baseline_payoff``.
    gain_per_year, net_value, break_even_decisions_per_year : float
        As in :class:`ValueCase`.
    go : bool
        ``net_value > 0``.
    """

    payoff: float
    baseline_payoff: float
    decisions_per_year: float
    build_cost: float
    upkeep_per_year: float
    years: float
    gain_per_decision: float
    gain_per_year: float
    net_value: float
    break_even_decisions_per_year: float
    go: bool

    def summary(self) -> str:
        """The verdict and the numbers behind it, in three lines.

        Examples
        --------
        >>> print(payoff_value(payoff=10, baseline_payoff=5, decisions_per_year=2_000,
        ...                    build_cost=30_000, upkeep_per_year=10_000).summary())
        no-go: net value over 3 years = -30,000
        gain = 5.00 per decision (10.00 against 5.00) x 2,000 decisions/year = 10,000/year
        break-even: 4,000 decisions/year at this gain
        """
        return (
            f"{self.verdict}: net value over {self.years:g} years = {self.net_value:,.0f}\n"
            f"gain = {self.gain_per_decision:,.2f} per decision ({self.payoff:,.2f} against "
            f"{self.baseline_payoff:,.2f}) x {self.decisions_per_year:,.0f} decisions/year = "
            f"{self.gain_per_year:,.0f}/year\n"
            f"break-even: {self.break_even_decisions_per_year:,.0f} decisions/year at this gain"
        )


def payoff_value(
    *,
    payoff: float,
    baseline_payoff: float,
    decisions_per_year: float,
    build_cost: float,
    upkeep_per_year: float,
    years: float = 3.0,
) -> PayoffCase:
    """Go / no-go for replacing a baseline with a model, from money per decision.

    Same arithmetic as :func:`decision_value`, with the gain per decision measured in money
    (``payoff - baseline_payoff``, e.g. from :func:`payoff_per_decision`) instead of accuracy
    points times an average stake, so that a cheap error and a costly one are not counted alike.

    Parameters
    ----------
    payoff : float
        The model's money per decision (may be negative).
    baseline_payoff : float
        Money per decision of what the model replaces, on the same decisions.
    decisions_per_year, build_cost, upkeep_per_year : float
        As in :func:`decision_value` (>= 0).
    years : float, default 3.0
        Horizon (> 0, finite); no discounting.

    Returns
    -------
    PayoffCase

    Examples
    --------
    >>> case = payoff_value(payoff=-289.4, baseline_payoff=-294.6, decisions_per_year=3_000,
    ...                     build_cost=150_000, upkeep_per_year=100_000)
    >>> case.verdict, round(case.break_even_decisions_per_year)
    ('no-go', 28846)
    """
    payoff = _number("payoff", payoff, low=-math.inf)
    baseline_payoff = _number("baseline_payoff", baseline_payoff, low=-math.inf)
    if math.isinf(payoff) or math.isinf(baseline_payoff):
        raise ValueError(
            f"payoff and baseline_payoff must be finite, got {payoff} and {baseline_payoff}"
        )
    decisions_per_year, build_cost, upkeep_per_year, years = _payback_inputs(
        decisions_per_year, build_cost, upkeep_per_year, years
    )
    gain = payoff - baseline_payoff
    gain_per_year, net_value, break_even_volume, _ = _payback(
        gain, decisions_per_year, build_cost, upkeep_per_year, years
    )
    return PayoffCase(
        payoff=payoff,
        baseline_payoff=baseline_payoff,
        decisions_per_year=decisions_per_year,
        build_cost=build_cost,
        upkeep_per_year=upkeep_per_year,
        years=years,
        gain_per_decision=gain,
        gain_per_year=gain_per_year,
        net_value=net_value,
        break_even_decisions_per_year=break_even_volume,
        go=bool(net_value > 0),
    )


def cases_table(cases: Mapping[str, ValueCase | PayoffCase]) -> pd.DataFrame:
    """One row per named case: the inputs, the derived numbers and the verdict.

    Parameters
    ----------
    cases : mapping of str to ValueCase or PayoffCase

    Returns
    -------
    DataFrame
        Indexed by case name; one column per field of the cases plus ``verdict`` (a
        column a case lacks is NaN in its row).

    Examples
    --------
    >>> table = cases_table({"small": decision_value(
    ...     accuracy=0.75, baseline_accuracy=0.5, decisions_per_year=100, value_per_correct=1,
    ...     cost_per_error=1, build_cost=10, upkeep_per_year=0, years=1)})
    >>> table.loc["small", "net_value"].item(), table.loc["small", "verdict"]
    (40.0, 'go')
    """
    if not isinstance(cases, Mapping):
        raise TypeError(f"cases must be a mapping of name -> ValueCase, got {type(cases).__name__}")
    bad = [name for name, case in cases.items() if not isinstance(case, ValueCase | PayoffCase)]
    if bad:
        raise TypeError(
            "cases must map names to ValueCase or PayoffCase objects, got "
            f"{ {name: type(cases[name]).__name__ for name in bad} }"
        )
    rows = [asdict(case) | {"verdict": case.verdict} for case in cases.values()]
    return pd.DataFrame(rows, index=pd.Index(list(cases), name="case"))
