"""The incident lab (chapter 09): seeded production incidents to diagnose from logs and monitors.

:func:`open_case` opens incident ``number`` (1 to :data:`N_CASES`) of an on-call shift at a lender
whose default-risk model runs behind :class:`~mlsys_helpers.serve.ModelService`. A
:class:`Case` holds what an on-call engineer would have when paged: the pager message, a
timeline (deploys, change-log entries, monitor alerts), the service log
(:meth:`~mlsys_helpers.serve.ModelService.log_frame`), the requests and the outcomes (labels)
that have arrived so far, the reference window the model was validated on, the schema, the model,
and (computed on first use) the daily :class:`~mlsys_helpers.monitor.Monitor` report. ``plot()``
draws a four-panel dashboard.

What a case does **not** hold is the answer: the root cause (one of :data:`CATEGORIES`) and the
day the problem started. The learner finds both from the data and submits
``{"cause": "<category>", "start": "YYYY-MM-DD"}`` to :func:`mlsys_helpers.exercises.check`
(exercise ``"09.<number>"``); a start within :data:`TOLERANCE_DAYS` days of the truth passes.

How the answers are kept out of sight (the scheme):

- the **cause** of each case is stored in the answer keys (``mlsys_helpers/_keys/ch09.py``) only as
  ``sha256("<salt>|<number>|<cause>")``; the checker hashes the submitted cause the same way;
- the **start** is derived from ``(number, rng)`` by the private :func:`_start_of` (a seeded
  draw of a day 12 to 21 days after the deployment, and an hour), which the generator uses too;
  the checker calls it with the chapter's seed and compares whole days.

Nothing in a :class:`Case` (its attributes, repr, tables or plot) contains either. A learner who
reads this file can of course find out which generator runs for which case, as one can read any
answer key: the lab relies on not doing that, not on secrecy.

Daily series can be split at a change with :func:`change_start` (a step or a ramp fitted by least
squares), a tool the diagnosis uses to pin a start date.

>>> case = open_case(2, rng=0)
>>> case.number, case.logs.columns[:3].tolist()
(2, ['request_id', 'received', 'source'])
>>> [c for c in CATEGORIES if c in repr(case)]
[]
"""

from __future__ import annotations

import functools
import numbers
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORIES",
    "N_CASES",
    "TOLERANCE_DAYS",
    "Case",
    "change_start",
    "daily_failures",
    "daily_health",
    "drift_days",
    "labelled",
    "open_case",
    "per_day",
]

#: Root-cause categories a diagnosis chooses from.
CATEGORIES = (
    "upstream_unit_change",
    "label_pipeline_bug",
    "concept_drift",
    "seasonal_covariate_shift",
    "broken_feature_join",
    "bad_rollout",
    "no_incident",
)
N_CASES = 6
TOLERANCE_DAYS = 3  # a submitted start date passes within +-3 days of the true one
DAYS = 35  # days of live traffic per case
PER_DAY = 240  # one request every 6 minutes
LABEL_DELAY = pd.Timedelta("7D")  # outcome known 7 days after the request (first instalment due)
FIRST_DEPLOY = pd.Timestamp("2025-02-03")
_STREAM = 9009  # mixes into every seed so the cases do not share random streams with others


def _deployed(number: int) -> pd.Timestamp:
    """Day the model of case ``number`` went live: one case every 35 days from 2025-02-03."""
    return FIRST_DEPLOY + pd.Timedelta(days=DAYS * (number - 1))


def _start_of(number: int, seed: int) -> pd.Timestamp:
    """When the incident of case ``number`` begins (private: this is the answer)."""
    draw = np.random.default_rng([_STREAM, 1, number, seed])
    day, hour = int(draw.integers(12, 22)), int(draw.integers(0, 24))
    return _deployed(number) + pd.Timedelta(days=day, hours=hour)


