"""The screenshots of the operator's guide (docs/id/, reused by docs/en/), taken from the running application
in Bahasa Indonesia, so that they never go stale: `make screenshots`, or

    .venv/bin/python docs/screenshots.py [--out DIR] [--only NAME ...] [--list]

What it does, in order:

1. A database of its own, never the one the site uses: with DATABASE_URL set, a database on the same server
   whose name is that database's name plus ``_screenshots`` (created when missing); without it, an embedded
   PostgreSQL in var/screenshots-postgres (mediareg.embedded, as `make run` does), stopped at the end if this
   started it. Uploaded demo files go to var/screenshots-documents.
2. ``migrate`` and ``seed_demo`` with DEBUG=true (the demo logins of mediareg/demo.py; a second run adds
   nothing), the SETUP commands (the guide's sample Dewan Pers list), then ``runserver`` on a free port of
   127.0.0.1, stopped at the end. REDIS_URL is left out, so tasks run in-process and nothing is queued for a
   worker that is not there.
3. Debian's Chromium through Playwright, the Indonesian interface, a 1280 × 800 window: each page of SHOTS
   below, logged in as its demo user, saved as DIR/NAME.png (default docs/id/img/), reduced to a palette
   of 256 colours so that all of them stay well under 2 MB.

Each image name is listed once, in SHOTS.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUT = BASE_DIR / "docs" / "id" / "img"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Shot:
    name: str  # the file name without .png, as the guide links it: docs/id/img/<name>.png
    path: str  # the page's address; {code} is a demo application's tracking code
    user: str | None = None  # a demo login (mediareg/demo.py: the password is the user name); None: not logged in
    click: str | None = None  # a link to follow after the page loads (CSS selector), e.g. the first row of a list
    full_page: bool = False  # the whole page rather than the window's 1280 × 800


# Commands run after seed_demo so that the pages show what the guide describes (each safe to run again): the
# guide's sample Dewan Pers list, for the page of imports.
SETUP = [
    ["import_press_council", "docs/id/contoh/daftar-dewan-pers-contoh.csv", "--date", "2026-12-01"],
]

# Every page the guide shows, in the order of the guide. Keep the names in step with the Markdown
# (tests/test_docs.py checks that every image the guide links exists).
SHOTS = [
    # Hari pertama (first day)
    Shot("masuk", "/admin/login/"),
    Shot("lupa-kata-sandi", "/accounts/password-reset/"),
    Shot("beranda-admin", "/admin/", user="admin"),
    Shot("pengguna", "/admin/auth/user/", user="admin"),
    Shot("pengguna-instansi", "/admin/auth/user/", user="admin.banjar"),  # an Admin Instansi sees their own staff only
    Shot("instansi", "/admin/budgets/agency/", user="admin"),
    Shot("instansi-tambah", "/admin/budgets/agency/add/", user="admin"),
    Shot("kebijakan-kelayakan", "/admin/catalog/eligibilitypolicy/", user="admin", click="#result_list tbody a"),
    Shot("periode-pendaftaran", "/admin/catalog/registrationwindow/add/", user="verifikator"),
    Shot("impor-dewan-pers", "/admin/catalog/presscouncilimport/", user="admin", click="#result_list tbody th a"),
    Shot("media-templat-impor", "/admin/partners/mediaoutlet/", user="admin"),
    Shot("anggaran-tambah", "/admin/budgets/budget/add/", user="anggaran.banjar"),
    Shot("formulir-pengajuan", "/apply/"),
    # Rutin (routines)
    Shot("beranda-staf", "/admin/", user="anggaran"),
    Shot("antrean-pengajuan", "/admin/catalog/application/", user="verifikator"),
    Shot("pengajuan", "/admin/catalog/application/", user="verifikator", click="#result_list tbody th a"),
    Shot("dokumen", "/admin/partners/document/", user="verifikator"),
    Shot("sanggahan", "/admin/catalog/objection/", user="verifikator"),
    Shot("anggaran", "/admin/budgets/budget/", user="anggaran", click="#result_list tbody th a"),
    Shot("pesanan", "/admin/budgets/mediaorder/", user="anggaran"),
    Shot("pesanan-tambah", "/admin/budgets/mediaorder/add/", user="anggaran"),
    Shot("pesanan-detail", "/admin/budgets/mediaorder/?status__exact=committed", user="anggaran",
         click="#result_list tbody th a", full_page=True),
    Shot("harga-acuan", "/admin/budgets/referenceprice/", user="anggaran"),
    Shot("laporan", "/reports/", user="auditor"),
    # Panduan media (outlets)
    Shot("katalog", "/catalog/"),
    Shot("halaman-status", "/apply/status/{code}/"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def own_database_url(database_url: str) -> str:
    """The same server as database_url, the database named <its name>_screenshots, created when missing."""
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/") or "postgres"
    own = f"{name}_screenshots"
    # The server's maintenance database, since the named one may not exist yet either.
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [own])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{own}"')
    finally:
        connection.close()
    return urlunsplit(parts._replace(path=f"/{own}"))


def child_environment(database_url: str) -> dict[str, str]:
    # No broker (tasks run in-process) and the document folder rather than a bucket: nothing outside is touched.
    left_out = {"REDIS_URL", "STORAGE_URL", "AWS_STORAGE_BUCKET_NAME"}
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    env.update(DATABASE_URL=database_url, DEBUG="true", DOCUMENTS_ROOT=str(BASE_DIR / "var" / "screenshots-documents"),
               PYTHONUNBUFFERED="1")
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args],  # noqa: S603 (our interpreter, our commands)
                            cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"screenshots: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"screenshots: runserver stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(url + "/admin/login/", timeout=5):  # noqa: S310 (http://127.0.0.1 only)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"screenshots: {url} did not answer within {seconds:.0f} s")


def tracking_code(env: dict[str, str]) -> str:
    """A demo application's tracking code, for the status page: one with a rejected document if there is one."""
    code = manage(env, "shell", "-c", (
        "from catalog.models import Application\n"
        "apps = Application.objects.order_by('-submitted_at')\n"
        "app = apps.filter(documents__review_status='rejected').first() or apps.first()\n"
        "print(app.code if app else '')"
    )).strip().splitlines()
    return code[-1] if code else ""


