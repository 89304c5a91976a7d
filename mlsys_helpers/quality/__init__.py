"""Quality: know your data. Infer a schema from trusted data, then validate new data against it.

- :mod:`~mlsys_helpers.quality.schema`: :func:`infer_schema` learns, per column, its kind
  (numeric / categorical / boolean / datetime), range, hard bounds, allowed categories and their
  shares, null rate and uniqueness, as a :class:`Schema` of :class:`ColumnSchema`;
- :mod:`~mlsys_helpers.quality.checks`: :func:`validate` checks a new frame (pandera's
  value-by-value checks plus the reference-aware ones) and returns a :class:`QualityReport`, one
  tidy row per check; :func:`check_freshness` asks whether the newest rows are recent enough.

Import every name from here (``from mlsys_helpers.quality import validate`` or
``mh.quality.validate``).

>>> import pandas as pd
>>> from mlsys_helpers import quality
>>> schema = quality.infer_schema(pd.DataFrame({"income": [30.0, 45.0, 60.0]}))
>>> quality.validate(pd.DataFrame({"income": [35.0, -5.0]}), schema).passed
False
"""

from mlsys_helpers.quality.checks import QualityReport, check_freshness, validate
from mlsys_helpers.quality.schema import KINDS, ColumnSchema, Schema, infer_schema

__all__ = [
    "KINDS",
    "ColumnSchema",
    "QualityReport",
    "Schema",
    "check_freshness",
    "infer_schema",
    "validate",
]
