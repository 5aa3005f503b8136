"""Scale-out under load: 2 gunicorn web nodes and 2 Celery worker nodes on one PostgreSQL, Redis and S3 store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_scaleout REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/scaleout.py [--seconds 60] [--kill-seconds 30] [--clients 12] [--outlets 50000] \
        [--skip-kills] [--skip-recheck] [--local-storage]

Uses its own database (dropped and created again on every run; the default above) and its own Redis
database (emptied), never those of `make run` or the tests. It starts, on loopback:

- moto's standalone S3 server (the venv's `moto_server`) with one bucket, the documents' store
  (STORAGE_URL=s3://...); --local-storage uses one local folder shared by the nodes instead;
- 2 web nodes, `gunicorn mediareg.wsgi` with DEBUG off, each with an empty DOCUMENTS_ROOT of its own
  (with S3, nothing may be written to or read from a node's disk: the bench checks they stay empty);
- 2 worker nodes, `celery -A mediareg worker --hostname ...`;
- a round-robin TCP proxy in front of the web nodes (a process of its own, asyncio): each connection
  goes to the next node; a node that refuses the connection (dead) is skipped for the next one, as an
  L4 load balancer does. A request in flight on a node that dies has its connection closed: the
  client gets no answer, counted as a "no answer" error of the kill phase, not as lost (the client
  never got an acceptance; lost is an accepted application with something missing).

Then it drives a bounded load for a fixed time from --clients threads (stdlib http.client, a new
connection per request so that every request is balanced): public-form submissions with seven real
PDFs each (the six documents the form requires and the KSWP, so the least a valid application carries;
GET /apply/ for the CSRF token and the signed submission key, then the multipart POST), status pages
of applications already accepted, /catalog/ and the staff API's /api/v1/outlets/ with a token.

1. Steady phase (--seconds): nothing is killed; requests per second overall and per endpoint, p50 and
   p99, errors by kind; the CPU each part used (each node's process group, PostgreSQL's backends of
   this database, moto, the proxy, the client, Redis, and the other sessions on the machine), per
   second and per accepted submission, and the requests each submission made to the S3 store (moto
   logs them), so that what limits the throughput can be read off.
2. Kill phase (--kill-seconds; --skip-kills leaves it out): a quarter in, one worker node is SIGKILLed
   (its whole process group) as soon as it runs a task (read from its log; a submission's re-check if
   one comes within 2.5 s, else any task within 5 s), so that the kill takes a message with it;
   half-way, one web node. A submission that got no answer is sent once
   more with the same form data and signed submission key (the proxy sends it to the live node); the
   application de-duplicates by that key (catalog.applications.submit_application).
3. Checks: every accepted application (the client got the redirect to its status page) has its rows
   (application, company, outlet, listing, seven documents), every document's file is in the store,
   and its re-check was queued then done (no pending re-check mark left, an eligibility row exists).
   The killed worker's reserved messages come back only after Redis's visibility timeout (1 h), so,
   as beat would every five minutes, the bench sends the recheck-pending-outlets and send-pending-mail
   sweeps once what is left is due (catalog.pending.SWEEP_AFTER, mediareg.outbox.FIRST_SWEEP_AFTER:
   about two minutes after the kill) and says how many re-checks and e-mails they recovered. Files in
   the store that no document names (a submission killed before its commit) are counted. Lost (accepted
   but missing anything) and duplicated (one submission key or one client submission stored twice)
   must both be 0.
4. Fan-out (--skip-recheck leaves it out): --outlets outlets seeded as bench/recheck.py does, and the
   nightly catalog.tasks.recheck_all_outlets sent through the broker, timed until its RecheckRun
   finishes, with 1 worker node and then with 2 (concurrency 1 each, so the comparison is nodes).
   Both runs do the same work, a first evaluation of every outlet: before the second, what the first
   wrote (results, history, listings, the day's run, which would make the second do nothing) is put
   back as the seed left it (RESET_RECHECK_SQL).

Gunicorn: --web-workers 2 processes of --web-threads 4 threads (gthread) per node. Two processes per
node use both cores when the GIL holds one; threads overlap a request's waits on PostgreSQL, Redis
and the S3 store (a submission spends much of its time in seven PUTs to the store) without the memory
of more processes (more processes would only queue for the same two cores). Celery:
--worker-concurrency 1 process per node (prefork): a submission's re-check and e-mails take a few tens
of milliseconds, and every process more takes CPU from the web nodes.

Target (issue 13): at least 20 accepted submissions per second in the steady phase with 0 errors on
this 2-core machine (the load client, the proxy, moto, PostgreSQL and Redis share the two cores), 0
lost and 0 duplicated after the kills, and a speed-up above 1 from 1 to 2 worker nodes. The summary
ends with PASS or FAIL lines and the last line says the verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import datetime
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.database import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_scaleout")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")

BIN = Path(sys.executable).parent  # the venv's gunicorn, celery and moto_server
BUCKET = "mediareg-scaleout"
TARGET_SUBMISSIONS_PER_SECOND = 20
DOCUMENTS_PER_SUBMISSION = 7  # the six required documents and the KSWP (a KSWP or an SKF is required)
# The load's mix, by weight: each client thread picks its next action at random.
MIX = {"submit": 5, "status": 2, "catalog": 1.5, "api": 1.5}
CATALOG_PAGES = ["/catalog/", "/catalog/?media_type=online", "/catalog/?q=Bench+Outlet"]
REQUEST_TIMEOUT = 30
# A submission that got no answer is sent again after this pause, as a person would press the button
# again; sent at once it could still reach a node whose listening socket outlives its killed process
# for a moment.
RETRY_AFTER = 0.5
DRAIN_BOUND = 240  # seconds the checks wait at most for the workers to finish the queued re-checks


# --- processes -----------------------------------------------------------------------------------

class Processes:
    """Every process the bench starts, each in a process group (session) of its own, so that a kill
    takes a node's children with it (gunicorn's and Celery's workers) and a Ctrl-C in the terminal
    reaches only the bench, which then stops them all (stop_all: finally, atexit)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # the child writes to its own copy
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()  # the child has its own copy
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str) -> None:
        """SIGKILL the process group: no shutdown, no hand-back of messages, as when a machine dies."""
        process = self.running.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def stop(self, name: str, timeout: float = 15) -> None:
        process = self.running.pop(name, None)
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # A group outlives its leader when children linger (a gunicorn worker): take them too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name, timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, process: subprocess.Popen | None = None, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        time.sleep(interval)
    raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


