"""Batch drift tests: is this sample different from that one? Two-sample tests and a per-column table.

Batch tests compare a *reference* sample with a *current* one and return a
:class:`DriftResult`. Two kinds of test live here, and the difference is the lesson of the
chapter on monitoring:

- **hypothesis tests** (``ks``, ``chi2``, ``mmd``, ``domain_classifier``) give a p-value; drift
  means ``p_value < threshold`` (the significance level alpha). With enough data they flag
  differences too small to matter;
- **distances** (``psi``, ``wasserstein``, ``jensen_shannon``) give an effect size and no
  p-value (``p_value`` is NaN); drift means ``statistic >= threshold``.

For every method a larger ``statistic`` means more different. Where scipy has the statistic it is
used as is (``ks_2samp``, ``chi2_contingency``, ``wasserstein_distance``, ``jensenshannon``).

>>> import numpy as np
>>> from mlsys_helpers import detect
>>> rng = np.random.default_rng(0)
>>> detect.ks(rng.normal(size=500), rng.normal(0.5, size=500)).drifted
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

__all__ = [
    "DriftResult",
    "chi2",
    "compare",
    "domain_classifier",
    "jensen_shannon",
    "ks",
    "mmd",
    "psi",
    "wasserstein",
]

METHODS = ("ks", "chi2", "psi", "wasserstein", "jensen_shannon")
MISSING = "<missing>"


@dataclass(frozen=True)
class DriftResult:
    """Outcome of one two-sample test.

    Attributes
    ----------
    method : str
        Name of the test.
    statistic : float
        Test statistic or distance; larger always means more different.
    p_value : float
        P-value of a hypothesis test, NaN for distances.
    threshold : float
        Significance level (hypothesis tests) or distance cut-off (distances).
    drifted : bool
        ``p_value < threshold`` for tests, ``statistic >= threshold`` for distances.

    Examples
    --------
    >>> DriftResult("psi", 0.31, float("nan"), 0.2, True).drifted
    True
    """

    method: str
    statistic: float
    p_value: float
    threshold: float
    drifted: bool


def _test_result(method: str, statistic: float, p_value: float, alpha: float) -> DriftResult:
    return DriftResult(
        method, float(statistic), float(p_value), float(alpha), bool(p_value < alpha)
    )


def _distance_result(method: str, statistic: float, threshold: float) -> DriftResult:
    return DriftResult(
        method, float(statistic), math.nan, float(threshold), bool(statistic >= threshold)
    )


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")


def _numeric(name: str, values) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numeric, got {np.asarray(values).dtype} values like "
            f"{np.asarray(values)[:3]!r}"
        ) from None
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    if x.size < 2:
        raise ValueError(f"{name} must hold at least 2 values, got {x.size}")
    if np.isnan(x).any():
        raise ValueError(
            f"{name} must not contain missing values (drop or impute them: compare() does this "
            f"and reports the missing rates), got {int(np.isnan(x).sum())} NaN"
        )
    return x


def _labels(name: str, values) -> pd.Series:
    if isinstance(values, pd.Series):
        x = values
    else:
        x = pd.Series(np.asarray(values, dtype=object).ravel(), dtype=object)
    if x.size == 0:
        raise ValueError(f"{name} must not be empty, got 0 values")
    return x


def ks(reference, current, *, alpha: float = 0.05) -> DriftResult:
    """Two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``, two-sided, method "auto").

    Parameters
    ----------
    reference, current : array-like of float
        The two samples (no missing values).
    alpha : float
        Significance level.

    Returns
    -------
    DriftResult
        ``statistic`` is the largest distance between the two empirical CDFs.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> r = ks(rng.normal(size=300), rng.normal(size=300))
    >>> r.method, r.drifted
    ('ks', False)
    """
    _check_alpha(alpha)
    res = stats.ks_2samp(_numeric("reference", reference), _numeric("current", current))
    return _test_result("ks", res.statistic, res.pvalue, alpha)


def _split_counts(values: pd.Series) -> tuple[pd.Series, float]:
    counts = values.value_counts(dropna=False, sort=False)
    na = np.asarray(counts.index.isna(), dtype=bool)
    return counts[~na], float(counts[na].sum())


def _counts(reference, current) -> tuple[list, np.ndarray, np.ndarray]:
    """Categories (missing values last, as ``"<missing>"``) and their counts in both samples."""
    (ref, ref_na), (cur, cur_na) = (
        _split_counts(_labels("reference", reference)),
        _split_counts(_labels("current", current)),
    )
    table = pd.concat([ref, cur], axis=1).fillna(0)
    counts = table.to_numpy(dtype=float).T
    seen = counts.sum(axis=0) > 0  # pandas categoricals also list unused categories
    categories = list(table.index[seen])
    counts = counts[:, seen]
    if ref_na or cur_na:
        categories.append(MISSING)
        counts = np.column_stack([counts, [ref_na, cur_na]])
    return categories, counts[0], counts[1]


def chi2(reference, current, *, alpha: float = 0.05) -> DriftResult:
    """Pearson chi-square test of homogeneity on a 2 x K table of category counts.

    Uses ``scipy.stats.chi2_contingency(table, correction=False)``: the plain Pearson statistic,
    without Yates' continuity correction (scipy applies it by default when K = 2). Categories are
    the distinct values of both samples (compared by value), so a category seen only in
    ``current`` is counted, not an error; missing values form one category, ``"<missing>"``. With a single category in total
    the samples cannot differ: statistic 0, p-value 1.

    Parameters
    ----------
    reference, current : array-like
        Category labels (any hashable values).
    alpha : float
        Significance level.

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> chi2(["a"] * 50 + ["b"] * 50, ["a"] * 80 + ["b"] * 20).drifted
    True
    """
    _check_alpha(alpha)
    _, r, c = _counts(reference, current)
    return _chi2_from_counts(r, c, alpha)


def _chi2_from_counts(r: np.ndarray, c: np.ndarray, alpha: float) -> DriftResult:
    if r.size < 2:
        return _test_result("chi2", 0.0, 1.0, alpha)
    res = stats.chi2_contingency(np.vstack([r, c]), correction=False)
    return _test_result("chi2", res.statistic, res.pvalue, alpha)


def _psi_from_counts(r, c, threshold: float = 0.2, eps: float = 1e-4) -> DriftResult:
    r, c = np.maximum(r / r.sum(), eps), np.maximum(c / c.sum(), eps)
    return _distance_result("psi", np.sum((c - r) * np.log(c / r)), threshold)


def _js_from_counts(r, c, threshold: float = 0.1) -> DriftResult:
    value = distance.jensenshannon(r / r.sum(), c / c.sum(), base=2)
    return _distance_result("jensen_shannon", value, threshold)


def _from_counts(method: str, r, c, alpha: float) -> DriftResult:
    if method == "chi2":
        return _chi2_from_counts(r, c, alpha)
    return _psi_from_counts(r, c) if method == "psi" else _js_from_counts(r, c)


def _is_numeric(values) -> bool:
    arr = np.asarray(values)
    return arr.dtype.kind in "iuf" and arr.dtype != bool


def _binned(reference, current, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Counts per bin: reference-quantile bins for numbers, categories otherwise."""
    if _is_numeric(reference) and _is_numeric(current):
        ref, cur = _numeric("reference", reference), _numeric("current", current)
        edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
        r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=edges.size + 1)
        c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=edges.size + 1)
    else:
        _, r, c = _counts(reference, current)
    return r, c


