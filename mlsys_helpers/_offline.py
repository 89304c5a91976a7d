"""Offline guard: refuse every network connection that leaves this machine.

The workbook promises to run with no network. The test suite (``tests/conftest.py``) and the
notebook kernels that ``make test`` / ``make notebooks`` start (an IPython startup file in
``tests/ipython``) both call :func:`install`, so code that tries to download anything fails loudly
instead of quietly depending on the internet. Loopback (127.0.0.0/8, ``::1``, ``localhost``) and
Unix sockets stay allowed: the kernel protocol, the workbook's own HTTP endpoint and its load test
all live there.
"""

from __future__ import annotations

import ipaddress
import socket

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NetworkBlockedError(OSError):
    """Raised when code tries to reach a host other than this machine."""


def is_local_address(address: object) -> bool:
    """Return True for addresses that stay on this machine.

    >>> is_local_address(("127.0.0.1", 80)), is_local_address(("::1", 80, 0, 0))
    (True, True)
    >>> is_local_address(("93.184.216.34", 80)), is_local_address(("example.org", 443))
    (False, False)
    >>> is_local_address("/tmp/kernel.sock")
    True
    """
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%", 1)[0].lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not is_local_address(address):
        raise NetworkBlockedError(
            f"network access is disabled in mlsys-workbook (tried to connect to {address!r}); "
            "everything the workbook needs is on this machine"
        )
    return _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not is_local_address(address):
        raise NetworkBlockedError(
            f"network access is disabled in mlsys-workbook (tried to connect to {address!r})"
        )
    return _original_connect_ex(self, address)


def install() -> None:
    """Patch :class:`socket.socket` so that only local connections succeed (idempotent)."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore the original socket methods."""
    socket.socket.connect = _original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]


def installed() -> bool:
    """Whether the guard is active in this process."""
    return socket.socket.connect is _guarded_connect
