"""Tests for the interactive panels (mlsys_helpers/widgets.py and its compute module _panels.py).

Three layers: the pure compute functions (the lesson's behaviour, statistically over seeds),
the plot functions (a Figure with labelled axes, redrawn in place), and the builders, driven
headlessly by setting control values.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import stats  # noqa: E402

from mlsys_helpers import _panels, widgets  # noqa: E402
from mlsys_helpers.monitor import Monitor  # noqa: E402
from mlsys_helpers.widgets import (  # noqa: E402
    DashboardResult,
    DriftLabResult,
    dashboard_compute,
    drift_lab_compute,
    make_drift_lab,
    make_monitoring_dashboard,
    plot_dashboard,
    plot_drift_lab,
)

SEEDS = range(6)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- compute: the drift lab -------------------------------------------------------------------
def test_drift_lab_frame_has_one_row_per_window_with_the_documented_columns():
    result = drift_lab_compute(n=3000, window=250)
    assert isinstance(result, DriftLabResult)
    assert list(result.frame["window"]) == list(range(12))
    assert list(result.frame["start"]) == list(range(0, 3000, 250))
    for column in ("accuracy", "drift_weight", "input_statistic", "input_threshold",
                   "input_alarm", "error_statistic", "error_threshold", "error_alarm", "alarm"):  # fmt: skip
        assert column in result.frame.columns
    assert result.frame["alarm"].equals(result.frame["input_alarm"] | result.frame["error_alarm"])
    assert result.n_alarms == int(result.frame["alarm"].sum())


def test_drift_lab_true_change_comes_from_the_drift_weight():
    result = drift_lab_compute(start=0.5, pattern="sudden", fraction=1.0)
    weight = result.frame["drift_weight"].to_numpy()
    assert result.drift.start == 3000 and result.change_window == 12
    assert (weight[:12] == 0).all() and (weight[12:] == 1).all()
    assert result.change_spans == ((3000, 6000),)


def test_drift_lab_recurring_pattern_has_one_span_per_new_phase():
    result = drift_lab_compute(pattern="recurring", start=0.2, width=0.2)
    assert result.change_spans == ((1200, 2400), (3600, 4800))


def test_drift_lab_fraction_scales_the_mean_drift_weight():
    result = drift_lab_compute(fraction=0.5, rng=3)
    after = result.frame["drift_weight"].to_numpy()[result.change_window :]
    # 3000 rows, each affected with probability 0.5: the mean is within 5 sd (0.05) of 0.5
    assert abs(after.mean() - 0.5) < 0.05


def test_drift_lab_is_deterministic_for_a_seed():
    a, b = drift_lab_compute(rng=4, magnitude=0.7), drift_lab_compute(rng=4, magnitude=0.7)
    assert a.summary() == b.summary()
    assert a.frame.equals(b.frame)


def test_a_generator_rng_stands_for_one_int_drawn_from_it():
    drawn = int(np.random.default_rng(8).integers(0, 2**32))
    for compute in (drift_lab_compute, dashboard_compute):
        a = compute(rng=np.random.default_rng(8), magnitude=0.7)
        b = compute(rng=drawn, magnitude=0.7)
        assert a.summary() == b.summary() and a.frame.equals(b.frame)
    with pytest.raises(TypeError, match="rng must be an int or a numpy Generator, got str"):
        drift_lab_compute(rng="1")


def test_moving_a_slider_does_not_retrain_the_model():
    drift_lab_compute(rng=0)
    misses = _panels._system.cache_info().misses
    for magnitude in (0.2, 0.8, 1.7):
        drift_lab_compute(rng=0, magnitude=magnitude, kind="covariate")
    assert _panels._system.cache_info().misses == misses


def test_larger_covariate_magnitude_gives_more_input_alarms():
    small = [drift_lab_compute(magnitude=0.1, rng=s).n_input_alarms for s in SEEDS]
    large = [drift_lab_compute(magnitude=1.5, rng=s).n_input_alarms for s in SEEDS]
    assert all(b > a for a, b in zip(small, large, strict=True))
    assert min(large) >= 10  # 12 windows after the change; a 1.5 sd shift is unmissable


def test_larger_concept_magnitude_lowers_accuracy_and_raises_error_alarms():
    mild = [drift_lab_compute(kind="concept", magnitude=0.2, rng=s) for s in SEEDS]
    strong = [drift_lab_compute(kind="concept", magnitude=1.0, rng=s) for s in SEEDS]
    for a, b in zip(mild, strong, strict=True):
        assert b.accuracy_after < a.accuracy_after - 0.1
    assert sum(r.n_error_alarms for r in strong) > sum(r.n_error_alarms for r in mild)
    assert all(r.first_alarm_delay is not None and r.first_alarm_delay <= 2 for r in strong)


def test_concept_drift_leaves_the_input_detector_quiet():
    results = [drift_lab_compute(kind="concept", magnitude=1.0, rng=s) for s in SEEDS]
    # KS at alpha 0.01 over 24 windows: about 0.24 false alarms per run are expected
    assert sum(r.n_input_alarms for r in results) <= 3
    assert all(r.accuracy_after < r.accuracy_before - 0.15 for r in results)


def test_harmless_covariate_drift_alarms_without_hurting_accuracy():
    results = [drift_lab_compute(kind="covariate", magnitude=1.0, rng=s) for s in SEEDS]
    for r in results:
        assert r.n_input_alarms >= 11
        # 3000 rows after the change: sd of accuracy about 0.006; the model stays right
        assert abs(r.accuracy_after - r.accuracy_before) < 0.03


@pytest.mark.parametrize("kind", ["covariate", "concept"])
def test_no_drift_gives_almost_no_alarms(kind):
    alarms = [drift_lab_compute(kind=kind, magnitude=0.0, rng=s).n_alarms for s in range(10)]
    # expected false alarms per run: 24 windows x 0.01 (KS) plus rare Page-Hinkley ones
    assert np.mean(alarms) <= 0.6
    assert max(alarms) <= 2


def test_prior_drift_changes_the_default_rate_seen_through_the_features():
    result = drift_lab_compute(kind="prior", magnitude=0.9, rng=1)
    # most applicants now default: high debt ratios dominate after the change
    assert result.after.mean() > result.before.mean() + 0.05
    assert result.accuracy_after < result.accuracy_before


def test_ks_statistic_matches_scipy_with_ties(rng):
    reference = np.round(rng.normal(size=700), 1)
    windows = np.round(rng.normal(0.2, 1.0, size=(5, 90)), 1)
    ours = _panels._ks_statistics(reference, windows)
    theirs = [stats.ks_2samp(reference, w).statistic for w in windows]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_ks_critical_value_is_the_large_sample_quantile():
    n_ref, m, alpha = 3000, 250, 0.01
    critical = _panels._ks_critical(n_ref, m, alpha)
    scaled = critical * np.sqrt(n_ref * m / (n_ref + m))
    assert stats.kstwobign.sf(scaled) == pytest.approx(alpha, rel=1e-3)


def test_first_alarm_delay_is_none_without_alarms():
    result = drift_lab_compute(magnitude=0.0, rng=0)
    assert result.n_alarms == 0
    assert result.first_alarm_delay is None
    assert result.summary().endswith("no alarm after the change")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "sideways"}, ValueError, "kind must be one of"),
        ({"pattern": "wobbly"}, ValueError, "pattern must be one of"),
        ({"magnitude": -1.0}, ValueError, "magnitude must be in"),
        ({"kind": "concept", "magnitude": 1.5}, ValueError, "magnitude must be in \\[0, 1\\]"),
        ({"magnitude": "big"}, TypeError, "magnitude must be a finite number"),
        ({"start": 0.0}, ValueError, "start must be in"),
        ({"start": 1.0}, ValueError, "start must be < 1"),
        ({"width": 0.0}, ValueError, "width must be in"),
        ({"fraction": 1.5}, ValueError, "fraction must be in"),
        ({"rng": -1}, ValueError, "rng must be an int in \\[0, 4294967295\\]"),
        ({"column": "region"}, ValueError, "column must be one of"),
        ({"n": 1000, "window": 300}, ValueError, "n must be a multiple of window"),
        ({"alpha": 0.0}, ValueError, "alpha must be in"),
    ],
)
def test_drift_lab_rejects_bad_arguments_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        drift_lab_compute(**kwargs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["covariate", "prior", "concept"]),
    pattern=st.sampled_from(["sudden", "gradual", "incremental", "recurring"]),
    magnitude=st.floats(0.0, 1.0),
    start=st.floats(0.05, 0.95),
    width=st.floats(0.01, 1.0),
    fraction=st.floats(0.01, 1.0),
)
def test_drift_lab_never_crashes_on_valid_settings(kind, pattern, magnitude, start, width,
                                                   fraction):  # fmt: skip
    result = drift_lab_compute(kind=kind, pattern=pattern, magnitude=magnitude, start=start,
                               width=width, fraction=fraction, n=2000, window=200)  # fmt: skip
    assert len(result.frame) == 10
    assert result.frame["drift_weight"].between(0, 1).all()
    assert 0 <= result.n_false_alarms <= result.n_alarms <= 10
    assert isinstance(result.summary(), str) and "\n" not in result.summary()


# -- compute: the dashboard -------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings_",
    [
        {"features": ("income", "debt_ratio"), "correction": "bonferroni", "alpha": 0.05},
        {"features": ("age", "region", "debt_ratio"), "correction": "fdr", "alpha": 0.01},
        {"features": ("income",), "correction": None, "alpha": 0.1, "consecutive": 2},
    ],
)
def test_dashboard_is_what_a_direct_monitor_run_reports(settings_):
    result = dashboard_compute(**settings_)
    reference, stream, _ = _panels._dashboard_data(0, "covariate", 1.0, "debt_ratio", 0.5, 6000)
    direct = Monitor(
        reference,
        features=list(settings_["features"]),
        window=500,
        detectors={f: "ks" for f in ("income", "debt_ratio", "age", "prediction")}
        | {"region": "chi2"},
        correction=settings_["correction"],
        alpha=settings_["alpha"],
        consecutive=settings_.get("consecutive", 1),
    ).run(stream)
    for column in [*settings_["features"], "prediction"]:
        assert result.frame[f"{column}_drifted"].tolist() == direct[f"{column}_drifted"].tolist()
    assert result.frame["alert"].tolist() == direct["alert"].tolist()
    np.testing.assert_allclose(result.frame["accuracy"], direct["accuracy"])


@pytest.mark.parametrize("family", ["test", "distance"])
def test_dashboard_families_are_what_monitor_makes_of_them(family):
    features = ("income", "age", "channel")
    result = dashboard_compute(features=features, method=family, correction="fdr")
    reference, stream, _ = _panels._dashboard_data(0, "covariate", 1.0, "debt_ratio", 0.5, 6000)
    direct = Monitor(
        reference, features=list(features), window=500, detectors=family, correction="fdr"
    ).run(stream)
    for column in [*features, "prediction"]:
        np.testing.assert_allclose(
            result.frame[f"{column}_statistic"], direct[f"{column}_statistic"]
        )
        assert result.frame[f"{column}_drifted"].tolist() == direct[f"{column}_drifted"].tolist()
    assert result.frame["alert"].tolist() == direct["alert"].tolist()


def test_dashboard_result_fields_agree_with_its_frame():
    result = dashboard_compute()
    assert isinstance(result, DashboardResult)
    alerts = result.frame.loc[result.frame["alert"], "window"].to_numpy()
    assert result.n_alerts == alerts.size
    assert result.false_alerts == int(((alerts + 1) * 500 <= 3000).sum())
    assert result.change_window == 6.0


def test_concept_drift_fools_the_label_free_estimate_but_not_the_labels():
    result = dashboard_compute(drift_kind="concept", magnitude=1.0)
    after = result.frame[result.frame["window"] >= 6]
    assert not after[["income_drifted", "debt_ratio_drifted"]].to_numpy().any()
    assert after["accuracy"].mean() < result.reference_accuracy - 0.15
    assert abs(after["estimated_accuracy"].mean() - result.reference_accuracy) < 0.05


def test_more_consecutive_windows_give_fewer_alerts_and_a_later_first_one():
    one, three = dashboard_compute(consecutive=1), dashboard_compute(consecutive=3)
    assert three.n_alerts < one.n_alerts
    assert three.first_alert_delay == one.first_alert_delay + 2


def test_a_lower_distance_threshold_raises_more_alerts():
    loose = dashboard_compute(method="wasserstein", threshold=0.3)
    tight = dashboard_compute(method="wasserstein", threshold=0.05)
    assert tight.n_alerts > loose.n_alerts
    assert tight.false_alerts >= loose.false_alerts


def test_no_drift_gives_few_false_alerts_with_tests():
    results = [dashboard_compute(magnitude=0.0, rng=s) for s in range(4)]
    # Bonferroni at 0.05 per window over 12 windows: about 0.6 false flags per run at most
    assert np.mean([r.n_alerts for r in results]) <= 1.5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"features": ()}, ValueError, "features must name at least one column"),
        (
            {"features": "income"},
            TypeError,
            "features must be a sequence of column names \\(not one string\\), got str",
        ),
        ({"features": ("salary",)}, ValueError, "features must be among"),
        ({"method": "magic"}, ValueError, "method must be one of"),
        ({"method": "ks", "threshold": 0.1}, ValueError, "threshold must be None with method 'ks'"),
        ({"method": "psi", "threshold": -1.0}, ValueError, "threshold must be in"),
        ({"correction": "holm"}, ValueError, "correction must be"),
        ({"consecutive": 0}, ValueError, "consecutive must be an int in \\[1, 1_000\\]"),
        ({"window": 10}, ValueError, "window must be an int in \\[50, 100_000\\]"),
        ({"alpha": 1.5}, ValueError, "alpha must be in"),
    ],
)
def test_dashboard_rejects_bad_arguments_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        dashboard_compute(**kwargs)


# -- plots ------------------------------------------------------------------------------------
def test_plot_drift_lab_returns_a_labelled_figure():
    fig = plot_drift_lab(drift_lab_compute())
    assert isinstance(fig, matplotlib.figure.Figure)
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == ["density", "accuracy", "statistic / threshold", "drift weight"]
    assert fig.axes[0].get_xlabel() == "debt_ratio"
    assert fig.axes[3].get_xlabel() == "position in stream (rows)"
    assert "covariate drift" in fig._suptitle.get_text()


def test_plot_drift_lab_marks_alarms_and_shades_the_change():
    result = drift_lab_compute(kind="concept")
    fig = plot_drift_lab(result)
    det = fig.axes[2]
    texts = [t.get_text() for t in det.get_legend().get_texts()]
    assert "alarm" in texts and "threshold" in texts
    assert len(fig.axes[1].patches) == len(result.change_spans)
    assert "shaded: true change" in fig.axes[1].get_title()


def test_plot_dashboard_returns_a_labelled_figure():
    fig = plot_dashboard(dashboard_compute())
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [ax.get_ylabel() for ax in fig.axes] == ["drift statistic", "accuracy"]
    assert fig.axes[1].get_xlabel() == "window (500 rows each)"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"income", "debt_ratio", "model score", "alert", "true change"} <= set(legend)
    assert fig._suptitle.get_text() == dashboard_compute().summary()


def test_plots_redraw_into_the_given_figure_without_new_ones():
    fig = matplotlib.figure.Figure()
    before = plt.get_fignums()
    plot_drift_lab(drift_lab_compute(magnitude=0.5), fig=fig)
    axes = list(fig.axes)
    plot_drift_lab(drift_lab_compute(magnitude=2.0), fig=fig)
    assert list(fig.axes) == axes  # same axes reused, not stacked
    assert len(axes[0].lines) + len(axes[0].patches) <= 4
    plot_dashboard(dashboard_compute(), fig=fig)  # another layout: rebuilt in place
    assert len(fig.axes) == 2
    assert plt.get_fignums() == before


def test_plots_reject_the_wrong_result():
    with pytest.raises(TypeError, match="result must be a DriftLabResult"):
        plot_drift_lab(dashboard_compute())
    with pytest.raises(TypeError, match="result must be a DashboardResult"):
        plot_dashboard(drift_lab_compute())
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plot_drift_lab(drift_lab_compute(), fig="no")


# -- builders ---------------------------------------------------------------------------------
def _png(panel) -> str:
    (output,) = panel.output.outputs
    return output["data"]["image/png"]


def test_drift_lab_updates_summary_and_figure_in_place():
    before_figs = plt.get_fignums()
    lab = make_drift_lab()
    assert "mlsys-summary" in lab.summary._dom_classes
    first_summary, first_png, figure = lab.summary.value, _png(lab), lab.figure
    lab.controls["magnitude"].value = 0.0
    assert lab.summary.value != first_summary
    assert lab.result.n_input_alarms == 0
    assert _png(lab) != first_png
    assert len(lab.output.outputs) == 1 and lab.figure is figure
    lab.controls["kind"].value = "concept"
    assert lab.result.drift.kind == "concept"
    assert plt.get_fignums() == before_figs


def test_drift_lab_control_values_reach_the_compute_function():
    lab = make_drift_lab(rng=2)
    settings_ = {"kind": "prior", "pattern": "gradual", "column": "income", "magnitude": 0.6,
                 "start": 0.3, "width": 0.25, "fraction": 0.5, "rng": 5}  # fmt: skip
    for name, value in settings_.items():
        lab.controls[name].value = value
    expected = drift_lab_compute(**settings_)
    assert lab.summary.value == widgets.html.escape(expected.summary())
    assert lab.result.frame.equals(expected.frame)


def test_switching_to_a_bounded_kind_clips_magnitude_and_updates_once(monkeypatch):
    lab = make_drift_lab(magnitude=2.5)
    calls = []
    original = lab.update
    monkeypatch.setattr(lab, "update", lambda *a: (calls.append(1), original())[1])
    lab.controls["kind"].value = "concept"
    assert lab.controls["magnitude"].max == 1.0 and lab.controls["magnitude"].value == 1.0
    assert lab.result.drift.magnitude == 1.0
    assert len(calls) == 1


def test_width_is_disabled_for_sudden_drift():
    lab = make_drift_lab()
    assert lab.controls["width"].disabled
    lab.controls["pattern"].value = "gradual"
    assert not lab.controls["width"].disabled


def test_drift_lab_defaults_are_validated_when_building():
    with pytest.raises(ValueError, match="magnitude must be in"):
        make_drift_lab(magnitude=-1)
    with pytest.raises(TypeError, match="defaults must name controls among .*, got \\['colour'\\]"):
        make_drift_lab(colour="red")


def test_dashboard_controls_update_summary_and_figure():
    before_figs = plt.get_fignums()
    board = make_monitoring_dashboard()
    assert "mlsys-summary" in board.summary._dom_classes
    first = board.summary.value
    board.controls["consecutive"].value = 3
    assert board.summary.value != first
    assert board.result.n_alerts == dashboard_compute(consecutive=3).n_alerts
    board.controls["features"].value = ("income", "age", "channel")
    assert board.result.features == ("income", "age", "channel")
    assert plt.get_fignums() == before_figs
    assert len(board.output.outputs) == 1


def test_dashboard_threshold_applies_to_distances_only():
    board = make_monitoring_dashboard()
    assert board.controls["threshold"].disabled and not board.controls["alpha"].disabled
    board.controls["threshold"].value = 0.05  # ignored while the method is a test
    assert board.result.threshold is None
    board.controls["method"].value = "psi"
    assert not board.controls["threshold"].disabled and board.controls["alpha"].disabled
    assert board.result.threshold == 0.05
    board.controls["correction"].value = "none"
    assert (
        board.result.n_alerts
        == dashboard_compute(method="psi", threshold=0.05, correction=None).n_alerts
    )


def test_an_invalid_setting_shows_a_message_instead_of_failing():
    board = make_monitoring_dashboard()
    board.controls["features"].value = ()
    assert board.result is None
    assert "features must name at least one column" in board.summary.value
    board.controls["features"].value = ("income",)
    assert board.result is not None


def test_panels_have_a_short_text_repr():
    lab = make_drift_lab()
    text = repr(lab)
    assert text.startswith("Panel('accuracy") and len(text) < 200
    assert "png" not in text.lower()


def test_builders_never_display_themselves(monkeypatch):
    import IPython.core.display_functions as display_functions

    def refuse(*args, **kwargs):
        raise AssertionError("a builder must not call display()")

    monkeypatch.setattr(display_functions, "display", refuse)
    make_drift_lab()
    make_monitoring_dashboard()


def test_compute_module_imports_neither_matplotlib_nor_ipywidgets():
    code = (
        "import sys, mlsys_helpers._panels as p\n"
        "p.drift_lab_compute(n=1000, window=250)\n"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_control_ranges_hold_any_valid_default_unclipped():
    lab = make_drift_lab(magnitude=4.5, start=0.97, fraction=0.01, rng=12_345)
    assert lab.result.drift.magnitude == 4.5
    assert lab.controls["start"].value == 0.97 and lab.controls["rng"].value == 12_345
    board = make_monitoring_dashboard(alpha=0.5, consecutive=7, method="psi", threshold=0.8)
    assert board.controls["alpha"].value == pytest.approx(0.5)
    assert board.result.threshold == 0.8 and board.controls["consecutive"].value == 7


# -- the live figure: fast rendering, same picture ---------------------------------------------
def _decoded(panel) -> np.ndarray:
    import base64
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(_png(panel)))).convert("RGB"))


def _full_draw(figure) -> np.ndarray:
    """What matplotlib draws for the same figure in one ordinary Agg draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


