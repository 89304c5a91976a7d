"""mlsys_helpers: the helper package behind the mlsys-workbook notebooks.

Each station on the path of a production ML system is one module, or one package when it needs
several files (``detect``, ``quality``, ``serve``); ARCHITECTURE.md at the repository root has
the map::

    drift -> world -> collect -> quality -> train -> serve -> detect -> monitor -> loop -> deploy

Import the package once and reach every station by its name; modules are loaded on first use, so
``import mlsys_helpers as mh`` is cheap and never imports matplotlib or ipywidgets:

>>> import mlsys_helpers as mh
>>> mh.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_MODULES = (  # the stations in import order (ARCHITECTURE.md), then the front end and the course
    "drift",
    "world",
    "datasets",
    "collect",
    "quality",
    "train",
    "value",
    "serve",
    "detect",
    "monitor",
    "loop",
    "deploy",
    "plots",
    "widgets",
    "incidents",
    "exercises",
    "envcheck",
)

__all__ = ["__version__", *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
