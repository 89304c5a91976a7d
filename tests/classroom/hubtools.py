"""Start the classroom hub (classroom/jupyterhub_config.py) for tests and the benchmark, drive it.

The hub runs the real config file through ``load_subconfig`` with test overrides: the shared
spawner (learners' homes under a temporary folder), DummyAuthenticator with a random password,
and a service token for the REST API. Everything listens on 127.0.0.1 on free ports; the hub,
the proxy, the idle culler and every learner's server are processes whose PIDs :func:`stop_hub`
collects and stops.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
BIN = Path(sys.executable).parent
GUARD = ROOT / "tests" / "ipython"
SCOPES = [
    "admin:users",
    "admin:servers",
    "access:servers",
    "tokens",
    "list:users",
    "read:users",
    "list:services",
    "read:services",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_env(state: Path, notebooks: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment `make hub` would give, pointed at temporary folders and free ports."""
    env = dict(os.environ)
    env.update(
        MLSYS_HUB_IP="127.0.0.1",
        MLSYS_HUB_PORT=str(port),
        MLSYS_HUB_INTERNAL_PORT=str(free_port()),
        MLSYS_HUB_PROXY_API_PORT=str(free_port()),
        MLSYS_HUB_DIR=str(state),
        MLSYS_HUB_NOTEBOOKS=str(notebooks),
        MLSYS_HUB_SPAWNER="shared",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


@dataclass
class Hub:
    url: str
    port: int
    token: str
    password: str
    process: subprocess.Popen
    folder: Path
    log: Path
    pids: set[int] = field(default_factory=set)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs
        )

    def remember_children(self) -> None:
        """Note the PIDs of every process the hub started (proxy, culler, learners' servers)."""
        try:
            parent = psutil.Process(self.process.pid)
            self.pids |= {p.pid for p in parent.children(recursive=True)}
        except psutil.NoSuchProcess:
            pass

    def create_users(self, names: list[str]) -> requests.Response:
        return self.api("POST", "/users", json={"usernames": names})

    def start_server(self, name: str) -> requests.Response:
        return self.api("POST", f"/users/{name}/server")

    def wait_ready(self, name: str, timeout: float = 120) -> float:
        """Seconds until the learner's server is ready (polls the hub's user model)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            server = self.api("GET", f"/users/{name}").json().get("servers", {}).get("")
            if server and server.get("ready"):
                self.remember_children()
                return time.monotonic() - start
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited; log:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)
        raise TimeoutError(f"{name}'s server not ready after {timeout} s:\n{self.tail()}")

    def stop_server(self, name: str, timeout: float = 60) -> None:
        self.api("DELETE", f"/users/{name}/server")
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if not self.api("GET", f"/users/{name}").json().get("servers"):
                return
            time.sleep(0.3)
        raise TimeoutError(f"{name}'s server did not stop")

    def user_token(self, name: str) -> str:
        answer = self.api("POST", f"/users/{name}/tokens", json={"note": "classroom test"})
        answer.raise_for_status()
        return answer.json()["token"]

    def server_api(self, name: str, token: str, method: str, path: str, **kwargs):
        headers = {"Authorization": f"token {token}"}
        return requests.request(
            method,
            f"{self.url}/user/{name}/api{path}",
            headers=headers,
            timeout=60,
            allow_redirects=False,
            **kwargs,
        )

    def execute(
        self, name: str, token: str, code: str, timeout: float = 120, *, shutdown: bool = True
    ) -> str:
        """Run ``code`` in a new kernel of ``name``'s server; return its stdout (and errors).

        The kernel is shut down afterwards unless ``shutdown`` is False (the benchmark measures
        its memory first; stopping the server stops it).
        """
        import websocket

        kernel = self.server_api(name, token, "POST", "/kernels", json={"name": "python3"})
        kernel.raise_for_status()
        kernel_id = kernel.json()["id"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/user/{name}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {token}"],
            timeout=timeout,
        )
        try:
            msg_id = uuid.uuid4().hex
            ws.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "username": name,
                            "session": uuid.uuid4().hex,
                            "msg_type": "execute_request",
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                        "channel": "shell",
                        "buffers": [],
                    }
                )
            )
            out, deadline = [], time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    out.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out)
            raise TimeoutError(f"no answer from {name}'s kernel")
        finally:
            ws.close()
            if shutdown:
                self.server_api(name, token, "DELETE", f"/kernels/{kernel_id}")

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def start_hub(folder: Path, notebooks: Path, *, timeout: float = 90, **env_extra: str) -> Hub:
    """Start the hub from classroom/jupyterhub_config.py with test overrides; wait until it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    port, token, password = free_port(), secrets.token_hex(32), secrets.token_urlsafe(12)
    config = folder / "test_config.py"
    config.write_text(
        f"""c = get_config()  # noqa: F821
load_subconfig({str(CONFIG)!r})  # noqa: F821  the classroom's own configuration, then:
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.JupyterHub.services.append({{"name": "classroom-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{"name": "classroom-test", "scopes": {SCOPES!r}, "services": ["classroom-test"]}}
)
c.Spawner.environment["IPYTHONDIR"] = {str(GUARD)!r}  # the offline guard in learners' kernels
""",
        encoding="utf-8",
    )
    env = hub_env(folder / "classroom", notebooks, port, **env_extra)
    log = folder / "hub.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(config)],
            cwd=folder,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    hub = Hub(f"http://127.0.0.1:{port}", port, token, password, process, folder, log)
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited with {process.returncode}:\n{hub.tail()}")
        try:
            if hub.api("GET", "/").status_code == 200:
                hub.remember_children()
                return hub
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    stop_hub(hub)
    raise TimeoutError(f"the hub did not answer within {timeout} s:\n{hub.tail()}")


def stop_hub(hub: Hub, timeout: float = 30) -> list[int]:
    """Stop the hub (it stops the proxy, services and servers) and then any survivor, by PID.

    Returns the PIDs that were still alive after the hub's own shutdown (should be empty).
    """
    hub.remember_children()
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(10)
    survivors = []
    for pid in sorted(hub.pids):
        try:
            proc = psutil.Process(pid)
            proc.wait(5)
        except psutil.NoSuchProcess:
            continue
        except psutil.TimeoutExpired:
            survivors.append(pid)
            proc.kill()
    return survivors
