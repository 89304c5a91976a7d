"""Matplotlib helpers: one function per picture, each ``plot_x(data, *, ax=None, **kwargs) -> Axes``.

Conventions: matplotlib is imported inside the functions (importing this module is cheap and
changes no global state); a new figure is created when ``ax`` is None; axes are labelled; drift
starts are dashed vertical lines and alarms/alerts are vermillion markers; colours come from the
Okabe-Ito palette, which stays readable with the common colour-vision deficiencies; nothing is
fitted and ``show()`` is never called. Extra ``**kwargs`` go to the main matplotlib call.

>>> import numpy as np
>>> from mlsys_helpers import plots
>>> ax = plots.plot_distributions(np.zeros(10), np.ones(10))
>>> ax.get_xlabel()
'value'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "PALETTE",
    "plot_detector",
    "plot_distributions",
    "plot_drift_table",
    "plot_monitor_timeline",
    "plot_policy_runs",
]

#: Okabe-Ito colour-blind-safe palette: blue, vermillion, bluish green, orange, sky blue,
#: reddish purple, yellow, black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
OK, ALARM, TRUTH = PALETTE[0], PALETTE[1], PALETTE[7]


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    return ax


def _mark_changes(ax, positions: Sequence, *, label: str = "true change") -> None:
    for k, x in enumerate(positions):
        ax.axvline(x, color=TRUTH, linestyle="--", linewidth=1, label=label if k == 0 else None)


def _require(frame, columns, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ValueError(f"{name} must have the columns {list(columns)}, missing {absent}")


def plot_distributions(reference, current, *, bins: int = 30, ax=None, **kwargs):
    """Reference and current distributions of one column, overlaid.

    Numbers: step histograms on shared bins (densities). Anything else: side-by-side bars of
    category shares (categories only in ``current`` included).

    Parameters
    ----------
    reference, current : array-like
        The two samples (missing values are left out and counted in the legend).
    bins : int
        Number of bins for numbers.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to ``ax.hist`` (numbers) or ``ax.bar`` (categories).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_distributions(["a", "b", "b"], ["b", "c"])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b', 'c']
    """
    ax = _axes(ax)
    ref, cur = pd.Series(np.asarray(reference).ravel()), pd.Series(np.asarray(current).ravel())
    miss = (
        f" ({ref.isna().sum()} / {cur.isna().sum()} missing)"
        if ref.isna().any() or cur.isna().any()
        else ""
    )
    ref, cur = ref.dropna(), cur.dropna()
    numeric = pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur)
    numeric = numeric and not pd.api.types.is_bool_dtype(ref)
    if numeric:
        edges = np.histogram_bin_edges(np.r_[ref.to_numpy(float), cur.to_numpy(float)], bins=bins)
        for values, colour, name in [(ref, OK, "reference"), (cur, ALARM, "current")]:
            ax.hist(values, bins=edges, density=True, histtype="step", linewidth=1.5,
                    color=colour, label=name, **kwargs)  # fmt: skip
        ax.set_xlabel("value")
        ax.set_ylabel("density")
    else:
        categories = sorted(set(ref.astype(str)) | set(cur.astype(str)))
        pos = np.arange(len(categories))
        for shift, values, colour, name in [
            (-0.2, ref, OK, "reference"),
            (0.2, cur, ALARM, "current"),
        ]:
            share = (
                values.astype(str).value_counts(normalize=True).reindex(categories, fill_value=0)
            )
            ax.bar(pos + shift, share.to_numpy(), width=0.4, color=colour, label=name, **kwargs)
        ax.set_xticks(pos, categories)
        ax.set_xlabel("category")
        ax.set_ylabel("share of rows")
    ax.legend(title=miss.strip() or None)
    return ax


def plot_drift_table(table: pd.DataFrame, *, ax=None, **kwargs):
    """Bars of a :func:`mlsys_helpers.detect.compare` table, one per column, on a common scale.

    The *drift score* puts every method on one axis where 1 is its threshold: hypothesis tests
    show ``log10(p_adjusted) / log10(alpha)`` (so p = alpha gives 1), distances show
    ``statistic / threshold``. Drifted columns are vermillion; each bar is labelled with its
    method.

    Parameters
    ----------
    table : DataFrame
        Output of ``compare`` (columns ``column, method, statistic, p_adjusted, threshold,
        drifted``).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mlsys_helpers.detect import compare
    >>> rng = np.random.default_rng(0)
    >>> t = compare(pd.DataFrame({"x": rng.normal(size=300)}), pd.DataFrame({"x": rng.normal(1, size=300)}))
    >>> plot_drift_table(t).get_xlabel()
    'drift score (1 = threshold)'
    """
    _require(
        table, ["column", "method", "statistic", "p_adjusted", "threshold", "drifted"], "table"
    )
    ax = _axes(ax)
    p = table["p_adjusted"].to_numpy(float)
    tested = ~np.isnan(p)
    with np.errstate(divide="ignore"):
        score = np.where(
            tested,
            np.log10(np.maximum(p, 1e-300)) / np.log10(table["threshold"].to_numpy(float)),
            table["statistic"].to_numpy(float) / table["threshold"].to_numpy(float),
        )
    score = np.nan_to_num(score, posinf=10.0)
    y = np.arange(len(table))[::-1]
    colours = [ALARM if d else OK for d in table["drifted"]]
    ax.barh(y, score, color=colours, **kwargs)
    for yi, s, m in zip(y, score, table["method"], strict=True):
        ax.annotate(m, (s, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.axvline(1.0, color=TRUTH, linestyle=":", linewidth=1, label="threshold")
    ax.set_yticks(y, table["column"].astype(str))
    ax.set_xlabel("drift score (1 = threshold)")
    ax.set_ylabel("column")
    ax.legend(loc="lower right")
    return ax


def plot_detector(trace: pd.DataFrame, *, change_points: Sequence = (), ax=None, **kwargs):
    """A streaming detector's statistic over a stream, with threshold, true changes and alarms.

    Parameters
    ----------
    trace : DataFrame
        Output of :func:`mlsys_helpers.detect.detector_trace` (``index, statistic, threshold,
        drift``).
    change_points : sequence of int
        Where the stream truly changed (dashed lines).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to ``ax.plot`` for the statistic.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from mlsys_helpers.detect import PageHinkley, detector_trace
    >>> trace = detector_trace(PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)
    >>> ax = plot_detector(trace, change_points=[100])
    >>> ax.get_ylabel()
    'detector statistic'
    """
    _require(trace, ["index", "statistic", "threshold", "drift"], "trace")
    ax = _axes(ax)
    ax.plot(trace["index"], trace["statistic"], color=OK, linewidth=1, label="statistic", **kwargs)
    ax.axhline(
        float(trace["threshold"].iloc[0]),
        color=TRUTH,
        linestyle=":",
        linewidth=1,
        label="threshold",
    )
    _mark_changes(ax, change_points)
    alarms = trace.loc[trace["drift"].astype(bool)]
    ax.plot(alarms["index"], alarms["statistic"], linestyle="none", marker="v", markersize=8,
            color=ALARM, label="alarm")  # fmt: skip
    ax.set_xlabel("position in stream")
    ax.set_ylabel("detector statistic")
    ax.legend(loc="upper left")
    return ax


def plot_monitor_timeline(
    result: pd.DataFrame,
    *,
    metrics: Sequence[str] = ("accuracy", "estimated_accuracy"),
    drift_start=None,
    ylabel: str | None = None,
    ax=None,
    **kwargs,
):
    """Metrics per window from :meth:`mlsys_helpers.monitor.Monitor.run`, alerts marked.

    Alerts are drawn at the top of the panel at the start of their window, one marker style per
    cause: ``alert: accuracy drop`` (vermillion, pointing down) when the window's accuracy (real
    when enough labels had arrived, estimated otherwise) fell, ``alert: input drift`` (orange,
    pointing up) when an input or prediction test fired. A window with both causes gets both.

    Parameters
    ----------
    result : DataFrame
        Output of ``Monitor.run`` (``window, start, alert`` and the ``metrics``; the cause is read
        from ``drift_flag``/``performance_flag`` when present, otherwise every alert is drawn as
        a plain ``alert``).
    metrics : sequence of str
        Columns to draw as lines (missing values leave gaps).
    drift_start : same type as ``result["start"]``, optional
        When the drift truly began (dashed line); the x axis is ``start`` of each window.
    ylabel : str, optional
        Label of the y axis; by default ``"accuracy"`` when every metric is an accuracy,
        otherwise the metric names.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    **kwargs
        Passed to ``ax.plot`` for every metric.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> result = pd.DataFrame({"window": [0, 1, 2], "start": [0, 100, 200],
    ...                        "accuracy": [0.9, 0.88, 0.7], "alert": [False, False, True]})
    >>> ax = plot_monitor_timeline(result, metrics=["accuracy"], drift_start=150)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('window start', 'accuracy')
    """
    metrics = list(metrics)
    _require(result, ["window", "start", "alert", *metrics], "result")
    if ylabel is not None and not isinstance(ylabel, str):
        raise TypeError(f"ylabel must be a str or None, got {type(ylabel).__name__}")
    ax = _axes(ax)
    x = result["start"]
    styles = ["-", "--", "-.", ":"]
    for k, name in enumerate(metrics):
        ax.plot(x, result[name], marker="o", markersize=3, linestyle=styles[k % 4],
                color=PALETTE[[0, 2, 3, 4, 5][k % 5]], label=name, **kwargs)  # fmt: skip
    if drift_start is not None:
        _mark_changes(ax, [drift_start], label="drift starts")
    alert = result["alert"].astype(bool)
    level = np.nanmax(result[metrics].to_numpy(float)) if metrics else 1.0
    if {"drift_flag", "performance_flag"} <= set(result.columns):
        causes = [
            ("alert: accuracy drop", result["performance_flag"].astype(bool), "v", ALARM),
            ("alert: input drift", result["drift_flag"].astype(bool), "^", PALETTE[3]),
        ]
    else:
        causes = [("alert", alert, "v", ALARM)]
    for label, flag, marker, colour in causes:
        shown = result.loc[alert & flag, "start"]
        if len(shown):
            ax.plot(shown, np.full(len(shown), level), linestyle="none", marker=marker,
                    markersize=8, color=colour, label=label)  # fmt: skip
    if ylabel is None:
        accuracy_only = metrics and all(m.endswith("accuracy") for m in metrics)
        ylabel = "accuracy" if accuracy_only else ", ".join(metrics) or "value"
    ax.set_xlabel("window start")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower left")
    return ax


def plot_policy_runs(
    runs: pd.DataFrame,
    *,
    metric: str | None = None,
    drift_starts: Sequence[int] = (),
    date_ticks: int = 0,
    axes=None,
    **kwargs,
):
    """One panel per retraining policy: the metric per period, retrainings and drift starts marked.

    Parameters
    ----------
    runs : DataFrame
        Output of :func:`mlsys_helpers.loop.compare_policies` (``policy, period, retrained,
        n_retrains`` and the metric; ``start`` when ``date_ticks`` is used).
    metric : str, optional
        Column to draw; default ``"accuracy"`` when present, else ``"mae"``.
    drift_starts : sequence of int
        Periods in which a drift starts (dashed line at the start of the period).
    date_ticks : int, default 0
        If > 0, label every ``date_ticks``-th period on the x axis with its ``start`` date.
    axes : sequence of matplotlib.axes.Axes, optional
        One per policy; default a new figure with stacked panels sharing both axes.
    **kwargs
        Passed to ``ax.plot`` for the metric lines.

    Returns
    -------
    ndarray of matplotlib.axes.Axes
        A retraining at the end of period ``p`` is a black triangle at ``p + 0.5``; each panel
        names its policy and its number of retrainings on the right.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"policy": ["never"] * 3 + ["weekly"] * 3, "period": [0, 1, 2] * 2,
    ...                      "accuracy": [0.9, 0.6, 0.6, 0.9, 0.6, 0.9],
    ...                      "retrained": [False] * 3 + [True] * 3,
    ...                      "n_retrains": [0, 0, 0, 1, 2, 3]})
    >>> axes = plot_policy_runs(runs, drift_starts=[1])
    >>> len(axes), axes[-1].get_xlabel().startswith("period")
    (2, True)
    """
    import matplotlib.pyplot as plt

    if metric is None:
        metric = "accuracy" if "accuracy" in runs.columns else "mae"
    _require(runs, ["policy", "period", "retrained", "n_retrains", metric], "runs")
    if isinstance(date_ticks, bool) or not isinstance(date_ticks, int) or date_ticks < 0:
        raise ValueError(f"date_ticks must be an int >= 0, got {date_ticks!r}")
    names = list(dict.fromkeys(runs["policy"]))
    if axes is None:
        _, axes = plt.subplots(len(names), 1, figsize=(9, 1.45 * len(names) + 0.7),
                               sharex=True, sharey=True, squeeze=False)  # fmt: skip
        axes = axes[:, 0]
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != len(names):
        raise ValueError(f"axes must hold one Axes per policy ({len(names)}), got {len(axes)}")
    colours = [PALETTE[k] for k in (7, 0, 4, 1, 2, 5, 3)]
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        run = runs[runs["policy"] == name]
        ax.plot(run["period"], run[metric], marker="o", markersize=3,
                color=colours[k % len(colours)], **kwargs)  # fmt: skip
        done = run[run["retrained"].astype(bool)]
        ax.plot(done["period"] + 0.5, done[metric], linestyle="none", marker="v",
                markersize=6, color=TRUTH)  # fmt: skip
        for period in drift_starts:
            ax.axvline(period - 0.5, color=PALETTE[5], linestyle="--", linewidth=1.5)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.text(1.01, 0.5, f"{name}\n{int(run['n_retrains'].iloc[-1])} retrains",
                transform=ax.transAxes, va="center", fontsize=9)  # fmt: skip
    last = axes[-1]
    if date_ticks:
        starts = runs.groupby("period")["start"].first()
        ticks = list(starts.index[::date_ticks])
        last.set_xticks(ticks, [pd.Timestamp(starts[t]).strftime("%b %d") for t in ticks])
    last.set_xlabel(
        "period (▼ retrained at its end; dashed: a drift starts)"
        if not date_ticks
        else "period start (▼ retrained at the end of the period)"
    )
    return axes