# --- where the CPU went ---------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_table() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (process group, CPU seconds used so far, user and system)."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS)
    return table


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])
    return (total - values[3] - values[4]) / TICKS, total / TICKS


class CpuMeter:
    """CPU seconds per part of the set-up over a phase: each node's process group, PostgreSQL's
    backends of this database, Redis (a server other sessions share too), the bench itself (the load
    client's threads) and the whole machine, so that the figures say what a submission costs and
    what else was running."""

    def __init__(self, processes: Processes, redis_client):
        self.processes, self.redis_pid = processes, int(redis_client.info("server")["process_id"])

    def snapshot(self) -> dict:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            postgres = {row[0] for row in cursor.fetchall()}
        table = process_table()
        parts = defaultdict(float)
        groups = {process.pid: name for name, process in self.processes.running.items()}
        for pid, (group, seconds) in table.items():
            if group in groups:
                name = groups[group]
                parts["web nodes" if name.startswith("web") else "worker nodes" if name.startswith("worker")
                      else name] += seconds
            elif pid in postgres:
                parts["PostgreSQL (this database)"] += seconds
            elif pid == self.redis_pid:
                parts["Redis (shared)"] += seconds
        usage = os.times()
        parts["load client (bench)"] = usage.user + usage.system
        parts["_postgres_pids"] = {pid: table[pid][1] for pid in postgres if pid in table}
        parts["_machine"] = machine_busy()
        return parts

    @staticmethod
    def difference(before: dict, after: dict) -> dict:
        parts = {name: after[name] - before.get(name, 0.0) for name in after if not name.startswith("_")}
        # A backend that started during the phase counts whole; one that ended is missing from both.
        old = before["_postgres_pids"]
        parts["PostgreSQL (this database)"] = sum(seconds - old.get(pid, 0.0)
                                                  for pid, seconds in after["_postgres_pids"].items())
        parts["_machine_busy"] = after["_machine"][0] - before["_machine"][0]
        parts["_machine_total"] = after["_machine"][1] - before["_machine"][1]
        return parts


def report_cpu(used: dict, wall: float, accepted: int) -> float:
    """Prints the CPU per second of each part and per accepted submission; returns the ms per submission."""
    ours = {name: seconds for name, seconds in used.items() if not name.startswith("_")}
    total = sum(ours.values())
    cores = used["_machine_total"] / wall
    print(f"  CPU, in core-seconds per second ({cores:.1f} cores): " + ", ".join(
        f"{name} {seconds / wall:.2f}" for name, seconds in sorted(ours.items(), key=lambda item: -item[1])))
    print(f"  the set-up above used {total / wall:.2f}; the whole machine was busy {used['_machine_busy'] / wall:.2f} "
          f"(other sessions: {(used['_machine_busy'] - total) / wall:.2f})")
    per_submission = total / max(accepted, 1) * 1000
    print(f"  CPU per accepted submission, with its share of the reads: {per_submission:.0f} ms ("
          + ", ".join(f"{name} {seconds / max(accepted, 1) * 1000:.0f}" for name, seconds in
                      sorted(ours.items(), key=lambda item: -item[1])) + f"): {cores:.0f} cores alone would carry "
          f"about {cores * 1000 / per_submission:.0f} submissions/s")
    return per_submission


# --- the round-robin proxy (a process of its own: python bench/scaleout.py --serve-proxy ...) -----

def serve_proxy(listen_port: int, backends: list[int], stats_path: str) -> None:
    """Round robin per connection over ``backends``; a backend that refuses the connection is skipped
    for the next one (nothing has been sent yet, so that is always safe). When a backend dies with a
    request in flight its connection breaks and the client's is closed: the client gets no answer."""
    stats = {"connections": 0, "by_node": {str(port): 0 for port in backends}, "dead_node_skipped": 0,
             "no_live_node": 0}
    turn = itertools.count()

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

    async def handle(client_reader, client_writer):
        stats["connections"] += 1
        first = next(turn)
        for step in range(len(backends)):
            port = backends[(first + step) % len(backends)]
            try:
                node_reader, node_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                stats["dead_node_skipped"] += 1
                continue
            stats["by_node"][str(port)] += 1
            await asyncio.gather(pipe(client_reader, node_writer), pipe(node_reader, client_writer))
            return
        stats["no_live_node"] += 1
        client_writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", listen_port, backlog=512)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)

        async def keep_stats():
            while True:
                Path(stats_path).write_text(json.dumps(stats))
                await asyncio.sleep(0.5)

        saver = asyncio.create_task(keep_stats())
        async with server:
            await stopped.wait()
        saver.cancel()
        Path(stats_path).write_text(json.dumps(stats))

    asyncio.run(main())


# --- the nodes -------------------------------------------------------------------------------------

