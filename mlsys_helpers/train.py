"""Offline training done right: honest splits, one pipeline from training to serving, rule baselines.

Three ideas live here:

* **Splits.** :func:`time_split` trains on the past and tests on the future, as production does.
  :func:`random_split` exists to *show leakage*: on time-ordered data it mixes future rows into
  training and reports an optimistic score.
* **One pipeline.** :func:`make_pipeline_for` builds a scikit-learn pipeline (imputation, scaling,
  one-hot encoding that ignores unseen categories, then a model) so the exact preprocessing used
  in training travels with the model into serving.
* **Rule baselines.** :class:`RuleClassifier` and :class:`RuleRegressor` are one-threshold rules a
  domain expert would write ("decline if debt_ratio > 0.45"). ``fit`` does at most a threshold
  search. :func:`learning_curve` asks how much data a model needs to beat the rule.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

__all__ = [
    "TRUTH_COLUMNS",
    "RuleClassifier",
    "RuleRegressor",
    "feature_columns",
    "infer_task",
    "learning_curve",
    "make_pipeline_for",
    "random_split",
    "score",
    "time_split",
]

#: Ground-truth columns written by the synthetic worlds; never features (same as ``world.TRUTH_COLUMNS``).
TRUTH_COLUMNS = ("drift_weight", "true_proba", "true_mean")


# --------------------------------------------------------------------------------------- splits
def _check_frame(frame: object, name: str = "frame") -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    return frame


def _n_test(n: int, test_size: float) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be a float in (0, 1) or an int, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        if not 0 < test_size < n:
            raise ValueError(f"test_size must be between 1 and {n - 1} rows, got {test_size}")
        return int(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    n_test = round(n * test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size must leave rows in train and test ({n} rows), got {test_size}")
    return n_test


def time_split(
    frame: pd.DataFrame,
    *,
    test_size: float = 0.25,
    cutoff: object = None,
    time_column: str = "timestamp",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a frame into past (train) and future (test) by time.

    Rows are ordered by ``time_column`` (stable sort, so ties keep their order). With ``cutoff``
    the test set is every row at or after the cutoff; otherwise it is the last ``test_size`` rows
    (a fraction in (0, 1) or a row count).

    Parameters
    ----------
    frame : DataFrame
        Data with a time column.
    test_size : float or int, default 0.25
        Fraction (or number) of the latest rows used as test set; ignored when ``cutoff`` is given.
    cutoff : timestamp-like, optional
        First timestamp of the test period.
    time_column : str, default "timestamp"

    Returns
    -------
    train, test : DataFrame
        New frames (the input is not modified), each in time order.

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=4, freq="D"),
    ...                       "x": [1, 2, 3, 4]})
    >>> train, test = time_split(frame, test_size=0.25)
    >>> train["x"].tolist(), test["x"].tolist()
    ([1, 2, 3], [4])
    >>> train, test = time_split(frame, cutoff="2024-01-03")
    >>> len(train), len(test)
    (2, 2)
    """
    _check_frame(frame)
    if time_column not in frame.columns:
        raise ValueError(f"time_column must be a column of frame, got {time_column!r}")
    ordered = frame.sort_values(time_column, kind="stable")
    if cutoff is not None:
        is_test = (ordered[time_column] >= pd.Timestamp(cutoff)).to_numpy()
        if is_test.all() or not is_test.any():
            raise ValueError(
                f"cutoff must leave rows on both sides, got {cutoff!r}: train or test is empty"
            )
        return ordered[~is_test].copy(), ordered[is_test].copy()
    n_test = _n_test(len(ordered), test_size)
    return ordered.iloc[: len(ordered) - n_test].copy(), ordered.iloc[
        len(ordered) - n_test :
    ].copy()


