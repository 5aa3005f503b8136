"""The public application form in a real browser: Debian's headless Chromium driven by Playwright
against pytest-django's live server (issue 4, "Shows that it is done").

Without /usr/bin/chromium these tests are skipped with a message, except under CI (the CI variable is
set), where they fail: CI must run them. `make test` installs the package when it can (as root). The
browser and the helpers are shared with the other browser tests (tests/browser.py, tests/conftest.py).
Screenshots go to $SCREENSHOT_DIR when set, else to the test's tmp_path; their paths are printed
(pytest -s shows them).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from catalog.models import Application
from partners.models import Document, PressCompany, Province, ReviewStatus
from tests.browser import (
    DOCUMENTS,
    document_input,
    fill_form,
    new_page,
    no_horizontal_scroll,
    screenshot,
    write_documents,
)

# The live server answers from another thread, so its data must be committed; the reference data the
# form offers (provinces, KBLI codes, roles) is restored before each test.
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks")]


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def pdf_files(tmp_path):
    return write_documents(tmp_path / "files")


def controls_without_label(page) -> list[str]:
    """Visible form controls that no label names (the honeypot is hidden from people on purpose)."""
    return page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
        .filter(el => el.type !== 'hidden' && el.name !== 'fax' && el.labels.length === 0)
        .map(el => el.name)""")


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
        assert no_horizontal_scroll(page, 390)
        # Choosing changes nothing by itself (no surprise for keyboard users); the button applies it.
        page.locator("#language-switch-select").select_option("en")
        assert page.locator("html").get_attribute("lang") == "id"
        with page.expect_navigation():
            page.locator(".language-button").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == "Apply for the e-catalog of media partners"
    finally:
        page.context.close()