# ------------------------------------------------------------------------------ the case
@dataclass(frozen=True, eq=False)
class Case:
    """One incident, as the on-call engineer meets it (see the module docstring).

    Attributes
    ----------
    number : int
    rng : int
        The int seed the case was generated from (``open_case(number, rng=case.rng)`` opens
        it again, also when it was opened with a Generator).
    title : str
    pager : str
        The page that woke you up.
    briefing : str
        What the team knows about the system.
    opened : Timestamp
        When the page fired: "now" for this case. Nothing later is in the data.
    timeline : DataFrame
        ``time, source, event``: deploys, change-log entries, monitor alerts, the page.
    logs : DataFrame
        The service log, one row per request (``request_id, received, source, prediction,
        reason, n_problems, problems, latency_ms, cost, request``); ``received`` is the
        simulated arrival time.
    requests : DataFrame
        ``request_id, timestamp`` and the features as the upstream systems sent them (missing
        values as NaN), one row per request.
    outcomes : DataFrame
        ``request_id, label_time, target``: the outcomes recorded by the label pipeline up to
        ``opened`` (an outcome is recorded 7 days after its request).
    reference : DataFrame
        The labelled validation window right before deployment (features, ``timestamp``,
        ``target``): what "normal" looked like.
    schema : mlsys_helpers.quality.Schema
        Inferred from the training data's features.
    model : Pipeline
        The model validated and deployed at the start of the case (``predict_proba`` gives the
        default probability); the service log says what actually answered each request.
    features : tuple of str
    """

    number: int
    rng: int
    title: str
    pager: str = field(repr=False)
    briefing: str = field(repr=False)
    opened: pd.Timestamp
    timeline: pd.DataFrame = field(repr=False)
    logs: pd.DataFrame = field(repr=False)
    requests: pd.DataFrame = field(repr=False)
    outcomes: pd.DataFrame = field(repr=False)
    reference: pd.DataFrame = field(repr=False)
    schema: Any = field(repr=False)
    model: Any = field(repr=False)
    features: tuple[str, ...] = field(repr=False)

    @property
    def stream(self) -> pd.DataFrame:
        """``requests`` with the outcomes that have arrived (``target``, ``label_time``; NaN when
        not yet known), in arrival order.

        Examples
        --------
        >>> case = open_case(1, rng=0)
        >>> round(float(case.stream["target"].notna().mean()), 2)  # the last 7 days lack labels
        0.8
        """
        return self.requests.merge(self.outcomes, on="request_id", how="left")

    @functools.cached_property
    def monitor(self) -> pd.DataFrame:
        """The daily :class:`~mlsys_helpers.monitor.Monitor` report of the live traffic.

        One row per day: drift tests of every feature and of the model's score against
        ``reference`` (``ks``/``chi2``, Bonferroni-corrected), realised accuracy from the outcomes
        known at ``opened``, estimated accuracy from the scores, flags and alerts. Computed on
        first use (about a second).

        Examples
        --------
        >>> report = open_case(1, rng=0).monitor
        >>> len(report), report["start"].min().strftime("%Y-%m-%d")
        (35, '2025-02-03')
        """
        from mlsys_helpers.monitor import Monitor

        monitor = Monitor(
            self.reference, features=list(self.features), window="1D", model=self.model
        )
        return monitor.run(self.stream)

    def __repr__(self) -> str:
        return (
            f"Case({self.number}: {self.title!r}, opened {self.opened:%Y-%m-%d %H:%M}, "
            f"{len(self.requests)} requests, {len(self.outcomes)} outcomes)"
        )

    def plot(self, *, axes=None):
        """A four-panel dashboard per day: service health, decisions, input drift, accuracy.

        Realised accuracy is drawn for days with at least 100 outcomes (the last labelled day
        is only partly labelled).

        Parameters
        ----------
        axes : sequence of 4 matplotlib Axes, optional
            Where to draw; default a new figure.

        Returns
        -------
        numpy.ndarray of matplotlib.axes.Axes

        Examples
        --------
        >>> axes = open_case(1, rng=0).plot()
        >>> [ax.get_ylabel() for ax in axes]
        ['share of requests', 'share predicted default', 'features drifted', 'accuracy']
        """
        import matplotlib.pyplot as plt

        from mlsys_helpers.plots import PALETTE

        if axes is None:
            fig, axes = plt.subplots(4, 1, figsize=(9, 8.5), sharex=True)
            fig.suptitle(f"Incident {self.number} · {self.title}: the dashboard")
        axes = np.asarray(axes).ravel()
        if axes.size != 4:
            raise ValueError(f"axes must hold 4 Axes, got {axes.size}")
        day = self.logs["received"].dt.floor("D")
        health = pd.DataFrame(
            {
                "fallback": self.logs["source"].ne("model").groupby(day).mean(),
                "problems": self.logs["n_problems"].gt(0).groupby(day).mean(),
            }
        )
        predicted = pd.to_numeric(self.logs["prediction"], errors="coerce").groupby(day).mean()
        report = self.monitor
        x = report["start"]
        top, decisions, drift, accuracy = axes
        top.plot(health.index, health["problems"], color=PALETTE[0], marker="o", markersize=3,
                 label="requests with problems")  # fmt: skip
        top.plot(health.index, health["fallback"], color=PALETTE[3], marker="s", markersize=3,
                 label="answered by the fallback")  # fmt: skip
        top.set(ylabel="share of requests", title="Service health")
        top.set_ylim(0, max(0.1, 1.15 * float(health.to_numpy().max())))
        decisions.plot(predicted.index, predicted, color=PALETTE[5], marker="o", markersize=3)
        decisions.set(ylabel="share predicted default", title="Decisions", ylim=(0, 1))
        drifted = report["n_drifted"]
        drift.bar(x, drifted, width=0.8, align="edge", color=PALETTE[4], label="features drifted")
        score = report.loc[report["prediction_drifted"], "start"]
        drift.plot(score + pd.Timedelta(hours=12), np.full(len(score), -0.4), linestyle="none",
                   marker="^", color=PALETTE[1], label="score drifted")  # fmt: skip
        drift.set(ylabel="features drifted", title="Input monitor (daily tests vs reference)")
        drift.set_ylim(-0.9, max(3.0, float(drifted.max()) + 0.5))
        enough = report["accuracy"].where(report["n_labelled"] >= 100)  # skip part-labelled days
        accuracy.plot(x, enough, color=PALETTE[0], marker="o", markersize=3,
                      label="realised (outcomes so far)")  # fmt: skip
        accuracy.plot(x, report["estimated_accuracy"], color=PALETTE[2], linestyle="--",
                      label="estimated from scores")  # fmt: skip
        accuracy.set(ylabel="accuracy", title="Performance", xlabel="day", ylim=(0.3, 1.0))
        for ax in axes:
            ax.axvline(self.opened, color=PALETTE[1], linewidth=1.5, label="page")
            ax.grid(alpha=0.3)
            ax.legend(loc="best", fontsize=7, ncol=3)
        axes[0].figure.autofmt_xdate()
        axes[0].figure.tight_layout()
        return axes


