"""Shared test fixtures. The offline guard is installed for the whole session."""

from __future__ import annotations

import os

import pytest

from mlsys_helpers import _offline

os.environ.setdefault("MPLBACKEND", "Agg")
_offline.install()


@pytest.fixture
def rng():
    """A fresh, seeded Generator for one test."""
    import numpy as np

    return np.random.default_rng(12345)
