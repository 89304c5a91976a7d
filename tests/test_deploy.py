from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlsys_helpers import deploy
from mlsys_helpers.deploy import Guardrail, Release
from mlsys_helpers.train import make_pipeline_for
from mlsys_helpers.world import LoanWorld

GUARDRAILS = [
    Guardrail("error_rate", 0.01),
    Guardrail("fallback_rate", 0.03),
    Guardrail("latency_p99", 250.0),
]


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ((0.0, 0.5, 1.0), r"steps must be fractions in \(0, 1\], got 0.0"),
        ((0.1, 1.5), r"steps must be fractions in \(0, 1\], got 1.5"),
        ((-0.1, 1.0), r"steps must be fractions in \(0, 1\]"),
        ((0.5, 0.1, 1.0), "steps must be strictly increasing"),
        ((0.1, 0.1, 1.0), "steps must be strictly increasing"),
    ],
)
def test_canary_rejects_bad_steps(steps, match):
    with pytest.raises(ValueError, match=match):
        deploy.canary(Release(), guardrails=GUARDRAILS, steps=steps, rng=0)
    with pytest.raises(ValueError, match=match):
        deploy.canary_runs(Release(), guardrails=GUARDRAILS, steps=steps, runs=5, rng=0)


def test_canary_steps_must_be_a_sequence():
    with pytest.raises(TypeError, match="steps must be a non-empty sequence"):
        deploy.canary(Release(), guardrails=GUARDRAILS, steps="0.1", rng=0)
    with pytest.raises(TypeError, match="steps must be a non-empty sequence"):
        deploy.canary(Release(), guardrails=GUARDRAILS, steps=[], rng=0)


@pytest.mark.parametrize("metric", ["accuracy", "latency", "p99", ""])
def test_guardrail_on_an_unknown_metric_names_the_argument(metric):
    with pytest.raises(ValueError, match="metric must be one of"):
        Guardrail(metric, 0.01)


@pytest.mark.parametrize(
    ("metric", "limit"), [("error_rate", 0.0), ("error_rate", 1.2), ("latency_p99", -5.0)]
)
def test_guardrail_limit_is_checked(metric, limit):
    with pytest.raises(ValueError, match="limit must be"):
        Guardrail(metric, limit)


def test_guardrails_must_be_guardrails():
    with pytest.raises(TypeError, match="guardrails must"):
        deploy.canary(Release(), guardrails=[("error_rate", 0.01)], rng=0)
    with pytest.raises(TypeError, match="guardrails must"):
        deploy.canary(Release(), guardrails=[], rng=0)


def test_release_rejects_rates_outside_the_unit_interval():
    with pytest.raises(ValueError, match="error_rate must be in"):
        Release(error_rate=1.5)
    with pytest.raises(ValueError, match="latency_ms must be > 0"):
        Release(latency_ms=0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"baseline": 0.1, "min_effect": 0.0}, "min_effect must be non-zero"),
        ({"baseline": 0.1, "min_effect": 0.95}, r"baseline \+ min_effect must be in"),
        ({"baseline": 1.2, "min_effect": 0.01}, r"baseline must be in \(0, 1\)"),
        ({"baseline": 0.1, "min_effect": 0.01, "power": 0.04}, "power must be > alpha"),
    ],
)
def test_ab_design_without_power_is_an_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        deploy.ab_sample_size(**kwargs)


def test_plan_ab_refuses_a_test_the_traffic_cannot_power():
    with pytest.raises(
        ValueError, match="max_days must cover .* min_effect 0.002 .* no power for this effect"
    ):
        deploy.plan_ab(0.10, 0.002, daily_users=2000, max_days=60)
    with pytest.raises(ValueError, match="daily_users must be an int >= 2"):
        deploy.plan_ab(0.10, 0.01, daily_users=0)


def test_simulate_ab_rejects_an_unknown_rule():
    with pytest.raises(ValueError, match="rule must be one of"):
        deploy.simulate_ab(10, baseline=0.1, daily_users=100, days=5, rule="bayes")


def test_requests_to_tell_needs_a_breach():
    with pytest.raises(ValueError, match="true_share must be > allowed"):
        deploy.requests_to_tell(0.005, 0.01)


