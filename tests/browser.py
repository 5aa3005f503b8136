"""What the browser tests (tests/test_*_browser.py) share: Debian's headless Chromium and how it is
started, pages in English at a given size, screenshots, and the helpers several modules use.

The `browser` fixture (tests/conftest.py) starts Chromium for one test; each module opens its pages on
it at the size it needs with new_page() or new_context(). Screenshots go to $SCREENSHOT_DIR when it is
set (to keep and look at them), else to the test's tmp_path; their paths are printed (pytest -s).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from partners.demo.files import pdf_bytes
from tests.factories import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Without the networking switches Chromium's own connections (updates, sync, QUIC) fail on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
DOCUMENTS = {  # the English label of each file input of the public form, and the file chosen for it
    "Deed of establishment": "akta-pendirian.pdf",
    "Ministry of Law approval (SK Kemenkumham)": "sk-kemenkumham.pdf",
    "Business ID (NIB)": "nib.pdf",
    "NPWP card": "npwp.pdf",
    "Annual tax return (SPT Tahunan)": "spt-tahunan.pdf",
    "Editorial box (masthead)": "boks-redaksi.pdf",
    "Tax status confirmation (KSWP)": "kswp.pdf",
}


def chromium_or_skip():
    """Skip the test with a message when Chromium or playwright is missing; under CI (the CI variable is
    set) fail instead: CI must run the browser tests."""
    problem = None
    if not os.access(CHROMIUM, os.X_OK):
        problem = (f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
                   "(`apt-get install chromium`, which `make test` does when run as root)")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing: `make install` installs it"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the browser tests, not skip them.")
        pytest.skip(problem)


def new_context(browser, live_server, *, english=True, width=1280, height=900, **options):
    """A browser context with a window of width × height (more Playwright context options may follow),
    asking for English pages unless english=False (then the site's default, Bahasa Indonesia)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    if english:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT_MS)
    return context


def new_page(browser, live_server, *, english=True, width=1280, height=900, **options):
    """A page in a context of its own (new_context); close it with page.context.close()."""
    return new_context(browser, live_server, english=english, width=width, height=height, **options).new_page()


def screenshot(page, tmp_path, name: str, **options) -> Path:
    """Save a screenshot as `name` in $SCREENSHOT_DIR when it is set, else in the test's tmp_path, and
    print where (pytest -s shows it). Options go to Playwright's page.screenshot (full_page=True...)."""
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), **options)
    print(f"screenshot: {path}")
    return path


def record_console(page):
    """Keep the page's console messages in page.console_messages (csp_complaints reads them), and its errors
    (a refused policy, an SVG attribute the browser cannot read, a script error) in page.console_errors."""
    page.console_messages = []
    page.console_errors = []

    def keep(message):
        page.console_messages.append(message.text)
        if message.type == "error":
            page.console_errors.append(message.text)

    page.on("console", keep)
    return page


def csp_complaints(page) -> list[str]:
    """The console messages of Content-Security-Policy violations (the page must be record_console'd)."""
    return [text for text in page.console_messages if "Content Security Policy" in text]


def no_horizontal_scroll(page, width: int) -> bool:
    """Nothing on the page is wider than `width` (the window's): the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def log_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the admin's login page, as staff do, and wait for the admin index."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def write_documents(folder: Path) -> dict[str, Path]:
    """A small PDF for each document of the public form (DOCUMENTS), written into `folder` (created)."""
    folder.mkdir(parents=True)
    paths = {}
    for label, name in DOCUMENTS.items():
        paths[label] = folder / name
        paths[label].write_bytes(pdf_bytes(label, ["Dokumen uji MediaReg"]))
    return paths


def fill_form(page, pdf_files, *, npwp="01.312.166.0-091.000"):
    """Fill every field of the public form (in English) the way a person does: find each control by its label."""
    label = page.get_by_label
    label("Company's legal name").fill("PT Kabar Betawi Media")
    label("Legal form").select_option("pt")
    label("Company NPWP").fill(npwp)
    label(re.compile(r"^NIB")).fill("9120001234567")
    label("Office address").fill("Jl. Kramat Raya No. 5\nJakarta Pusat")
    label("Province").select_option(label="DKI Jakarta")
    label("Regency/city").fill("Jakarta Pusat")
    label("Company e-mail").fill("sekretariat@kabarbetawi.id")
    label("Company phone").fill("(021) 390 1234")
    label("63122 Portal web").check()
    label("Outlet name").fill("Kabar Betawi")
    label("Media type").select_option("online")
    label("Website").fill("https://kabarbetawi.id")
    label("Person in charge").fill("Siti Rahmawati")
    label(re.compile(r"^Editor-in-chief(?!')")).fill("Budi Santoso")
    label("Editor-in-chief's competency level (UKW)").select_option("utama")
    label("Editor-in-chief's competency certificate number").fill("1234-PWI/WU/DP/III/2021")
    label("Newsroom e-mail").fill("redaksi@kabarbetawi.id")
    label("Newsroom phone").fill("0812 3456 7890")
    for document, path in pdf_files.items():
        document_input(page, document).set_input_files(path)
    label("Tax year of the annual tax return").fill(str(timezone.localdate().year - 1))
    label("Date of the KSWP result").fill(timezone.localdate().isoformat())
    label("I declare that the data and documents above are true").check()


def document_input(page, label: str):
    """The file input of a document (its label is followed by the required mark or "(optional)")."""
    return page.get_by_label(re.compile("^" + re.escape(label)))