@pytest.mark.parametrize(
    ("build", "moves"),
    [
        (make_drift_lab, [("magnitude", 2.5), ("column", "income"), ("pattern", "recurring"),
                          ("kind", "concept")]),
        (make_monitoring_dashboard, [("consecutive", 3), ("method", "psi"), ("window", 250),
                                     ("features", ("age", "region"))]),
    ],
)  # fmt: skip
def test_live_png_is_the_picture_a_full_draw_gives(build, moves):
    panel = build()
    for name, value in moves:
        panel.controls[name].value = value
        shown = _decoded(panel)
        assert shown.shape == (round(panel.figure.get_figheight() * widgets.LIVE_DPI), 860, 3)
        full = _full_draw(panel.figure)
        panel.update()  # the panel's renderer again, after the full draw touched the canvas
        diff = np.abs(shown.astype(int) - full.astype(int)).max(axis=2)
        # the same pixels up to rounding of alpha blends (over 2 levels on under 0.5% of them)
        assert diff.max() <= 6, (name, value, diff.max())
        assert (diff > 2).mean() < 0.005
        np.testing.assert_array_equal(_decoded(panel), shown)


def test_live_figure_redraws_static_layers_only_when_they_change(monkeypatch):
    board = make_monitoring_dashboard()
    calls = []
    original = widgets._LiveFigure._static_layer
    monkeypatch.setattr(
        widgets._LiveFigure,
        "_static_layer",
        lambda self, ax, part: (calls.append(part), original(self, ax, part))[1],
    )
    board.controls["consecutive"].value = 2  # alerts move; no axis, title or legend does
    assert calls == []
    board.controls["method"].value = "psi"
    board.controls["threshold"].value = 0.05
    calls.clear()
    board.controls["threshold"].value = 0.1  # a new title; the same axes and legend entries
    assert calls == ["title"]
    board.controls["features"].value = ("income", "age")  # new legend entries
    assert "legend" in calls[1:]


