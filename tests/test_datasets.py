"""Tests for mlsys_helpers.datasets: offline files, checksums, shapes, and the Seattle label bug."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers import datasets

READINGS = ["date", "precipitation", "temp_max", "temp_min", "wind"]
SEATTLE_COLUMNS = [*READINGS, "weather"]


@pytest.fixture(scope="module")
def fixed() -> pd.DataFrame:
    return datasets.load_seattle_weather("fixed")


@pytest.fixture(scope="module")
def original() -> pd.DataFrame:
    return datasets.load_seattle_weather("original")


def monthly_rain_share(frame: pd.DataFrame) -> pd.Series:
    return (frame["weather"] == "rain").groupby(frame["date"].dt.to_period("M")).mean()


# ----------------------------------------------------------------------------------- files
def test_data_dir_is_found_relative_to_the_package_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = Path(datasets.__file__).resolve().parent.parent / "datasets"
    assert datasets.data_dir() == expected
    assert len(datasets.load_weather()) == 2922


def test_recorded_checksums_match_the_shipped_files():
    for filename, sha256 in datasets.DATASETS.values():
        path = datasets.data_dir() / filename
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def test_shipped_files_are_small_and_documented():
    folder = datasets.data_dir()
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total < 5_000_000
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for filename, sha256 in datasets.DATASETS.values():
        assert filename in readme and sha256 in readme
    assert (folder / "LICENSES" / "CC-BY-4.0.txt").is_file()
    assert (folder / "LICENSES" / "vega-datasets-BSD-3-Clause.txt").is_file()


def copy_data(tmp_path: Path) -> Path:
    for filename, _ in datasets.DATASETS.values():
        shutil.copy(datasets.data_dir() / filename, tmp_path / filename)
    return tmp_path


def test_checksum_mismatch_raises(tmp_path):
    folder = copy_data(tmp_path)
    path = folder / datasets.DATASETS["seattle_weather_fixed"][0]
    text = path.read_text()
    path.write_text(text.replace("2012-01-01,0.0,", "2012-01-01,0.1,", 1))  # one reading edited
    with pytest.raises(
        datasets.ChecksumError, match="checksum mismatch for .*seattle-weather-fixed"
    ):
        datasets.load_seattle_weather("fixed", directory=folder)
    assert isinstance(datasets.ChecksumError("x"), ValueError)
    # the untouched copies still load from the same folder
    assert len(datasets.load_seattle_weather("original", directory=folder)) == 1461


@pytest.mark.parametrize(
    "load", [datasets.load_weather, datasets.load_bikeshare_2011], ids=["weather", "bikeshare"]
)
def test_every_loader_verifies_its_file(tmp_path, load):
    folder = copy_data(tmp_path)
    for filename, _ in datasets.DATASETS.values():
        with (folder / filename).open("a") as handle:
            handle.write("\n")
    with pytest.raises(datasets.ChecksumError):
        load(directory=folder)


def test_missing_file_raises_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="bikeshare-2011-hourly.csv is missing"):
        datasets.load_bikeshare_2011(directory=tmp_path)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="version must be one of"):
        datasets.load_seattle_weather("buggy")
    with pytest.raises(ValueError, match="name must be one of"):
        datasets.dataset_path("iris")


# ---------------------------------------------------------------------------------- Seattle
@pytest.mark.parametrize("version", ["fixed", "original"])
def test_seattle_shape_columns_and_dates(version):
    frame = datasets.load_seattle_weather(version)
    assert list(frame.columns) == SEATTLE_COLUMNS
    assert frame.shape == (1461, 6)
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert frame["date"].iloc[0] == pd.Timestamp("2012-01-01")
    assert frame["date"].iloc[-1] == pd.Timestamp("2015-12-31")
    assert (frame["date"].diff().dropna() == pd.Timedelta("1D")).all()
    assert set(frame["weather"]) <= {"drizzle", "fog", "rain", "snow", "sun"}
    assert not frame.isna().any().any()


def test_seattle_readings_are_identical_between_versions(fixed, original):
    pd.testing.assert_frame_equal(fixed[READINGS], original[READINGS])


def test_seattle_labels_agree_before_april_2013_and_differ_after(fixed, original):
    early = fixed["date"] < "2013-04-01"
    assert (fixed.loc[early, "weather"] == original.loc[early, "weather"]).all()
    assert (fixed.loc[~early, "weather"] != original.loc[~early, "weather"]).mean() > 0.3


def test_seattle_rain_share_collapses_after_2013_04_only_in_the_original(fixed, original):
    before = slice(pd.Period("2012-01", "M"), pd.Period("2013-03", "M"))
    after = slice(pd.Period("2013-05", "M"), pd.Period("2015-12", "M"))
    rain_original, rain_fixed = monthly_rain_share(original), monthly_rain_share(fixed)
    # original: rainy months before, almost no "rain" label afterwards
    assert rain_original[before].mean() > 0.3
    assert rain_original[after].max() < 0.15
    assert rain_original[after].mean() < 0.03
    # fixed: rain stays common (Seattle!): whole calendar years (seasons cancel) stay alike
    assert rain_fixed[after].mean() > 0.25
    yearly_fixed = (fixed["weather"] == "rain").groupby(fixed["date"].dt.year).mean()
    yearly_original = (original["weather"] == "rain").groupby(original["date"].dt.year).mean()
    assert yearly_fixed.between(0.3, 0.6).all()
    assert yearly_original[2012] > 0.3 and (yearly_original[[2014, 2015]] < 0.05).all()


def test_seattle_fixed_labels_follow_the_precipitation_rule(fixed, original):
    # vega-datasets' derivation labels every wet day "rain" unless it snowed
    wet = fixed["precipitation"] > 0
    assert fixed.loc[wet, "weather"].isin(["rain", "snow"]).all()
    assert original.loc[wet, "weather"].isin(["fog", "sun"]).sum() > 300


def test_weather_has_seattle_and_new_york_on_the_same_days(fixed):
    weather = datasets.load_weather()
    assert list(weather.columns) == ["location", *SEATTLE_COLUMNS]
    assert weather["location"].value_counts().to_dict() == {"Seattle": 1461, "New York": 1461}
    seattle = weather[weather["location"] == "Seattle"].drop(columns="location")
    new_york = weather[weather["location"] == "New York"]
    pd.testing.assert_frame_equal(seattle.reset_index(drop=True), fixed)
    assert new_york["date"].reset_index(drop=True).equals(fixed["date"])


# --------------------------------------------------------------------------------- bikeshare
def test_bikeshare_shape_columns_and_types():
    bikes = datasets.load_bikeshare_2011()
    assert bikes.shape == (8645, 16)
    assert list(bikes.columns) == [
        "timestamp", "season", "mnth", "day", "hr", "holiday", "weekday", "workingday",
        "weathersit", "temp", "atemp", "hum", "windspeed", "casual", "registered", "bikers",
    ]  # fmt: skip
    assert pd.api.types.is_datetime64_any_dtype(bikes["timestamp"])
    assert bikes["hr"].between(0, 23).all() and bikes["day"].between(1, 365).all()
    assert (bikes["bikers"] == bikes["casual"] + bikes["registered"]).all()
    assert set(bikes["weathersit"]) == {
        "clear",
        "cloudy/misty",
        "light rain/snow",
        "heavy rain/snow",
    }


def test_bikeshare_timestamps_are_2011_hours_consistent_with_the_weekday():
    bikes = datasets.load_bikeshare_2011()
    stamps = bikes["timestamp"]
    assert stamps.is_monotonic_increasing and stamps.is_unique
    assert (stamps.dt.year == 2011).all()
    assert (stamps.dt.hour == bikes["hr"]).all()
    # UCI weekday: 0 = Sunday; pandas day_of_week: 0 = Monday
    assert ((stamps.dt.day_of_week + 1) % 7 == bikes["weekday"]).all()
    month_names = stamps.dt.month.map(
        dict(
            enumerate(
                [
                    "Jan",
                    "Feb",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "Aug",
                    "Sept",
                    "Oct",
                    "Nov",
                    "Dec",
                ],
                1,
            )
        )
    )
    assert (month_names == bikes["mnth"]).all()


def test_loaders_return_fresh_frames():
    first = datasets.load_bikeshare_2011()
    first.loc[0, "bikers"] = -1
    assert datasets.load_bikeshare_2011().loc[0, "bikers"] != -1
    assert np.issubdtype(first["bikers"].dtype, np.integer)
