"""Small real data sets, shipped in ``datasets/`` and read offline with checksum verification.

- :func:`load_seattle_weather`: Seattle daily weather 2012-2015 (NOAA, via vega-datasets) in two
  versions: ``"original"`` (vega_datasets 0.9.0) whose ``weather`` label is silently mis-encoded
  from April 2013 on (most rainy days say ``fog`` or ``sun``) and ``"fixed"`` (vega-datasets
  3.2.1). The weather readings are identical; only the label differs. A real label bug.
- :func:`load_weather`: Seattle and New York, same days, same columns (vega-datasets 3.2.1).
- :func:`load_bikeshare_2011`: hourly Capital Bikeshare rentals in Washington D.C., 2011 (UCI
  Bike Sharing, Fanaee-T & Gama 2013, as recoded in the ISLP package).

Files live in the ``datasets/`` folder of the repository (the parent of the ``mlsys_helpers``
package); provenance, licences and checksums are in ``datasets/README.md``. Nothing here touches
the network.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

__all__ = [
    "DATASETS",
    "ChecksumError",
    "data_dir",
    "dataset_path",
    "load_seattle_weather",
    "load_weather",
    "load_bikeshare_2011",
]

#: file name and sha256 of each shipped file (see datasets/README.md for where they come from)
DATASETS: dict[str, tuple[str, str]] = {
    "seattle_weather_original": (
        "seattle-weather-original.csv",
        "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b",
    ),
    "seattle_weather_fixed": (
        "seattle-weather-fixed.csv",
        "0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be",
    ),
    "weather": (
        "weather-seattle-new-york.csv",
        "27219f1ca8dbd94c9b6f4b9f4f52ab2f1eb33dfdcf719cd9fc6481ed50b74549",
    ),
    "bikeshare_2011": (
        "bikeshare-2011-hourly.csv",
        "ac6950ae6f11efcc69c29d6bb13e8881c001e27d36434660d59444a1414f712c",
    ),
}

_SEATTLE_VERSIONS = ("fixed", "original")


class ChecksumError(ValueError):
    """A data file's sha256 does not match the one recorded in :data:`DATASETS`."""


def data_dir() -> Path:
    """The repository's ``datasets/`` folder, found relative to this package (not the cwd).

    Examples
    --------
    >>> data_dir().name
    'datasets'
    """
    return Path(__file__).resolve().parent.parent / "datasets"


def dataset_path(name: str, *, directory: str | Path | None = None) -> Path:
    """Path of a shipped file after checking it exists and its sha256 matches.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    directory : str or Path, optional
        Folder to read from instead of :func:`data_dir` (for tests and relocated copies).

    Returns
    -------
    Path

    Raises
    ------
    FileNotFoundError
        The file is missing.
    ChecksumError
        The file's content differs from the recorded one (edited, truncated, re-saved).

    Examples
    --------
    >>> dataset_path("weather").name
    'weather-seattle-new-york.csv'
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {sorted(DATASETS)}, got {name!r}")
    filename, expected = DATASETS[name]
    path = (Path(directory) if directory is not None else data_dir()) / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"data file {path} is missing; it ships with the repository (see datasets/README.md)"
        )
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise ChecksumError(
            f"checksum mismatch for {path}: sha256 is {actual}, expected {expected}. "
            "The file was modified; restore it from the repository (git checkout -- datasets/)."
        )
    return path


def load_seattle_weather(
    version: str = "fixed", *, directory: str | Path | None = None
) -> pd.DataFrame:
    """Seattle daily weather, 2012-01-01 to 2015-12-31 (1461 days).

    Columns: ``date`` (datetime), ``precipitation`` (mm), ``temp_max``, ``temp_min`` (deg C),
    ``wind`` (daily average, m/s: NOAA's ``AWND`` in tenths of m/s divided by 10 by vega-datasets'
    ``scripts/weather.py``; the 3.2.1 metadata says km/h), ``weather`` (drizzle, fog, rain, snow
    or sun, derived from NOAA weather-type flags; any day with precipitation > 0 is ``rain``
    unless it snowed, which the fixed file obeys and the original breaks).

    Parameters
    ----------
    version : {"fixed", "original"}, default "fixed"
        ``"original"`` is the file in the Python package vega_datasets 0.9.0, whose ``weather``
        label is mis-encoded from 2013-04 on (rain almost disappears, fog appears); ``"fixed"``
        is the corrected file of npm vega-datasets 3.2.1. The readings are identical.
    directory : str or Path, optional
        Read from this folder instead of the repository's ``datasets/``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> fixed, original = load_seattle_weather(), load_seattle_weather("original")
    >>> fixed.shape, bool(fixed["precipitation"].equals(original["precipitation"]))
    ((1461, 6), True)
    >>> late = original["date"] >= "2014-01-01"
    >>> round(float((original.loc[late, "weather"] == "rain").mean()), 2)
    0.01
    """
    if version not in _SEATTLE_VERSIONS:
        raise ValueError(f"version must be one of {_SEATTLE_VERSIONS}, got {version!r}")
    path = dataset_path(f"seattle_weather_{version}", directory=directory)
    frame = pd.read_csv(path)
    date_format = "%Y/%m/%d" if version == "original" else "%Y-%m-%d"
    frame["date"] = pd.to_datetime(frame["date"], format=date_format)
    return frame


def load_weather(*, directory: str | Path | None = None) -> pd.DataFrame:
    """Daily weather of Seattle and New York, 2012-2015 (vega-datasets 3.2.1 ``weather.csv``).

    Columns: ``location`` ("Seattle" or "New York"), then as :func:`load_seattle_weather`.
    Its Seattle rows equal the ``"fixed"`` Seattle file.

    Parameters
    ----------
    directory : str or Path, optional

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> weather = load_weather()
    >>> weather.shape, sorted(weather["location"].unique())
    ((2922, 7), ['New York', 'Seattle'])
    """
    frame = pd.read_csv(dataset_path("weather", directory=directory))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def load_bikeshare_2011(*, directory: str | Path | None = None) -> pd.DataFrame:
    """Hourly bike rentals of Capital Bikeshare (Washington D.C.) in 2011: 8645 hours.

    This is the 2011 part of the UCI Bike Sharing ``hour.csv`` (Fanaee-T & Gama, 2013) as
    recoded by the ISLP package: ``day`` is the day of the year, ``mnth`` and ``weathersit`` are
    text labels, ``bikers`` is the total count (UCI ``cnt`` = ``casual`` + ``registered``), and
    ``instant``, ``dteday`` and ``yr`` are dropped. ``temp``, ``atemp``, ``hum`` and ``windspeed``
    are normalised as in UCI (divided by 41, 50, 100 and 67). ``weekday`` is 0 for Sunday.
    This loader adds a ``timestamp`` column (first) rebuilt from ``day`` and ``hr``; some hours
    are absent from the source (no record), so the series has gaps.

    Parameters
    ----------
    directory : str or Path, optional

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> bikes = load_bikeshare_2011()
    >>> bikes.shape, str(bikes["timestamp"].iloc[-1])
    ((8645, 16), '2011-12-31 23:00:00')
    """
    frame = pd.read_csv(dataset_path("bikeshare_2011", directory=directory))
    timestamp = (
        pd.Timestamp("2011-01-01")
        + pd.to_timedelta(frame["day"] - 1, unit="D")
        + pd.to_timedelta(frame["hr"], unit="h")
    )
    frame.insert(0, "timestamp", timestamp)
    return frame