def test_png_writer_round_trips_pixels(rng):
    import io

    from PIL import Image

    pixels = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(widgets._png(pixels)))), pixels)


# -- bad input: a message in place of the figure, never a traceback ---------------------------
def test_a_typed_out_of_range_seed_shows_a_message_in_place_of_the_figure():
    lab = make_drift_lab()
    lab.controls["rng"].value = -3
    assert lab.result is None
    (output,) = lab.output.outputs
    assert "image/png" not in output["data"]
    assert "seed must be an int in [0, 4294967295], got -3" in output["data"]["text/plain"]
    assert "Traceback" not in output["data"]["text/html"]
    lab.controls["rng"].value = 1  # and it keeps working
    assert lab.result is not None and "image/png" in lab.output.outputs[0]["data"]


def test_an_invalid_dashboard_setting_replaces_the_figure_by_a_message():
    board = make_monitoring_dashboard()
    board.controls["features"].value = ()
    (output,) = board.output.outputs
    assert "features must name at least one column" in output["data"]["text/plain"]
    assert "mlsys-message" in output["data"]["text/html"]


@pytest.mark.parametrize(
    ("compute", "kwargs", "error", "match"),
    [
        (drift_lab_compute, {"n": 10**8, "window": 100}, ValueError, "n must be an int in \\[2, 100_000\\]"),
        (drift_lab_compute, {"n": 6000.0}, ValueError, "n must be an int"),
        (drift_lab_compute, {"window": 10**9}, ValueError, "window must be an int in"),
        (drift_lab_compute, {"start": "half"}, TypeError, "start must be a finite number, got str"),
        (drift_lab_compute, {"ph_threshold": float("nan")}, ValueError, "ph_threshold must be a finite number, got nan"),
        (drift_lab_compute, {"rng": 2**40}, ValueError, "rng must be an int in"),
        (dashboard_compute, {"n": 10**8}, ValueError, "n must be an int in \\[100, 100_000\\]"),
        (dashboard_compute, {"magnitude": "big"}, TypeError, "magnitude must be a finite number, got str"),
        (dashboard_compute, {"magnitude": float("inf")}, ValueError, "magnitude must be a finite number, got inf"),
        (dashboard_compute, {"start": "soon"}, TypeError, "start must be a finite number, got str"),
        (dashboard_compute, {"window": 5000}, ValueError, "window must be at most n / 2"),
        (dashboard_compute, {"consecutive": 10**6}, ValueError, "consecutive must be an int in"),
        (dashboard_compute, {"threshold": "x", "method": "psi"}, TypeError, "threshold must be"),
    ],
)  # fmt: skip
def test_numeric_arguments_are_validated_with_a_message_naming_them(compute, kwargs, error,
                                                                     match):  # fmt: skip
    with pytest.raises(error, match=match):
        compute(**kwargs)


