"""No network at run time: refuse any outgoing connection of this process to a non-loopback address.

:func:`install_guard` wraps ``socket.socket.connect`` (and ``connect_ex``): a connection to 127.0.0.0/8, ``::1`` or
a Unix socket goes through; any other raises ``ConnectionRefusedError`` and is reported on stderr as
``offline guard: blocked connection to HOST:PORT`` (what the browser test looks for in the server's output).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

BLOCKED = "offline guard: blocked connection to"
_installed = False


def is_loopback(address: Any) -> bool:
    """True for a Unix socket path or an IPv4/IPv6 loopback address (``localhost`` counts)."""
    if not isinstance(address, tuple):
        return True  # AF_UNIX path
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name that would need a DNS lookup


def install_guard() -> None:
    """Install the guard once per process."""
    global _installed
    if _installed:
        return
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address: Any) -> None:
        if not is_loopback(address):
            print(f"{BLOCKED} {address[0]}:{address[1]}", file=sys.stderr, flush=True)
            raise ConnectionRefusedError(f"{BLOCKED} {address[0]}:{address[1]} (the dashboard runs offline)")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    _installed = True
