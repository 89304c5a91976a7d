"""The workbook runs with no network: unit tests and notebook kernels refuse outside connections."""

from __future__ import annotations

import socket

import nbformat
import pytest
from nbclient import NotebookClient

from mlsys_helpers import _offline

TEST_NET = ("192.0.2.1", 80)  # RFC 5737 documentation address: never a real host


def test_guard_is_installed_for_the_test_session():
    assert _offline.installed()


def test_outside_connection_raises():
    with pytest.raises(_offline.NetworkBlockedError, match="network access is disabled"):
        socket.create_connection(TEST_NET, timeout=1)


def test_outside_hostname_raises_before_any_lookup():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock, pytest.raises(_offline.NetworkBlockedError):
        sock.connect_ex(("pypi.org", 443))


def test_loopback_connection_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            conn, _ = server.accept()
            conn.sendall(b"hi")
            assert client.recv(2) == b"hi"
            conn.close()


def test_notebook_kernels_run_with_the_guard(tmp_path):
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "    print('CONNECTED')\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, kernel_name="python3", timeout=60).execute(cwd=str(tmp_path))
    assert nb.cells[0].outputs[0]["text"].strip() == "NetworkBlockedError"


def test_uninstall_restores_the_socket_methods():
    _offline.uninstall()
    try:
        assert not _offline.installed()
    finally:
        _offline.install()
    assert _offline.installed()