def test_builders_refuse_huge_sizes_before_allocating_anything():
    with pytest.raises(ValueError, match="n must be an int in"):
        make_drift_lab(n=10**8, window=10**4)
    with pytest.raises(ValueError, match="n must be an int in"):
        make_monitoring_dashboard(n=10**8)


# -- fast paths agree with the reference implementations --------------------------------------
def test_vectorised_page_hinkley_matches_the_detector_loop(rng):
    from mlsys_helpers.detect import PageHinkley, detector_trace

    for _ in range(15):
        rate = np.r_[np.full(2000, 0.1), np.full(2000, rng.uniform(0.1, 0.6))]
        errors = (rng.random(4000) < rate).astype(float)
        threshold = float(rng.choice([5.0, 30.0, 50.0]))
        statistic, alarms = _panels._page_hinkley_up(errors, threshold)
        trace = detector_trace(PageHinkley(threshold=threshold, mode="up"), errors)
        assert alarms == list(np.flatnonzero(trace["drift"]))
        np.testing.assert_allclose(statistic, trace["statistic"], rtol=1e-9, atol=1e-9)


def test_rank_sum_auc_matches_scikit_learn(rng):
    from sklearn.metrics import roc_auc_score

    for _ in range(10):
        y = rng.integers(0, 2, size=300)
        score = np.round(rng.random(300), 2)  # ties
        assert _panels._auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)