# ------------------------------------------------------------------------------ scenarios
@dataclass(frozen=True)
class _Scenario:
    cause: str  # one of CATEGORIES; the answer keys hold only its salted hash
    title: str
    drifts: Callable[[pd.Timestamp], tuple]
    sent: Callable[[pd.DataFrame, pd.Timestamp], pd.DataFrame]
    labels: Callable[[pd.DataFrame, pd.Timestamp, np.random.Generator], pd.Series]
    pager: Callable[[dict], str]
    changes: tuple[tuple[int | None, str], ...]  # (days from the start, or None: the true day)
    release: Callable[[pd.DataFrame], Any] | None = None  # a new model serving from the start


def _no_drift(start):
    return ()


def _as_sent(frame, start):
    return frame


def _true_labels(frame, start, rng):
    return frame["target"]


def _units_sent(frame, start):
    out = frame.copy()
    hit = (out["timestamp"] >= start) & (out["channel"] == "online")
    out.loc[hit, "income"] = np.round(out.loc[hit, "income"] / 1000.0, 1)
    return out


def _join_sent(frame, start):
    out = frame.copy()
    hit = (out["timestamp"] >= start) & (out["channel"] == "broker")
    out.loc[hit, "credit_history_years"] = np.nan
    return out


def _bug_labels(frame, start, rng):
    from mlsys_helpers.collect import label_noise

    written = frame["timestamp"] + LABEL_DELAY >= start
    noisy = label_noise(frame[["target"]], rate={1: 0.6}, kind="class_conditional", rng=rng)
    return frame["target"].where(~written, noisy["target"])


