"""The applicant's status page and the language switch of the public form in a real browser, on a
phone-sized screen (390 px wide): Debian's headless Chromium driven by Playwright against pytest-django's
live server, as in the other browser tests (tests/conftest.py, tests/browser.py; skipped without
Chromium, never under CI).

Screenshots (status-*.png) go to $SCREENSHOT_DIR when set, else to the test's tmp_path; their paths are
printed (pytest -s shows them).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from catalog import lifecycle
from catalog.models import Application
from partners.demo.files import pdf_bytes
from partners.models import Document, DocumentKind, Province, ReviewStatus
from tests.browser import (
    csp_complaints,
    fill_form,
    new_page,
    no_horizontal_scroll,
    record_console,
    screenshot,
    write_documents,
)
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import DocumentFactory, MediaOutletFactory, PressVerificationFactory, StaffUserFactory

PHONE = {"width": 390, "height": 844}
KINDS = {"Deed of establishment": "deed", "Ministry of Law approval (SK Kemenkumham)": "law_ministry_approval",
         "Business ID (NIB)": "nib", "NPWP card": "npwp_card", "Annual tax return (SPT Tahunan)": "annual_tax_return",
         "Editorial box (masthead)": "editorial_box", "Tax status confirmation (KSWP)": "kswp"}

# The live server answers from another thread, so the data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks")]


@pytest.fixture
def phone(browser, live_server):
    page = record_console(new_page(browser, live_server, **PHONE))
    yield page
    page.context.close()


def fits_the_screen(page) -> bool:
    return no_horizontal_scroll(page, PHONE["width"])


def test_a_rejected_document_is_replaced_from_the_status_page_on_a_phone(phone, live_server, tmp_path):
    outlet = eligible_outlet(name="Kabar Betawi")
    application = make_application(outlet, days_ago=20, status=Application.Status.APPROVED)
    lifecycle.approve(lifecycle.ensure_listing(outlet), user=StaffUserFactory())
    rejected = DocumentFactory(company=outlet.company, kind=DocumentKind.NPWP_CARD, rejected=True,
                               rejection_reason="Kartu NPWP buram; unggah pindaian yang jelas.")
    application.documents.add(rejected)
    files = tmp_path / "files"
    files.mkdir()
    (files / "npwp-baru.pdf").write_bytes(pdf_bytes("NPWP", ["Kartu NPWP yang jelas"]))
    (files / "npwp.pdf").write_bytes(b"<html>bukan dokumen</html>")

    phone.goto(f"{live_server.url}/apply/status/{application.code}/")

    assert phone.locator(".tracking-code .code").inner_text() == application.code
    assert phone.locator(".tracking-code .code").is_visible()
    card = phone.locator(f"#document-{rejected.pk}")
    assert "Rejected" in card.locator(".badge").inner_text()
    assert card.get_by_text("Kartu NPWP buram; unggah pindaian yang jelas.").is_visible()
    assert phone.get_by_text("Nothing: the outlet meets every requirement").count() == 0
    assert "The outlet is listed in the e-catalog." in phone.locator(".state").inner_text()
    assert fits_the_screen(phone)
    screenshot(phone, tmp_path, "status-rejected.png", full_page=True)

    # A file that is no document: refused beside the field, on the same page.
    card.get_by_label("New file").set_input_files(files / "npwp.pdf")
    with phone.expect_navigation():
        card.get_by_role("button", name="Send the replacement").click()
    card = phone.locator(f"#document-{rejected.pk}")
    assert "Only PDF, JPEG and PNG" in card.locator(".error").inner_text()
    assert phone.locator("#error-summary").is_visible()
    assert fits_the_screen(phone)
    screenshot(phone, tmp_path, "status-bad-file.png", full_page=True)

    card.get_by_label("New file").set_input_files(files / "npwp-baru.pdf")
    with phone.expect_navigation():
        card.get_by_role("button", name="Send the replacement").click()

    new = Document.objects.exclude(pk=rejected.pk).get(kind=DocumentKind.NPWP_CARD)
    assert new.review_status == ReviewStatus.PENDING and application.documents.filter(pk=new.pk).exists()
    assert phone.url.endswith(f"/apply/status/{application.code}/#document-{new.pk}")
    assert phone.get_by_text("Thank you: NPWP card was received and waits for review.").is_visible()
    replaced = phone.locator(f"#document-{new.pk}")
    assert replaced.locator(".badge").inner_text() == "Pending review"
    assert "to replace a rejected one" in replaced.inner_text()
    assert phone.locator("form.replacement").count() == 0
    assert fits_the_screen(phone)
    assert csp_complaints(phone) == []
    screenshot(phone, tmp_path, "status-after-replacement.png", full_page=True)


def test_a_waiting_application_says_what_happens_next_and_what_the_form_left_out(phone, live_server, tmp_path):
    for days in (3, 5, 6, 8, 12):
        decided = make_application(MediaOutletFactory(), status=Application.Status.APPROVED)
        Application.objects.filter(pk=decided.pk).update(
            decided_at=timezone.now() - datetime.timedelta(days=2),
            submitted_at=timezone.now() - datetime.timedelta(days=2 + days))
    outlet = eligible_outlet(name="Warta Kampung")
    outlet.verification.delete()
    PressVerificationFactory(outlet=outlet, administrative=True)
    application = make_application(outlet, days_ago=1)

    phone.goto(f"{live_server.url}/apply/status/{application.code}/")

    assert "Review usually takes about 6 days" in phone.locator(".state").inner_text()
    gap = phone.locator("#dewan-pers")
    assert "without a factual verification this outlet can never become eligible" in gap.inner_text()
    assert gap.get_by_label("Dewan Pers verification certificate").is_visible()
    assert gap.get_by_label("Dewan Pers certificate number").is_visible()
    assert fits_the_screen(phone)
    assert csp_complaints(phone) == []
    screenshot(phone, tmp_path, "status-waiting-dewan-pers.png", full_page=True)


def test_the_unknown_code_page_on_a_phone(phone, live_server, tmp_path):
    phone.goto(f"{live_server.url}/apply/status/KodeSalahKetik12/")
    assert phone.get_by_role("heading", level=1).inner_text() == "We could not find this application"
    assert phone.get_by_label("Tracking code").input_value() == "KodeSalahKetik12"
    assert fits_the_screen(phone)
    screenshot(phone, tmp_path, "status-unknown-code.png", full_page=True)

    application = make_application(eligible_outlet())
    phone.get_by_label("Tracking code").fill(application.code)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Show the application").click()
    assert phone.url.endswith(f"/apply/status/{application.code}/")


def test_switching_the_language_keeps_what_was_typed_but_not_the_files(phone, live_server, tmp_path):
    pdf_files = write_documents(tmp_path / "files")
    phone.goto(f"{live_server.url}/apply/")
    fill_form(phone, pdf_files)
    assert phone.locator("[data-files-not-kept]").is_hidden()

    phone.locator("#language-switch-select").select_option("id")
    with phone.expect_navigation():
        phone.locator(".language-button").click()
    phone.wait_for_load_state()

    assert phone.locator("html").get_attribute("lang") == "id"
    value = lambda selector: phone.locator(selector).input_value()  # noqa: E731
    assert value("#id_legal_name") == "PT Kabar Betawi Media"
    assert value("#id_npwp") == "01.312.166.0-091.000"
    assert value("#id_address") == "Jl. Kramat Raya No. 5\nJakarta Pusat"
    assert value("#id_province") == str(Province.objects.get(name="DKI Jakarta").pk)
    assert phone.get_by_label("63122 Portal web").is_checked()
    assert value("#id_media_type") == "online"
    assert value("#id_website") == "https://kabarbetawi.id"
    assert value("#id_editor_competency") == "utama"
    assert value("#id_outlet_email") == "redaksi@kabarbetawi.id"
    assert value("#id_kswp_date") == timezone.localdate().isoformat()
    assert phone.locator("#id_declaration").is_checked()
    # Files cannot be kept by any page: the form says so, and the inputs are empty.
    notice = phone.locator("[data-files-not-kept]")
    assert notice.is_visible()
    assert phone.evaluate("document.querySelector('#id_doc_deed').files.length") == 0
    # The typed text is forgotten once restored, and the form's hidden key is the new page's own.
    assert phone.evaluate("Object.keys(sessionStorage).length") == 0
    assert phone.locator("#id_fax").input_value() == ""
    assert fits_the_screen(phone)
    assert csp_complaints(phone) == []
    screenshot(phone, tmp_path, "status-language-kept.png", full_page=True)

    # The kept form goes through once the files are chosen again.
    for document, path in pdf_files.items():
        phone.locator(f"#id_doc_{KINDS[document]}").set_input_files(path)
    with phone.expect_navigation():
        phone.locator("#application-form button[type=submit]").click()
    assert re.search(r"/apply/status/[A-Za-z0-9_-]+/$", phone.url)
    assert Application.objects.get().outlet.name == "Kabar Betawi"