def _check_bins(bins: int) -> None:
    if int(bins) != bins or bins < 2:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")


def psi(
    reference, current, *, bins: int = 10, threshold: float = 0.2, eps: float = 1e-4
) -> DriftResult:
    """Population Stability Index, ``sum((c - r) * ln(c / r))`` over bins.

    Numeric data: ``bins`` bins with inner edges at the reference quantiles (equal-frequency
    bins; duplicate edges merged), outer bins open to +-inf so every current value lands in a
    bin; a value equal to an edge goes to the bin on its right. Other data: one bin per category
    (union of both samples). **Empty bins:** proportions are floored at ``eps`` (default 1e-4)
    before the logarithm, so a bin empty on one side adds a large but finite term. Rules of
    thumb: < 0.1 stable, 0.1-0.2 moderate, >= 0.2 drift (the default threshold). Other tools
    differ in binning (equal-width, 20 bins) and epsilon, so values are not comparable across
    tools.

    Parameters
    ----------
    reference, current : array-like
        The two samples.
    bins : int
        Number of quantile bins for numeric data.
    threshold : float
        Drift when ``statistic >= threshold``.
    eps : float
        Floor for empty-bin proportions.

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(psi(rng.normal(size=5000), rng.normal(1.0, size=5000)).statistic, 1)
    1.0
    """
    _check_bins(bins)
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    return _psi_from_counts(*_binned(reference, current, bins), threshold, eps)


