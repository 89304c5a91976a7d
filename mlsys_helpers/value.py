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
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["ValueCase", "decision_value", "cases_table"]


@dataclass(frozen=True)
class ValueCase:
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

    @property
    def verdict(self) -> str:
        """``"go"`` or ``"no-go"``."""
        return "go" if self.go else "no-go"

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
    decisions_per_year = _number("decisions_per_year", decisions_per_year)
    value_per_correct = _number("value_per_correct", value_per_correct)
    cost_per_error = _number("cost_per_error", cost_per_error)
    build_cost = _number("build_cost", build_cost)
    upkeep_per_year = _number("upkeep_per_year", upkeep_per_year)
    years = _number("years", years)
    if years == 0.0 or math.isinf(years):
        raise ValueError(f"years must be > 0 and finite, got {years:g}")
    stake = (
        value_per_correct + cost_per_error
    )  # what one decision flipped from wrong to right is worth
    gain_per_decision = (accuracy - baseline_accuracy) * stake
    gain_per_year = decisions_per_year * gain_per_decision
    net_value = years * (gain_per_year - upkeep_per_year) - build_cost
    needed_per_year = upkeep_per_year + build_cost / years  # what must be earned each year
    break_even_volume = needed_per_year / gain_per_decision if gain_per_decision > 0 else math.inf
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


def cases_table(cases: Mapping[str, ValueCase]) -> pd.DataFrame:
    """One row per named case: the inputs, the derived numbers and the verdict.

    Parameters
    ----------
    cases : mapping of str to ValueCase

    Returns
    -------
    DataFrame
        Indexed by case name; one column per :class:`ValueCase` field plus ``verdict``.

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
    bad = [name for name, case in cases.items() if not isinstance(case, ValueCase)]
    if bad:
        raise TypeError(f"cases must map names to ValueCase objects; not a ValueCase: {bad}")
    rows = [asdict(case) | {"verdict": case.verdict} for case in cases.values()]
    return pd.DataFrame(rows, index=pd.Index(list(cases), name="case"))