def random_split(
    frame: pd.DataFrame, *, test_size: float = 0.25, rng: object = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows at random, ignoring time. On time-ordered data this leaks the future.

    Use it to *show* leakage: trained on a random split, a model sees rows from after the
    period it is tested on, so its test score is optimistic compared with :func:`time_split`.

    Parameters
    ----------
    frame : DataFrame
    test_size : float or int, default 0.25
        Fraction in (0, 1) or number of rows in the test set.
    rng : None, int or numpy Generator

    Returns
    -------
    train, test : DataFrame
        New frames in their original row order.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(8)})
    >>> train, test = random_split(frame, test_size=0.25, rng=0)
    >>> len(train), len(test), sorted(train["x"].tolist() + test["x"].tolist()) == list(range(8))
    (6, 2, True)
    """
    _check_frame(frame)
    rng = np.random.default_rng(rng)
    n_test = _n_test(len(frame), test_size)
    is_test = np.zeros(len(frame), dtype=bool)
    is_test[rng.choice(len(frame), size=n_test, replace=False)] = True
    return frame[~is_test].copy(), frame[is_test].copy()


# ------------------------------------------------------------------------------------- pipeline
def infer_task(y: object) -> str:
    """Guess the task from a target: ``"regression"`` for float targets, else ``"classification"``.

    Examples
    --------
    >>> infer_task(pd.Series([0, 1, 1])), infer_task(pd.Series([0.5, 2.0]))
    ('classification', 'regression')
    """
    values = pd.Series(y) if not isinstance(y, pd.Series) else y
    if pd.api.types.is_float_dtype(values.dtype):
        return "regression"
    return "classification"


def feature_columns(
    frame: pd.DataFrame, target: str | None = None, *, time_column: str = "timestamp"
) -> tuple[list[str], list[str]]:
    """Split a frame's usable feature columns into numeric and categorical.

    Excluded: the target, ``time_column``, the worlds' truth columns (:data:`TRUTH_COLUMNS`) and
    datetime columns. Booleans count as numeric; strings, objects and categories as categorical.

    Returns
    -------
    numeric, categorical : list of str

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.date_range("2024", periods=2), "a": [1.0, 2.0],
    ...                       "c": ["x", "y"], "true_proba": [0.1, 0.2], "target": [0, 1]})
    >>> feature_columns(frame, "target")
    (['a'], ['c'])
    """
    _check_frame(frame)
    skip = {target, time_column, *TRUTH_COLUMNS}
    numeric, categorical = [], []
    for name in frame.columns:
        if name in skip:
            continue
        dtype = frame[name].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
            continue
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            numeric.append(name)
        else:
            categorical.append(name)
    return numeric, categorical


def make_pipeline_for(
    frame: pd.DataFrame,
    target: str = "target",
    *,
    model: object = None,
    features: object = None,
    task: str | None = None,
) -> Pipeline:
    """Build an (unfitted) preprocessing + model pipeline for a frame.

    Numeric columns: median imputation then standard scaling. Categorical columns: missing values
    become the category ``"missing"``, then one-hot encoding with ``handle_unknown="ignore"``
    (an unseen category at serving time encodes as all zeros instead of raising). Columns not in
    the feature list (the target, ``timestamp``, the truth columns ``drift_weight``,
    ``true_proba``, ``true_mean``, anything extra) are dropped, so you can fit on the whole frame:
    ``pipe.fit(train, train[target])``.

    Parameters
    ----------
    frame : DataFrame
        Used only to find columns and their types (nothing is learned from it here).
    target : str, default "target"
    model : estimator, optional
        Final step. Default ``LogisticRegression(max_iter=1000)`` for classification and
        ``Ridge()`` for regression.
    features : sequence of str, optional
        Feature columns to use; default every column except those listed above.
    task : {"classification", "regression"}, optional
        Default inferred from the target's dtype (float means regression).

    Returns
    -------
    Pipeline
        Steps ``"prepare"`` (a ColumnTransformer) and ``"model"``.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.0, 1.0, np.nan, 3.0], "c": ["a", "b", "a", None],
    ...                       "target": [0, 1, 0, 1]})
    >>> pipe = make_pipeline_for(frame, "target").fit(frame, frame["target"])
    >>> pipe.predict(pd.DataFrame({"x": [2.5], "c": ["never seen"]})).tolist()
    [1]
    """
    _check_frame(frame)
    if target not in frame.columns:
        raise ValueError(f"target must be a column of frame, got {target!r}")
    if task is None:
        task = infer_task(frame[target])
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    numeric, categorical = feature_columns(frame, target)
    if features is not None:
        if isinstance(features, str):
            raise TypeError(f"features must be a sequence of column names, got str {features!r}")
        features = list(features)
        missing = [name for name in features if name not in frame.columns]
        if missing:
            raise ValueError(f"features must be columns of frame, missing {missing}")
        if target in features:
            raise ValueError(f"features must not include the target, got {target!r} among them")
        numeric = [name for name in features if name in numeric]
        categorical = [name for name in features if name not in numeric]
    if not numeric and not categorical:
        raise ValueError(
            "frame must have feature columns besides the target, time and truth columns, got "
            f"{list(frame.columns)}"
        )
    if model is None:
        model = LogisticRegression(max_iter=1000) if task == "classification" else Ridge()
    elif not hasattr(model, "fit"):
        raise TypeError(f"model must be a scikit-learn estimator, got {type(model).__name__}")
    numeric_steps = Pipeline(
        [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
    )
    categorical_steps = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            ("encode", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    prepare = ColumnTransformer(
        [("numeric", numeric_steps, numeric), ("categorical", categorical_steps, categorical)],
        remainder="drop",
    )
    return Pipeline([("prepare", prepare), ("model", model)])


# ---------------------------------------------------------------------------- rule baselines
def _feature_index(feature: object, estimator: BaseEstimator) -> int | None:
    """Resolve ``feature`` (None, int index or column name) after ``validate_data``."""
    if feature is None:
        return None
    n = estimator.n_features_in_
    if isinstance(feature, str):
        names = list(getattr(estimator, "feature_names_in_", []))
        if feature not in names:
            raise ValueError(f"feature must be a column of X {names}, got {feature!r}")
        return names.index(feature)
    if isinstance(feature, numbers.Integral) and not isinstance(feature, bool):
        if not 0 <= feature < n:
            raise ValueError(f"feature must be an index in [0, {n}), got {feature}")
        return int(feature)
    raise TypeError(f"feature must be None, a column name or an int index, got {feature!r}")


def _stump_search(x: np.ndarray, stats: np.ndarray, loss) -> tuple[float, float]:
    """Best threshold on one column: returns (loss, threshold) with rule ``x > threshold``.

    ``stats`` is (n, k) per-row statistics whose cumulative sums ``loss(left, right)`` scores.
    NaN rows are ignored. Candidates are midpoints between consecutive distinct values.
    """
    ok = ~np.isnan(x)
    x, stats = x[ok], stats[ok]
    if len(x) < 2:
        return np.inf, np.nan
    order = np.argsort(x, kind="stable")
    xs, cum = x[order], np.cumsum(stats[order], axis=0)
    cut = np.flatnonzero(xs[1:] > xs[:-1])  # split after position i
    if len(cut) == 0:
        return np.inf, np.nan
    left, right = cum[cut], cum[-1] - cum[cut]
    losses = loss(left, right)
    best = int(np.argmin(losses))
    i = cut[best]
    return float(losses[best]), float((xs[i] + xs[i + 1]) / 2)


def _column_name(estimator: BaseEstimator) -> str:
    names = getattr(estimator, "feature_names_in_", None)
    return (
        str(names[estimator.feature_index_])
        if names is not None
        else f"x[{estimator.feature_index_}]"
    )


class _RuleMixin:
    """Shared fit logic of the two rule baselines: choose a column and a threshold."""

    def _fit_rule(self, X: np.ndarray, stats: np.ndarray, loss) -> None:
        index = _feature_index(self.feature, self)
        if self.threshold is not None:
            if not isinstance(self.threshold, numbers.Real) or not np.isfinite(self.threshold):
                raise ValueError(
                    f"threshold must be a finite number or None, got {self.threshold!r}"
                )
            if index is None:
                raise ValueError(
                    "feature must be a column name or index when threshold is fixed, got None"
                )
            self.feature_index_, self.threshold_ = index, float(self.threshold)
            return
        candidates = range(X.shape[1]) if index is None else [index]
        best = (np.inf, np.nan, 0)
        for j in candidates:
            value, cut = _stump_search(X[:, j], stats, loss)
            if value < best[0]:
                best = (value, cut, j)
        if np.isnan(best[1]):  # no column has two distinct values: a constant rule
            j = 0 if index is None else index
            column = X[:, j][~np.isnan(X[:, j])]
            best = (np.inf, float(column.max()) if len(column) else 0.0, j)
        self.feature_index_, self.threshold_ = best[2], best[1]

    def _sides(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        column = X[:, self.feature_index_]
        missing = np.isnan(column)
        high = np.zeros(len(column), dtype=bool)
        high[~missing] = column[~missing] > self.threshold_
        return high, missing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        # One threshold cannot reach scikit-learn's "reasonable score" bar (accuracy 0.83 on
        # three blobs, R^2 0.5 on a linear problem): that is what a baseline is.
        if tags.classifier_tags is not None:
            tags.classifier_tags.poor_score = True
        if tags.regressor_tags is not None:
            tags.regressor_tags.poor_score = True
        return tags


class RuleClassifier(_RuleMixin, ClassifierMixin, BaseEstimator):
    """A one-threshold rule: ``if column > threshold: class A else class B``.

    The baseline a domain expert writes. With ``threshold`` given, ``fit`` only learns which
    class each side gets (its majority class); with ``threshold=None`` it searches the midpoints
    between distinct values for the accuracy-maximising cut (on ``feature``, or on every column
    when ``feature`` is None): a decision stump. Rows where the column is missing get the
    majority class of the training data. ``X`` must be numeric (pass the numeric columns).

    Parameters
    ----------
    feature : str, int or None, default None
        Column name (with DataFrame input) or index; None searches every column.
    threshold : float or None, default None
        Fixed cut; None searches for it.

    Attributes
    ----------
    classes_ : ndarray
    feature_index_ : int
    threshold_ : float
    rule_ : str
        The rule in words.

    Examples
    --------
    >>> X = pd.DataFrame({"debt_ratio": [0.1, 0.2, 0.5, 0.7], "income": [50, 60, 40, 30]})
    >>> rule = RuleClassifier(feature="debt_ratio").fit(X, [0, 0, 1, 1])
    >>> rule.rule_
    'if debt_ratio > 0.35: 1 else 0 (missing: 0)'
    >>> rule.predict(pd.DataFrame({"debt_ratio": [0.9, np.nan], "income": [10, 10]})).tolist()
    [1, 0]
    """

    def __init__(self, feature: str | int | None = None, threshold: float | None = None):
        self.feature = feature
        self.threshold = threshold

    def fit(self, X, y):
        """Learn the threshold (if not fixed) and the class of each side. Returns self."""
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        onehot = np.eye(len(self.classes_))[codes]

        def errors(left: np.ndarray, right: np.ndarray) -> np.ndarray:
            return left.sum(1) - left.max(1) + right.sum(1) - right.max(1)

        self._fit_rule(X, onehot, errors)
        high, missing = self._sides(X)
        prior = onehot.mean(0)
        # Leaf class frequencies, shrunk towards the overall frequencies (one pseudo-row).
        self.proba_high_ = (onehot[high].sum(0) + prior) / (high.sum() + 1)
        self.proba_low_ = (onehot[~high & ~missing].sum(0) + prior) / ((~high & ~missing).sum() + 1)
        self.proba_missing_ = prior
        name, c = _column_name(self), self.classes_
        self.rule_ = (
            f"if {name} > {self.threshold_:.4g}: {c[np.argmax(self.proba_high_)]} "
            f"else {c[np.argmax(self.proba_low_)]} (missing: {c[np.argmax(prior)]})"
        )
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class frequencies of the training rows on the same side of the threshold."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        high, missing = self._sides(X)
        proba = np.where(high[:, None], self.proba_high_, self.proba_low_)
        proba[missing] = self.proba_missing_
        return proba

    def predict(self, X) -> np.ndarray:
        """The class the rule assigns to each row."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class RuleRegressor(_RuleMixin, RegressorMixin, BaseEstimator):
    """A one-threshold rule: ``if column > threshold: mean A else mean B``.

    With ``threshold=None``, ``fit`` searches the cut that minimises the squared error (a
    regression stump); otherwise it only learns the mean target on each side. Rows where the
    column is missing get the overall training mean.

    Parameters
    ----------
    feature : str, int or None, default None
        Column name (with DataFrame input) or index; None searches every column.
    threshold : float or None, default None

    Attributes
    ----------
    feature_index_ : int
    threshold_ : float
    value_high_, value_low_, value_missing_ : float
    rule_ : str

    Examples
    --------
    >>> X = pd.DataFrame({"temperature": [2.0, 5.0, 20.0, 25.0]})
    >>> rule = RuleRegressor().fit(X, [10.0, 12.0, 40.0, 44.0])
    >>> rule.rule_
    'if temperature > 12.5: 42 else 11 (missing: 26.5)'
    >>> rule.predict(pd.DataFrame({"temperature": [30.0]})).tolist()
    [42.0]
    """

    def __init__(self, feature: str | int | None = None, threshold: float | None = None):
        self.feature = feature
        self.threshold = threshold

    def fit(self, X, y):
        """Learn the threshold (if not fixed) and the mean target of each side. Returns self."""
        X, y = validate_data(
            self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=True
        )
        stats = np.column_stack([np.ones_like(y), y, y * y])

        def sse(left: np.ndarray, right: np.ndarray) -> np.ndarray:
            return sum(s[:, 2] - s[:, 1] ** 2 / s[:, 0] for s in (left, right))

        self._fit_rule(X, stats, sse)
        high, missing = self._sides(X)
        low = ~high & ~missing
        self.value_missing_ = float(y.mean())
        self.value_high_ = float(y[high].mean()) if high.any() else self.value_missing_
        self.value_low_ = float(y[low].mean()) if low.any() else self.value_missing_
        self.rule_ = (
            f"if {_column_name(self)} > {self.threshold_:.4g}: {self.value_high_:.4g} "
            f"else {self.value_low_:.4g} (missing: {self.value_missing_:.4g})"
        )
        return self

    def predict(self, X) -> np.ndarray:
        """The value the rule assigns to each row."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        high, missing = self._sides(X)
        out = np.where(high, self.value_high_, self.value_low_)
        out[missing] = self.value_missing_
        return out


# ---------------------------------------------------------------------------- learning curve
def score(y_true: object, y_pred: object, *, task: str) -> float:
    """Accuracy for classification, mean absolute error for regression.

    Examples
    --------
    >>> score([0, 1, 1], [0, 1, 0], task="classification")
    0.666...
    >>> score([1.0, 2.0], [1.5, 2.0], task="regression")
    0.25
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if task == "classification":
        return float(np.mean(y_true == y_pred))
    if task == "regression":
        return float(np.mean(np.abs(y_true.astype(float) - y_pred.astype(float))))
    raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")