@dataclass
class Cluster:
    processes: Processes
    workdir: Path
    env: dict
    local_storage: bool
    shared_documents: Path | None = None
    web_ports: dict[str, int] = field(default_factory=dict)
    node_folders: dict[str, Path] = field(default_factory=dict)

    def node_env(self, name: str) -> dict:
        folder = self.shared_documents if self.local_storage else self.workdir / f"documents-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        self.node_folders[name] = folder
        return {**self.env, "DOCUMENTS_ROOT": str(folder)}

    def start_web(self, name: str, workers: int, threads: int) -> None:
        port = free_port()
        self.web_ports[name] = port
        process = self.processes.start(name, [
            str(BIN / "gunicorn"), "mediareg.wsgi", "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
            "--workers", str(workers), "--threads", str(threads), "--no-control-socket", "--timeout", "30",
        ], self.node_env(name))
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 60, name, process)

    def start_worker(self, name: str, concurrency: int) -> None:
        process = self.processes.start(name, [
            str(BIN / "celery"), "-A", "mediareg", "worker", "-l", "info", "--hostname", f"{name}@%h",
            "--concurrency", str(concurrency), "--pool", "prefork",
        ], self.node_env(name))
        wait_until(lambda: " ready." in self.processes.log(name), 60, name, process)
        if "Connected to redis://" not in self.processes.log(name):
            raise RuntimeError(f"{name} is not connected to Redis (REDIS_URL missing from its environment?)")


# --- the load ----------------------------------------------------------------------------------------

@dataclass
class Sample:
    phase: str
    endpoint: str
    started: float
    seconds: float
    error: str | None


@dataclass
class Submission:
    number: int
    signed_key: str
    legal_name: str
    outcome: str = "pending"  # accepted, no answer, refused
    code: str | None = None
    attempts: int = 0
    answered_on_retry: bool = False


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----mediareg-bench-{secrets.token_hex(12)}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
STATUS_PATH = re.compile(r"/apply/status/([A-Za-z0-9_-]+)/$")


class Load:
    """The bounded client: threads that each loop over the mix until the phase's deadline."""

    def __init__(self, port: int, token: str, reference: dict, run_tag: str):
        self.port, self.token, self.reference, self.run_tag = port, token, reference, run_tag
        self.samples: list[Sample] = []
        self.submissions: list[Submission] = []
        self.accepted_codes: list[str] = []
        self.numbers = itertools.count(1)
        self.phase = ""

    # One request on a new connection; (status, headers, body), or raises OSError / HTTPException.
    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def timed(self, endpoint: str, expect: int, method: str, path: str, body=None, headers=None):
        """The request, recorded as a sample; returns (status, headers, body) or None when it failed."""
        started = time.monotonic()
        try:
            status, answer_headers, content = self.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as failure:
            kind = "timeout" if isinstance(failure, TimeoutError) else f"no answer ({type(failure).__name__})"
            self.samples.append(Sample(self.phase, endpoint, started, time.monotonic() - started, kind))
            return None
        error = None if status == expect else f"HTTP {status}"
        if error and status == 400 and endpoint.startswith("POST"):
            error += f" (form refused: {refusal_text(content)})"
        self.samples.append(Sample(self.phase, endpoint, started, time.monotonic() - started, error))
        return status, answer_headers, content

    def application(self, number: int, signed_key: str, csrf: str) -> tuple[list, list]:
        tag = f"{self.run_tag}{number:05d}"
        today = self.reference["today"]
        fields = [
            ("csrfmiddlewaretoken", csrf), ("submission_key", signed_key),
            ("legal_name", f"PT Beban Media {tag}"), ("legal_form", "pt"), ("npwp", npwp(number)),
            ("nib", f"9{number:012d}"), ("address", f"Jl. Beban No. {number}"),
            ("province", self.reference["province"]), ("regency_city", "Jakarta Pusat"),
            ("company_email", f"sekretariat@beban-{tag}.id"), ("company_phone", "(021) 390 1234"),
            ("kbli_codes", self.reference["kbli"]), ("outlet_name", f"Beban {tag}"), ("media_type", "online"),
            ("website", f"https://www.beban-{tag}.id/"), ("person_in_charge", "Siti Rahmawati"),
            ("editor_in_chief", "Budi Santoso"), ("editor_competency", "utama"),
            ("editor_certificate_no", f"{number}-PWI/WU/DP/III/2021"), ("outlet_email", f"redaksi@beban-{tag}.id"),
            ("outlet_phone", "0812 3456 7890"), ("tax_year", str(today.year - 1)), ("kswp_date", today.isoformat()),
            ("declaration", "on"), ("fax", ""),
        ]
        files = [(f"doc_{kind}", f"{kind}.pdf", self.reference["pdf"](f"{kind} {tag}", [f"Uji beban {tag}"]))
                 for kind in ("deed", "law_ministry_approval", "nib", "npwp_card", "annual_tax_return",
                              "editorial_box", "kswp")]
        return fields, files

    def submit(self, client: dict) -> None:
        answer = self.timed("GET /apply/", 200, "GET", "/apply/", headers=client_cookie(client))
        if answer is None or answer[0] != 200:
            return
        _status, headers, page = answer
        for cookie in headers.get_all("Set-Cookie") or []:
            if found := CSRF_COOKIE.match(cookie):
                client["csrftoken"] = found.group(1)
        html = page.decode()
        csrf, signed_key = CSRF_INPUT.search(html), KEY_INPUT.search(html)
        if not (csrf and signed_key):
            self.samples[-1].error = "HTTP 200 without the form (no CSRF token or submission key)"
            return
        csrf, signed_key = csrf.group(1), signed_key.group(1)
        number = next(self.numbers)
        submission = Submission(number, signed_key, f"PT Beban Media {self.run_tag}{number:05d}")
        self.submissions.append(submission)
        body, content_type = multipart(*self.application(number, signed_key, csrf))
        headers = {"Content-Type": content_type, **client_cookie(client)}
        for attempt in (1, 2):  # the same form data and key again after no answer: the app de-duplicates
            if attempt == 2:
                time.sleep(RETRY_AFTER)
            submission.attempts = attempt
            answer = self.timed("POST /apply/", 302, "POST", "/apply/", body=body, headers=headers)
            if answer is None:
                submission.outcome = "no answer"
                continue
            status, answer_headers, _content = answer
            found = STATUS_PATH.search(answer_headers.get("Location", "")) if status == 302 else None
            if found:
                submission.outcome, submission.code = "accepted", found.group(1)
                submission.answered_on_retry = attempt == 2
                self.accepted_codes.append(submission.code)
            else:
                submission.outcome = "refused"
            return

    def read_status(self, rng: random.Random, client: dict) -> None:
        if not self.accepted_codes:
            return self.read_catalog(rng, client)
        code = rng.choice(self.accepted_codes)
        self.timed("GET /apply/status/<code>/", 200, "GET", f"/apply/status/{code}/", headers=client_cookie(client))

    def read_catalog(self, rng: random.Random, client: dict) -> None:
        self.timed("GET /catalog/", 200, "GET", rng.choice(CATALOG_PAGES), headers=client_cookie(client))

    def read_api(self, rng: random.Random, client: dict) -> None:
        self.timed("GET /api/v1/outlets/", 200, "GET", "/api/v1/outlets/",
                   headers={"Authorization": f"Token {self.token}", "Accept": "application/json"})

    def run(self, phase: str, seconds: float, clients: int, during=None) -> float:
        """Run the mix for ``seconds`` from ``clients`` threads; ``during(started)`` runs in this thread
        meanwhile (the kills). Returns the wall time from the start until the last thread finished."""
        self.phase = phase
        deadline = time.monotonic() + seconds
        actions = {"submit": lambda rng, client: self.submit(client), "status": self.read_status,
                   "catalog": self.read_catalog, "api": self.read_api}
        names, weights = list(MIX), list(MIX.values())

        def client_loop(index: int) -> None:
            rng, client = random.Random(f"{phase}-{index}"), {}
            while time.monotonic() < deadline:
                actions[rng.choices(names, weights)[0]](rng, client)

        started = time.monotonic()
        threads = [threading.Thread(target=client_loop, args=(i,), daemon=True, name=f"client-{i}")
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        if during:
            during(started)
        for thread in threads:
            thread.join()
        return time.monotonic() - started


TASK_RECEIVED = re.compile(r"Task ([\w.]+)\[([0-9a-f-]+)\] received")
TASK_ENDED = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|failed|retry|raised)")


