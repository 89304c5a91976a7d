"""Tests for plots.plot_policy_runs (added for chapter 08)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mlsys_helpers import plots  # noqa: E402
from mlsys_helpers.loop import Never, Periodic, compare_policies  # noqa: E402
from mlsys_helpers.world import LoanWorld  # noqa: E402

pytestmark = pytest.mark.usefixtures("plots_never_show")


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    policies = {"never": Never(), "every 2": Periodic(2)}
    return compare_policies(LoanWorld(), None, policies, periods=4, period_size=200, rng=0)


def test_one_panel_per_policy_with_its_line(runs):
    axes = plots.plot_policy_runs(runs)
    assert len(axes) == 2
    for ax, name in zip(axes, ["never", "every 2"], strict=True):
        line = ax.get_lines()[0]
        expected = runs.loc[runs["policy"] == name, "accuracy"].to_numpy()
        np.testing.assert_allclose(line.get_ydata(), expected)
        assert ax.get_ylabel() == "accuracy"
        assert any(name in t.get_text() for t in ax.texts)


def test_retrainings_are_marked_half_a_period_later(runs):
    axes = plots.plot_policy_runs(runs)
    marks = axes[1].get_lines()[1]
    done = runs[(runs["policy"] == "every 2") & runs["retrained"]]
    np.testing.assert_allclose(marks.get_xdata(), done["period"] + 0.5)
    assert len(axes[0].get_lines()[1].get_xdata()) == 0  # never retrains: no marks


def test_drift_starts_are_vertical_lines_on_every_panel(runs):
    axes = plots.plot_policy_runs(runs, drift_starts=[2])
    for ax in axes:
        assert [line.get_xdata()[0] for line in ax.get_lines()[2:]] == [1.5]


def test_mae_is_the_default_metric_for_regression_runs(runs):
    regression = runs.drop(columns="accuracy").assign(mae=1.0)
    axes = plots.plot_policy_runs(regression)
    assert axes[0].get_ylabel() == "mae"


def test_date_ticks_label_periods_with_their_start(runs):
    axes = plots.plot_policy_runs(runs, date_ticks=2)
    labels = [t.get_text() for t in axes[-1].get_xticklabels()]
    assert labels == [
        runs["start"].iloc[0].strftime("%b %d"),
        runs["start"].iloc[2].strftime("%b %d"),
    ]


def test_given_axes_are_used(runs):
    _, given = plt.subplots(2, 1)
    axes = plots.plot_policy_runs(runs, axes=given)
    assert list(axes) == list(given)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metric": "nope"}, ValueError, "nope"),
        ({"date_ticks": -1}, ValueError, "date_ticks must be an int >= 0"),
    ],
)
def test_bad_arguments_are_refused(runs, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_policy_runs(runs, **kwargs)


def test_wrong_number_of_axes_is_refused(runs):
    _, given = plt.subplots(3, 1)
    with pytest.raises(ValueError, match="one Axes per policy"):
        plots.plot_policy_runs(runs, axes=given)
