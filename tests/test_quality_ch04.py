"""Tests of quality.check_freshness (added for chapter 04)."""

import pandas as pd
import pytest

from mlsys_helpers.quality import QualityReport, check_freshness


def _frame(end="2024-05-31"):
    return pd.DataFrame({"timestamp": pd.date_range(end=end, periods=10, freq="D"), "x": range(10)})


def test_fresh_data_passes():
    report = check_freshness(_frame(), now="2024-06-10", max_age="30D")
    assert isinstance(report, QualityReport)
    assert report.passed
    assert report.table["check"].tolist() == ["freshness"]


def test_stale_data_fails_and_says_how_old():
    report = check_freshness(_frame(), now="2024-10-01", max_age="30D")
    assert not report.passed
    assert report.failures.loc[0, "observed"] == "newest 2024-05-31, 123 days old"


def test_limit_is_inclusive():
    assert check_freshness(_frame(), now="2024-06-30", max_age="30D").passed
    assert not check_freshness(_frame(), now="2024-07-01", max_age="30D").passed


def test_table_concatenates_with_validate_rows():
    report = check_freshness(_frame(), now="2024-06-01")
    assert list(report.table.columns) == ["check", "column", "passed", "observed", "expected"]


def test_does_not_mutate_input():
    frame = _frame()
    before = frame.copy()
    check_freshness(frame, now="2024-06-01")
    pd.testing.assert_frame_equal(frame, before)


def test_rejects_non_datetime_column():
    with pytest.raises(TypeError, match="must be a datetime column"):
        check_freshness(_frame(), now="2024-06-01", time_column="x")


def test_rejects_missing_column():
    with pytest.raises(ValueError, match="time_column must be a column of frame, got 'when'"):
        check_freshness(_frame(), now="2024-06-01", time_column="when")


def test_rejects_negative_max_age():
    with pytest.raises(ValueError, match="max_age"):
        check_freshness(_frame(), now="2024-06-01", max_age="-1D")


def test_rejects_non_frame():
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        check_freshness([1, 2], now="2024-06-01")
