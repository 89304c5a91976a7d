"""Shared test fixtures. The offline guard is installed for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlsys_helpers import _offline

ROOT = Path(__file__).resolve().parents[1]

# Notebook kernels started by the tests (nbval, nbclient) load the IPython startup file in
# tests/ipython, which installs the same offline guard as this process.
os.environ["IPYTHONDIR"] = str(ROOT / "tests" / "ipython")
# One thread per numeric pool, here and in every kernel the tests start: identical numbers.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
# Every check cell of the nbval run follows the hint of its exercise (mh.exercises.run_hint_code).
os.environ["MLSYS_CHECK_HINTS"] = "1"
_offline.install()


@pytest.fixture
def rng():
    """A fresh, seeded Generator for one test."""
    import numpy as np

    return np.random.default_rng(12345)


@pytest.fixture
def plots_never_show(monkeypatch):
    """Fail a test whose plot helper calls ``plt.show()``; close every figure afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def refuse(*args, **kwargs):
        raise AssertionError("plot helpers must not call show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")
