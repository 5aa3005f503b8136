"""The public application form in a real browser: Debian's headless Chromium driven by Playwright
against pytest-django's live server (issue 4, "Shows that it is done").

Without /usr/bin/chromium these tests are skipped with a message, except under CI (the CI variable is
set), where they fail: CI must run them. `make test` installs the package when it can (as root).
The screenshots are written to the test's tmp_path; their paths are printed (pytest -s shows them).
"""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from catalog.models import Application
from partners.demo.files import pdf_bytes
from partners.models import Document, PressCompany, Province, ReviewStatus

CHROMIUM = "/usr/bin/chromium"
# Without the networking switches Chromium's own connections (updates, sync, QUIC) fail on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCUMENTS = {  # the English label of each file input, and the file chosen for it
    "Deed of establishment": "akta-pendirian.pdf",
    "Ministry of Law approval (SK Kemenkumham)": "sk-kemenkumham.pdf",
    "Business ID (NIB)": "nib.pdf",
    "NPWP card": "npwp.pdf",
    "Annual tax return (SPT Tahunan)": "spt-tahunan.pdf",
    "Editorial box (masthead)": "boks-redaksi.pdf",
    "Tax status confirmation (KSWP)": "kswp.pdf",
}

# The live server answers from another thread, so its data must be committed; the reference data the
# form offers (provinces, KBLI codes, roles) is restored before each test.
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks")]


def chromium_or_skip():
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


@pytest.fixture
def browser(transactional_db, live_server):
    """Chromium for one test, started after the test database is ready and stopped before it is reset.

    Playwright's sync API keeps an event loop registered in this thread while it runs: Django then
    refuses ORM calls here as if they came from async code, and gives this context connections of its
    own. The test code is plain synchronous code (the loop only drives the browser), so the ORM may be
    used beside it; those connections are closed with the browser.
    """
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def new_page(browser, live_server, *, english=True, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    if english:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def pdf_files(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    paths = {}
    for label, name in DOCUMENTS.items():
        paths[label] = folder / name
        paths[label].write_bytes(pdf_bytes(label, ["Dokumen uji MediaReg"]))
    return paths


def fill_form(page, pdf_files, *, npwp="01.312.166.0-091.000"):
    """Fill every field the way a person does: find each control by its label."""
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


def controls_without_label(page) -> list[str]:
    """Visible form controls that no label names (the honeypot is hidden from people on purpose)."""
    return page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
        .filter(el => el.type !== 'hidden' && el.name !== 'fax' && el.labels.length === 0)
        .map(el => el.name)""")


def screenshot(page, tmp_path, name: str, **options):
    path = tmp_path / name
    page.screenshot(path=str(path), **options)
    print(f"screenshot: {path}")  # where to look at it (pytest -s)
    return path


def test_an_outlet_fills_and_sends_the_form_and_reaches_its_status_page(page, live_server, pdf_files, tmp_path,
                                                                       mailoutbox):
    page.goto(f"{live_server.url}/apply/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert controls_without_label(page) == []
    fill_form(page, pdf_files)
    screenshot(page, tmp_path, "form-filled.png", full_page=True)

    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url(re.compile(r"/apply/status/[A-Za-z0-9_-]+/$"))

    application = Application.objects.get()
    assert page.url == f"{live_server.url}/apply/status/{application.code}/"
    assert page.locator(".code").inner_text() == application.code
    assert page.get_by_role("heading", level=1).inner_text() == "Application of Kabar Betawi"
    assert page.locator(".document-name", has_text="Deed of establishment").is_visible()
    assert page.get_by_text("Dewan Pers verification", exact=True).is_visible()  # still missing
    screenshot(page, tmp_path, "status.png", full_page=True)

    assert PressCompany.objects.get().npwp == "0013121660091000"
    documents = Document.objects.all()
    assert documents.count() == 7
    assert {d.review_status for d in documents} == {ReviewStatus.PENDING}
    assert {d.original_filename for d in documents} == set(DOCUMENTS.values())
    assert all(d.content_type == "application/pdf" for d in documents)
    assert any(application.code in message.body for message in mailoutbox)


def test_a_bad_npwp_is_shown_beside_the_field_and_the_other_fields_stay(page, live_server, pdf_files, tmp_path):
    page.goto(f"{live_server.url}/apply/")
    fill_form(page, pdf_files, npwp="01.312.166.1-091.000")  # check digit wrong

    page.get_by_role("button", name="Send the application").click()
    page.wait_for_load_state()

    npwp = page.get_by_label("Company NPWP")
    assert "check digit is wrong" in page.locator("#id_npwp_error").inner_text()
    assert npwp.get_attribute("aria-invalid") == "true"
    assert "id_npwp_error" in npwp.get_attribute("aria-describedby")
    assert npwp.input_value() == "01.312.166.1-091.000"
    # Everything else typed is still there; only the files must be chosen again, and the page says which.
    label = page.get_by_label
    assert label("Company's legal name").input_value() == "PT Kabar Betawi Media"
    assert label("Office address").input_value() == "Jl. Kramat Raya No. 5\nJakarta Pusat"
    assert label("Province").input_value() == str(Province.objects.get(name="DKI Jakarta").pk)
    assert label("63122 Portal web").is_checked()
    assert label("Website").input_value() == "https://kabarbetawi.id"
    assert label("Editor-in-chief's competency level (UKW)").input_value() == "utama"
    assert label("Date of the KSWP result").input_value() == timezone.localdate().isoformat()
    assert label("I declare that the data and documents above are true").is_checked()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    for document in DOCUMENTS:
        assert summary.get_by_text(document, exact=True).is_visible()
    assert not Application.objects.exists()
    screenshot(page, tmp_path, "form-error.png")

    # Keyboard: the summary has the focus, its first link leads to the NPWP field.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    first_link = summary.get_by_role("link").first
    assert first_link.get_attribute("href") == "#id_npwp"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_npwp"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_npwp'")

    # Corrected, with the files chosen again, the same application goes through.
    page.keyboard.press("Control+A")
    page.keyboard.type("01.312.166.0-091.000")
    for document, path in pdf_files.items():
        document_input(page, document).set_input_files(path)
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url(re.compile(r"/apply/status/[A-Za-z0-9_-]+/(#id_npwp)?$"))  # the fragment stays on
    assert page.locator(".code").inner_text() == Application.objects.get().code


def test_the_language_switch_and_a_phone_sized_screen(browser, live_server, tmp_path):
    page = new_page(browser, live_server, english=False, width=390, height=844)
    try:
        page.goto(f"{live_server.url}/apply/")
        assert page.locator("html").get_attribute("lang") == "id"  # Bahasa Indonesia by default
        screenshot(page, tmp_path, "phone-form-top.png")
        screenshot(page, tmp_path, "phone-form.png", full_page=True)
        # Nothing is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Choosing changes nothing by itself (no surprise for keyboard users); the button applies it.
        page.locator("#language-switch-select").select_option("en")
        assert page.locator("html").get_attribute("lang") == "id"
        with page.expect_navigation():
            page.locator(".language-button").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == "Apply for the e-catalog of media partners"
    finally:
        page.context.close()