def test_slice_report_names_a_missing_column():
    frame = pd.DataFrame({"target": [0, 1], "prediction": [0, 1]})
    with pytest.raises(ValueError, match="by must be a column of frame, got 'region'"):
        deploy.slice_report(frame, by="region")
    with pytest.raises(ValueError, match="min_rows must be an int >= 1"):
        deploy.slice_report(frame.assign(region="a"), by="region", min_rows=0)


def test_shadow_compare_checks_its_arguments():
    data = LoanWorld().sample(300, rng=0)
    model = make_pipeline_for(data).fit(data, data["target"])
    with pytest.raises(ValueError, match="by must be a column of frame, got 'segment'"):
        deploy.shadow_compare(data, model, model, by="segment")
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\)"):
        deploy.shadow_compare(data, model, model, threshold=1.0)
    with pytest.raises(TypeError, match="frame must be a non-empty DataFrame"):
        deploy.shadow_compare(data.iloc[:0], model, model)


# --------------------------------------------------------------------------- behaviour
def test_shadow_compare_finds_the_slice_where_models_disagree():
    data = LoanWorld().sample(2000, rng=1)
    model = make_pipeline_for(data).fit(data, data["target"])

    class Flipped:  # declines every broker the model approves, and vice versa
        def predict_proba(self, frame):
            p = model.predict_proba(frame)
            broker = frame["channel"].eq("broker").to_numpy()
            p[broker] = p[broker][:, ::-1]
            return p

    table = deploy.shadow_compare(data, model, Flipped(), by="channel", target="target")
    assert table.loc["broker", "agreement"] == 0.0
    assert table.loc["online", "agreement"] == 1.0
    assert table.loc["all", "rows"] == 2000
    assert table.loc["online", "current_accuracy"] == table.loc["online", "candidate_accuracy"]
    assert table.loc["broker", "candidate_accuracy"] == pytest.approx(
        1 - table.loc["broker", "current_accuracy"]
    )


def test_shadow_compare_does_not_mutate_its_frame():
    data = LoanWorld().sample(200, rng=2)
    before = data.copy()
    model = make_pipeline_for(data).fit(data, data["target"])
    deploy.shadow_compare(data, model, model, by="region", target="target")
    pd.testing.assert_frame_equal(data, before)


def test_canary_stops_at_the_first_breach_and_reports_every_check_until_then():
    result = deploy.canary(Release(error_rate=0.2), guardrails=GUARDRAILS, rng=0)
    assert result.rolled_back_at == 0.01 and not result.promoted
    assert len(result.checks) == len(GUARDRAILS)
    assert result.checks.loc[result.checks["metric"] == "error_rate", "breached"].all()


def test_canary_p_values_are_exact_binomial_tails():
    result = deploy.canary(Release(), guardrails=GUARDRAILS, rng=5)
    row = result.checks.iloc[3]  # step 2, error_rate
    count = round(row["observed"] * row["requests"])
    assert row["p_value"] == pytest.approx(stats.binom.sf(count - 1, row["requests"], 0.01))


def test_canary_runs_is_seeded():
    first = deploy.canary_runs(Release(error_rate=0.015), guardrails=GUARDRAILS, runs=50, rng=3)
    second = deploy.canary_runs(Release(error_rate=0.015), guardrails=GUARDRAILS, runs=50, rng=3)
    pd.testing.assert_series_equal(first, second)


def test_latency_guardrail_catches_a_slow_release():
    slow = Release(latency_ms=120.0)  # p99 about 383 ms
    assert slow.p99_ms() > 250
    stops = deploy.canary_runs(slow, guardrails=[Guardrail("latency_p99", 250.0)], runs=200, rng=0)
    assert stops.notna().all()


def test_release_tail_matches_its_p99():
    release = Release(latency_ms=50.0, latency_spread=0.7)
    assert release.share_slower_than(release.p99_ms()) == pytest.approx(0.01)