# -- the Voila apps (notebooks/apps; served by `make apps`, driven in tests/browser) -----------
@pytest.mark.parametrize(
    ("app", "builder"),
    [("drift-lab", "make_drift_lab"), ("monitoring-dashboard", "make_monitoring_dashboard")],
)
def test_app_notebooks_are_their_sources_and_only_call_a_builder(app, builder):
    import json
    from pathlib import Path

    import jupytext

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    stored = json.loads((notebooks / "apps" / f"{app}.ipynb").read_text())
    source = jupytext.read(notebooks / ".sources" / "apps" / f"{app}.py")
    assert [(c["cell_type"], "".join(c["source"])) for c in stored["cells"]] == [
        (c.cell_type, c.source) for c in source.cells
    ]  # regenerate with: jupytext --to ipynb --set-kernel python3 --output
    #    notebooks/apps/NAME.ipynb notebooks/.sources/apps/NAME.py
    assert all(not c.get("outputs") for c in stored["cells"])  # Voila runs them itself
    assert stored["metadata"]["kernelspec"]["name"] == "python3"
    code = ["".join(c["source"]) for c in stored["cells"] if c["cell_type"] == "code"]
    assert code == [f"import mlsys_helpers as mh\n\nmh.widgets.{builder}()"]
    assert stored["cells"][0]["cell_type"] == "markdown"  # the explanation on the page
