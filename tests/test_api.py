"""The public API speaks one language: parameter names checked over every public callable.

Conventions (ARCHITECTURE.md, "API conventions"):

- randomness is ``rng`` (None, int or Generator), never ``seed`` / ``random_state``;
- the same thing has the same name in every station: the label column is ``target``, the time
  column ``time_column``, the model inputs ``features``, a number of rows looked at together
  ``window``; their synonyms are refused;
- ``target`` and ``time_column`` default to ``"target"`` and ``"timestamp"`` (or None, "none")
  where they have a default.

The few exceptions are listed in :data:`ALLOWED` with their reason (and in ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import mlsys_helpers as mh

RANDOMNESS = {"seed", "random_state", "random_seed", "random_generator", "generator"}
SYNONYMS = {
    "target": {"label", "label_column", "label_col", "target_column", "target_col", "y_column"},
    "time_column": {"time", "time_col", "timestamp", "timestamp_column", "date_column"},
    "features": {"feature_columns", "feature_cols", "feature_names", "cols", "inputs"},
    "window": {"window_size", "window_length", "win", "n_window", "window_rows"},
}
DEFAULTS = {"target": "target", "time_column": "timestamp"}

#: (callable, parameter) -> why the convention does not apply.
ALLOWED = {
    ("detect.CUSUM", "target"): "the in-control mean of the statistic (Page's CUSUM), not a "
    "column name",
}


def _public_callables():
    """(name, callable) over every station and helper module: functions, classes (their
    ``__init__`` signature) and the public methods of public classes, defined in the package."""
    for station in mh._MODULES:
        module = importlib.import_module(f"mlsys_helpers.{station}")
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        for name in names:
            obj = getattr(module, name)
            home = getattr(obj, "__module__", "") or ""
            if not callable(obj) or not home.startswith((module.__name__, "mlsys_helpers._")):
                continue  # constants, and names imported from elsewhere (Path, dataclass)
            yield f"{station}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr[0] != "_" and inspect.isfunction(member):
                        yield f"{station}.{name}.{attr}", member


def naming_violations(qualname, func):
    """Messages for every parameter of ``func`` that breaks the conventions."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return []
    out = []
    owner = qualname.rsplit(".", 1)[0] if qualname.count(".") == 2 else qualname
    for name, p in params.items():
        if (qualname, name) in ALLOWED or (owner, name) in ALLOWED:
            continue
        if name in RANDOMNESS:
            out.append(f"{qualname}({name}=...): randomness is called rng")
        for canonical, synonyms in SYNONYMS.items():
            if name in synonyms:
                out.append(f"{qualname}({name}=...): call it {canonical}")
        default = DEFAULTS.get(name)
        if default is not None and p.default not in (p.empty, None, default):
            out.append(f"{qualname}({name}={p.default!r}): the default is {default!r}")
    return out


CALLABLES = dict(_public_callables())


def test_the_walk_reaches_every_station_and_its_methods():
    stations = {name.split(".")[0] for name in CALLABLES}
    assert {
        "world",
        "drift",
        "collect",
        "quality",
        "train",
        "serve",
        "detect",
        "monitor",
    } <= stations
    assert {"loop", "deploy", "value", "incidents"} <= stations
    for name in (
        "detect.ks",
        "serve.ModelService.predict",
        "quality.infer_schema",
        "loop.simulate",
    ):
        assert name in CALLABLES


def test_public_parameters_follow_the_naming_conventions():
    problems = [msg for name, f in CALLABLES.items() for msg in naming_violations(name, f)]
    assert problems == []


def test_randomness_is_called_rng_in_the_core_samplers():
    for name in ("world.World.sample", "drift.inject", "collect.label_noise", "loop.simulate"):
        assert "rng" in inspect.signature(CALLABLES[name]).parameters, name


def test_every_allowed_exception_still_exists():
    # an exception whose callable or parameter went away must leave the list (and ARCHITECTURE.md)
    for qualname, param in ALLOWED:
        func = CALLABLES[qualname]
        assert param in inspect.signature(func).parameters, (qualname, param)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(frame, *, seed=0): ...", "randomness is called rng"),
        ("def f(frame, *, random_state=None): ...", "randomness is called rng"),
        ("def f(frame, *, label_column='y'): ...", "call it target"),
        ("def f(frame, *, timestamp_column='t'): ...", "call it time_column"),
        ("def f(frame, *, feature_names=None): ...", "call it features"),
        ("def f(frame, *, window_size=10): ...", "call it window"),
        ("def f(frame, *, target='label'): ...", "the default is 'target'"),
        ("def f(frame, *, time_column='date'): ...", "the default is 'timestamp'"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(source, message):
    namespace = {}
    exec(source, namespace)
    (problem,) = naming_violations("station.f", namespace["f"])
    assert message in problem


def test_the_checker_passes_the_conventional_names():
    def f(frame, *, target="target", time_column="timestamp", features=None, window=5, rng=None):
        return frame

    assert naming_violations("station.f", f) == []


def test_architecture_md_lists_every_allowed_exception():
    text = (Path(mh.__file__).parents[1] / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for qualname, param in ALLOWED:
        assert qualname in text and f"`{param}`" in text, (qualname, param)
