"""The applicant's status page (/apply/status/<code>/, issue 9 part 5): rejected documents with their
reason and a replacement upload right there, what happens next and how long review usually takes, the
line about a Dewan Pers factual verification the form marks optional, the tracking code as the key,
the friendly page for an unknown code, and a fixed number of queries. Through the Django test client
against PostgreSQL, in English (the language cookie); the browser test is tests/test_status_browser.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import eligibility
from catalog.models import Application, Eligibility, EligibilityPolicy, PendingRecheck, Trigger
from catalog.selectors import REVIEW_TIME_MIN_DECISIONS, review_time
from partners.demo.files import png_bytes
from partners.models import Document, DocumentKind, ReviewStatus, VerificationLevel
from tests.apply_helpers import error_beside, fields_of, pdf, stored_files, text_of
from tests.catalog_helpers import eligible_outlet, make_application
from tests.conftest import ORDINARY_DAY
from tests.factories import DocumentFactory, MediaOutletFactory, PressVerificationFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]


def status_url(application) -> str:
    return reverse("application-status", args=[application.code])


def approved_with_rejected(kind=DocumentKind.NPWP_CARD, reason="Kartu NPWP buram; unggah pindaian yang jelas."):
    """An approved application of an outlet that meets every rule, whose ``kind`` document was rejected
    (an NPWP card is not one the rules read: the old page said "nothing is missing" beside it)."""
    outlet = eligible_outlet(name="Kabar Betawi")
    application = make_application(outlet, days_ago=20, status=Application.Status.APPROVED)
    rejected = DocumentFactory(company=outlet.company, kind=kind, rejected=True, rejection_reason=reason,
                               **({"tax_year": timezone.localdate().year - 1}
                                  if kind == DocumentKind.ANNUAL_TAX_RETURN else {}))
    if kind in (DocumentKind.DEED, DocumentKind.ANNUAL_TAX_RETURN):  # the rejected one is the application's
        application.documents.remove(*application.documents.filter(kind=kind))
        Document.objects.filter(company=outlet.company, kind=kind).exclude(pk=rejected.pk).delete()
    application.documents.add(rejected)
    return application, rejected


def send(client, application, target, file=None, **fields):
    prefix = target if isinstance(target, str) else f"doc-{target.pk}"
    data = {"send": prefix, f"{prefix}-file": file if file is not None else pdf("npwp baru.pdf", "NPWP")}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(status_url(application), data)


# --- rejected documents, and their replacement ----------------------------------------------------------

def test_a_rejected_document_shows_its_reason_and_an_upload_and_never_nothing_is_missing(client):
    application, rejected = approved_with_rejected()

    page = client.get(status_url(application))

    assert page.status_code == 200
    text = text_of(page)
    assert "Status: Approved" in text
    assert "NPWP card Rejected Reason: Kartu NPWP buram; unggah pindaian yang jelas." in text
    assert "Nothing: the outlet meets every requirement" not in text
    assert "One document was rejected: the reason and a way to send a replacement are below." in text
    assert "Rejected documents : NPWP card" in text
    assert "A document has been rejected since: replace it below" in text
    html = page.content.decode()
    block = re.search(rf'<li class="document is-rejected" id="document-{rejected.pk}">.*?</li>', html, re.S).group(0)
    assert f'name="send" value="doc-{rejected.pk}"' in block and 'enctype="multipart/form-data"' in block
    assert "csrfmiddlewaretoken" in block and "Send the replacement" in block
    assert fields_of(page)[f"doc-{rejected.pk}-file"]["label_for"] == [f"id_doc-{rejected.pk}-file"]
    # The accepted documents show no form.
    assert html.count('name="send"') == 1


def test_a_replacement_goes_to_review_rechecks_the_outlet_and_the_page_then_shows_it_pending(
        client, django_capture_on_commit_callbacks, private_document_storage):
    # A rejected deed: the rules read it, so the re-check has something to say about the replacement.
    application, rejected = approved_with_rejected(DocumentKind.DEED, reason="Akta tidak terbaca.")
    outlet = application.outlet
    eligibility.recheck_outlets([outlet.pk], trigger=Trigger.STAFF)
    checked = Eligibility.objects.get(outlet=outlet)
    assert "Deed of establishment was rejected" in str(checked.outcomes)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, application, rejected, file=pdf("akta baru.pdf", "Akta"))

    new = Document.objects.exclude(pk=rejected.pk).get(kind=DocumentKind.DEED)
    assert response.status_code == 302
    assert response["Location"] == f"{status_url(application)}#document-{new.pk}"
    assert (new.company_id, new.outlet_id, new.review_status) == (outlet.company_id, None, ReviewStatus.PENDING)
    assert new.original_filename == "akta baru.pdf" and new.content_type == "application/pdf"
    assert (private_document_storage / new.file.name).exists()
    assert application.documents.filter(pk=new.pk).exists()
    rejected.refresh_from_db()
    assert rejected.review_status == ReviewStatus.REJECTED  # the record stays
    # Re-checked on commit, through the queue (eager here), for the document review.
    assert not PendingRecheck.objects.filter(outlet=outlet).exists()
    rechecked = Eligibility.objects.get(outlet=outlet)
    assert rechecked.evaluated_at > checked.evaluated_at
    assert "Deed of establishment is still pending review" in str(rechecked.outcomes)

    page = client.get(response["Location"])
    text = text_of(page)
    assert "Thank you: Deed of establishment was received and waits for review." in text
    assert "Deed of establishment Pending review Sent on 26 November 2026 to replace a rejected one." in text
    assert "Akta tidak terbaca." not in text  # the rejected one is replaced: no reason, no form
    assert 'name="send"' not in page.content.decode()
    assert "Nothing: the outlet meets every requirement" not in text


def test_a_replacement_sent_twice_is_stored_once(client, django_capture_on_commit_callbacks):
    application, rejected = approved_with_rejected()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(client, application, rejected)
        second = send(client, application, rejected)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == f"{status_url(application)}#documents"
    assert Document.objects.filter(kind=DocumentKind.NPWP_CARD).count() == 2  # the rejected one and one new
    assert "That document has already been sent" in text_of(client.get(second["Location"]))


@pytest.mark.parametrize("file, message", [
    (SimpleUploadedFile("npwp.pdf", b"<html><script>alert(1)</script></html>"), "Only PDF, JPEG and PNG"),
    (SimpleUploadedFile("npwp.pdf", b""), "The submitted file is empty."),
    (SimpleUploadedFile("npwp.pdf", png_bytes()), "This file is a PNG but its name ends in .pdf"),
    ("", "This field is required."),
], ids=["not_a_document", "empty", "name_lies", "missing"])
def test_a_bad_file_is_refused_beside_its_field_and_nothing_is_stored(client, private_document_storage, file,
                                                                    message):
    application, rejected = approved_with_rejected()
    before, files_before = Document.objects.count(), len(stored_files(private_document_storage))

    response = send(client, application, rejected, file=file)

    assert response.status_code == 400
    assert message in error_beside(response, f"doc-{rejected.pk}-file")
    assert "The document was not sent" in text_of(response)
    assert f'href="#doc-{rejected.pk}-form"' in response.content.decode()
    assert Document.objects.count() == before
    assert len(stored_files(private_document_storage)) == files_before


def test_a_file_over_the_size_limit_is_refused_beside_its_field(client, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    application, rejected = approved_with_rejected()
    before = Document.objects.count()

    response = send(client, application, rejected, file=pdf("besar.pdf", "x" * 2000))

    assert response.status_code == 400
    assert "the limit is 1000" in error_beside(response, f"doc-{rejected.pk}-file")
    assert Document.objects.count() == before


def test_a_replacement_asks_for_what_its_kind_needs_with_the_forms_checks(client):
    application, rejected = approved_with_rejected(DocumentKind.ANNUAL_TAX_RETURN, reason="Bukan SPT badan.")
    field = f"doc-{rejected.pk}-tax_year"
    page = client.get(status_url(application))
    assert fields_of(page)[field]["values"] == [str(timezone.localdate().year - 1)]

    refused = send(client, application, rejected, tax_year=timezone.localdate().year)
    assert refused.status_code == 400
    assert "An annual tax return is for a past year." in error_beside(refused, field)

    assert send(client, application, rejected, tax_year=2025).status_code == 302
    new = application.documents.get(kind=DocumentKind.ANNUAL_TAX_RETURN, review_status=ReviewStatus.PENDING)
    assert new.tax_year == 2025


def test_a_document_of_another_application_is_refused(client, private_document_storage):
    application, _rejected = approved_with_rejected()
    other, others_rejected = approved_with_rejected(reason="Punya orang lain.")
    before = Document.objects.count()

    # The other application's document, sent to this application's page: refused, nothing stored.
    response = send(client, application, others_rejected)
    assert response.status_code == 400
    assert "This page cannot take that document" in text_of(response)
    for target in ("certificate", "doc-999999", "doc-abc", ""):
        assert send(client, application, target).status_code == 400
    assert Document.objects.count() == before
    assert not application.documents.filter(pk__in=other.documents.all()).exists()


def test_only_documents_of_the_applications_outlet_and_its_company_can_be_replaced(client):
    application, own = approved_with_rejected()
    stranger = DocumentFactory(kind=DocumentKind.DEED, rejected=True, rejection_reason="Salah lampir.")
    other_outlet = DocumentFactory(outlet=MediaOutletFactory(company=application.outlet.company),
                                   kind=DocumentKind.EDITORIAL_BOX, rejected=True)
    application.documents.add(stranger, other_outlet)  # carried by mistake: shown, never replaceable here

    page = client.get(status_url(application))

    html = page.content.decode()
    assert f'value="doc-{own.pk}"' in html
    assert f'value="doc-{stranger.pk}"' not in html and f'value="doc-{other_outlet.pk}"' not in html
    before = Document.objects.count()
    assert send(client, application, stranger).status_code == 400
    assert send(client, application, other_outlet).status_code == 400
    assert Document.objects.count() == before


def test_csrf_and_the_rate_limit_hold_for_uploads(client, settings):
    application, rejected = approved_with_rejected()
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, application, rejected).status_code == 403

    settings.APPLY_RATE_LIMIT = 2
    for _attempt in range(2):
        assert send(client, application, rejected, file="").status_code == 400
    refused = send(client, application, rejected)
    assert refused.status_code == 429
    assert "Please wait an hour" in text_of(refused)
    assert not application.documents.filter(review_status=ReviewStatus.PENDING).exists()


def test_a_rejected_application_offers_no_upload_but_a_new_application(client):
    application, rejected = approved_with_rejected()
    Application.objects.filter(pk=application.pk).update(status=Application.Status.REJECTED,
                                                         decision_reason="Bukan perusahaan pers.")
    page = client.get(status_url(application))
    text = text_of(page)
    assert "Reason given by staff: Bukan perusahaan pers." in text
    assert "you may send a new application" in text and 'href="/apply/"' in page.content.decode()
    assert 'name="send"' not in page.content.decode()
    assert send(client, application, rejected).status_code == 400


# --- what happens next, and how long review takes ------------------------------------------------------

def decided(days: float, *, decided_days_ago: int = 3, status=Application.Status.APPROVED):
    """An application decided ``decided_days_ago`` before the pinned day, ``days`` after it was sent."""
    application = make_application(MediaOutletFactory(), status=status)
    decided_at = ORDINARY_DAY - datetime.timedelta(days=decided_days_ago)
    Application.objects.filter(pk=application.pk).update(
        decided_at=decided_at, submitted_at=decided_at - datetime.timedelta(days=days))
    return application


def test_the_median_review_time_is_taken_from_recent_decisions():
    for days in (2, 3, 5, 9, 30):
        decided(days)
    decided(4, status=Application.Status.CHANGES_REQUESTED)  # a first answer counts as a decision
    decided(200, decided_days_ago=181)  # too long ago
    make_application(MediaOutletFactory(), days_ago=90)  # not decided yet

    result = review_time(ORDINARY_DAY)

    assert result.decisions == 6
    assert result.median == datetime.timedelta(days=4.5)  # between 4 and 5
    assert result.days == 4  # rounded half to even: "about 4 days"


def test_with_too_few_decisions_no_figure_is_given(client):
    for days in range(REVIEW_TIME_MIN_DECISIONS - 1):
        decided(days + 1)
    assert review_time(ORDINARY_DAY) is None
    application = make_application(eligible_outlet())
    text = text_of(client.get(status_url(application)))
    assert "Too few applications have been decided lately to say how long review usually takes" in text
    assert "Review usually takes" not in text


def test_a_review_within_hours_reads_as_about_one_day(client):
    for _n in range(REVIEW_TIME_MIN_DECISIONS):
        decided(0.2)
    assert review_time(ORDINARY_DAY).days == 1
    application = make_application(eligible_outlet())
    assert "Review usually takes about 1 day: that is the median time from submission to decision of the 5 " \
           "applications decided in the last 180 days." in text_of(client.get(status_url(application)))


@pytest.mark.parametrize("status, expected, with_time", [
    (Application.Status.SUBMITTED, "Staff check each document and whether the outlet meets the e-catalog rules. "
                                   "The decision is sent by e-mail to redaksi@example.id", True),
    (Application.Status.UNDER_REVIEW, "Staff check each document", True),
    (Application.Status.CHANGES_REQUESTED, "Staff asked for changes (the reason is above). Send what they asked "
                                           "for below", True),
    (Application.Status.APPROVED, "The application was approved. The outlet is listed in the e-catalog.", False),
    (Application.Status.REJECTED, "The application was rejected for the reason above.", False),
])
def test_what_happens_next_is_said_for_each_state(client, status, expected, with_time):
    for days in (6, 7, 8, 9, 10):
        decided(days)
    outlet = eligible_outlet()
    application = make_application(outlet, status=status)
    if status == Application.Status.APPROVED:
        from catalog import lifecycle
        lifecycle.approve(lifecycle.ensure_listing(outlet), user=StaffUserFactory())

    text = text_of(client.get(status_url(application)))

    assert "What happens next " + expected in text
    assert ("Review usually takes about 8 days" in text) is with_time


# --- a Dewan Pers factual verification, which the form marks optional ------------------------------------

def unverified_application():
    outlet = eligible_outlet(name="Warta Kampung")
    outlet.verification.delete()
    PressVerificationFactory(outlet=outlet, administrative=True)
    return make_application(outlet)


def test_an_outlet_that_can_never_be_eligible_without_a_factual_verification_is_told_so(client):
    application = unverified_application()
    text = text_of(client.get(status_url(application)))
    assert "A Dewan Pers factual verification is required" in text
    assert "The application form marks the Dewan Pers certificate as optional, but without a factual " \
           "verification this outlet can never become eligible." in text
    assert "If Dewan Pers has verified the outlet factually, send its certificate here." in text
    assert 'name="send" value="certificate"' in client.get(status_url(application)).content.decode()


def test_the_certificate_sent_from_the_page_is_the_outlets_and_the_line_then_says_it_is_in_review(
        client, django_capture_on_commit_callbacks):
    application = unverified_application()
    signed = timezone.localdate() - datetime.timedelta(days=100)

    missing_number = send(client, application, "certificate", certificate_date=signed.isoformat())
    assert missing_number.status_code == 400
    assert "This field is required." in error_beside(missing_number, "certificate-certificate_number")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, application, "certificate", file=pdf("sertifikat.pdf", "Sertifikat"),
                        certificate_number="975/DP-Verifikasi/K/IV/2026", certificate_date=signed.isoformat())

    assert response.status_code == 302
    certificate = application.documents.get(kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE)
    assert (certificate.outlet_id, certificate.company_id) == (application.outlet_id, application.outlet.company_id)
    assert (certificate.number, certificate.issue_date, certificate.review_status) == (
        "975/DP-Verifikasi/K/IV/2026", signed, ReviewStatus.PENDING)
    assert certificate.expiry_date == signed.replace(year=signed.year + 5) - datetime.timedelta(days=1)
    text = text_of(client.get(status_url(application)))
    assert "Your Dewan Pers certificate has been received: staff check it with Dewan Pers" in text
    assert 'value="certificate"' not in client.get(status_url(application)).content.decode()
    assert send(client, application, "certificate", certificate_number="x",
                certificate_date=signed.isoformat()).status_code == 400  # not offered any more


def test_no_such_line_when_the_policy_admits_administrative_verification_or_the_outlet_is_factual(client):
    factual = make_application(eligible_outlet())
    assert "factual verification is required" not in text_of(client.get(status_url(factual)))

    application = unverified_application()
    policy = EligibilityPolicy.load()
    policy.min_verification_level = VerificationLevel.ADMINISTRATIVE
    policy.save()
    page = client.get(status_url(application))
    assert "factual verification is required" not in text_of(page)
    assert 'value="certificate"' not in page.content.decode()


# --- the tracking code, and a code we do not know ----------------------------------------------------

def test_the_tracking_code_is_shown_prominently_with_the_advice_to_keep_it(client):
    application = make_application(eligible_outlet())
    page = client.get(status_url(application))
    html, text = page.content.decode(), text_of(page)
    assert re.search(r'<section class="tracking".*?<h2[^>]*>Your tracking code</h2>\s*<p class="tracking-code">'
                     rf'<span class="code">{application.code}</span>', html, re.S)
    assert html.index("Your tracking code") < html.index("What happens next")
    assert "Keep this code, and the address of this page (bookmark it): together they are the key" in text
    assert f"http://testserver/apply/status/{application.code}/" in text  # the address the browser shows


@pytest.mark.parametrize("code", ["tidak-ada-kode", "AbCdEfGh12345678"])
def test_an_unknown_code_gets_a_helpful_404_with_a_lookup_form(client, code):
    page = client.get(f"/apply/status/{code}/")
    assert page.status_code == 404
    text = text_of(page)
    assert "We could not find this application" in text
    assert f"No application has the tracking code {code} ." in text  # the code in its own box
    assert "capital and small letters differ" in text
    html = page.content.decode()
    assert '<form method="get" action="/apply/status/"' in html
    assert fields_of(page)["code"]["values"] == [code]


def test_a_code_that_is_not_one_is_not_repeated_and_the_lookup_leads_to_the_page(client):
    page = client.get("/apply/status/%3Cb%3Ex/")
    assert page.status_code == 404
    assert "No application has this tracking code." in text_of(page) and "<b>x" not in page.content.decode()

    application = make_application(eligible_outlet())
    found = client.get("/apply/status/", {"code": f"  {application.code} "})
    assert found.status_code == 302 and found["Location"] == status_url(application)
    assert client.get("/apply/status/").status_code == 200
    assert "Find your application" in text_of(client.get("/apply/status/"))
    assert client.get("/apply/status/", {"code": "a b"}).status_code == 404


# --- cost ---------------------------------------------------------------------------------------------

def test_the_status_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    few, _rejected = approved_with_rejected()
    many, _rejected = approved_with_rejected()
    for kind in (DocumentKind.KSWP, DocumentKind.SKF, DocumentKind.EDITORIAL_BOX, DocumentKind.RATE_CARD,
                 DocumentKind.PKP_LETTER, DocumentKind.BANK_ACCOUNT_LETTER):
        many.documents.add(DocumentFactory(company=many.company, kind=kind, rejected=True))
    for days in range(10):
        decided(days + 1)
    EligibilityPolicy.load()  # created on first use: not the page's cost

    def queries(application):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(status_url(application)).status_code == 200
        return len(captured)

    assert queries(few) == queries(many)
    with django_assert_max_num_queries(12):
        client.get(status_url(many))



# --- the language switch keeps what was typed (the behaviour: tests/test_status_browser.py) -------------

def test_the_public_form_loads_the_keeping_script_from_a_static_file_and_marks_its_form(client):
    html = client.get("/apply/").content.decode()
    assert '<script src="/static/mediareg/keep_typed.js"></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # nothing inline (Content-Security-Policy)
    assert re.search(r'<form method="post" enctype="multipart/form-data" novalidate id="application-form" '
                     r'data-keep-typed>', html)
    assert "Changing the language keeps what you typed, but not the chosen files" in text_of(html)
    assert re.search(r'<p class="notice" data-files-not-kept hidden>', html)
    assert '<a href="/apply/status/">Already applied? See where your application stands</a>' in html
