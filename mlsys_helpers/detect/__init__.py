"""Is this different from that? The detect station: batch drift tests and streaming detectors.

- :mod:`~mlsys_helpers.detect.batch`: two-sample tests and distances (``ks``, ``chi2``, ``psi``,
  ``wasserstein``, ``jensen_shannon``, ``mmd``, ``domain_classifier``) returning a
  :class:`DriftResult`, and :func:`compare`, one row per column;
- :mod:`~mlsys_helpers.detect.streaming`: detectors fed one value at a time
  (:class:`PageHinkley`, :class:`DDM`, :class:`CUSUM`), :func:`detect_changes` and
  :func:`detector_trace`;
- :mod:`~mlsys_helpers.detect.adwin`: :class:`ADWIN`, with the same streaming protocol.

Import every name from here (``from mlsys_helpers.detect import ks`` or ``mh.detect.ks``).

>>> from mlsys_helpers import detect
>>> detect.detect_changes(detect.PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)
[105]
"""

from mlsys_helpers.detect.adwin import ADWIN
from mlsys_helpers.detect.batch import (
    DriftResult,
    chi2,
    compare,
    domain_classifier,
    jensen_shannon,
    ks,
    mmd,
    psi,
    wasserstein,
)
from mlsys_helpers.detect.batch import (
    _adjust as _adjust,  # private, used by mlsys_helpers._panels
)
from mlsys_helpers.detect.batch import (
    _compare_column as _compare_column,  # private, used by mlsys_helpers._panels
)
from mlsys_helpers.detect.streaming import CUSUM, DDM, PageHinkley, detect_changes, detector_trace

__all__ = [
    "ADWIN",
    "CUSUM",
    "DDM",
    "DriftResult",
    "PageHinkley",
    "chi2",
    "compare",
    "detect_changes",
    "detector_trace",
    "domain_classifier",
    "jensen_shannon",
    "ks",
    "mmd",
    "psi",
    "wasserstein",
]
