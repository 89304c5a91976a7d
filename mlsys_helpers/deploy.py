"""Shipping a model safely: shadow comparison, canary rollout, A/B tests, slices (chapter 10).

A new model meets real traffic in steps, each cheaper to undo than the next:

- **shadow** (:func:`shadow_compare`): the candidate scores the live requests next to the
  current model without acting; compare agreement and score distributions per slice;
- **canary** (:func:`canary`, :func:`canary_runs`): the candidate serves a growing share of the
  traffic (1 % -> 10 % -> 50 % -> 100 % by default) while :class:`Guardrail` s on its error
  rate, fallback rate and latency p99 are checked at every step; a breach rolls it back;
- **A/B test** (:func:`ab_sample_size`, :func:`plan_ab`, :func:`simulate_ab`): a business metric
  compared with a sample size fixed in advance by a power calculation; checking every day and
  stopping at the first p < alpha (peeking) inflates the false-positive rate, which a fixed
  horizon or an alpha-spending rule repairs;
- **slices** (:func:`slice_report`): per-slice accuracy with a standard error, trusted only with
  enough rows.

Requests in a canary are simulated from a :class:`Release` profile (error rate, fallback rate,
log-normal latency); every count is a binomial draw, so thousands of rollouts take milliseconds.

>>> bad = Release(error_rate=0.03)
>>> result = canary(bad, guardrails=[Guardrail("error_rate", 0.01)], rng=0)
>>> result.rolled_back_at
0.1
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "METRICS",
    "CanaryResult",
    "Guardrail",
    "Release",
    "ab_power",
    "ab_sample_size",
    "canary",
    "canary_runs",
    "plan_ab",
    "redraw_segment",
    "requests_to_tell",
    "shadow_compare",
    "simulate_ab",
    "slice_report",
    "spending_levels",
]

#: Metrics a guardrail can watch. Each is a share of the candidate's requests: the share that
#: failed (``error_rate``), fell back to the rule (``fallback_rate``) or took longer than the
#: limit in milliseconds (``latency_p99``: the p99 is below the limit when at most 1 % do).
METRICS = ("error_rate", "fallback_rate", "latency_p99")
DEFAULT_STEPS = (0.01, 0.1, 0.5, 1.0)


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def _share(name: str, value: Any, *, closed_low: bool = False, closed_high: bool = False) -> float:
    value = _real(name, value)
    low_ok = value >= 0 if closed_low else value > 0
    high_ok = value <= 1 if closed_high else value < 1
    if not (low_ok and high_ok):
        interval = ("[" if closed_low else "(") + "0, 1" + ("]" if closed_high else ")")
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def _count(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


# ------------------------------------------------------------------------------- shadow
def shadow_compare(
    frame: pd.DataFrame,
    current: Any,
    candidate: Any,
    *,
    by: str | None = None,
    threshold: float = 0.5,
    target: str | None = None,
) -> pd.DataFrame:
    """Score ``frame`` with both models (nobody acts on the candidate) and compare, per slice.

    Parameters
    ----------
    frame : DataFrame
        Live requests (the models pick their own columns, as the pipelines of
        :func:`~mlsys_helpers.train.make_pipeline_for` do).
    current, candidate : fitted classifiers with ``predict_proba``
    by : str, optional
        A column to slice by; the first row is always ``"all"``.
    threshold : float, default 0.5
        A row is positive (declined) when its probability is at least ``threshold``.
    target : str, optional
        When the outcomes are known (a replay of past traffic), also the accuracy of each.

    Returns
    -------
    DataFrame
        Indexed by slice: ``rows, agreement`` (share of identical decisions),
        ``current_positive, candidate_positive`` (share declined), ``score_shift`` (mean
        candidate minus mean current probability), ``max_score_gap`` (largest absolute
        difference), and ``current_accuracy, candidate_accuracy`` with ``target``.

    Examples
    --------
    >>> from mlsys_helpers.world import LoanWorld
    >>> from mlsys_helpers.train import make_pipeline_for
    >>> data = LoanWorld().sample(600, rng=0)
    >>> model = make_pipeline_for(data).fit(data, data["target"])
    >>> shadow_compare(data, model, model, by="channel").loc["all", "agreement"]
    np.float64(1.0)
    """
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise TypeError(
            "frame must be a non-empty DataFrame, got "
            f"{'an empty DataFrame' if isinstance(frame, pd.DataFrame) else type(frame).__name__}"
        )
    threshold = _share("threshold", threshold)
    for name, column in (("by", by), ("target", target)):
        if column is not None and column not in frame.columns:
            raise ValueError(f"{name} must be a column of frame, got {column!r}")
    p_now = np.asarray(current.predict_proba(frame)[:, 1], dtype=float)
    p_new = np.asarray(candidate.predict_proba(frame)[:, 1], dtype=float)
    table = pd.DataFrame(
        {
            "slice": "all",
            "now": p_now >= threshold,
            "new": p_new >= threshold,
            "p_now": p_now,
            "p_new": p_new,
        }
    )
    if target is not None:
        truth = frame[target].to_numpy()
        table["ok_now"] = table["now"].to_numpy() == truth
        table["ok_new"] = table["new"].to_numpy() == truth
    parts = [table]
    if by is not None:
        parts.append(table.assign(slice=frame[by].astype(str).to_numpy()))
    rows = pd.concat(parts, ignore_index=True)
    grouped = rows.groupby("slice", sort=False)
    out = pd.DataFrame(
        {
            "rows": grouped.size(),
            "agreement": grouped.apply(lambda g: float((g["now"] == g["new"]).mean())),
            "current_positive": grouped["now"].mean(),
            "candidate_positive": grouped["new"].mean(),
            "score_shift": grouped["p_new"].mean() - grouped["p_now"].mean(),
            "max_score_gap": grouped.apply(lambda g: float((g["p_new"] - g["p_now"]).abs().max())),
        }
    )
    if target is not None:
        out["current_accuracy"] = grouped["ok_now"].mean()
        out["candidate_accuracy"] = grouped["ok_new"].mean()
    out.index.name = "slice"
    return out


# ------------------------------------------------------------------------------- canary
@dataclass(frozen=True)
class Release:
    """How a model version behaves in production, per request.

    Attributes
    ----------
    error_rate : float, default 0.002
        Share of requests that fail (an exception, a malformed answer).
    fallback_rate : float, default 0.01
        Share answered by the fallback rule (invalid inputs, timeouts).
    latency_ms : float, default 40.0
        Median latency; latency is log-normal with ``latency_spread`` as its log-sd.
    latency_spread : float, default 0.5

    Examples
    --------
    >>> round(Release().share_slower_than(200.0), 4)
    0.0006
    """

    error_rate: float = 0.002
    fallback_rate: float = 0.01
    latency_ms: float = 40.0
    latency_spread: float = 0.5

    def __post_init__(self) -> None:
        _share("error_rate", self.error_rate, closed_low=True)
        _share("fallback_rate", self.fallback_rate, closed_low=True)
        for name in ("latency_ms", "latency_spread"):
            if not _real(name, getattr(self, name)) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")

    def sample(self, n: int, *, rng: object = None) -> pd.DataFrame:
        """``n`` simulated requests: ``error`` and ``fallback`` (bool) and ``latency_ms``.

        Examples
        --------
        >>> requests = Release(error_rate=0.5).sample(1000, rng=0)
        >>> requests.columns.tolist(), round(float(requests["error"].mean()), 1)
        (['error', 'fallback', 'latency_ms'], 0.5)
        """
        n = _count("n", n)
        rng = np.random.default_rng(rng)
        return pd.DataFrame(
            {
                "error": rng.random(n) < self.error_rate,
                "fallback": rng.random(n) < self.fallback_rate,
                "latency_ms": self.latency_ms * np.exp(self.latency_spread * rng.normal(size=n)),
            }
        )

    def share_slower_than(self, limit_ms: float) -> float:
        """The share of requests slower than ``limit_ms`` (log-normal tail)."""
        z = (np.log(_real("limit_ms", limit_ms)) - np.log(self.latency_ms)) / self.latency_spread
        return float(stats.norm.sf(z))

    def p99_ms(self) -> float:
        """The 99th percentile of latency in milliseconds."""
        return float(self.latency_ms * np.exp(stats.norm.ppf(0.99) * self.latency_spread))

    def breach_probability(self, guardrail: Guardrail) -> float:
        """Probability that one request counts against ``guardrail``."""
        if guardrail.metric == "latency_p99":
            return self.share_slower_than(guardrail.limit)
        return float(getattr(self, guardrail.metric))


@dataclass(frozen=True)
class Guardrail:
    """A limit the candidate must respect at every canary step.

    ``error_rate`` and ``fallback_rate`` take a share as ``limit``; ``latency_p99`` takes
    milliseconds (the candidate breaches it when significantly more than 1 % of its requests
    are slower). A step *breaches* when a one-sided exact binomial test rejects "the true share
    is at most the allowed one" at level ``alpha`` (given to :func:`canary`): with few requests
    the test cannot reject, so small steps only catch large breaches.

    Examples
    --------
    >>> Guardrail("latency_p99", 250.0).allowed
    0.01
    >>> Guardrail("accuracy", 0.9)
    Traceback (most recent call last):
    ...
    ValueError: metric must be one of ('error_rate', 'fallback_rate', 'latency_p99'), got 'accuracy'
    """

    metric: str
    limit: float

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}")
        limit = _real("limit", self.limit)
        if self.metric == "latency_p99":
            if not limit > 0:
                raise ValueError(f"limit must be > 0 ms for latency_p99, got {self.limit!r}")
        else:
            _share("limit", limit)

    @property
    def allowed(self) -> float:
        """The largest acceptable share of requests that count against the guardrail."""
        return 0.01 if self.metric == "latency_p99" else float(self.limit)


@dataclass(frozen=True)
class CanaryResult:
    """One rollout: the checks made at each step, and where it stopped.

    Attributes
    ----------
    checks : DataFrame
        One row per step reached and guardrail: ``step, fraction, requests, metric, observed``
        (share of the candidate's requests against the guardrail), ``allowed, p_value,
        breached``.
    rolled_back_at : float or None
        The traffic fraction of the step that breached, or None when it was promoted.
    """

    checks: pd.DataFrame
    rolled_back_at: float | None

    @property
    def promoted(self) -> bool:
        """Whether the candidate reached 100 % of the traffic."""
        return self.rolled_back_at is None


def _check_steps(steps: Any) -> tuple[float, ...]:
    if isinstance(steps, str) or not isinstance(steps, Sequence) or len(steps) == 0:
        raise TypeError(f"steps must be a non-empty sequence of fractions, got {steps!r}")
    values = tuple(_real("steps", s) for s in steps)
    for value in values:
        if not 0 < value <= 1:
            raise ValueError(f"steps must be fractions in (0, 1], got {value!r}")
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"steps must be strictly increasing, got {values}")
    return values


def _check_guardrails(guardrails: Any) -> tuple[Guardrail, ...]:
    if isinstance(guardrails, Guardrail):
        guardrails = [guardrails]
    if not isinstance(guardrails, Sequence) or len(guardrails) == 0:
        raise TypeError(
            f"guardrails must be a non-empty sequence of Guardrail, got {type(guardrails).__name__}"
        )
    for guardrail in guardrails:
        if not isinstance(guardrail, Guardrail):
            raise TypeError(f"guardrails must hold Guardrail objects, got {guardrail!r}")
    return tuple(guardrails)


def _canary_counts(candidate, guardrails, steps, requests_per_step, alpha, runs, rng):
    """Binomial counts of breaching requests: arrays of shape (runs, steps, guardrails)."""
    sizes = np.array([max(1, round(f * requests_per_step)) for f in steps])
    probs = np.array([candidate.breach_probability(g) for g in guardrails])
    counts = rng.binomial(sizes[None, :, None], probs[None, None, :], size=(runs, *probs.shape[:0],
                          len(steps), len(guardrails)))  # fmt: skip
    allowed = np.array([g.allowed for g in guardrails])
    p_values = stats.binom.sf(counts - 1, sizes[None, :, None], allowed[None, None, :])
    return sizes, counts, p_values, p_values < alpha


def canary(
    candidate: Release,
    *,
    guardrails: Sequence[Guardrail],
    steps: Sequence[float] = DEFAULT_STEPS,
    requests_per_step: int = 20_000,
    alpha: float = 0.01,
    rng: object = None,
) -> CanaryResult:
    """Roll ``candidate`` out step by step; roll it back at the first guardrail breach.

    At each step the candidate serves ``fraction * requests_per_step`` requests (the rest
    go to the current model); every guardrail is tested on them (see :class:`Guardrail`).

    Parameters
    ----------
    candidate : Release
    guardrails : sequence of Guardrail
    steps : sequence of float, default (0.01, 0.1, 0.5, 1.0)
        Traffic fractions, strictly increasing, each in (0, 1].
    requests_per_step : int, default 20000
        All requests served while a step lasts (say, a day).
    alpha : float, default 0.01
        Level of each one-sided test.
    rng : None, int or Generator

    Returns
    -------
    CanaryResult

    Examples
    --------
    >>> good = Release()
    >>> result = canary(good, guardrails=[Guardrail("latency_p99", 250.0)], rng=1)
    >>> result.promoted, result.checks["requests"].tolist()
    (True, [200, 2000, 10000, 20000])
    >>> canary(good, guardrails=[Guardrail("error_rate", 0.01)], steps=[0.5, 0.1])
    Traceback (most recent call last):
    ...
    ValueError: steps must be strictly increasing, got (0.5, 0.1)
    """
    if not isinstance(candidate, Release):
        raise TypeError(f"candidate must be a Release, got {type(candidate).__name__}")
    guardrails, steps = _check_guardrails(guardrails), _check_steps(steps)
    requests_per_step = _count("requests_per_step", requests_per_step)
    alpha = _share("alpha", alpha)
    sizes, counts, p_values, breached = _canary_counts(
        candidate, guardrails, steps, requests_per_step, alpha, 1,
        np.random.default_rng(rng),
    )  # fmt: skip
    rows, stopped = [], None
    for k, fraction in enumerate(steps):
        for j, guardrail in enumerate(guardrails):
            rows.append(
                {
                    "step": k + 1,
                    "fraction": fraction,
                    "requests": int(sizes[k]),
                    "metric": guardrail.metric,
                    "observed": float(counts[0, k, j] / sizes[k]),
                    "allowed": guardrail.allowed,
                    "p_value": float(p_values[0, k, j]),
                    "breached": bool(breached[0, k, j]),
                }
            )
        if breached[0, k].any():
            stopped = fraction
            break
    return CanaryResult(pd.DataFrame(rows), stopped)


def canary_runs(
    candidate: Release,
    *,
    guardrails: Sequence[Guardrail],
    runs: int = 1000,
    steps: Sequence[float] = DEFAULT_STEPS,
    requests_per_step: int = 20_000,
    alpha: float = 0.01,
    rng: object = None,
) -> pd.Series:
    """Where each of ``runs`` independent rollouts stopped (as :func:`canary`, vectorised).

    Returns
    -------
    Series
        One value per run: the fraction at which it was rolled back, NaN when promoted.

    Examples
    --------
    >>> stops = canary_runs(Release(error_rate=0.03), guardrails=[Guardrail("error_rate", 0.01)],
    ...                     runs=500, rng=0)
    >>> float((stops < 0.5).mean())
    1.0
    """
    if not isinstance(candidate, Release):
        raise TypeError(f"candidate must be a Release, got {type(candidate).__name__}")
    guardrails, steps = _check_guardrails(guardrails), _check_steps(steps)
    runs = _count("runs", runs)
    _, _, _, breached = _canary_counts(
        candidate, guardrails, steps, _count("requests_per_step", requests_per_step),
        _share("alpha", alpha), runs, np.random.default_rng(rng),
    )  # fmt: skip
    any_step = breached.any(axis=2)
    first = np.where(any_step.any(axis=1), any_step.argmax(axis=1), -1)
    fractions = np.asarray(steps, dtype=float)
    return pd.Series(np.where(first >= 0, fractions[first], np.nan), name="rolled_back_at")


def requests_to_tell(
    true_share: float, allowed: float, *, alpha: float = 0.01, power: float = 0.95
) -> int:
    """The fewest requests for which the canary's exact test catches a breach with ``power``.

    When each request breaches with probability ``true_share`` (> ``allowed``), the one-sided
    binomial test at level ``alpha`` rejects with probability at least ``power`` from this many
    requests on (searched exactly up to 10 million requests).

    Examples
    --------
    >>> requests_to_tell(0.03, 0.01)
    766
    >>> requests_to_tell(0.01, 0.01)
    Traceback (most recent call last):
    ...
    ValueError: true_share must be > allowed (0.01), got 0.01: a candidate within the limit is never caught
    """
    allowed = _share("allowed", allowed)
    true_share = _share("true_share", true_share)
    alpha, power = _share("alpha", alpha), _share("power", power)
    if not true_share > allowed:
        raise ValueError(
            f"true_share must be > allowed ({allowed}), got {true_share}: a candidate within the "
            "limit is never caught"
        )
    z = stats.norm.ppf(1 - alpha) * np.sqrt(allowed * (1 - allowed)) + stats.norm.ppf(
        power
    ) * np.sqrt(true_share * (1 - true_share))
    guess = int(np.ceil((z / (true_share - allowed)) ** 2))
    n = np.arange(max(1, guess // 3), min(10_000_000, 3 * guess + 50) + 1)
    critical = stats.binom.isf(alpha, n, allowed) + 1  # reject when count >= critical
    caught = stats.binom.sf(critical - 1, n, true_share) >= power
    ok = np.flatnonzero(caught & np.flip(np.cumprod(np.flip(caught))).astype(bool))
    return int(n[ok[0]]) if ok.size else int(n[-1])


# ------------------------------------------------------------------------------- A/B tests
def ab_sample_size(
    baseline: float, min_effect: float, *, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Users per arm to detect ``min_effect`` on a conversion rate (two-sided z-test).

    ``n = (z_{1-alpha/2} sqrt(2 p (1-p)) + z_{power} sqrt(p1 (1-p1) + p2 (1-p2)))^2 / effect^2``
    with ``p`` the mean of ``p1 = baseline`` and ``p2 = baseline + min_effect`` (the usual
    formula for two proportions, e.g. Fleiss; statsmodels' ``NormalIndPower`` uses Cohen's h
    and differs by a few percent).

    Examples
    --------
    >>> ab_sample_size(0.10, 0.01)
    14751
    >>> ab_sample_size(0.10, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: min_effect must be non-zero (no sample size has power for an effect of 0), got 0
    """
    baseline = _share("baseline", baseline)
    effect = _real("min_effect", min_effect)
    alpha, power = _share("alpha", alpha), _share("power", power)
    if effect == 0:
        raise ValueError(
            "min_effect must be non-zero (no sample size has power for an effect of 0), got 0"
        )
    if not 0 < baseline + effect < 1:
        raise ValueError(f"baseline + min_effect must be in (0, 1), got {baseline + effect!r}")
    if not power > alpha:
        raise ValueError(f"power must be > alpha ({alpha}), got {power}")
    p1, p2 = baseline, baseline + effect
    pooled = (p1 + p2) / 2
    z = stats.norm.ppf(1 - alpha / 2) * np.sqrt(2 * pooled * (1 - pooled)) + stats.norm.ppf(
        power
    ) * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return int(np.ceil((z / effect) ** 2))


def ab_power(n_per_arm: int, baseline: float, effect: float, *, alpha: float = 0.05) -> float:
    """Power of the two-sided two-proportion z-test with ``n_per_arm`` users per arm.

    Examples
    --------
    >>> round(ab_power(ab_sample_size(0.10, 0.01), 0.10, 0.01), 2)
    0.8
    """
    n = _count("n_per_arm", n_per_arm)
    baseline, alpha = _share("baseline", baseline), _share("alpha", alpha)
    effect = _real("effect", effect)
    if not 0 < baseline + effect < 1:
        raise ValueError(f"baseline + effect must be in (0, 1), got {baseline + effect!r}")
    p1, p2 = baseline, baseline + effect
    pooled = (p1 + p2) / 2
    se0 = np.sqrt(2 * pooled * (1 - pooled) / n)
    se1 = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
    z = stats.norm.ppf(1 - alpha / 2)
    return float(
        stats.norm.sf((z * se0 - abs(effect)) / se1)
        + stats.norm.cdf((-z * se0 - abs(effect)) / se1)
    )


def plan_ab(
    baseline: float,
    min_effect: float,
    *,
    daily_users: int,
    max_days: int = 60,
    alpha: float = 0.05,
    power: float = 0.8,
) -> dict:
    """Days a fixed-horizon A/B test needs (traffic split evenly), or an error if too many.

    Returns
    -------
    dict
        ``n_per_arm`` (from :func:`ab_sample_size`) and ``days``.

    Raises
    ------
    ValueError
        When the test would need more than ``max_days``: with the traffic available it has no
        power for ``min_effect``.

    Examples
    --------
    >>> plan_ab(0.10, 0.01, daily_users=2000)
    {'n_per_arm': 14751, 'days': 15}
    >>> plan_ab(0.10, 0.001, daily_users=2000)
    Traceback (most recent call last):
    ...
    ValueError: max_days must cover the 1420 days that min_effect 0.001 needs (1419073 users per arm at 2000 users a day), got 60: the design has no power for this effect
    """
    n = ab_sample_size(baseline, min_effect, alpha=alpha, power=power)
    daily_users = _count("daily_users", daily_users, 2)
    max_days = _count("max_days", max_days)
    days = int(np.ceil(2 * n / daily_users))
    if days > max_days:
        raise ValueError(
            f"max_days must cover the {days} days that min_effect {min_effect} needs ({n} users "
            f"per arm at {daily_users} users a day), got {max_days}: the design has no power for "
            "this effect"
        )
    return {"n_per_arm": n, "days": days}


def spending_levels(looks: int, *, alpha: float = 0.05, rho: float = 3.0) -> np.ndarray:
    """Nominal two-sided p-value thresholds of an alpha-spending rule with ``looks`` equal looks.

    Look ``k`` of ``K`` may spend ``alpha * ((k/K)**rho - ((k-1)/K)**rho)`` (the power family
    of Kim and DeMets; ``rho = 3`` is close to O'Brien-Fleming: almost nothing early, most at
    the end). Testing each look at its own share is Bonferroni over the looks, so the overall
    false-positive rate is at most ``alpha`` whatever the correlation between looks: simple and
    safe, slightly conservative compared with exact group-sequential boundaries.

    Examples
    --------
    >>> spending_levels(4).round(5).tolist()
    [0.00078, 0.00547, 0.01484, 0.02891]
    >>> float(spending_levels(14).sum())
    0.05
    """
    looks = _count("looks", looks)
    alpha = _share("alpha", alpha)
    rho = _real("rho", rho)
    if not rho > 0:
        raise ValueError(f"rho must be > 0, got {rho}")
    t = np.arange(looks + 1) / looks
    return np.round(np.diff(alpha * t**rho), 15)


RULES = ("peek", "fixed", "spending")


def simulate_ab(
    runs: int,
    *,
    baseline: float,
    effect: float = 0.0,
    daily_users: int,
    days: int,
    alpha: float = 0.05,
    rule: str = "peek",
    rng: object = None,
) -> pd.DataFrame:
    """Simulate ``runs`` A/B tests of a conversion rate, each decided by ``rule``.

    Every day ``daily_users`` users are split evenly; arm B converts at ``baseline + effect``
    (``effect=0``: an A/A test, where any "win" is a false positive). After each day the
    two-sided pooled two-proportion z-test is computed on all data so far, and:

    - ``"peek"``: stop at the first day with p < ``alpha`` (what a dashboard invites);
    - ``"fixed"``: look only once, after ``days`` days;
    - ``"spending"``: stop at the first day ``k`` with p < :func:`spending_levels`\\ ``[k]``.

    Returns
    -------
    DataFrame
        One row per run: ``significant`` (bool), ``day`` (the day it stopped with a win, or
        ``days`` when it ran to the end) and ``lift`` (observed B - A conversion at that day).

    Examples
    --------
    >>> aa = simulate_ab(400, baseline=0.1, daily_users=1000, days=14, rule="peek", rng=0)
    >>> bool(aa["significant"].mean() > 0.1)
    True
    """
    runs, days = _count("runs", runs), _count("days", days)
    daily_users = _count("daily_users", daily_users, 2)
    baseline, alpha = _share("baseline", baseline), _share("alpha", alpha)
    effect = _real("effect", effect)
    if not 0 < baseline + effect < 1:
        raise ValueError(f"baseline + effect must be in (0, 1), got {baseline + effect!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    rng = np.random.default_rng(rng)
    half = daily_users // 2
    a = rng.binomial(half, baseline, size=(runs, days)).cumsum(axis=1)
    b = rng.binomial(half, baseline + effect, size=(runs, days)).cumsum(axis=1)
    n = half * np.arange(1, days + 1)
    pooled = (a + b) / (2 * n)
    se = np.sqrt(np.maximum(pooled * (1 - pooled), 1e-12) * 2 / n)
    p_value = 2 * stats.norm.sf(np.abs((b - a) / n) / se)
    if rule == "peek":
        levels = np.full(days, alpha)
    elif rule == "fixed":
        levels = np.r_[np.zeros(days - 1), alpha]
    else:
        levels = spending_levels(days, alpha=alpha)
    hit = p_value < levels
    significant = hit.any(axis=1)
    day_index = np.where(significant, hit.argmax(axis=1), days - 1)
    rows = np.arange(runs)
    lift = (b[rows, day_index] - a[rows, day_index]) / n[day_index]
    return pd.DataFrame({"significant": significant, "day": day_index + 1, "lift": lift})


# ------------------------------------------------------------------------------- slices
def slice_report(
    frame: pd.DataFrame,
    *,
    by: str,
    target: str = "target",
    prediction: str = "prediction",
    min_rows: int = 200,
    tolerance: float = 0.05,
) -> pd.DataFrame:
    """Accuracy per slice, with its standard error and whether there are enough rows to trust it.

    Parameters
    ----------
    frame : DataFrame
        With the outcome ``target``, the model's ``prediction`` and the slice column ``by``.
    by : str
    min_rows : int, default 200
        A slice with fewer rows is reported but never flagged: at 200 rows the standard error of
        an accuracy near 0.85 is 0.025, so a 95 % interval is about +-0.05.
    tolerance : float, default 0.05
        A trusted slice is ``failing`` when its accuracy is more than ``tolerance`` below the
        accuracy of all rows.

    Returns
    -------
    DataFrame
        Indexed by slice, with ``"all"`` first: ``rows, accuracy, se, trusted, failing``.

    Examples
    --------
    >>> frame = pd.DataFrame({"region": ["a"] * 300 + ["b"] * 300 + ["c"] * 20,
    ...                       "target": [0] * 620, "prediction": [0] * 300 + [1, 0] * 150 + [1] * 20})
    >>> slice_report(frame, by="region")[["rows", "accuracy", "trusted", "failing"]]
            rows  accuracy  trusted  failing
    region
    all      620  0.725806     True    False
    a        300  1.000000     True    False
    b        300  0.500000     True     True
    c         20  0.000000    False    False
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame, got {type(frame).__name__}")
    for name, column in (("by", by), ("target", target), ("prediction", prediction)):
        if column not in frame.columns:
            raise ValueError(f"{name} must be a column of frame, got {column!r}")
    min_rows = _count("min_rows", min_rows)
    tolerance = _real("tolerance", tolerance)
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    correct = (frame[prediction].to_numpy() == frame[target].to_numpy()).astype(float)
    keys = pd.concat(
        [pd.Series("all", index=frame.index), frame[by].astype(str)], ignore_index=True
    )
    values = pd.Series(np.r_[correct, correct])
    grouped = values.groupby(keys.to_numpy(), sort=False)
    out = pd.DataFrame({"rows": grouped.size(), "accuracy": grouped.mean()})
    out["se"] = np.sqrt(out["accuracy"] * (1 - out["accuracy"]) / out["rows"])
    out["trusted"] = out["rows"] >= min_rows
    overall = float(out.loc["all", "accuracy"])
    out["failing"] = out["trusted"] & (out["accuracy"] < overall - tolerance)
    out.index.name = by
    return out


# ------------------------------------------------------------------------------- feedback world
def redraw_segment(
    frame: pd.DataFrame,
    *,
    column: str,
    value: Any,
    start: Any,
    rate_before: float,
    rate_after: float,
    time_column: str = "timestamp",
    rng: object = None,
) -> pd.DataFrame:
    """Give one segment its own positive rate, changing at ``start`` (a new copy of ``frame``).

    Rows where ``frame[column] == value`` get ``true_proba = rate_before`` before ``start`` and
    ``rate_after`` from then on, and a fresh ``target`` drawn from it; other rows are unchanged.
    Chapter 10 uses it for a segment a lender declines wholesale (brokers) whose risk then
    falls: a change only labels from that segment can reveal.

    Examples
    --------
    >>> from mlsys_helpers.world import LoanWorld
    >>> frame = LoanWorld().sample(2000, rng=0)
    >>> out = redraw_segment(frame, column="channel", value="broker", start=frame["timestamp"][1000],
    ...                      rate_before=0.95, rate_after=0.1, rng=0)
    >>> brokers = out[out["channel"] == "broker"]
    >>> brokers.groupby(brokers.index >= 1000)["target"].mean().round(1).tolist()
    [1.0, 0.1]
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame, got {type(frame).__name__}")
    for name, col in (("column", column), ("time_column", time_column)):
        if col not in frame.columns:
            raise ValueError(f"{name} must be a column of frame, got {col!r}")
    before = _share("rate_before", rate_before, closed_low=True, closed_high=True)
    after = _share("rate_after", rate_after, closed_low=True, closed_high=True)
    rng = np.random.default_rng(rng)
    out = frame.copy()
    segment = (out[column] == value).to_numpy()
    late = (out[time_column] >= pd.Timestamp(start)).to_numpy()
    base = out["true_proba"].to_numpy() if "true_proba" in out else np.full(len(out), np.nan)
    proba = np.where(segment, np.where(late, after, before), base)
    draw = rng.random(len(out)) < proba
    out["true_proba"] = proba
    out["target"] = np.where(segment, draw.astype(np.int64), out["target"].to_numpy())
    return out