def learning_curve(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str = "target",
    *,
    model: object = None,
    baseline: object = None,
    sizes: object = (50, 100, 200, 500, 1000, 2000),
    repeats: int = 3,
    rng: object = None,
) -> pd.DataFrame:
    """Test score versus training-set size, for the model and for a rule baseline.

    For each size, ``repeats`` random subsets of ``train`` are drawn; a clone of the model and a
    clone of the baseline are fitted on the same subset and scored on ``test``. The score is
    accuracy (classification, higher is better) or mean absolute error (regression, lower is
    better): see the ``metric`` column. Sizes larger than ``train`` are skipped; a subset holding
    a single class scores NaN.

    Parameters
    ----------
    train, test : DataFrame
    target : str, default "target"
    model : estimator, optional
        Default :func:`make_pipeline_for` ``(train, target)``.
    baseline : estimator, optional
        Default a :class:`RuleClassifier` / :class:`RuleRegressor` searching every numeric
        feature. It is fitted on the numeric feature columns.
    sizes : sequence of int
    repeats : int, default 3
    rng : None, int or Generator

    Returns
    -------
    DataFrame
        One row per (size, repeat, estimator): ``n_train, repeat, estimator`` ("model" or
        "rule"), ``metric``, ``score``.

    Examples
    --------
    >>> gen = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": gen.normal(size=600), "z": gen.normal(size=600)})
    >>> frame["target"] = (frame["x"] + frame["z"] > 0).astype(int)
    >>> curve = learning_curve(frame[:400], frame[400:], sizes=(20, 200), repeats=2, rng=0)
    >>> curve.groupby(["n_train", "estimator"])["score"].mean().round(1).to_dict()
    {(20, 'model'): 0.9, (20, 'rule'): 0.7, (200, 'model'): 1.0, (200, 'rule'): 0.8}
    """
    _check_frame(train, "train")
    _check_frame(test, "test")
    if target not in train.columns or target not in test.columns:
        raise ValueError(f"target must be a column of train and test, got {target!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    sizes = sorted({int(s) for s in sizes})
    if not sizes or sizes[0] < 2:
        raise ValueError(f"sizes must be integers >= 2, got {sizes}")
    if sizes[0] > len(train):
        raise ValueError(f"sizes must not all exceed the {len(train)} rows of train, got {sizes}")
    sizes = [s for s in sizes if s <= len(train)]
    rng = np.random.default_rng(rng)
    task = infer_task(train[target])
    model = make_pipeline_for(train, target) if model is None else model
    numeric, _ = feature_columns(train, target)
    if baseline is None:
        baseline = RuleClassifier() if task == "classification" else RuleRegressor()
    rows = []
    # Small fits: BLAS threads only compete for the cores (a fit can get 10x slower).
    with threadpool_limits(limits=1, user_api="blas"):
        for size in sizes:
            for repeat in range(repeats):
                subset = train.iloc[np.sort(rng.choice(len(train), size=size, replace=False))]
                y = subset[target]
                for name, estimator, columns in (
                    ("model", model, None),
                    ("rule", baseline, numeric),
                ):
                    X_fit = subset if columns is None else subset[columns]
                    X_test = test if columns is None else test[columns]
                    if task == "classification" and y.nunique() < 2:
                        value = np.nan  # a subset with a single class: nothing to learn
                    else:
                        fitted = clone(estimator).fit(X_fit, y)
                        value = score(test[target], fitted.predict(X_test), task=task)
                    rows.append((size, repeat, name, value))
    out = pd.DataFrame(rows, columns=["n_train", "repeat", "estimator", "score"])
    out.insert(3, "metric", "accuracy" if task == "classification" else "mae")
    return out
