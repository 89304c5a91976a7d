"""The classroom hub for real: classroom/jupyterhub_config.py, configurable-http-proxy from npm,
three learners' servers and kernels, all on 127.0.0.1 (see hubtools for the test overrides).

One hub serves the whole module (start ~6 s, each spawn ~6 s); every process it started is
stopped by PID at the end, and the last test checks none survived.
"""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import nbformat
import pytest
import requests

from mlsys_helpers import _classroom

from . import hubtools

LEARNERS = ["ada", "bert", "cleo"]
CHAPTERS = ("00", "03")
ROOT = hubtools.ROOT


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    written = _classroom.write_students(folder, names=CHAPTERS)
    assert len(written) == len(CHAPTERS)
    return folder


@pytest.fixture(scope="module")
def hub(tmp_path_factory, student):
    if not hubtools.CONFIG.with_name("proxy").joinpath("node_modules").exists():
        pytest.fail("configurable-http-proxy is not installed: run `make proxy`")
    hub = hubtools.start_hub(tmp_path_factory.mktemp("hub"), student)
    state = {"hub": hub, "survivors": None}
    try:
        created = hub.create_users(LEARNERS)
        assert created.status_code == 201, created.text
        for name in LEARNERS:
            assert hub.start_server(name).status_code in (201, 202)
        for name in LEARNERS:
            hub.wait_ready(name)
        yield state
    finally:
        state["survivors"] = hubtools.stop_hub(hub)


def _names(listing):
    return sorted(item["name"] for item in listing["content"])


def test_each_learner_sees_the_student_chapters_in_their_own_folder(hub, student):
    h = hub["hub"]
    expected = sorted(p.name for p in student.glob("*.ipynb"))
    homes = h.folder / "classroom" / "homes"
    for name in LEARNERS:
        token = h.user_token(name)
        listing = h.server_api(name, token, "GET", "/contents/")
        assert listing.status_code == 200, listing.text
        assert _names(listing.json()) == expected
        assert sorted(p.name for p in (homes / name).glob("*.ipynb")) == expected


def test_a_cell_importing_the_workbook_runs_in_every_learners_kernel(hub):
    h = hub["hub"]
    code = (
        "import mlsys_helpers as mh, os\n"
        "print(mh.exercises.check('00.1', 'monitor').passed, 6 * 7, os.getcwd())"
    )
    homes = h.folder / "classroom" / "homes"
    for name in LEARNERS:
        out = h.execute(name, h.user_token(name), code)
        assert out.strip() == f"True 42 {homes / name}", out


def test_an_edited_notebook_survives_a_restart_of_the_learners_server(hub, student):
    h = hub["hub"]
    name = "bert"
    chapter = sorted(student.glob("*.ipynb"))[0].name
    token = h.user_token(name)
    model = h.server_api(name, token, "GET", f"/contents/{chapter}").json()
    marker = "answer = 'monitor'  # bert's own answer"
    model["content"]["cells"].append(nbformat.v4.new_code_cell(marker))
    saved = h.server_api(
        name,
        token,
        "PUT",
        f"/contents/{chapter}",
        json={"type": "notebook", "content": model["content"]},
    )
    assert saved.status_code == 200, saved.text

    h.stop_server(name)
    assert h.start_server(name).status_code in (201, 202)
    h.wait_ready(name)

    token = h.user_token(name)
    again = h.server_api(name, token, "GET", f"/contents/{chapter}").json()
    assert any(cell["source"] == marker for cell in again["content"]["cells"])
    assert _names(h.server_api(name, token, "GET", "/contents/").json()) == sorted(
        p.name for p in student.glob("*.ipynb")
    )


def test_a_learners_token_is_refused_on_another_learners_server(hub):
    h = hub["hub"]
    ada = h.user_token("ada")
    assert h.server_api("ada", ada, "GET", "/contents/").status_code == 200
    assert h.server_api("bert", ada, "GET", "/contents/").status_code == 403
    assert (
        h.server_api("bert", ada, "POST", "/kernels", json={"name": "python3"}).status_code == 403
    )


def test_an_unauthenticated_visitor_is_sent_to_the_login_page(hub):
    h = hub["hub"]
    answer = requests.get(f"{h.url}/user/ada/lab", timeout=30)
    assert answer.status_code == 200
    assert answer.url.startswith(f"{h.url}/hub/login")
    assert 'name="password"' in answer.text


