"""``python -m sim.dashboard [--port N] [--host 127.0.0.1]``: serve the dashboard, offline.

Binds to 127.0.0.1 unless told otherwise, turns off Solara's version check, usage statistics and browser opening, and
refuses (and reports on stderr) any connection the server process would open to a non-loopback address, so nothing
is fetched from the internet while it runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim.dashboard import DEFAULT_HOST, DEFAULT_PORT
from sim.dashboard.offline import install_guard


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sim.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s; 0: a free one)")
    return parser.parse_args(argv)


def solara_args(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the dashboard."""
    return [
        "run",
        "sim.dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--no-open",
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    install_guard()
    from solara.__main__ import cli  # after the environment is set: Solara reads its settings on import

    print(f"dashboard: http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    cli.main(solara_args(args.host, args.port), standalone_mode=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