def wasserstein(reference, current, *, normed: bool = True, threshold: float = 0.1) -> DriftResult:
    """Wasserstein-1 (earth mover's) distance, ``scipy.stats.wasserstein_distance``.

    With ``normed=True`` (default, method ``"wasserstein_normed"``) the distance is divided by
    the reference standard deviation (``np.std``, ddof=0), so 0.1 means "the mass moved a tenth
    of a standard deviation on average" whatever the units; a constant reference gives 0 (same)
    or inf (different). ``normed=False`` gives the raw distance in the units of the data
    (method ``"wasserstein"``); choose its threshold yourself.

    Parameters
    ----------
    reference, current : array-like of float
        The two samples.
    normed : bool
        Divide by the reference standard deviation.
    threshold : float
        Drift when ``statistic >= threshold``.

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> wasserstein([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], normed=False).statistic
    1.0
    """
    ref, cur = _numeric("reference", reference), _numeric("current", current)
    dist = stats.wasserstein_distance(ref, cur)
    if not normed:
        return _distance_result("wasserstein", dist, threshold)
    sd = float(np.std(ref))
    value = dist / sd if sd > 0 else (0.0 if dist == 0 else math.inf)
    return _distance_result("wasserstein_normed", value, threshold)


def jensen_shannon(reference, current, *, bins: int = 10, threshold: float = 0.1) -> DriftResult:
    """Jensen-Shannon *distance* (base 2, in [0, 1]): ``scipy.spatial.distance.jensenshannon``.

    Histograms as in :func:`psi` (reference-quantile bins for numbers, categories otherwise);
    no epsilon is needed. Note this is the distance, the square root of the divergence some
    tools report.

    Parameters
    ----------
    reference, current : array-like
        The two samples.
    bins : int
        Number of quantile bins for numeric data.
    threshold : float
        Drift when ``statistic >= threshold`` (0.1 as in evidently).

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> jensen_shannon(["a", "b"], ["c", "d"]).statistic
    1.0
    """
    _check_bins(bins)
    return _js_from_counts(*_binned(reference, current, bins), threshold)


def _matrix(name: str, values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"{name} must be a 2-D array with at least 2 rows, got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError(
            f"{name} must not contain missing values, got {int(np.isnan(x).sum())} NaN"
        )
    return x


