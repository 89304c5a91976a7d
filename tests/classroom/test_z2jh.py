"""The Kubernetes configuration (classroom/z2jh) and the teacher docs agree with what was built
and measured. The chart itself is not in the repository: `classroom/z2jh/validate.py CHART`
checks the config against the chart's schema (see classroom/z2jh/README.md); here the
validator's helm-style merge is tested on small values."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
Z2JH = ROOT / "classroom" / "z2jh"
CONFIG = yaml.safe_load((Z2JH / "config.yaml").read_text(encoding="utf-8"))
TEACHING = (ROOT / "notebooks" / "TEACHING.md").read_text(encoding="utf-8")
UNITS = {"M": 1, "G": 1024}


def _validator():
    spec = importlib.util.spec_from_file_location("z2jh_validate", Z2JH / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mb(size: str) -> float:
    return float(size[:-1]) * UNITS[size[-1]]


def _sizing_rows():
    """Rows of TEACHING.md's measured sizing table: learners -> PSS and RSS per learner (max)."""
    section = TEACHING[TEACHING.index("### Sizing") :]
    rows = re.findall(r"^\| (\d+) \| (\d+) \|.*\| (\d+) \| (\d+) \|", section, re.M)
    return [tuple(map(int, r)) for r in rows]


def test_helm_merge_recurses_into_maps_replaces_lists_and_null_deletes():
    merge = _validator().merge
    base = {"a": {"b": 1, "c": [1, 2], "d": 4}, "e": 5}
    assert merge(base, {"a": {"b": 2, "c": [3], "d": None}}) == {"a": {"b": 2, "c": [3]}, "e": 5}
    assert base == {"a": {"b": 1, "c": [1, 2], "d": 4}, "e": 5}


def test_validator_reports_unknown_keys_and_wrong_types(tmp_path):
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "values.yaml").write_text("cull:\n  timeout: 3600\n")
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "cull": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"timeout": {"type": "integer"}},
            }
        },
    }
    (chart / "values.schema.yaml").write_text(yaml.safe_dump(schema))
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("cull:\n  timeout: 60\n")
    bad.write_text("cull:\n  timeout: soon\nsingleuser: {}\n")
    validator = _validator()
    assert validator.errors(chart, good) == []
    found = validator.errors(chart, bad)
    assert len(found) == 2
    assert any("cull.timeout" in e for e in found) and any("singleuser" in e for e in found)


def test_memory_sizes_are_the_ones_teaching_md_gives_and_cover_the_measured_learners():
    memory = CONFIG["singleuser"]["memory"]
    said = re.search(r"`singleuser.memory`\): guarantee (\S+),\s+limit (\S+) ", TEACHING)
    assert said, "TEACHING.md states the Kubernetes memory sizes"
    assert (said.group(1), said.group(2)) == (memory["guarantee"], memory["limit"])
    rows = _sizing_rows()
    assert {n for n, *_ in rows} >= {5, 10}, "the sizing table has the 5- and 10-learner runs"
    heaviest_rss = max(rss for *_, rss in rows)
    assert _mb(memory["guarantee"]) >= heaviest_rss
    assert _mb(memory["limit"]) >= 2 * heaviest_rss


def test_the_image_tag_is_pinned_and_the_readme_builds_that_tag():
    tag = CONFIG["singleuser"]["image"]["tag"]
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", tag), f"pin a release tag, got {tag!r}"
    readme = (Z2JH / "README.md").read_text(encoding="utf-8")
    assert f"mlsys-workbook:{tag}" in readme and f"git checkout {tag}" in readme


def test_the_image_gets_the_student_chapters_where_the_start_hook_copies_them_from():
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert '"${NB_PYTHON_PREFIX}/share/mlsys-workbook/student"' in post_build
    # repo2docker's conda build pack: NB_PYTHON_PREFIX=/srv/conda/envs/notebook
    hook = " ".join(CONFIG["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "cp -n /srv/conda/envs/notebook/share/mlsys-workbook/student/*.ipynb" in hook


def test_the_image_installs_the_locked_jupyterhub_of_the_charts_major_version():
    lock = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    version = re.search(r"^jupyterhub==(\S+)$", lock, re.M).group(1)
    assert version.startswith("5."), "chart 4.4.0 runs JupyterHub 5.5"
    assert "chart 4.4.0" in (Z2JH / "config.yaml").read_text(encoding="utf-8")
    assert "jupyterhub|nbgitpuller" in (ROOT / "postBuild").read_text(encoding="utf-8")


def test_authentication_and_culling_match_the_one_machine_hub():
    hub = CONFIG["hub"]["config"]
    local = (ROOT / "classroom" / "jupyterhub_config.py").read_text(encoding="utf-8")
    assert hub["JupyterHub"]["authenticator_class"] == "native"
    assert 'c.JupyterHub.authenticator_class = "native"' in local
    assert hub["NativeAuthenticator"]["open_signup"] is False
    assert "c.NativeAuthenticator.open_signup = False" in local
    for key in ("minimum_password_length", "allowed_failed_logins", "seconds_before_next_try"):
        assert f"c.NativeAuthenticator.{key} = {hub['NativeAuthenticator'][key]}" in local
    assert hub["Authenticator"]["admin_users"] == ["teacher"]
    assert CONFIG["cull"]["enabled"] is True and CONFIG["cull"]["timeout"] == 3600
    assert CONFIG["proxy"]["https"]["enabled"] is True


@pytest.mark.parametrize(
    "doc", ["README.md", "notebooks/TEACHING.md", "classroom/README.md", "classroom/z2jh/README.md"]
)
def test_no_doc_opens_a_server_to_the_network_without_a_login(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert "--ip=0.0.0.0" not in text and "secret-0" not in text
    for line in text.splitlines():
        if "0.0.0.0" in line:
            assert "HUB_IP" in line, (
                f"{doc}: only the hub (always behind a login) may use it: {line}"
            )