def _percent_release(history):
    """Model v8: retrained by a new training pipeline that reads ``debt_ratio`` in percent,
    while the serving path still sends it as a fraction (0.3 looks like 0.3 %)."""
    from mlsys_helpers.train import make_pipeline_for

    scaled = history.assign(debt_ratio=history["debt_ratio"] * 100.0)
    return make_pipeline_for(scaled).fit(scaled, scaled["target"])


def _concept(start):
    from mlsys_helpers.drift import Drift

    return (Drift("concept", start=start, pattern="gradual", width="10D", magnitude=0.9),)


def _season(start):
    from mlsys_helpers.drift import Drift

    return (
        Drift(
            "covariate",
            start=start,
            pattern="incremental",
            width="3D",
            magnitude=0.45,
            column="channel",
            category="online",
        ),
    )


_SCENARIOS = {
    1: _Scenario(
        "upstream_unit_change",
        "the approval rate collapsed",
        _no_drift,
        _units_sent,
        _true_labels,
        lambda s: (
            f"[P1] loan-risk · {s['opened']:%a %d %b %H:%M} · approval rate {s['approve_now']:.0%} "
            f"over the last 24 h (first week: {s['approve_usual']:.0%}). Sales are calling."
        ),
        (
            (None, "partner-gateway v2.4 deployed (online applications)"),
            (-8, "fraud rules updated (all channels)"),
            (6, "warehouse nightly job moved to 02:00"),
        ),  # fmt: skip
    ),
    2: _Scenario(
        "label_pipeline_bug",
        "accuracy on matured loans fell",
        _no_drift,
        _as_sent,
        _bug_labels,
        lambda s: (
            f"[P2] loan-risk · {s['opened']:%a %d %b %H:%M} · accuracy on outcomes recorded in "
            f"the last 7 days {s['acc_recent']:.2f} (validation: {s['acc_reference']:.2f})."
        ),
        ((-7, "collections dashboard redesigned"), (5, "model-serving pods upgraded")),
    ),
    3: _Scenario(
        "concept_drift",
        "accuracy is sliding",
        _concept,
        _as_sent,
        _true_labels,
        lambda s: (
            f"[P3] loan-risk · {s['opened']:%a %d %b %H:%M} · accuracy on outcomes recorded in "
            f"the last 7 days {s['acc_recent']:.2f} (validation: {s['acc_reference']:.2f}); "
            f"the weekly review says it has been slipping."
        ),
        ((-9, "credit bureau contract renewed"), (6, "new risk analyst joined the team")),
    ),
    4: _Scenario(
        "seasonal_covariate_shift",
        "the drift monitor will not stop",
        _season,
        _as_sent,
        _true_labels,
        lambda s: (
            f"[P3] loan-risk · {s['opened']:%a %d %b %H:%M} · drift monitor: {s['alert_days']} "
            f"of the last 10 days alerted (drifted on most of them: {s['alert_features']})."
        ),
        ((-6, "summer marketing plan approved"), (7, "model-serving pods upgraded")),
    ),
    5: _Scenario(
        "broken_feature_join",
        "warnings in the service log",
        _no_drift,
        _join_sent,
        _true_labels,
        lambda s: (
            f"[P3] loan-risk · {s['opened']:%a %d %b %H:%M} · {s['problems_now']:.0%} of requests "
            f"logged problems in the last 24 h (first week: {s['problems_usual']:.0%})."
        ),
        (
            (None, "feature store: applicant history join rewritten"),
            (-7, "broker partner onboarded in the east region"),
            (5, "service log retention raised to 90 days"),
        ),  # fmt: skip
    ),
    6: _Scenario(
        "bad_rollout",
        "approvals are up, and so are missed payments",
        _no_drift,
        _as_sent,
        _true_labels,
        lambda s: (
            f"[P2] loan-risk · {s['opened']:%a %d %b %H:%M} · approval rate {s['approve_now']:.0%} "
            f"over the last 24 h (first week: {s['approve_usual']:.0%}); collections: only "
            f"{s['acc_served']:.0%} of the decisions on last week's outcomes were right."
        ),
        (
            (None, "loan-risk v8 (retrained on the new training platform) promoted to 100 %"),
            (-8, "marketing: spring campaign for the online channel"),
            (4, "model-serving pods upgraded"),
        ),  # fmt: skip
        _percent_release,
    ),
}