def mmd(
    reference,
    current,
    *,
    n_permutations: int = 200,
    bandwidth: float | None = None,
    alpha: float = 0.05,
    max_samples: int = 1000,
    rng=None,
) -> DriftResult:
    """Maximum mean discrepancy with a Gaussian kernel and a permutation p-value.

    Statistic: the unbiased estimate of MMD^2 (Gretton et al. 2012, eq. 3) with
    ``k(a, b) = exp(-|a - b|^2 / (2 bandwidth^2))``. ``bandwidth=None`` uses the median heuristic
    (median distance between distinct pooled points). Columns are standardised by the reference
    mean and std first. Each sample is randomly subsampled to ``max_samples`` rows if larger.
    p-value: ``(1 + #{permuted >= observed}) / (1 + n_permutations)``, the permutations computed
    together from one kernel matrix. Multivariate, so it sees changes in correlation that
    per-column tests cannot.

    Parameters
    ----------
    reference, current : array-like, shape (n, d) or (n,)
        The two samples (numeric; DataFrames are fine).
    n_permutations : int
        Number of label permutations.
    bandwidth : float, optional
        Kernel bandwidth in standardised units.
    alpha : float
        Significance level.
    max_samples : int
        Largest number of rows used from each sample.
    rng : int or numpy.random.Generator, optional
        Randomness for subsampling and permutations.

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(200, 2))
    >>> mmd(a, rng.normal(size=(200, 2)) + [1.0, 0.0], rng=0).drifted
    True
    """
    _check_alpha(alpha)
    if int(n_permutations) != n_permutations or n_permutations < 1:
        raise ValueError(f"n_permutations must be an integer >= 1, got {n_permutations!r}")
    if bandwidth is not None and not bandwidth > 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth!r}")
    rng = np.random.default_rng(rng)
    ref, cur = _matrix("reference", reference), _matrix("current", current)
    if ref.shape[1] != cur.shape[1]:
        raise ValueError(
            f"current must have as many columns as reference ({ref.shape[1]}), got {cur.shape[1]}"
        )
    if ref.shape[0] > max_samples:
        ref = ref[rng.choice(ref.shape[0], max_samples, replace=False)]
    if cur.shape[0] > max_samples:
        cur = cur[rng.choice(cur.shape[0], max_samples, replace=False)]
    sd = ref.std(axis=0)
    pooled = (np.vstack([ref, cur]) - ref.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    d2 = distance.cdist(pooled, pooled, "sqeuclidean")
    if bandwidth is None:
        off = np.sqrt(d2[np.triu_indices_from(d2, k=1)])
        off = off[off > 0]
        bandwidth = float(np.median(off)) if off.size else 1.0
    kernel = np.exp(-d2 / (2.0 * bandwidth**2))
    n, m = ref.shape[0], cur.shape[0]
    groups = np.zeros((n_permutations + 1, n + m))
    groups[0, :n] = 1.0
    groups[1:] = np.argsort(rng.random((n_permutations, n + m)), axis=1) < n
    kg = groups @ kernel
    s_xx = np.sum(kg * groups, axis=1)  # sum over pairs inside the "reference" group
    s_x_all = kg.sum(axis=1)
    total, trace = kernel.sum(), np.trace(kernel)
    s_xy = s_x_all - s_xx
    s_yy = total - s_x_all - s_xy
    # unbiased: drop the diagonal (k(a, a) = 1) from within-group sums
    value = (s_xx - n) / (n * (n - 1)) + (s_yy - (trace - n)) / (m * (m - 1)) - 2.0 * s_xy / (n * m)
    p = (1.0 + np.sum(value[1:] >= value[0])) / (1.0 + n_permutations)
    return _test_result("mmd", value[0], p, alpha)


def domain_classifier(
    reference,
    current,
    *,
    model=None,
    test_size: float = 0.3,
    alpha: float = 0.05,
    rng=None,
) -> DriftResult:
    """Can a classifier tell ``current`` rows from ``reference`` rows? Held-out ROC AUC.

    Rows are labelled 0 (reference) / 1 (current), split into a stratified train and held-out
    part (``test_size``), the model is fitted on the train part and scores the held-out part.
    Statistic: held-out ROC AUC (0.5 = indistinguishable). p-value: one-sided Mann-Whitney U
    test that held-out current scores are larger than reference ones
    (``scipy.stats.mannwhitneyu(..., alternative="greater")``); AUC = U / (n0 n1). Under no drift
    the held-out scores of both groups are exchangeable given the fitted model, so the test is
    valid for any model. DataFrame inputs: non-numeric columns are one-hot encoded (categories
    from both samples), missing numbers are left to the model.

    Parameters
    ----------
    reference, current : DataFrame or array-like, shape (n, d)
        The two samples, same columns.
    model : scikit-learn classifier, optional
        Unfitted classifier with ``predict_proba``; default
        ``HistGradientBoostingClassifier(max_iter=100)`` (handles missing values, interactions).
    test_size : float
        Held-out fraction.
    alpha : float
        Significance level.
    rng : int or numpy.random.Generator, optional
        Randomness for the split and the model.

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> r = domain_classifier(rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + 1.0,
    ...                       model=LogisticRegression(), rng=0)
    >>> r.statistic > 0.7, r.drifted
    (True, True)
    """
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import train_test_split

    _check_alpha(alpha)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    rng = np.random.default_rng(rng)
    seed = int(rng.integers(2**31 - 1))
    ref, cur = pd.DataFrame(reference), pd.DataFrame(current)
    if list(ref.columns) != list(cur.columns):
        raise ValueError(
            f"current must have the columns of reference {list(ref.columns)}, got {list(cur.columns)}"
        )
    pooled = pd.concat([ref, cur], ignore_index=True)
    text = [c for c in pooled.columns if not pd.api.types.is_numeric_dtype(pooled[c])]
    features = pd.get_dummies(pooled, columns=text, dtype=float).to_numpy(dtype=float)
    y = np.r_[np.zeros(len(ref)), np.ones(len(cur))]
    x_train, x_test, y_train, y_test = train_test_split(
        features, y, test_size=test_size, stratify=y, random_state=seed
    )
    if model is None:
        model = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    fitted = clone(model).fit(x_train, y_train)
    scores = fitted.predict_proba(x_test)[:, 1]
    res = stats.mannwhitneyu(scores[y_test == 1], scores[y_test == 0], alternative="greater")
    auc = res.statistic / (np.sum(y_test == 1) * np.sum(y_test == 0))
    return _test_result("domain_classifier", auc, res.pvalue, alpha)


# --------------------------------------------------------------------------- compare


def _is_bool(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    if series.dtype == object:
        values = series.dropna()
        return len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values)
    return False


def _kind(reference: pd.Series, current: pd.Series) -> str:
    if _is_bool(reference) and _is_bool(current):
        return "boolean"
    if all(
        pd.api.types.is_numeric_dtype(s.dtype) and not _is_bool(s) for s in (reference, current)
    ):
        return "numeric"
    return "categorical"


def _n_distinct(values: np.ndarray, *, cap: int) -> int:
    """Number of distinct values, exact up to ``cap`` (more than ``cap`` is reported as cap + 1)."""
    head = np.unique(values[:1000]).size
    if head > cap:
        return cap + 1
    return min(np.unique(values).size, cap + 1)


FAMILIES = ("auto", "test", "distance")


def _auto(kind: str, n_reference: int, n_unique: int, family: str = "auto") -> str:
    use_test = family == "test" or (family == "auto" and n_reference <= 1000)
    if kind == "numeric" and n_unique > 5:
        return "ks" if use_test else "wasserstein"
    return "chi2" if use_test else "jensen_shannon"


def _compare_column(col, ref: pd.Series, cur: pd.Series, chosen: str, alpha: float) -> dict:
    kind = _kind(ref, cur)
    if kind == "numeric":
        r_all = ref.to_numpy(dtype=float, na_value=np.nan)
        c_all = cur.to_numpy(dtype=float, na_value=np.nan)
        r, c = r_all[~np.isnan(r_all)], c_all[~np.isnan(c_all)]
        n_ref, n_cur = r.size, c.size
    else:
        categories, rc, cc = _counts(ref, cur)
        has_missing = categories and categories[-1] == MISSING
        n_ref = len(ref) - (int(rc[-1]) if has_missing else 0)
        n_cur = len(cur) - (int(cc[-1]) if has_missing else 0)
    if n_ref == 0 or n_cur == 0:
        raise ValueError(
            f"reference[{col!r}] and current[{col!r}] must hold non-missing values, "
            f"got none in {'reference' if n_ref == 0 else 'current'}"
        )
    if chosen in FAMILIES:
        chosen = _auto(kind, n_ref, _n_distinct(r, cap=5) if kind == "numeric" else 0, chosen)
    if chosen in ("ks", "wasserstein") and kind != "numeric":
        raise ValueError(
            f"method[{col!r}] must be a test for {kind} columns, got {chosen!r} (numeric only)"
        )
    unseen: list = []
    if chosen == "ks":
        res = ks(r, c, alpha=alpha)
    elif chosen == "wasserstein":
        res = wasserstein(r, c)
    elif chosen == "chi2" or kind != "numeric":
        if kind == "numeric":  # a few distinct numbers, counted as categories
            categories, rc, cc = _counts(ref, cur)
        unseen = [
            str(k)
            for k, a, b in zip(categories, rc, cc, strict=True)
            if a == 0 and b > 0 and k != MISSING
        ]
        res = _from_counts(chosen, rc, cc, alpha)
    else:
        res = psi(r, c) if chosen == "psi" else jensen_shannon(r, c)
    return {
        "column": col,
        "kind": kind,
        "method": res.method,
        "statistic": res.statistic,
        "p_value": res.p_value,
        "threshold": res.threshold,
        "drifted": res.drifted,
        "n_reference": n_ref,
        "n_current": n_cur,
        "missing_reference": float(1 - n_ref / len(ref)),
        "missing_current": float(1 - n_cur / len(cur)),
        "unseen": ", ".join(unseen),
    }


def _adjust(p: np.ndarray, correction: str | None) -> np.ndarray:
    out = p.copy()
    ok = ~np.isnan(p)
    if correction == "bonferroni":
        out[ok] = np.minimum(1.0, p[ok] * ok.sum())
    elif correction == "fdr" and ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def compare(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] = "auto",
    correction: str | None = "bonferroni",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Test every column of ``current`` against ``reference``: one row per column.

    **The auto rule** (as evidently does it; ``n`` = non-missing reference rows):

    - numeric column with more than 5 distinct values: ``ks`` if n <= 1000, otherwise the
      normed ``wasserstein`` distance (threshold 0.1);
    - categorical, boolean, or numeric with at most 5 distinct values: ``chi2`` if n <= 1000,
      otherwise the ``jensen_shannon`` distance (threshold 0.1).

    The switch at 1000 rows is the sample-size lesson: with large samples p-values flag
    differences too small to matter, so an effect size with a fixed threshold is used instead.
    ``method="test"`` always takes the tests (``ks``/``chi2``: p-values, so ``correction``
    applies) and ``method="distance"`` always the distances, whatever the sample size.
    ``method`` may also be one name from ``ks, chi2, psi, wasserstein, jensen_shannon`` for every
    column, or a mapping column -> name (columns not in it use ``auto``).

    Missing values: dropped before tests on numbers (``ks``, ``wasserstein``, binned ``psi`` and
    ``jensen_shannon``) and counted as the category ``"<missing>"`` wherever categories are
    counted (``chi2``, and every test of a non-numeric column), so a jump in missingness flags
    there; their rates are reported either way (``missing_reference``, ``missing_current``).
    Categories (or, under ``chi2``, numbers) present in ``current`` only are listed in
    ``unseen`` and counted by the test, which is usually what flags them.

    Multiple testing: ``correction`` adjusts the p-values of the hypothesis tests across the
    compared columns (``"bonferroni"``, ``"fdr"`` = Benjamini-Hochberg, or None); ``drifted`` uses
    ``p_adjusted < alpha``. Distances have no p-value and are not adjusted.

    Parameters
    ----------
    reference, current : DataFrame
        The two samples; ``current`` must have every compared column.
    columns : sequence of str, optional
        Columns to compare; default all columns of ``reference``.
    method : str or mapping
        ``"auto"``, a method name, or a mapping column -> method name.
    correction : {"bonferroni", "fdr", None}
        Multiple-testing correction.
    alpha : float
        Family-wise (bonferroni) or false-discovery (fdr) level.

    Returns
    -------
    DataFrame
        Columns: ``column, kind, method, statistic, p_value, p_adjusted, threshold, drifted,
        n_reference, n_current, missing_reference, missing_current, unseen``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=500), "city": rng.choice(["a", "b"], 500)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, size=500), "city": rng.choice(["a", "c"], 500)})
    >>> table = compare(ref, cur)
    >>> table[["column", "method", "drifted", "unseen"]]
      column method  drifted unseen
    0      x     ks     True
    1   city   chi2     True      c
    """
    if not isinstance(reference, pd.DataFrame) or not isinstance(current, pd.DataFrame):
        name, bad = (
            ("reference", reference)
            if not isinstance(reference, pd.DataFrame)
            else ("current", current)
        )
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(bad).__name__}")
    _check_alpha(alpha)
    if correction not in ("bonferroni", "fdr", None):
        raise ValueError(f"correction must be 'bonferroni', 'fdr' or None, got {correction!r}")
    columns = list(reference.columns if columns is None else columns)
    missing = [c for c in columns if c not in reference.columns or c not in current.columns]
    if missing:
        raise ValueError(f"columns must be in both reference and current, missing {missing}")
    per_column = dict(method) if isinstance(method, Mapping) else {}
    default = "auto" if isinstance(method, Mapping) else method
    for name in [default, *per_column.values()]:
        if name not in FAMILIES and name not in METHODS:
            raise ValueError(f"method must be one of {FAMILIES + METHODS}, got {name!r}")
    rows = [
        _compare_column(col, reference[col], current[col], per_column.get(col, default), alpha)
        for col in columns
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    p = table["p_value"].to_numpy(float)
    table.insert(5, "p_adjusted", _adjust(p, correction))
    tested = ~np.isnan(p)
    table.loc[tested, "drifted"] = table.loc[tested, "p_adjusted"] < alpha
    table["drifted"] = table["drifted"].astype(bool)
    return table