def _login(h, name, password):
    session = requests.Session()
    page = session.get(f"{h.url}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{h.url}/hub/login",
        data={"username": name, "password": password, "_xsrf": xsrf},
        allow_redirects=False,
        timeout=30,
    )


def test_a_wrong_password_is_refused_and_the_right_one_accepted(hub):
    h = hub["hub"]
    wrong = _login(h, "cleo", h.password + "x")
    assert wrong.status_code == 403
    assert "Invalid username or password" in wrong.text
    right = _login(h, "cleo", h.password)
    assert right.status_code == 302
    assert "jupyterhub-session-id" in right.cookies or right.headers.get("set-cookie")


def test_a_learner_name_the_hub_rejects_gets_a_clear_answer(hub):
    h = hub["hub"]
    answer = h.create_users(["Bad Name!"])
    assert answer.status_code == 400
    assert "Invalid username" in answer.json()["message"]
    assert h.api("GET", "/users/Bad Name!").status_code == 404


def test_the_hub_listens_only_on_the_address_it_was_given(hub):
    h = hub["hub"]
    with socket.create_connection(("127.0.0.1", h.port), timeout=5):
        pass
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", h.port), timeout=5)


def test_the_idle_culler_runs_as_a_hub_service(hub):
    h = hub["hub"]
    services = h.api("GET", "/services").json()
    assert "idle-culler" in services
    h.remember_children()
    alive = [hubtools.psutil.Process(p) for p in h.pids if hubtools.psutil.pid_exists(p)]
    culler = next(p for p in alive if "jupyterhub_idle_culler" in p.cmdline())
    assert culler.is_running() and "--timeout=3600" in culler.cmdline()


def test_a_busy_port_stops_the_hub_with_a_clear_message_and_starts_nothing(tmp_path, student):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = hubtools.hub_env(tmp_path / "classroom", student, port)
        done = subprocess.run(
            [str(hubtools.BIN / "jupyterhub"), "-f", str(hubtools.CONFIG)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert f"port {port} on 127.0.0.1 is not free" in done.stderr
    assert "make hub HUB_PORT=" in done.stderr
    assert not (tmp_path / "classroom").exists(), "nothing is created before the checks pass"


def test_the_default_account_model_refuses_to_run_learners_as_one_user_unless_asked(
    tmp_path, student
):
    env = hubtools.hub_env(tmp_path / "classroom", student, hubtools.free_port())
    env.pop("MLSYS_HUB_SPAWNER")
    code = (
        "from traitlets.config.loader import PyFileConfigLoader as L\n"
        f"c = L('jupyterhub_config.py', path={str(hubtools.CONFIG.parent)!r}).load_config()\n"
        "print(c.JupyterHub.spawner_class, c.JupyterHub.authenticator_class,"
        " c.NativeAuthenticator.open_signup, sorted(c.Authenticator.admin_users))\n"
    )
    done = subprocess.run(
        [str(hubtools.BIN / "python"), "-c", code], env=env, capture_output=True, text=True
    )
    python = Path(hubtools.sys.executable).resolve()
    closed = [f for f in python.parents if f.exists() and not f.stat().st_mode & 0o001]
    if hubtools.os.geteuid() != 0:
        assert done.returncode != 0 and "must run as root" in done.stderr
    elif closed:  # e.g. a Python under /root: learners' accounts could not run it
        assert done.returncode != 0
        assert f"{closed[-1]} is closed to other accounts" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["localprocess", "native", "False", "['teacher']"]


def test_make_proxy_without_npm_names_the_fix(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run(
        [
            "make",
            "--always-make",
            "-C",
            str(ROOT),
            "classroom/proxy/node_modules/.bin/configurable-http-proxy",
        ],
        env={"PATH": str(empty), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        executable=Path("/usr/bin/make"),
    )
    assert done.returncode != 0
    assert "npm is missing" in done.stderr and "apt-get install nodejs npm" in done.stderr


def test_every_process_the_hub_started_is_gone_after_the_test(hub):
    # runs last in this module (pytest keeps file order); the fixture's teardown has not run yet,
    # so stop here and check that nothing survived the hub's shutdown
    state = hub
    state["survivors"] = hubtools.stop_hub(state["hub"])
    assert state["survivors"] == []
    assert state["hub"].pids, "the hub started a proxy, a culler and servers"
    assert not [p for p in state["hub"].pids if hubtools.psutil.pid_exists(p)]
