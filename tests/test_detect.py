"""Tests for the batch drift tests and compare() (mlsys_helpers/detect.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from mlsys_helpers import detect

ALPHA = 0.05
TRIALS = 200
# false-positive rate bound: alpha + 2 standard errors of a proportion over TRIALS trials
FPR_BOUND = ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / TRIALS)


# --------------------------------------------------------------------------- DriftResult


def test_drift_result_is_frozen():
    r = detect.DriftResult("ks", 0.1, 0.5, 0.05, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.drifted = True


def test_importing_detect_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, mlsys_helpers.detect, mlsys_helpers.monitor; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- agreement with scipy


def test_ks_equals_scipy(rng):
    a, b = rng.normal(size=300), rng.standard_t(3, size=250)
    ours, theirs = detect.ks(a, b), stats.ks_2samp(a, b)
    assert abs(ours.statistic - theirs.statistic) <= 1e-12
    assert abs(ours.p_value - theirs.pvalue) <= 1e-12
    assert ours.drifted == (theirs.pvalue < 0.05)


def test_chi2_equals_scipy_on_the_count_table(rng):
    a = rng.choice(["x", "y", "z"], 400, p=[0.5, 0.3, 0.2])
    b = rng.choice(["x", "y", "z", "w"], 300, p=[0.4, 0.3, 0.2, 0.1])
    table = np.array([[np.sum(a == c) for c in "wxyz"], [np.sum(b == c) for c in "wxyz"]])
    theirs = stats.chi2_contingency(table, correction=False)
    ours = detect.chi2(a, b)
    assert abs(ours.statistic - theirs.statistic) <= 1e-12
    assert abs(ours.p_value - theirs.pvalue) <= 1e-12


def test_chi2_of_a_single_category_is_no_drift():
    r = detect.chi2(["a"] * 10, ["a"] * 5)
    assert (r.statistic, r.p_value, r.drifted) == (0.0, 1.0, False)


def test_chi2_counts_missing_as_a_category():
    r = detect.chi2(["a"] * 50 + ["b"] * 50, ["a"] * 50 + [None] * 50)
    assert r.drifted


def test_wasserstein_equals_scipy_raw_and_normed(rng):
    a, b = rng.normal(2, 3, size=400), rng.normal(2.5, 3, size=300)
    raw = stats.wasserstein_distance(a, b)
    assert abs(detect.wasserstein(a, b, normed=False).statistic - raw) <= 1e-12
    assert abs(detect.wasserstein(a, b).statistic - raw / np.std(a)) <= 1e-12
    assert detect.wasserstein(a, b).method == "wasserstein_normed"


def test_wasserstein_of_constant_reference():
    assert detect.wasserstein([1.0, 1.0], [1.0, 1.0]).statistic == 0.0
    assert detect.wasserstein([1.0, 1.0], [1.0, 2.0]).statistic == np.inf


def reference_quantile_histograms(a, b, bins):
    edges = np.unique(np.quantile(a, np.linspace(0, 1, bins + 1)[1:-1]))
    ha = np.bincount(np.digitize(a, edges), minlength=len(edges) + 1)
    hb = np.bincount(np.digitize(b, edges), minlength=len(edges) + 1)
    return ha / ha.sum(), hb / hb.sum()


def test_jensen_shannon_equals_scipy_on_reference_quantile_bins(rng):
    a, b = rng.normal(size=1000), rng.normal(0.3, 1.2, size=800)
    p, q = reference_quantile_histograms(a, b, 10)
    expected = distance.jensenshannon(p, q, base=2)
    assert abs(detect.jensen_shannon(a, b).statistic - expected) <= 1e-12


def test_psi_equals_the_formula_on_reference_quantile_bins(rng):
    a, b = rng.normal(size=1000), rng.normal(0.5, size=800)
    p, q = reference_quantile_histograms(a, b, 10)
    expected = np.sum((q - p) * np.log(q / p))
    assert abs(detect.psi(a, b).statistic - expected) <= 1e-12


def test_psi_floors_empty_bins_at_eps():
    # reference {a: .5, b: .5}, current {a: .5, c: .5}: b and c are empty on one side
    eps = 1e-4
    expected = 2 * (0.5 - eps) * np.log(0.5 / eps)
    r = detect.psi(["a", "b"] * 50, ["a", "c"] * 50, eps=eps)
    assert abs(r.statistic - expected) <= 1e-12
    assert r.drifted and np.isnan(r.p_value)


def test_psi_of_identical_samples_is_zero(rng):
    a = rng.normal(size=500)
    assert detect.psi(a, a).statistic == 0.0
    assert detect.jensen_shannon(a, a).statistic == 0.0


def naive_unbiased_mmd2(x, y, bandwidth):
    def k(a, b):
        return np.exp(-np.sum((a - b) ** 2) / (2 * bandwidth**2))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def test_mmd_statistic_equals_the_naive_unbiased_estimate(rng):
    x, y = rng.normal(size=(25, 2)), rng.normal(0.5, size=(20, 2))
    ours = detect.mmd(x, y, bandwidth=1.3, n_permutations=10, rng=0)
    z = (np.vstack([x, y]) - x.mean(0)) / x.std(0)  # mmd standardises by the reference
    expected = naive_unbiased_mmd2(z[:25], z[25:], 1.3)
    assert abs(ours.statistic - expected) <= 1e-12


def test_mmd_median_heuristic_uses_the_median_pairwise_distance(rng):
    from scipy.spatial.distance import pdist

    x, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    z = (np.vstack([x, y]) - x.mean(0)) / x.std(0)
    bandwidth = np.median(pdist(z))
    auto = detect.mmd(x, y, n_permutations=5, rng=1)
    explicit = detect.mmd(x, y, bandwidth=bandwidth, n_permutations=5, rng=1)
    assert abs(auto.statistic - explicit.statistic) <= 1e-12


def test_mmd_p_value_is_a_permutation_p_value(rng):
    x, y = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    r = detect.mmd(x, y, n_permutations=19, rng=2)
    assert r.p_value * 20 == pytest.approx(round(r.p_value * 20))
    assert 1 / 20 <= r.p_value <= 1


def test_domain_classifier_auc_is_mann_whitney_scaled(rng):
    x = pd.DataFrame({"a": rng.normal(size=300), "city": rng.choice(["p", "q"], 300)})
    y = pd.DataFrame({"a": rng.normal(1.5, size=300), "city": rng.choice(["p", "q"], 300)})
    r = detect.domain_classifier(x, y, model=LogisticRegression(), rng=3)
    assert 0.75 < r.statistic <= 1 and r.p_value < 1e-6 and r.drifted


# --------------------------------------------------------------------------- false-positive rates


def test_ks_with_bonferroni_keeps_family_wise_false_positives_at_alpha():
    rng = np.random.default_rng(10)
    flagged = 0
    for _ in range(TRIALS):
        ref = pd.DataFrame(rng.normal(size=(100, 4)), columns=list("abcd"))
        cur = pd.DataFrame(rng.normal(size=(100, 4)), columns=list("abcd"))
        flagged += detect.compare(ref, cur, method="ks")["drifted"].any()
    assert flagged / TRIALS <= FPR_BOUND


def test_chi2_false_positive_rate_is_at_most_alpha():
    rng = np.random.default_rng(11)
    p = [0.5, 0.3, 0.15, 0.05]
    hits = [
        detect.chi2(rng.choice(4, 200, p=p), rng.choice(4, 200, p=p)).drifted for _ in range(TRIALS)
    ]
    assert np.mean(hits) <= FPR_BOUND


def test_mmd_false_positive_rate_is_at_most_alpha():
    rng = np.random.default_rng(12)
    hits = [
        detect.mmd(
            rng.normal(size=(40, 2)), rng.normal(size=(40, 2)), n_permutations=99, rng=rng
        ).drifted
        for _ in range(TRIALS)
    ]
    assert np.mean(hits) <= FPR_BOUND


def test_domain_classifier_false_positive_rate_is_at_most_alpha():
    # a fast model (Gaussian naive Bayes) keeps 200 trials cheap; the test is valid for any
    # model (see docstring)
    rng = np.random.default_rng(13)
    hits = [
        detect.domain_classifier(
            rng.normal(size=(80, 3)), rng.normal(size=(80, 3)), model=GaussianNB(), rng=rng
        ).drifted
        for _ in range(TRIALS)
    ]
    assert np.mean(hits) <= FPR_BOUND


# --------------------------------------------------------------------------- power and lessons


def rejection_rate(n, shift, rng, trials=TRIALS):
    a = rng.normal(size=(trials, n))
    b = rng.normal(shift, size=(trials, n))
    return np.mean(stats.ks_2samp(a, b, axis=1).pvalue < ALPHA)


def test_ks_power_grows_with_sample_size():
    rng = np.random.default_rng(14)
    rates = [rejection_rate(n, 0.3, rng) for n in (20, 80, 320)]
    # expected about 0.15, 0.45, 0.95; steps are many standard errors (<= 0.035) apart
    assert rates[0] + 0.1 < rates[1] and rates[1] + 0.1 < rates[2]
    assert [detect.ks(*rng.normal([[0], [0.3]], size=(2, 320))).drifted for _ in range(20)].count(
        True
    ) >= 15


def test_ks_power_grows_with_shift_magnitude():
    rng = np.random.default_rng(15)
    rates = [rejection_rate(100, s, rng) for s in (0.1, 0.3, 0.6)]
    assert rates[0] + 0.1 < rates[1] and rates[1] + 0.1 < rates[2]


def test_mmd_sees_a_correlation_shift_that_per_feature_ks_misses():
    # marginals stay N(0, 1); only the correlation changes from 0 to 0.9
    rng = np.random.default_rng(16)
    cov = [[1.0, 0.9], [0.9, 1.0]]
    mmd_hits, ks_hits = 0, 0
    trials = 30
    for _ in range(trials):
        ref = rng.normal(size=(300, 2))
        cur = rng.multivariate_normal([0, 0], cov, size=300)
        mmd_hits += detect.mmd(ref, cur, n_permutations=99, rng=rng).drifted
        frame = detect.compare(pd.DataFrame(ref), pd.DataFrame(cur), method="ks")
        ks_hits += frame["drifted"].any()
    # MMD power is near 1, KS rejects at its false-positive rate (~5%)
    assert mmd_hits >= 0.9 * trials
    assert ks_hits <= 0.2 * trials


def test_tiny_shift_at_large_n_fools_ks_but_not_effect_sizes():
    # a 0.03-sd shift is irrelevant in practice; KS flags it at n = 200,000, the normed
    # Wasserstein distance (~0.03) and PSI (~0.001) stay far below their usual thresholds
    rng = np.random.default_rng(17)
    a, b = rng.normal(size=200_000), rng.normal(0.03, size=200_000)
    assert detect.ks(a, b).drifted
    assert detect.wasserstein(a, b).statistic < 0.1
    assert detect.psi(a, b).statistic < 0.1


# --------------------------------------------------------------------------- compare


@pytest.fixture
def frames(rng):
    n = 600
    ref = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n),
            "region": rng.choice(["north", "south"], n),
            "vip": rng.random(n) < 0.2,
            "children": rng.integers(0, 3, n),
        }
    )
    cur = ref.copy()
    cur["income"] = cur["income"] * 1.5
    cur.loc[:49, "region"] = "mars"
    return ref, cur


def test_compare_returns_one_row_per_column_with_documented_columns(frames):
    table = detect.compare(*frames)
    assert table["column"].tolist() == ["income", "region", "vip", "children"]
    assert list(table.columns) == [
        "column", "kind", "method", "statistic", "p_value", "p_adjusted", "threshold",
        "drifted", "n_reference", "n_current", "missing_reference", "missing_current", "unseen",
    ]  # fmt: skip
    assert table["drifted"].dtype == bool


def test_compare_auto_rule_follows_type_and_size(frames, rng):
    ref, cur = frames
    small = detect.compare(ref, cur).set_index("column")
    assert small["kind"].to_dict() == {
        "income": "numeric", "region": "categorical", "vip": "boolean", "children": "numeric"
    }  # fmt: skip
    # <= 5 distinct numbers count as categories
    assert small["method"].to_dict() == {
        "income": "ks", "region": "chi2", "vip": "chi2", "children": "chi2"
    }  # fmt: skip
    big = pd.concat([ref] * 3, ignore_index=True)
    large = detect.compare(big, pd.concat([cur] * 3, ignore_index=True)).set_index("column")
    assert large["method"].to_dict() == {
        "income": "wasserstein_normed",
        "region": "jensen_shannon",
        "vip": "jensen_shannon",
        "children": "jensen_shannon",
    }


def test_compare_reports_unseen_categories(frames):
    table = detect.compare(*frames).set_index("column")
    assert table.loc["region", "unseen"] == "mars"
    assert table.loc["region", "drifted"] and table.loc["income", "drifted"]
    assert not table.loc["vip", "drifted"]


def test_compare_bonferroni_and_fdr_adjust_p_values(frames):
    ref, cur = frames
    raw = detect.compare(ref, cur, correction=None)
    p = raw["p_value"].to_numpy()
    assert np.array_equal(raw["p_adjusted"].to_numpy(), p)
    bonf = detect.compare(ref, cur, correction="bonferroni")
    np.testing.assert_allclose(bonf["p_adjusted"], np.minimum(1, p * len(p)), rtol=0, atol=1e-15)
    fdr = detect.compare(ref, cur, correction="fdr")
    np.testing.assert_allclose(fdr["p_adjusted"], stats.false_discovery_control(p), atol=1e-15)
    assert (bonf["drifted"] == (bonf["p_adjusted"] < 0.05)).all()


def test_compare_handles_missing_values(frames):
    ref, cur = frames
    cur = cur.copy()
    cur.loc[:99, "income"] = np.nan
    cur.loc[:59, "region"] = None
    table = detect.compare(ref, cur).set_index("column")
    assert table.loc["income", "missing_current"] == pytest.approx(100 / 600)
    assert table.loc["income", "n_current"] == 500
    assert table.loc["region", "missing_current"] == pytest.approx(60 / 600)


def test_compare_accepts_a_method_per_column(frames):
    table = detect.compare(*frames, method={"income": "psi"}).set_index("column")
    assert table.loc["income", "method"] == "psi" and np.isnan(table.loc["income", "p_value"])
    assert table.loc["region", "method"] == "chi2"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "t-test"}, ValueError, "method"),
        ({"correction": "holm"}, ValueError, "correction"),
        ({"columns": ["nope"]}, ValueError, "nope"),
        ({"alpha": 2}, ValueError, "alpha"),
        ({"method": {"region": "ks"}}, ValueError, "numeric"),
    ],
)
def test_compare_rejects_bad_arguments(frames, kwargs, error, match):
    with pytest.raises(error, match=match):
        detect.compare(*frames, **kwargs)


def test_batch_tests_reject_missing_values_and_bad_arguments():
    with pytest.raises(ValueError, match="missing"):
        detect.ks([1.0, np.nan, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="bins"):
        detect.psi([1.0, 2.0], [1.0, 2.0], bins=1)
    with pytest.raises(ValueError, match="columns"):
        detect.mmd(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(TypeError, match="reference must be a pandas DataFrame, got list"):
        detect.compare([1, 2], [1, 2])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
    missing=st.floats(0, 0.5),
)
def test_compare_never_crashes_nor_mutates(n, seed, missing):
    rng = np.random.default_rng(seed)

    def frame(m):
        f = pd.DataFrame(
            {
                "x": rng.normal(size=m),
                "c": rng.choice(["a", "b", "c"], m),
                "b": rng.random(m) < 0.5,
            }
        )
        f.loc[rng.random(m) < missing, "x"] = np.nan
        f.loc[0, "x"] = 0.0  # at least one value
        f.loc[1 % m, "x"] = 1.0
        return f

    ref, cur = frame(n), frame(n + 3)
    ref_copy, cur_copy = ref.copy(), cur.copy()
    table = detect.compare(ref, cur, correction="fdr")
    pd.testing.assert_frame_equal(ref, ref_copy)
    pd.testing.assert_frame_equal(cur, cur_copy)
    assert len(table) == 3
    assert table["drifted"].dtype == bool


def test_compare_handles_pandas_categorical_and_nullable_dtypes():
    ref = pd.DataFrame(
        {
            "c": pd.Categorical(["a", "b"] * 50, categories=["a", "b", "unused"]),
            "i": pd.array([1, 2, None, 4] * 25, dtype="Int64"),
            "b": pd.array([True, False, None, True] * 25, dtype="boolean"),
        }
    )
    cur = pd.DataFrame(
        {
            "c": pd.Categorical(["a", "new"] * 50),
            "i": pd.array([1, 2, 3, 4] * 25, dtype="Int64"),
            "b": pd.array([True, False, None, True] * 25, dtype="boolean"),
        }
    )
    table = detect.compare(ref, cur).set_index("column")
    assert table["kind"].tolist() == ["categorical", "numeric", "boolean"]
    assert table.loc["c", "unseen"] == "new" and table.loc["c", "drifted"]
    assert table.loc["i", "missing_reference"] == 0.25 and table.loc["i", "unseen"] == "3"
    assert not table.loc["b", "drifted"] and table.loc["b", "p_value"] == 1.0