_BRIEFING = (
    "Service: loan-risk, a logistic-regression pipeline predicting whether an applicant defaults "
    "(1) or repays (0); an application predicted to default is declined. It runs behind the "
    "defensive ModelService (schema checks, a debt-ratio rule as fallback, 80 ms latency budget). "
    "Deployed {deployed:%Y-%m-%d} after validation on the week before (accuracy "
    "{acc_reference:.2f}). Traffic: one application every 6 minutes from three channels (branch, "
    "online, broker). Outcomes (first instalment paid or not) are written by the collections "
    "pipeline 7 days after the application; the last 7 days have none yet."
)


def _check_number(number: Any) -> int:
    if isinstance(number, bool) or not isinstance(number, numbers.Integral):
        raise TypeError(f"number must be an int from 1 to {N_CASES}, got {type(number).__name__}")
    if not 1 <= number <= N_CASES:
        raise ValueError(f"number must be from 1 to {N_CASES}, got {number}")
    return int(number)


def open_case(number: int, *, rng: int | np.random.Generator | None = 0) -> Case:
    """Open incident ``number`` (1 to :data:`N_CASES`), generated from ``rng``.

    The same ``(number, rng)`` with an int ``rng`` gives the same case, bit for bit (about
    0.5 s; the monitor report adds about a second on first use). See the module docstring for
    what a case holds.

    Parameters
    ----------
    number : int
        Which incident of the shift.
    rng : int >= 0, Generator or None, default 0
        Another int gives another instance of the same kind of incident (other start date,
        other data). A case is identified by an int (the answer checker recomputes its start
        from ``(number, rng)``): a Generator (or None: fresh entropy) gives one draw, kept as
        ``case.rng``.

    Returns
    -------
    Case

    Examples
    --------
    >>> case = open_case(1, rng=0)
    >>> case.opened.strftime("%Y-%m-%d %H:%M"), len(case.requests)
    ('2025-03-10 06:12', 8400)
    >>> open_case(7)
    Traceback (most recent call last):
    ...
    ValueError: number must be from 1 to 6, got 7
    """
    from mlsys_helpers.loop import _seed_from

    number, seed = _check_number(number), _seed_from(rng)
    scenario = _SCENARIOS[number]
    rng = np.random.default_rng([_STREAM, 2, number, seed])
    start = _start_of(number, seed)
    deployed = _deployed(number)
    opened = deployed + pd.Timedelta(days=DAYS, hours=6, minutes=12)
    history, reference, trained = _train(deployed, rng)
    live, sent, logs = _serve_live(scenario, start, deployed, history, trained, rng)
    outcomes = _outcomes(scenario, live, start, opened, rng)
    features = [column.name for column in trained["schema"].columns]  # the world's features
    case = Case(
        number=number,
        rng=seed,
        title=scenario.title,
        pager="",
        briefing="",
        opened=opened,
        timeline=pd.DataFrame(),
        logs=logs,
        requests=sent[["request_id", "timestamp", *features]].reset_index(drop=True),
        outcomes=outcomes.reset_index(drop=True),
        reference=reference[["timestamp", *features, "target"]].reset_index(drop=True),
        schema=trained["schema"],
        model=trained["model"],
        features=tuple(features),
    )
    facts = _facts(case, deployed)
    object.__setattr__(case, "pager", scenario.pager(facts))
    timeline = _timeline(case, scenario, start, deployed, rng)
    object.__setattr__(case, "briefing", textwrap.fill(_BRIEFING.format(**facts), width=96))
    object.__setattr__(case, "timeline", timeline)
    return case