def save_png(data: bytes, path: Path) -> int:
    """Write the screenshot as a 256-colour PNG (a third of the size of the full-colour one); returns its size."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    image.save(path, format="PNG", optimize=True)
    return path.stat().st_size


def take(shots: list[Shot], base_url: str, out: Path, code: str) -> list[tuple[Path, int]]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = {}
            for shot in shots:
                if shot.user not in contexts:
                    contexts[shot.user] = context = browser.new_context(
                        viewport=VIEWPORT, locale="id-ID", timezone_id="Asia/Jakarta",
                        extra_http_headers={"Accept-Language": "id"})
                    context.add_cookies([{"name": "django_language", "value": "id", "url": base_url}])
                    context.set_default_timeout(TIMEOUT_MS)
                    if shot.user:
                        page = context.new_page()
                        page.goto(base_url + "/admin/login/")
                        page.fill("#id_username", shot.user)
                        page.fill("#id_password", shot.user)
                        with page.expect_navigation():
                            page.click("#login-form [type=submit]")
                        if "/login/" in page.url:
                            sys.exit(f"screenshots: the demo login {shot.user!r} was refused")
                        page.close()
                page = contexts[shot.user].new_page()
                page.goto(base_url + shot.path.format(code=code))
                if shot.click and page.locator(shot.click).count():  # a singleton's list opens its page itself
                    with page.expect_navigation():
                        page.locator(shot.click).first.click()
                path = out / f"{shot.name}.png"
                size = save_png(page.screenshot(full_page=shot.full_page), path)
                written.append((path, size))
                print(f"  {path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path} ({size // 1024} KB)")
                page.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Take the operator's guide's screenshots from the running app.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder for the PNG files ({DEFAULT_OUT})")
    parser.add_argument("--only", action="append", metavar="NAME", help="only this image (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the image names and stop")
    args = parser.parse_args(argv)

    shots = SHOTS
    if args.list:
        for shot in shots:
            print(shot.name)
        return 0
    if args.only:
        unknown = set(args.only) - {shot.name for shot in SHOTS}
        if unknown:
            parser.error(f"unknown image name(s): {', '.join(sorted(unknown))} (see --list)")
        shots = [shot for shot in SHOTS if shot.name in args.only]
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"screenshots: {CHROMIUM} is missing (apt-get install chromium, or `make browser` as root)")

    sys.path.insert(0, str(BASE_DIR))
    from mediareg import embedded

    started_embedded = None
    if os.environ.get("DATABASE_URL", "").strip():
        database_url = own_database_url(os.environ["DATABASE_URL"].strip())
    else:
        pgdata = BASE_DIR / "var" / "screenshots-postgres"
        server = embedded.ensure_running(pgdata)
        started_embedded = pgdata if server.started else None
        database_url = server.url()
    server = None
    try:
        env = child_environment(database_url)
        started = time.monotonic()
        print(f"screenshots: database {urlsplit(database_url).path.lstrip('/')}: migrate, seed_demo")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo")
        for command in SETUP:
            manage(env, *command)
        code = tracking_code(env) if any("{code}" in shot.path for shot in shots) else ""
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=BASE_DIR, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(base_url, server)
        print(f"screenshots: {len(shots)} page(s) from {base_url}")
        written = take(shots, base_url, args.out, code)
        total = sum(size for _, size in written)
        print(f"screenshots: {len(written)} image(s), {total / 1024:.0f} KB in {time.monotonic() - started:.0f} s")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if started_embedded is not None:
            embedded.stop(started_embedded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
