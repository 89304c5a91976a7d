"""Validate classroom/z2jh/config.yaml against a Zero to JupyterHub chart, as helm would.

Usage: ``python classroom/z2jh/validate.py CHART_FOLDER [CONFIG]`` where CHART_FOLDER is the
chart's ``jupyterhub/`` folder (from jupyterhub/zero-to-jupyterhub-k8s at the tag named in
config.yaml, or ``helm pull jupyterhub/jupyterhub --version X --untar``). The config is merged
over the chart's ``values.yaml`` the way helm merges values (maps recursively, anything else
replaced, ``null`` deletes the key) and the result is checked against ``values.schema.yaml``
(JSON Schema draft 7; the chart forbids unknown keys). Prints every error; exit 0 when valid.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

CONFIG = Path(__file__).resolve().with_name("config.yaml")


def merge(base, override):
    """``override`` merged over ``base`` the way helm merges a values file over the defaults."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    out = dict(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(base.get(key), value)
    return out


def errors(chart: Path, config: Path = CONFIG) -> list[str]:
    defaults = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((chart / "values.schema.yaml").read_text(encoding="utf-8"))
    values = merge(defaults, yaml.safe_load(config.read_text(encoding="utf-8")))
    found = Draft7Validator(schema).iter_errors(values)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in found]


def main(argv: list[str]) -> int:
    if not argv or not (Path(argv[0]) / "values.schema.yaml").exists():
        print(__doc__, file=sys.stderr)
        return 2
    chart = Path(argv[0])
    config = Path(argv[1]) if len(argv) > 1 else CONFIG
    chart_meta = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    problems = errors(chart, config)
    for problem in problems:
        print(problem)
    verdict = "valid" if not problems else f"{len(problems)} error(s)"
    print(
        f"{config} against chart {chart_meta.get('version')} "
        f"(JupyterHub {chart_meta.get('appVersion')}): {verdict}"
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