def _train(deployed: pd.Timestamp, rng) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The training history (hourly), the validation week right before deployment (every 6
    min) and what was fitted on the history: ``{"model", "schema", "rule"}``."""
    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.train import RuleClassifier, make_pipeline_for
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    ref_start = deployed - pd.Timedelta(days=7)
    history = world.sample(5000, start=ref_start - pd.Timedelta(hours=5000), rng=rng)
    reference = world.sample(7 * PER_DAY, start=ref_start, freq="6min", rng=rng)
    trained = {
        "model": make_pipeline_for(history).fit(history, history["target"]),
        "schema": infer_schema(history[list(world.features)]),
        "rule": RuleClassifier(feature="debt_ratio").fit(
            history[["debt_ratio"]], history["target"]
        ),
    }
    return history, reference, trained


def _serve_live(scenario: _Scenario, start, deployed, history, trained, rng):
    """Live traffic: the world (with the scenario's drifts), what upstream sent (a few
    malformed requests), and the service's log of answering it: ``(live, sent, logs)``."""
    from mlsys_helpers.serve import ModelService, corrupt_requests
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    features = list(world.features)
    live = world.sample(DAYS * PER_DAY, start=deployed, freq="6min",
                        drifts=scenario.drifts(start), rng=rng)  # fmt: skip
    live.insert(0, "request_id", np.arange(len(live), dtype=np.int64))
    sent = scenario.sent(live, start)
    noisy = corrupt_requests(
        sent[features],
        rate=0.03,
        kinds=("string_number", "renamed_field", "extra_field", "reordered_fields"),
        rng=rng,
    )
    payloads = [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        for r in noisy["request"]
    ]
    service = ModelService(trained["model"], schema=trained["schema"], fallback=trained["rule"],
                           latency_budget_ms=80, cost_per_1k=0.4, rng=rng)  # fmt: skip
    if scenario.release is None:
        service.predict_many(payloads)
    else:  # a new model takes over the same service at the start (no canary, no shadow)
        switch = int((sent["timestamp"] < start).sum())
        service.predict_many(payloads[:switch])
        service.model = scenario.release(history)
        service.predict_many(payloads[switch:])
    logs = service.log_frame().drop(columns=["compute_ms"])  # measured time: not reproducible
    logs["received"] = sent["timestamp"].to_numpy()
    return live, sent, logs


def _outcomes(scenario: _Scenario, live, start, opened, rng) -> pd.DataFrame:
    """Outcomes recorded 7 days later by the label pipeline (with the scenario's defects), as
    far as they have arrived when the page fires."""
    from mlsys_helpers.collect import delay_labels

    recorded = live[["request_id", "timestamp"]].assign(target=scenario.labels(live, start, rng))
    recorded = delay_labels(recorded, delay=LABEL_DELAY, distribution="fixed",
                            arrival_column="label_time", rng=rng)  # fmt: skip
    return recorded.loc[recorded["label_time"] <= opened, ["request_id", "label_time", "target"]]


