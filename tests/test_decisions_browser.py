"""Decisions and document preview in a real browser at a 1366 x 900 laptop (issue 9, "Shows that it is
done"): the application page's buttons are in view, approving with a document under review shows the
warning naming it, and a document's preview opens rendered in its own tab (a PNG and a PDF).

Debian's headless Chromium driven by Playwright against pytest-django's live server, as in the other
browser tests (tests/conftest.py, tests/browser.py). Screenshots (decisions-*.png) go to $SCREENSHOT_DIR
when set, else to the test's tmp_path (their paths are printed; pytest -s shows them).
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from catalog.models import Application
from partners.models import DocumentKind
from tests.browser import log_in, new_context, screenshot
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import DocumentFactory, StaffUserFactory

WIDTH, HEIGHT = 1366, 900

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "eager_tasks")]


@pytest.fixture
def context(browser, live_server):
    context = new_context(browser, live_server, width=WIDTH, height=HEIGHT)
    yield context
    context.close()


def in_viewport(locator) -> bool:
    box = locator.bounding_box()
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (600, 400), (255, 255, 255))
    for x in range(40, 560):
        for y in range(40, 120):
            image.putpixel((x, y), (190, 30, 45))
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def application_with_a_pending_scan():
    """An eligible outlet's application; its rate card, a PNG scan, waits for review."""
    StaffUserFactory(username="rina.verifikator", groups=["Verifikator"])
    outlet = eligible_outlet(name="Kabar Laptop")
    scan = DocumentFactory(outlet=outlet, kind=DocumentKind.RATE_CARD, number="RC-2026",
                           file=ContentFile(png_bytes(), name="tarif.png"), original_filename="tarif iklan.png",
                           content_type="image/png")
    application = make_application(outlet, email="redaksi@laptop.id")
    application.documents.add(scan)
    return application, scan


def test_the_application_page_decides_with_a_warning_and_previews_documents(context, live_server, tmp_path,
                                                                            application_with_a_pending_scan):
    application, scan = application_with_a_pending_scan
    page = context.new_page()
    log_in(page, live_server, "rina.verifikator")
    address = f"{live_server.url}/admin/catalog/application/{application.pk}/change/"
    page.goto(address)

    bar = page.locator("#application-decision-buttons")
    buttons = {name: bar.get_by_role("button", name=name, exact=True)
               for name in ("Approve", "Request changes…", "Reject…")}
    for name, button in buttons.items():
        assert button.is_visible() and in_viewport(button), name
    preview = page.locator(f'a[href="/documents/{scan.pk}/preview/"]')
    assert preview.is_visible() and preview.inner_text() == "Preview"
    assert page.get_by_role("link", name="Preview: Rate card").count() == 1
    assert "Rate card RC-2026 (pending review)" in page.locator(".decision-warning").inner_text()
    screenshot(page, tmp_path, "decisions-application-page.png")

    # Approve: the rate card under review is named first.
    buttons["Approve"].click()
    page.wait_for_load_state()
    warning = page.locator("#approve-warning")
    assert warning.is_visible()
    assert "Rate card RC-2026" in warning.inner_text() and "Pending review" in warning.inner_text()
    assert in_viewport(page.get_by_role("button", name="Approve anyway"))
    screenshot(page, tmp_path, "decisions-approve-warning.png")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    page.get_by_role("button", name="Approve anyway").click()
    page.wait_for_url(address)
    assert "1 application approved." in page.locator(".messagelist").inner_text()
    assert page.locator("#application-decision-buttons").count() == 0
    screenshot(page, tmp_path, "decisions-application-approved.png")
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED

    # The PNG opens rendered, in its own tab.
    with context.expect_page() as opened:
        page.locator(f'a[href="/documents/{scan.pk}/preview/"]').click()
    image_tab = opened.value
    image_tab.wait_for_load_state()
    assert image_tab.url == f"{live_server.url}/documents/{scan.pk}/preview/"
    image = image_tab.locator("img")
    assert image.count() == 1 and image.bounding_box()["width"] == 600
    screenshot(image_tab, tmp_path, "decisions-preview-png.png")
    image_tab.close()

    # A PDF of the company opens in the browser's viewer, not as a download.
    pdf = application.documents.exclude(pk=scan.pk).order_by("kind").first()
    with context.expect_page() as opened:
        page.locator(f'a[href="/documents/{pdf.pk}/preview/"]').click()
    pdf_tab = opened.value
    pdf_tab.wait_for_load_state()
    assert pdf_tab.url == f"{live_server.url}/documents/{pdf.pk}/preview/"
    pdf_tab.wait_for_timeout(1500)  # the viewer draws the page after the load event
    screenshot(pdf_tab, tmp_path, "decisions-preview-pdf.png")


def test_the_outlet_page_accepts_a_document_beside_its_row(context, live_server, tmp_path,
                                                          application_with_a_pending_scan):
    _application, scan = application_with_a_pending_scan
    page = context.new_page()
    log_in(page, live_server, "rina.verifikator")
    address = f"{live_server.url}/admin/partners/mediaoutlet/{scan.outlet_id}/change/"
    page.goto(address)

    row = page.locator("tr", has=page.locator(f'a[href="/documents/{scan.pk}/preview/"]'))
    row.get_by_role("button", name="Accept: Rate card").scroll_into_view_if_needed()
    screenshot(page, tmp_path, "decisions-outlet-document-rows.png")
    row.get_by_role("button", name="Accept: Rate card").click()
    page.wait_for_url(re.compile(re.escape(address) + "$"))
    assert "1 document accepted." in page.locator(".messagelist").inner_text()
    scan.refresh_from_db()
    assert scan.review_status == "accepted"

    # Reject asks the reason on its own page, then comes back here.
    page.locator("tr", has=page.locator(f'a[href="/documents/{scan.pk}/preview/"]')).get_by_role(
        "button", name="Reject… Rate card").click()
    page.get_by_label("Reason for rejection").fill("Tarif tidak bertanggal.")
    screenshot(page, tmp_path, "decisions-document-reject-reason.png")
    page.get_by_role("button", name="Reject").click()
    page.wait_for_url(re.compile(re.escape(address) + "$"))
    assert "1 document rejected." in page.locator(".messagelist").inner_text()
    scan.refresh_from_db()
    assert (scan.review_status, scan.rejection_reason) == ("rejected", "Tarif tidak bertanggal.")

    # The document's own page: its review and the buttons at the top.
    page.goto(f"{live_server.url}/admin/partners/document/{scan.pk}/change/")
    bar = page.locator("#document-decision")
    assert "Rejected (Tarif tidak bertanggal.)" in bar.inner_text()
    assert in_viewport(bar.get_by_role("button", name="Accept: Rate card"))
    screenshot(page, tmp_path, "decisions-document-page.png")
    # The buttons belong to a form of their own: Enter in a field saves the document, it decides nothing.
    page.get_by_label("Number:").fill("RC-2026-B")
    page.get_by_label("Number:").press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/partners/document/")
    scan.refresh_from_db()
    assert (scan.number, scan.review_status) == ("RC-2026-B", "rejected")
