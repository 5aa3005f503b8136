"""Registration windows (the form open or closed, and when the next one opens) and renewal links (an
outlet sends a replacement document without applying again)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog import applications, renewal
from catalog.models import (
    RegistrationWindow,
)
from partners.models import (
    Document,
    ReviewStatus,
)
from tests.apply_helpers import (
    APPLY,
    error_beside,
    fields_of,
    pdf,
    stored_files,
    stored_rows,
)
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
)

# Every test: no rate-limit counts from earlier tests, the re-checks and mails a submission queues run
# in-process (as with the embedded defaults), and English pages.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]


# --- registration windows --------------------------------------------------------------------------

def window(opens_in: int, closes_in: int) -> RegistrationWindow:
    today = timezone.localdate()
    return RegistrationWindow.objects.create(opens_on=today + datetime.timedelta(days=opens_in),
                                             closes_on=today + datetime.timedelta(days=closes_in))


def test_without_a_window_the_form_is_always_open(client):
    assert applications.registration_window().is_open
    assert "Send the application" in client.get(APPLY).content.decode()


def test_inside_a_window_the_form_is_open(client, submit):
    window(-400, -340)
    window(-5, 5)
    page = client.get(APPLY)
    assert page.status_code == 200 and "Send the application" in page.content.decode()
    assert submit().status_code == 302


def test_outside_the_windows_the_form_says_when_the_next_one_opens(client, submit, private_document_storage):
    window(-400, -340)
    upcoming = window(20, 50)
    window(400, 430)

    page = client.get(APPLY)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Applications are closed at the moment" in html
    assert f"The next registration window opens on {upcoming.opens_on:%-d %B %Y}." in html
    assert "Send the application" not in html
    response = submit()
    assert "Applications are closed at the moment" in response.content.decode()
    assert stored_rows()["Application"] == 0 and stored_files(private_document_storage) == []


def test_when_no_next_window_is_known_the_closed_page_says_so(client):
    window(-30, -1)
    assert "No registration window has been announced yet." in client.get(APPLY).content.decode()


def test_the_window_dates_are_inclusive():
    today = timezone.localdate()
    RegistrationWindow.objects.create(opens_on=today, closes_on=today)
    assert applications.registration_window(today).is_open
    assert not applications.registration_window(today + datetime.timedelta(days=1)).is_open
    assert not applications.registration_window(today - datetime.timedelta(days=1)).is_open


# --- renewal links ---------------------------------------------------------------------------------

@pytest.fixture
def renewal_outlet():
    outlet = MediaOutletFactory(name="Kabar Betawi")
    DocumentFactory(company=outlet.company, expiring_soon=True, number="SKF-LAMA")
    return outlet


def renewal_data(**changes) -> dict:
    today = timezone.localdate()
    data = {"kind": "skf", "number": "SKF-BARU-1", "issue_date": today.isoformat(),
            "expiry_date": (today + datetime.timedelta(days=30)).isoformat(), "tax_year": "",
            "file": pdf("skf baru.pdf", "SKF")}
    data.update(changes)
    return data


def test_a_valid_renewal_link_takes_a_replacement_document_for_review(client, renewal_outlet,
                                                                      private_document_storage,
                                                                      django_capture_on_commit_callbacks):
    url = renewal.renewal_url_for_outlet(renewal_outlet.pk).removeprefix(django_settings.SITE_URL)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Renew the documents of Kabar Betawi" in html and "SKF-LAMA" in html

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, renewal_data())

    assert done.status_code == 200
    assert "Thank you: the document was received" in done.content.decode()
    assert "SKF-BARU-1 — Pending review" in done.content.decode()
    document = Document.objects.get(number="SKF-BARU-1")
    assert (document.company, document.outlet, document.review_status) == (
        renewal_outlet.company, None, ReviewStatus.PENDING)
    assert document.original_filename == "skf baru.pdf"
    assert (private_document_storage / document.file.name).exists()
    assert Document.objects.filter(number="SKF-LAMA").exists()  # the old one stays as the record


def test_an_expired_renewal_link_gives_a_clear_page(client, renewal_outlet):
    url = reverse("renewal", args=[renewal.renewal_token(renewal_outlet.pk)])
    later = timezone.now() + datetime.timedelta(days=django_settings.RENEWAL_LINK_MAX_AGE_DAYS, hours=1)
    with time_machine.travel(later, tick=False):
        page = client.get(url)
        posted = client.post(url, renewal_data())

    for response in (page, posted):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert "The next reminder e-mail will carry a new link" in response.content.decode()
    assert not Document.objects.filter(number="SKF-BARU-1").exists()
    with time_machine.travel(later - datetime.timedelta(hours=2), tick=False):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token.replace(":", ":x", 1),
    lambda token: "bukan-tautan",
    lambda token: signing.dumps({"outlet": 1}, salt="lain"),
], ids=["signature", "payload", "garbage", "other_salt"])
def test_a_tampered_renewal_link_gives_a_clear_page(client, renewal_outlet, tamper):
    token = tamper(renewal.renewal_token(renewal_outlet.pk))
    for response in (client.get(f"/apply/renew/{token}/"), client.post(f"/apply/renew/{token}/", renewal_data())):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not Document.objects.filter(number="SKF-BARU-1").exists()


def test_a_renewal_link_of_a_removed_outlet_gives_a_404(client):
    assert client.get(reverse("renewal", args=[renewal.renewal_token(999999)])).status_code == 404


@pytest.mark.parametrize("changes, field, message", [
    ({"file": SimpleUploadedFile("skf.pdf", b"<html></html>")}, "file", "Only PDF, JPEG and PNG"),
    ({"file": ""}, "file", "This field is required."),
    ({"expiry_date": ""}, "expiry_date", "This kind of document has an expiry date"),
    ({"issue_date": "2999-01-01"}, "issue_date", "The issue date cannot be in the future."),
    ({"kind": "annual_tax_return", "expiry_date": ""}, "tax_year", "Enter the tax year the return is for."),
    ({"kind": "annual_tax_return", "tax_year": "99999"}, "tax_year", "An annual tax return is for a past year."),
    ({"kind": "other"}, "kind", "Select a valid choice."),
])
def test_a_bad_renewal_upload_keeps_the_page_with_the_error(client, renewal_outlet, private_document_storage,
                                                            changes, field, message):
    url = reverse("renewal", args=[renewal.renewal_token(renewal_outlet.pk)])
    before = Document.objects.count()

    response = client.post(url, renewal_data(**changes))

    assert response.status_code == 400
    assert message in error_beside(response, field)
    assert fields_of(response)["number"]["values"] == ["SKF-BARU-1"]
    assert "Renew the documents of Kabar Betawi" in response.content.decode()
    assert Document.objects.count() == before
    assert [p for p in stored_files(private_document_storage) if "SKF-BARU" in p.read_bytes().decode("latin-1")] == []