def _facts(case: Case, deployed: pd.Timestamp) -> dict:
    """Numbers quoted in the page and the briefing, computed from the case's own data."""
    logs, opened = case.logs, case.opened
    last_day = logs["received"] > opened - pd.Timedelta("1D")
    usual = logs["received"] < deployed + pd.Timedelta("7D")
    declined = pd.to_numeric(logs["prediction"], errors="coerce")
    problems = logs["n_problems"] > 0
    ref_scores = case.model.predict_proba(case.reference[list(case.features)])[:, 1]
    acc_reference = float(np.mean((ref_scores >= 0.5) == case.reference["target"]))
    week = case.outcomes["label_time"] > opened - pd.Timedelta("7D")
    recent = case.requests.merge(case.outcomes.loc[week], on="request_id")
    recent_scores = case.model.predict_proba(recent[list(case.features)])[:, 1]
    served = recent.merge(logs[["request_id", "prediction"]], on="request_id")
    served_declined = pd.to_numeric(served["prediction"], errors="coerce")
    facts = {
        "opened": opened,
        "deployed": deployed,
        "acc_reference": acc_reference,
        "acc_recent": float(np.mean((recent_scores >= 0.5) == recent["target"])),
        "acc_served": float(np.mean(served_declined == served["target"])),
        "approve_now": float(1 - declined[last_day].mean()),
        "approve_usual": float(1 - declined[usual].mean()),
        "problems_now": float(problems[last_day].mean()),
        "problems_usual": float(problems[usual].mean()),
    }
    if case.number == 4:  # the only page that needs the monitor
        report = case.monitor.tail(10)
        drifted = [f for f in case.features if report[f"{f}_drifted"].sum() >= 5]
        facts["alert_days"] = int(report["alert"].sum())
        facts["alert_features"] = ", ".join(drifted) or "none"
    return facts


