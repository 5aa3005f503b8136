"""python -m mediareg.embedded start | stop | status | run -- COMMAND...

The embedded PostgreSQL of var/postgres (EMBEDDED_POSTGRES_DIR) by hand; `make run` and `make stop` use it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import ServerError, Unavailable, data_dir, ensure_running, run_command, running, stop, version


def start(pgdata: Path, command: list[str]) -> int:
    server = ensure_running(pgdata)
    state = "started" if server.started else "already running"
    print(f"Embedded PostgreSQL {version()} {state} (pid {server.pid}), data in {pgdata}: {server.url()}")
    return 0


def stop_server(pgdata: Path, command: list[str]) -> int:
    server = stop(pgdata)
    print(f"Embedded PostgreSQL stopped (pid {server.pid}), data kept in {pgdata}" if server
          else f"Embedded PostgreSQL of {pgdata} is not running")
    return 0


def status(pgdata: Path, command: list[str]) -> int:
    server = running(pgdata)
    if server is None:
        print(f"Embedded PostgreSQL of {pgdata} is not running")
        return 3  # pg_ctl status's code for "not running"
    print(f"Embedded PostgreSQL running (pid {server.pid}), data in {pgdata}: {server.url()}")
    return 0


def run(pgdata: Path, command: list[str]) -> int:
    """Run ``command`` with the server up; stop the server afterwards (Ctrl-C included) if this started it.
    A server that was already running is left running: another process started it and may be using it."""
    if os.environ.get("DATABASE_URL", "").strip():
        return run_command(command)  # a server of its own is configured; the embedded one is not used
    server = ensure_running(pgdata)
    if server.started:
        print(f"Embedded PostgreSQL {version()} started, data in {pgdata}; it stops when this ends (Ctrl-C)")
    try:
        return run_command(command)
    finally:
        if server.started and stop(pgdata) is not None:
            print(f"Embedded PostgreSQL stopped, data kept in {pgdata}")


ACTIONS = {"start": start, "stop": stop_server, "status": status, "run": run}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mediareg.embedded",
                                     description="The embedded PostgreSQL used when DATABASE_URL is not set.")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("start", help="start the server unless it is running")
    actions.add_parser("stop", help="stop the server; its data stays")
    actions.add_parser("status", help="whether it is running (exit 0) or not (exit 3), and its URL")
    run_parser = actions.add_parser("run", help="run COMMAND with the server up, and stop the server afterwards if "
                                                "this started it")
    run_parser.add_argument("command", nargs=argparse.REMAINDER, help="-- and the command line")
    args = parser.parse_args(argv)
    command = getattr(args, "command", [])
    if command[:1] == ["--"]:
        command = command[1:]
    if args.action == "run" and not command:
        parser.error("run needs a command: run -- COMMAND...")
    try:
        return ACTIONS[args.action](data_dir(), command)
    except (Unavailable, ServerError) as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