def task_in_flight(processes: Processes, name: str, patience: float = 5.0,
                   prefer: str = "catalog.tasks.recheck_outlets_task") -> str | None:
    """Wait (up to ``patience`` seconds) until worker node ``name`` is running a task, read from its log,
    so that the kill takes a message with it (a worker of concurrency 1 is idle most of the time, and a
    kill of an idle worker shows nothing): a ``prefer`` task (a submission's re-check) for the first
    half of the time, then any. Returns the task's name, or None when none came."""
    started = time.monotonic()
    while (waited := time.monotonic() - started) < patience:
        log = processes.log(name)
        ended = set(TASK_ENDED.findall(log))
        running = [task for task, task_id in TASK_RECEIVED.findall(log) if task_id not in ended]
        if running and (running[-1] == prefer or waited > patience / 2):
            return running[-1]
        time.sleep(0.005)
    return None


def client_cookie(client: dict) -> dict:
    return {"Cookie": f"csrftoken={client['csrftoken']}"} if client.get("csrftoken") else {}


def refusal_text(content: bytes) -> str:
    html = content.decode(errors="replace")
    errors = re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    text = " | ".join(errors) or (summary.group(0) if summary else html[:200])
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:160]


def npwp(number: int) -> str:
    """A valid, unique 16-digit NPWP (the demo's legacy_npwp, Luhn check digit in ninth place, with the 0 that
    makes 16), under tax office codes 800-899, which neither the seed (091) nor the factories (900-999) use."""
    from partners.demo.plan import legacy_npwp

    return "0" + legacy_npwp("01", number % 1_000_000, f"{800 + (number // 1_000_000) % 100:03d}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def report_phase(load: Load, phase: str, wall: float) -> dict:
    samples = [s for s in load.samples if s.phase == phase]
    accepted = sum(1 for s in samples if s.endpoint == "POST /apply/" and s.error is None)
    errors = Counter(f"{s.endpoint}: {s.error}" for s in samples if s.error)
    print(f"\n{phase}: {wall:.1f} s, {len(samples)} requests, {len(samples) / wall:.1f} requests/s, "
          f"{accepted} submissions accepted = {accepted / wall:.1f} submissions/s")
    print(f"  {'endpoint':<28} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    by_endpoint = defaultdict(list)
    for sample in samples:
        by_endpoint[sample.endpoint].append(sample)
    for endpoint in ("GET /apply/", "POST /apply/", "GET /apply/status/<code>/", "GET /catalog/",
                     "GET /api/v1/outlets/"):
        rows = by_endpoint.get(endpoint, [])
        good = [s.seconds * 1000 for s in rows if s.error is None]
        print(f"  {endpoint:<28} {len(rows):8d} {len(rows) / wall:7.1f} {percentile(good, 0.5):8.0f} "
              f"{percentile(good, 0.99):8.0f} {sum(1 for s in rows if s.error):7d}")
    for kind, count in errors.most_common():
        print(f"  error: {count} x {kind}")
    if not errors:
        print("  errors: none")
    return {"wall": wall, "requests": len(samples), "accepted": accepted, "per_second": accepted / wall,
            "errors": sum(errors.values()),
            "p99": {e: percentile([s.seconds * 1000 for s in rows if s.error is None], 0.99)
                    for e, rows in by_endpoint.items()}}


def recheck_seed():
    """bench/recheck.py's seed (SEED_SQL and the valid NPWPs). That module removes REDIS_URL from the
    environment when imported (its re-checks run in-process); here the nodes need it."""
    redis_url = os.environ["REDIS_URL"]
    from bench.recheck import SEED_SQL, give_valid_npwps

    os.environ["REDIS_URL"] = redis_url
    return SEED_SQL, give_valid_npwps


# --- preparing the database ------------------------------------------------------------------------

def recreate_database(url: str) -> None:
    """Drop and create the bench's own database, so every run starts from the migrations alone."""
    import dj_database_url
    import psycopg2

    ensure_database(url)
    config = dj_database_url.parse(url)
    connection = psycopg2.connect(dbname="postgres", user=config["USER"] or None, host=config["HOST"] or None,
                                  port=config["PORT"] or None, password=config["PASSWORD"] or None)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def prepare_data() -> tuple[str, dict]:
    """A registration window open today, a handful of listed outlets for /catalog/ (bench/recheck.py's
    seed), and an API token of a staff user who may view outlets. Returns the token's key and what the
    form's fields refer to."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.utils import timezone

    from catalog.models import RegistrationWindow
    from mediareg.api import tokens
    from partners.demo.files import pdf_bytes
    from partners.models import KbliCode, Province

    seed_sql, give_valid_npwps = recheck_seed()
    today = timezone.localdate()
    RegistrationWindow.objects.create(opens_on=today - datetime.timedelta(days=1),
                                      closes_on=today + datetime.timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute(seed_sql % {"companies": 14, "outlets": 20})
    give_valid_npwps()
    # Past the seeded ids: the sequences were not moved by the explicit ids of the seed.
    with connection.cursor() as cursor:
        for table in ("partners_presscompany", "partners_mediaoutlet"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    user = get_user_model().objects.create_user("bench-scaleout", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="partners",
                                                         codename__startswith="view_"))
    key = tokens.token_create(user=user, name="bench/scaleout.py", created_by=user)[1]
    reference = {"today": today, "province": str(Province.objects.get(code="31").pk),
                 "kbli": str(KbliCode.objects.get(code="63122").pk), "pdf": pdf_bytes}
    return key, reference


# --- checks -------------------------------------------------------------------------------------------

def stored_names(local_storage: bool, shared_documents: Path | None, s3) -> set[str]:
    if local_storage:
        return {str(path.relative_to(shared_documents)) for path in shared_documents.rglob("*") if path.is_file()}
    names = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        names.update(item["Key"] for item in page.get("Contents", []))
    return names


def queued_messages(redis_client) -> int:
    return redis_client.llen("celery")


def wait_for_side_effects(application_ids: list[int], redis_client) -> dict:
    """Wait until the workers have drained the queue and the pending re-check marks and unsent e-mails
    of these applications stop going down. Then, if some are left (their message died with the killed
    worker, or a web node died between its commit and queueing), wait until they are due for the
    sweeps (catalog.pending.SWEEP_AFTER, mediareg.outbox.FIRST_SWEEP_AFTER) and send both sweeps, as
    beat does every five minutes. Returns what it saw."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max
    from django.utils import timezone

    from catalog.models import Application, PendingRecheck
    from catalog.pending import SWEEP_AFTER
    from catalog.tasks import recheck_pending_outlets
    from mediareg.models import OutgoingMail
    from mediareg.tasks import send_pending_mail

    marks = PendingRecheck.objects.filter(
        outlet_id__in=Application.objects.filter(pk__in=application_ids).values("outlet_id"))
    mails = OutgoingMail.objects.filter(content_type=ContentType.objects.get_for_model(Application),
                                        object_id__in=application_ids)
    unsent = mails.filter(status=OutgoingMail.Status.PENDING)
    started = time.monotonic()
    last, steady_since = None, time.monotonic()
    while time.monotonic() - started < DRAIN_BOUND:
        left, queued = (marks.count(), unsent.count()), queued_messages(redis_client)
        if left == (0, 0):
            break
        if left != last or queued:
            last, steady_since = left, time.monotonic()
        elif time.monotonic() - steady_since > 5:
            break
        time.sleep(0.5)
    result = {"drain_seconds": time.monotonic() - started, "marks_after_drain": marks.count(),
              "unsent_after_drain": unsent.count(), "unacked": redis_client.hlen("unacked"),
              "sweep_wait": 0.0, "sweep_seconds": 0.0}
    if result["marks_after_drain"] or result["unsent_after_drain"]:
        # The sweeps take a mark older than SWEEP_AFTER and a mail whose next attempt has come: wait for the
        # newest of those left.
        due = [moment for moment in (
            (marks.aggregate(newest=Max("since"))["newest"] or timezone.now() - SWEEP_AFTER) + SWEEP_AFTER,
            unsent.aggregate(latest=Max("next_attempt_at"))["latest"]) if moment]
        wait = max(0.0, (max(due) - timezone.now()).total_seconds() + 1)
        print(f"  left after the drain: {result['marks_after_drain']} re-checks, {result['unsent_after_drain']} "
              f"e-mails ({result['unacked']} messages held unacknowledged by the killed worker, redelivered only "
              f"after the visibility timeout); sending the recheck-pending-outlets and send-pending-mail sweeps "
              f"in {wait:.0f} s, when they are due, as beat would")
        time.sleep(wait)
        sent = time.monotonic()
        recheck_pending_outlets.delay()
        send_pending_mail.delay()
        while (marks.exists() or unsent.exists()) and time.monotonic() - sent < 120:
            time.sleep(0.5)
        result.update(sweep_wait=wait, sweep_seconds=time.monotonic() - sent)
    result.update(marks_left=marks.count(), unsent_left=unsent.count(), mails=mails.count(),
                  mails_sent=mails.filter(status=OutgoingMail.Status.SENT).count())
    result.update(rechecks_swept=result["marks_after_drain"] - result["marks_left"],
                  mails_swept=result["unsent_after_drain"] - result["unsent_left"])
    return result


def check_applications(load: Load, names_in_store: set[str], run_keys: dict[str, Submission]) -> dict:
    """Lost: accepted by the client but missing a row, a file or the re-check. Duplicated: a submission
    key or a client's submission (its company) stored as more than one application."""
    from django.db.models import Count

    from catalog.models import Application, Eligibility, Listing, PendingRecheck

    accepted = [s for s in load.submissions if s.outcome == "accepted"]
    applications = {a.code: a for a in Application.objects.filter(code__in=[s.code for s in accepted])
                    .select_related("company", "outlet").prefetch_related("documents")}
    outlet_ids = [a.outlet_id for a in applications.values()]
    eligible_rows = set(Eligibility.objects.filter(outlet_id__in=outlet_ids).values_list("outlet_id", flat=True))
    listings = set(Listing.objects.filter(outlet_id__in=outlet_ids).values_list("outlet_id", flat=True))
    marked = set(PendingRecheck.objects.filter(outlet_id__in=outlet_ids).values_list("outlet_id", flat=True))
    missing, lost = Counter(), 0
    for submission in accepted:
        application = applications.get(submission.code)
        documents = list(application.documents.all()) if application else []
        gaps = ["application row"] if application is None else [gap for gap, absent in (
            ("company row (another company's)", application.company.legal_name != submission.legal_name),
            ("listing row", application.outlet_id not in listings),
            (f"documents (not {DOCUMENTS_PER_SUBMISSION})", len(documents) != DOCUMENTS_PER_SUBMISSION),
            ("a document's file in the store", any(d.file.name not in names_in_store for d in documents)),
            ("re-check done", application.outlet_id in marked or application.outlet_id not in eligible_rows),
        ) if absent]
        missing.update(gaps)
        lost += bool(gaps)

    ours = Application.objects.filter(company__legal_name__startswith=f"PT Beban Media {load.run_tag}")
    by_key = ours.values("submission_key").annotate(n=Count("pk")).filter(n__gt=1).count()
    by_company = ours.values("company_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    keys_stored = set(ours.values_list("submission_key", flat=True))
    unknown_keys = len(keys_stored - set(run_keys))
    not_answered = [s for s in load.submissions if s.outcome != "accepted"]
    stored_unanswered = sum(1 for s in not_answered if _key_of(s) in keys_stored)
    referenced = set(Application.documents.through.objects.filter(application__in=ours)
                     .values_list("document__file", flat=True))
    return {"accepted": len(accepted), "lost": lost, "missing": missing, "duplicated": by_key + by_company,
            "unknown": unknown_keys, "stored_unanswered": stored_unanswered,
            "not_answered": sum(1 for s in not_answered if s.outcome == "no answer"),
            "refused": sum(1 for s in not_answered if s.outcome == "refused"),
            "answered_on_retry": sum(1 for s in accepted if s.answered_on_retry),
            "stray_files": len(names_in_store - referenced - {"bench/none.pdf"}),
            "outlet_ids": outlet_ids}


def _key_of(submission: Submission) -> str:
    from catalog.forms import read_submission_key

    return read_submission_key(submission.signed_key)


# --- the fan-out of the nightly re-check ------------------------------------------------------------

def seed_outlets(outlets: int) -> float:
    from django.db import connection

    seed_sql, give_valid_npwps = recheck_seed()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(seed_sql % {"companies": max(1, int(outlets * 0.7)), "outlets": outlets})
        cursor.execute("TRUNCATE catalog_pendingrecheck")
    give_valid_npwps()
    return time.perf_counter() - started


# What a full re-check writes (catalog.eligibility.recheck_outlets: results, their history, listings that
# follow them) put back as the seed left it, so that each timed run does the same work: every outlet
# evaluated for the first time.
RESET_RECHECK_SQL = """
SET session_replication_role = replica;
TRUNCATE catalog_eligibility, catalog_eligibilitychange, catalog_listingtransition, catalog_recheckrange,
         catalog_recheckrun, catalog_pendingrecheck;
UPDATE catalog_listing SET state = 'listed', suspension_cause = '', sanction_level = 0, sanction_ends_on = NULL,
                           reason = '', state_since = now(), updated_at = now();
SET session_replication_role = DEFAULT;
ANALYZE;
"""


def reset_rechecks() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(RESET_RECHECK_SQL)
    return time.perf_counter() - started


def timed_fanout(cluster: Cluster, nodes: int, concurrency: int, outlets: int, redis_client, *, seed: bool) -> dict:
    """The seed (``seed``) or the re-check's writes taken back, no run today, ``nodes`` worker nodes;
    recheck_all_outlets sent through the broker and timed from sending to its RecheckRun's finish."""
    from django.utils import timezone

    from catalog.models import RecheckRun
    from catalog.tasks import recheck_all_outlets

    prepared = f"seeded in {seed_outlets(outlets):.1f} s" if seed else f"results reset in {reset_rechecks():.1f} s"
    redis_client.flushdb()  # nothing queued, no lock left from before
    names = [f"fanout{nodes}-{i}" for i in range(1, nodes + 1)]
    for name in names:
        cluster.start_worker(name, concurrency)
    try:
        sent = timezone.now()
        recheck_all_outlets.delay()
        deadline = time.monotonic() + 900
        run = None
        while time.monotonic() < deadline:
            run = RecheckRun.objects.filter(finished_at__isnull=False).first()
            if run:
                break
            time.sleep(0.2)
        if run is None:
            raise RuntimeError(f"the re-check with {nodes} worker node(s) did not finish in 15 minutes")
        seconds = (run.finished_at - sent).total_seconds()
        ranges_by_node = {name: len(re.findall(r"recheck_outlet_range\[[^]]+\] received", cluster.processes.log(name)))
                          for name in names}
    finally:
        for name in names:
            cluster.processes.stop(name)
    print(f"  {nodes} worker node(s) x concurrency {concurrency}: {seconds:6.1f} s for {run.outlets_checked} outlets "
          f"in {run.batches} ranges, {run.outlets_changed} results changed ({prepared}; ranges per "
          f"node: {', '.join(f'{n} {c}' for n, c in ranges_by_node.items())})")
    return {"seconds": seconds, "checked": run.outlets_checked}


# --- main ------------------------------------------------------------------------------------------------

def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-proxy":
        serve_proxy(int(sys.argv[2]), [int(p) for p in sys.argv[3].split(",")], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="steady phase (no kills)")
    parser.add_argument("--kill-seconds", type=float, default=30, help="phase with the kills")
    parser.add_argument("--clients", type=int, default=12, help="client threads")
    parser.add_argument("--outlets", type=int, default=50_000, help="outlets of the fan-out re-check")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes per web node")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="Celery processes per worker node")
    parser.add_argument("--skip-kills", action="store_true")
    parser.add_argument("--skip-recheck", action="store_true")
    parser.add_argument("--local-storage", action="store_true",
                        help="one local DOCUMENTS_ROOT shared by the nodes instead of the S3 server")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mediareg-scaleout-"))
    (workdir / "logs").mkdir()
    processes = Processes(workdir / "logs")
    atexit.register(processes.stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally blocks
    try:
        run(args, workdir, processes)
    finally:
        processes.stop_all()
        for folder in workdir.glob("documents-*"):
            shutil.rmtree(folder, ignore_errors=True)
        print(f"(logs of the nodes in {workdir / 'logs'})")


def run(args, workdir: Path, processes: Processes) -> None:
    secret = secrets.token_urlsafe(50)
    os.environ["SECRET_KEY"] = secret
    for name in ("STORAGE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "EMAIL_HOST"):
        os.environ.pop(name, None)
    s3 = None
    if not args.local_storage:
        import boto3

        port = free_port()
        moto = processes.start("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ))
        endpoint = f"http://127.0.0.1:{port}"
        wait_until(lambda: port_open(port), 30, "moto_server", moto)
        os.environ.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "STORAGE_URL": f"s3://{BUCKET}?endpoint_url={endpoint}&region_name=us-east-1"
                                          f"&addressing_style=path"})
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
        s3.create_bucket(Bucket=BUCKET)

    started = time.perf_counter()
    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import redis
    from django.core.files.storage import storages
    from django.core.management import call_command

    backend = type(storages["documents"])
    if not args.local_storage and not any(c.__module__.startswith("storages.backends.s3") for c in backend.__mro__):
        sys.exit(f"STORAGE_URL is not understood by this checkout (the documents' storage is {backend.__module__}."
                 f"{backend.__name__}): merge the object storage work, or run with --local-storage")
    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    redis_client.flushdb()
    call_command("migrate", verbosity=0)
    # DEBUG off: whitenoise's manifest storage names static files from collectstatic's manifest, in the
    # settings' STATIC_ROOT (staticfiles/, as the Dockerfile's build step does).
    call_command("collectstatic", interactive=False, verbosity=0)
    token, reference = prepare_data()
    print(f"database migrated and prepared in {time.perf_counter() - started:.1f} s "
          f"(PostgreSQL, Redis db {redis_client.connection_pool.connection_kwargs.get('db')}, "
          f"documents in {'one local folder shared by the nodes' if args.local_storage else 'moto S3: ' + BUCKET})")

    node_env = {**os.environ, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost",
                # The bench sends far more than a client may; the limits are not what is measured.
                "APPLY_RATE_LIMIT": "100000000", "API_USER_RATE": "100000000/minute"}
    cluster = Cluster(processes, workdir, node_env, args.local_storage,
                      shared_documents=workdir / "documents-shared" if args.local_storage else None)
    started = time.perf_counter()
    for name in ("web1", "web2"):
        cluster.start_web(name, args.web_workers, args.web_threads)
    for name in ("worker1", "worker2"):
        cluster.start_worker(name, args.worker_concurrency)
    proxy_port, proxy_stats = free_port(), workdir / "proxy-stats.json"
    proxy = processes.start("proxy", [sys.executable, str(Path(__file__).resolve()), "--serve-proxy", str(proxy_port),
                                      ",".join(str(p) for p in cluster.web_ports.values()), str(proxy_stats)],
                            dict(os.environ))
    wait_until(lambda: answers(f"http://127.0.0.1:{proxy_port}/healthz"), 30, "proxy", proxy)
    print(f"2 web nodes (gunicorn gthread, {args.web_workers} processes x {args.web_threads} threads each), "
          f"2 worker nodes (Celery prefork, concurrency {args.worker_concurrency}), proxy on :{proxy_port}: "
          f"started in {time.perf_counter() - started:.1f} s")

    load = Load(proxy_port, token, reference, run_tag=secrets.token_hex(2))
    print(f"load: {args.clients} client threads, mix {MIX}, {DOCUMENTS_PER_SUBMISSION} PDFs per submission")
    meter = CpuMeter(processes, redis_client)
    before, store_log = meter.snapshot(), len(processes.log("moto"))
    wall = load.run("steady phase (no kills)", args.seconds, args.clients)
    used = meter.difference(before, meter.snapshot())
    steady = report_phase(load, "steady phase (no kills)", wall)
    steady["cpu_ms"] = report_cpu(used, wall, steady["accepted"])
    if not args.local_storage:
        # moto's server logs every request it answers: what one submission (and its re-check) asks of the store.
        requests = Counter(re.findall(r'"(?:\x1b\[[0-9;]*m)?([A-Z]+) /', processes.log("moto")[store_log:]))
        print("  requests to the S3 store per accepted submission: " + ", ".join(
            f"{method} {count / max(steady['accepted'], 1):.1f}" for method, count in requests.most_common()))
    kills = []

    def kill_nodes(phase_started: float) -> None:
        for at, name in ((0.25, "worker2"), (0.5, "web2")):
            time.sleep(max(0.0, phase_started + at * args.kill_seconds - time.monotonic()))
            held = task_in_flight(processes, name) if name.startswith("worker") else None
            processes.kill(name)
            kills.append(f"SIGKILL {name} (process group) at {time.monotonic() - phase_started:.1f} s"
                         + (f", while it ran {held}" if held else ""))

    kill_phase = None
    if not args.skip_kills:
        kill_phase = report_phase(load, "kill phase", load.run("kill phase", args.kill_seconds, args.clients,
                                                                during=kill_nodes))
        for line in kills:
            print(f"  {line}")
    proxy_counts = json.loads(proxy_stats.read_text()) if proxy_stats.exists() else {}
    print(f"  proxy: {proxy_counts.get('connections', 0)} connections, by node port {proxy_counts.get('by_node')}, "
          f"{proxy_counts.get('dead_node_skipped', 0)} moved past a dead node, "
          f"{proxy_counts.get('no_live_node', 0)} with no live node")

    print("\nchecks")
    from catalog.forms import read_submission_key
    from catalog.models import Application

    run_keys = {read_submission_key(s.signed_key): s for s in load.submissions}
    ours = list(Application.objects.filter(submission_key__in=list(run_keys)).values_list("pk", flat=True))
    effects = wait_for_side_effects(ours, redis_client)
    print(f"  the workers drained the queue in {effects['drain_seconds']:.1f} s; {effects['unacked']} messages held "
          f"unacknowledged by the killed worker (Redis gives them back after its visibility timeout, 1 h)")
    print(f"  recovered by the sweeps: {effects['rechecks_swept']} re-checks, {effects['mails_swept']} e-mails "
          f"(sent after {effects['sweep_wait']:.0f} s of waiting for them to be due, done in "
          f"{effects['sweep_seconds']:.1f} s); still pending: {effects['marks_left']} re-checks, "
          f"{effects['unsent_left']} e-mails")
    print(f"  e-mails of the applications (receipt and staff notice): {effects['mails']} written, "
          f"{effects['mails_sent']} sent")
    names_in_store = stored_names(args.local_storage, cluster.shared_documents, s3)
    result = check_applications(load, names_in_store, run_keys)
    on_node_disks = 0 if args.local_storage else sum(
        1 for folder in cluster.node_folders.values() for path in folder.rglob("*") if path.is_file())
    print(f"  submissions sent: {len(load.submissions)}; accepted: {result['accepted']} "
          f"({result['answered_on_retry']} on the retry through the other node); no answer after the retry: "
          f"{result['not_answered']}; refused: {result['refused']}")
    print(f"  lost (accepted, but a row, a file or the re-check missing): {result['lost']}"
          + (f" {dict(result['missing'])}" if result["missing"] else ""))
    print(f"  duplicated (a submission key or a client's submission stored twice): {result['duplicated']}; "
          f"applications of keys no client sent: {result['unknown']}")
    print(f"  stored although the client got no answer (its retry failed too): {result['stored_unanswered']}")
    print(f"  files in the store that no document names (a node killed mid-submission): {result['stray_files']}")
    if not args.local_storage:
        print(f"  files on the nodes' own disks (DOCUMENTS_ROOT of each node): {on_node_disks}")

    speedup, fanout = None, {}
    if not args.skip_recheck:
        for name in ("web1", "web2", "worker1", "worker2", "proxy"):
            processes.stop(name)
        print(f"\nfan-out of the nightly re-check (catalog.tasks.recheck_all_outlets) of {args.outlets} outlets")
        for nodes in (1, 2):
            fanout[nodes] = timed_fanout(cluster, nodes, 1, args.outlets, redis_client, seed=nodes == 1)
        speedup = fanout[1]["seconds"] / fanout[2]["seconds"]

    print("\nsummary")
    print(f"  steady phase: {steady['per_second']:.1f} submissions/s ({steady['accepted']} in {steady['wall']:.1f} s), "
          f"{steady['requests'] / steady['wall']:.1f} requests/s, {steady['errors']} errors; p99 "
          + ", ".join(f"{e} {ms:.0f} ms" for e, ms in steady["p99"].items()))
    if kill_phase:
        print(f"  kill phase: {kill_phase['per_second']:.1f} submissions/s, {kill_phase['errors']} requests without a "
              f"good answer (in flight on the killed web node, or sent to it)")
    print(f"  accepted {result['accepted']}, lost {result['lost']}, duplicated {result['duplicated']}, re-checks "
          f"recovered by the sweep {effects['rechecks_swept']}, e-mails unsent {effects['unsent_left']}")
    if speedup:
        print(f"  re-check of {args.outlets} outlets: 1 worker node {fanout[1]['seconds']:.1f} s, 2 worker nodes "
              f"{fanout[2]['seconds']:.1f} s: speed-up {speedup:.2f}")
    verdicts = {
        f">= {TARGET_SUBMISSIONS_PER_SECOND} submissions/s with 0 errors (steady phase)":
            steady["per_second"] >= TARGET_SUBMISSIONS_PER_SECOND and steady["errors"] == 0,
        "lost 0": result["lost"] == 0 and effects["marks_left"] == 0,
        "duplicated 0": result["duplicated"] == 0 and result["unknown"] == 0,
    }
    if not args.local_storage:
        verdicts["nothing on the nodes' own disks"] = on_node_disks == 0
    if speedup is not None:
        verdicts["re-check speed-up from 1 to 2 worker nodes > 1"] = speedup > 1
    for label, passed in verdicts.items():
        print(f"  {'PASS' if passed else 'FAIL'}: {label}")
    print(f"target (issue 13): {'PASS' if all(verdicts.values()) else 'FAIL'}")


if __name__ == "__main__":
    main()
