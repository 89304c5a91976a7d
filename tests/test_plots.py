"""Tests for the plot helpers (mlsys_helpers/plots.py)."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from mlsys_helpers import plots  # noqa: E402
from mlsys_helpers.detect import PageHinkley, compare, detector_trace  # noqa: E402

pytestmark = pytest.mark.usefixtures("plots_never_show")


@pytest.fixture
def table(rng):
    ref = pd.DataFrame({"x": rng.normal(size=400), "c": rng.choice(["a", "b"], 400)})
    cur = pd.DataFrame({"x": rng.normal(1, size=400), "c": rng.choice(["a", "b"], 400)})
    return compare(ref, cur)


@pytest.fixture
def trace():
    return detector_trace(PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)


@pytest.fixture
def timeline():
    return pd.DataFrame(
        {
            "window": range(6),
            "start": pd.date_range("2024-01-01", periods=6, freq="D"),
            "accuracy": [0.9, 0.91, np.nan, 0.7, 0.68, 0.66],
            "estimated_accuracy": [0.9, 0.9, 0.9, 0.89, 0.9, 0.9],
            "alert": [False, False, False, True, True, True],
        }
    )


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, mlsys_helpers.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def calls(table, trace, timeline):
    return [
        lambda ax: plots.plot_distributions(np.zeros(5), np.ones(5), ax=ax),
        lambda ax: plots.plot_drift_table(table, ax=ax),
        lambda ax: plots.plot_detector(trace, change_points=[100], ax=ax),
        lambda ax: plots.plot_monitor_timeline(timeline, drift_start=timeline["start"][3], ax=ax),
    ]


def test_every_helper_returns_labelled_axes_and_draws_on_the_given_ax(table, trace, timeline):
    for draw in calls(table, trace, timeline):
        _, ax = plt.subplots()
        out = draw(ax)
        assert out is ax
        assert out.get_xlabel() and out.get_ylabel()
        assert out.get_legend() is not None


def test_every_helper_makes_a_new_figure_without_ax(table, trace, timeline):
    for draw in calls(table, trace, timeline):
        before = plt.get_fignums()
        ax = draw(None)
        assert ax.figure.number not in before


def test_detector_plot_marks_true_change_and_every_alarm(trace):
    ax = plots.plot_detector(trace, change_points=[100])
    lines = {line.get_label(): line for line in ax.get_lines()}
    alarm_x = list(lines["alarm"].get_xdata())
    assert alarm_x == trace.loc[trace["drift"], "index"].tolist()
    assert to_hex(lines["alarm"].get_color()) == plots.PALETTE[1].lower()
    assert list(lines["true change"].get_xdata()) == [100, 100]


def test_timeline_marks_alerts_and_drift_start(timeline):
    ax = plots.plot_monitor_timeline(timeline, drift_start=timeline["start"][3])
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"accuracy", "estimated_accuracy", "alert", "drift starts"} <= set(labels)
    alert = next(line for line in ax.get_lines() if line.get_label() == "alert")
    assert len(alert.get_xdata()) == 3


def test_drift_table_colours_drifted_columns(table):
    ax = plots.plot_drift_table(table)
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    expected = [
        plots.PALETTE[1].lower() if d else plots.PALETTE[0].lower() for d in table["drifted"]
    ]
    assert colours == expected
    # the score is 1 at the threshold: the drifted column's bar passes it
    widths = [p.get_width() for p in ax.patches]
    assert all((w > 1) == d for w, d in zip(widths, table["drifted"], strict=True))


def test_plots_do_not_mutate_inputs(table, trace, timeline):
    copies = table.copy(), trace.copy(), timeline.copy()
    for draw in calls(table, trace, timeline):
        draw(None)
    for before, after in zip(copies, (table, trace, timeline), strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_plots_name_missing_columns():
    with pytest.raises(ValueError, match="statistic"):
        plots.plot_detector(pd.DataFrame({"index": [0]}))
    with pytest.raises(TypeError, match="DataFrame"):
        plots.plot_drift_table([1, 2])


def test_timeline_names_each_alert_by_its_cause(timeline):
    flagged = timeline.assign(
        performance_flag=[False, False, False, True, True, False],
        drift_flag=[False, False, False, False, True, True],
    )
    ax = plots.plot_monitor_timeline(flagged)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert "alert" not in lines
    assert len(lines["alert: accuracy drop"].get_xdata()) == 2
    assert len(lines["alert: input drift"].get_xdata()) == 2
    assert ax.get_ylabel() == "accuracy"


def test_timeline_ylabel_names_the_metric_or_takes_the_given_label(timeline):
    roc = timeline.rename(columns={"accuracy": "roc_auc"})
    assert plots.plot_monitor_timeline(roc, metrics=["roc_auc"]).get_ylabel() == "roc_auc"
    ax = plots.plot_monitor_timeline(timeline, ylabel="accuracy per window")
    assert ax.get_ylabel() == "accuracy per window"
    with pytest.raises(TypeError, match="ylabel must be a str"):
        plots.plot_monitor_timeline(timeline, ylabel=3)