def test_requests_to_tell_gives_the_stated_power_by_simulation():
    n = deploy.requests_to_tell(0.03, 0.01, alpha=0.01, power=0.95)
    rng = np.random.default_rng(0)
    critical = stats.binom.isf(0.01, n, 0.01) + 1
    caught = rng.binomial(n, 0.03, size=20_000) >= critical
    assert caught.mean() >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / 20_000)
    fewer = n // 2
    critical = stats.binom.isf(0.01, fewer, 0.01) + 1
    assert (rng.binomial(fewer, 0.03, size=20_000) >= critical).mean() < 0.9


def test_ab_sample_size_agrees_with_its_power():
    n = deploy.ab_sample_size(0.2, -0.02, alpha=0.05, power=0.9)
    assert deploy.ab_power(n, 0.2, -0.02) == pytest.approx(0.9, abs=0.005)
    assert deploy.ab_power(n // 4, 0.2, -0.02) < 0.5


def test_ab_sample_size_is_close_to_statsmodels_cohens_h_formula():
    # statsmodels' NormalIndPower with Cohen's h: n = 2 ((z_a + z_b) / h)^2 per arm
    h = 2 * np.arcsin(np.sqrt(0.11)) - 2 * np.arcsin(np.sqrt(0.10))
    cohen = 2 * ((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / h) ** 2
    assert deploy.ab_sample_size(0.10, 0.01) == pytest.approx(cohen, rel=0.03)


def test_spending_levels_spend_exactly_alpha_mostly_late():
    levels = deploy.spending_levels(10, alpha=0.05)
    assert levels.sum() == pytest.approx(0.05)
    assert (np.diff(levels) > 0).all()
    assert deploy.spending_levels(1).tolist() == [0.05]


def test_simulate_ab_fixed_horizon_looks_once():
    runs = deploy.simulate_ab(300, baseline=0.1, daily_users=500, days=7, rule="fixed", rng=0)
    assert set(runs["day"]) == {7}
    assert runs.columns.tolist() == ["significant", "day", "lift"]


def test_simulate_ab_a_large_effect_is_found_early():
    runs = deploy.simulate_ab(200, baseline=0.1, effect=0.05, daily_users=2000, days=10,
                              rule="spending", rng=1)  # fmt: skip
    assert runs["significant"].mean() > 0.95
    assert runs["day"].median() < 10
    assert runs["lift"].mean() == pytest.approx(0.05, abs=0.01)


def test_slice_report_flags_only_trusted_slices_below_the_tolerance():
    frame = pd.DataFrame(
        {
            "slice": ["big"] * 400 + ["bad"] * 300 + ["tiny"] * 10,
            "target": 0,
            "prediction": [0] * 400 + [0, 1] * 150 + [1] * 10,
        }
    )
    report = deploy.slice_report(frame, by="slice")
    assert report.index.tolist() == ["all", "big", "bad", "tiny"]
    assert report["failing"].tolist() == [False, False, True, False]
    assert report.loc["bad", "se"] == pytest.approx(np.sqrt(0.25 / 300))
    assert report.loc["tiny", "trusted"] == False  # noqa: E712 - a numpy bool
    assert deploy.slice_report(frame, by="slice", min_rows=5)["failing"]["tiny"]


def test_redraw_segment_changes_only_the_segment():
    frame = LoanWorld().sample(3000, rng=4)
    out = deploy.redraw_segment(frame, column="channel", value="broker",
                                start=frame["timestamp"].iloc[1500], rate_before=1.0,
                                rate_after=0.0, rng=0)  # fmt: skip
    broker = frame["channel"].eq("broker")
    pd.testing.assert_series_equal(out.loc[~broker, "target"], frame.loc[~broker, "target"])
    assert out.loc[broker & (out.index < 1500), "target"].eq(1).all()
    assert out.loc[broker & (out.index >= 1500), "target"].eq(0).all()
    assert "true_proba" in out and frame is not out
    with pytest.raises(ValueError, match=r"rate_after must be in \[0, 1\]"):
        deploy.redraw_segment(frame, column="channel", value="broker", start="2024-01-01",
                              rate_before=0.5, rate_after=2.0)  # fmt: skip


def test_core_module_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, mlsys_helpers.deploy; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