def _timeline(case: Case, scenario: _Scenario, start, deployed, rng) -> pd.DataFrame:
    events = [(deployed, "deploy", "loan-risk model v7 deployed")]
    for offset, text in scenario.changes:
        if offset is None:
            when = start.floor("h") - pd.Timedelta(minutes=int(rng.integers(5, 50)))
        else:
            when = start.normalize() + pd.Timedelta(days=offset, hours=int(rng.integers(8, 18)))
        if deployed < when < case.opened:
            events.append((when, "change log", text))
    events.append((case.opened, "pager", case.pager))
    table = pd.DataFrame(events, columns=["time", "source", "event"])
    return table.sort_values("time", kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ analysis tool
def change_start(series: pd.Series, *, gradual: bool = False) -> Any:
    """Where a series changes: the index label of the first value of the new level.

    Fits ``level + jump * clip((i - s + 1) / w, 0, 1)`` by least squares over every start
    position ``s`` (the "after" part has at least 2 values, the "before" part at least 2) and, with
    ``gradual=True``, every ramp width ``w`` (``w = 1`` is a step); missing values are skipped.
    A step (``gradual=False``) is the classic single change-point fit; the ramp finds where a
    gradual change *begins*, not its middle.

    Parameters
    ----------
    series : pandas.Series
        Numbers in time order (e.g. one value per day, indexed by day).
    gradual : bool, default False

    Returns
    -------
    object
        The index label of the first value after the change.

    Examples
    --------
    >>> days = pd.date_range("2025-01-01", periods=8, freq="D")
    >>> change_start(pd.Series([0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5], index=days)).day
    5
    >>> ramp = pd.Series([1.0, 1.0, 1.0, 0.8, 0.6, 0.4, 0.2, 0.2], index=days)
    >>> change_start(ramp, gradual=True).day
    4
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series, got {type(series).__name__}")
    values = series.dropna()
    y = values.to_numpy(dtype=float)
    n = y.size
    if n < 4:
        raise ValueError(f"series must have at least 4 non-missing values, got {n}")
    positions = np.arange(n, dtype=float)
    best, best_start = np.inf, 2
    for s in range(2, n - 1):
        widths = range(1, n - s + 1) if gradual else (1,)
        for w in widths:
            z = np.clip((positions - s + 1) / w, 0.0, 1.0)
            design = np.column_stack([np.ones(n), z])
            coef, *_ = np.linalg.lstsq(design, y, rcond=None)
            sse = float(np.sum((y - design @ coef) ** 2))
            if sse < best - 1e-12:
                best, best_start = sse, s
    return values.index[best_start]


# ------------------------------------------------------------------ the on-call runbook
# Small tools for the steps of chapter 09's runbook; they only reshape what a case holds.
# The notebook and tests/test_lessons_09.py diagnose with the same functions.


def daily_health(case: Case) -> pd.DataFrame:
    """Runbook step 1: per day, requests and the shares answered by the fallback, with logged
    problems, and declined.

    Examples
    --------
    >>> case = open_case(1, rng=9)
    >>> list(daily_health(case).columns)
    ['requests', 'fallback', 'with problems', 'declined']
    """
    logs = case.logs
    day = logs["received"].dt.floor("D").rename("day")
    return pd.DataFrame(
        {
            "requests": logs.groupby(day).size(),
            "fallback": logs["source"].ne("model").groupby(day).mean(),
            "with problems": logs["n_problems"].gt(0).groupby(day).mean(),
            "declined": pd.to_numeric(logs["prediction"]).groupby(day).mean(),
        }
    )


def drift_days(case: Case) -> pd.DataFrame:
    """Runbook step 2: per monitored column (and the score), on how many days the monitor
    flagged it, and the first of those days.

    Examples
    --------
    >>> table = drift_days(open_case(1, rng=9))
    >>> table.index.name, list(table.columns)
    ('column', ['days drifted', 'first day'])
    """
    report = case.monitor
    columns = [*case.features, "prediction"]
    return pd.DataFrame(
        {
            "days drifted": [int(report[f"{c}_drifted"].sum()) for c in columns],
            "first day": [report.loc[report[f"{c}_drifted"], "start"].min() for c in columns],
        },
        index=pd.Index(columns, name="column"),
    )


def daily_failures(case: Case, by: Sequence[str] = ()) -> pd.DataFrame:
    """Runbook step 3: the failed schema checks of each day's requests (and of each group of
    the columns in ``by``), validated against the training schema.

    Examples
    --------
    >>> failures = daily_failures(open_case(1, rng=9), by=("channel",))
    >>> list(failures.columns)
    ['check', 'column', 'observed', 'day', 'channel']
    """
    from mlsys_helpers.quality import validate

    by = list(by)
    requests = case.requests
    keys = [requests["timestamp"].dt.floor("D").rename("day"), *(requests[b] for b in by)]
    failed = []
    for key, part in requests.groupby(keys):
        report = validate(part[list(case.features)], case.schema, mix_tolerance=0.1)
        labels = dict(zip(["day", *by], key, strict=True))
        failed.append(report.failures[["check", "column", "observed"]].assign(**labels))
    return pd.concat(failed, ignore_index=True)


def labelled(case: Case) -> pd.DataFrame:
    """Runbook step 4: the requests whose outcome has arrived, with the model's decision
    (``declined``) and whether it was right (``correct``).

    Examples
    --------
    >>> rows = labelled(open_case(1, rng=9))
    >>> bool(rows["target"].notna().all()), {"declined", "correct"} <= set(rows.columns)
    (True, True)
    """
    rows = case.stream.dropna(subset=["target"])
    declined = case.model.predict_proba(rows[list(case.features)])[:, 1] >= 0.5
    return rows.assign(declined=declined.astype(int), correct=declined == rows["target"])


def per_day(values: pd.Series, when: pd.Series) -> pd.Series:
    """Mean of ``values`` per calendar day of ``when`` (the series to pin a start on).

    Examples
    --------
    >>> when = pd.Series(pd.to_datetime(["2025-01-01 08:00", "2025-01-01 20:00", "2025-01-02 09:00"]))
    >>> per_day(pd.Series([1.0, 3.0, 5.0]), when).tolist()
    [2.0, 5.0]
    """
    return values.groupby(when.dt.floor("D").rename("day")).mean()
