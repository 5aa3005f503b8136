"""The public application form (/apply/): a valid submission and its status page, every validation
with its message beside the field, double submissions, the rate limit, the honeypot, CSRF, and no
bad input ever a server error. Through the Django test client against PostgreSQL.

Pages are asked for in English (the language cookie) so that the assertions read plainly; the default
language of the public pages is Bahasa Indonesia (tests/test_language.py). Shared helpers are in
tests/apply_helpers.py; the other tests of applications are in tests/test_apply_*.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from catalog import renewal
from catalog.forms import issue_submission_key, read_submission_key
from catalog.models import (
    Application,
    CompanyChangeProposal,
    Listing,
    ListingState,
)
from partners.demo.files import pdf_bytes, png_bytes
from partners.identifiers import format_npwp
from partners.models import (
    Document,
    DocumentKind,
    KbliCode,
    MediaOutlet,
    OutletDomain,
    PressCompany,
    ReviewStatus,
)
from tests.apply_helpers import (
    APPLY,
    NPWP,
    NPWP16,
    REQUIRED_KINDS,
    assert_refused_and_nothing_stored,
    error_beside,
    fields_of,
    form_data,
    form_files,
    pdf,
    stored_files,
    stored_rows,
    summary_of,
    text_of,
)
from tests.factories import (
    PressCompanyFactory,
    StaffUserFactory,
    make_npwp,
)

# Every test: no rate-limit counts from earlier tests, the re-checks and mails a submission queues run
# in-process (as with the embedded defaults), and English pages.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]


# --- a valid submission ----------------------------------------------------------------------------

def test_the_form_page_is_public_bilingual_and_carries_a_one_time_key(client):
    page = client.get(APPLY)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert 'lang="en"' in html and "Apply for the e-catalog of media partners" in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    signed = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    assert re.fullmatch(r"[0-9a-f]{32}", read_submission_key(signed))  # issued by the server, signed
    assert 'accept=".pdf,.jpg,.jpeg,.png' in html
    indonesian = Client().get(APPLY)
    assert 'lang="id"' in indonesian.content.decode()


def test_a_valid_submission_stores_everything_and_leads_to_the_status_page(submit, staff_member, mailoutbox,
                                                                            private_document_storage):
    response = submit(REMOTE_ADDR="203.0.113.7")

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/status/{application.code}/"
    assert len(application.code) >= 16 and re.fullmatch(r"[A-Za-z0-9_-]+", application.code)

    company = PressCompany.objects.get()
    assert (company.npwp, company.nib, company.legal_name) == (NPWP16, "9120001234567", "PT Kabar Betawi Media")
    assert list(company.kbli_codes.values_list("code", flat=True)) == ["63122"]  # a new company gets its codes
    assert not CompanyChangeProposal.objects.exists()
    outlet = MediaOutlet.objects.get()
    assert (outlet.company, outlet.name, outlet.editor_competency) == (company, "Kabar Betawi", "utama")
    assert list(outlet.domains.values_list("domain", "is_primary")) == [("kabarbetawi.id", True)]
    assert (application.company, application.outlet, application.status) == (
        company, outlet, Application.Status.SUBMITTED)
    assert (application.applicant_email, application.client_ip, application.language) == (
        "redaksi@kabarbetawi.id", "203.0.113.7", "en")
    assert Listing.objects.get(outlet=outlet).state == ListingState.APPLIED

    documents = Document.objects.order_by("kind")
    assert sorted(documents.values_list("kind", flat=True)) == sorted([*REQUIRED_KINDS, "kswp"])
    assert set(application.documents.all()) == set(documents)
    assert {d.review_status for d in documents} == {ReviewStatus.PENDING}
    editorial_box = documents.get(kind=DocumentKind.EDITORIAL_BOX)
    assert editorial_box.outlet == outlet  # an outlet document; the others belong to the company
    assert documents.get(kind=DocumentKind.DEED).outlet is None
    tax_return = documents.get(kind=DocumentKind.ANNUAL_TAX_RETURN)
    assert tax_return.tax_year == timezone.localdate().year - 1
    assert documents.get(kind=DocumentKind.KSWP).issue_date == timezone.localdate()
    # Uploaded names are kept as metadata only; the files sit under random names in the private folder.
    for document in documents:
        assert document.content_type == "application/pdf" and document.size > 0
        assert document.original_filename == f"{document.kind}.pdf"
        assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.pdf", document.file.name)
        assert (private_document_storage / document.file.name).read_bytes().startswith(b"%PDF-")
        assert document.file.url == ""
    # The re-check after commit evaluated the new outlet (not eligible yet: nothing is reviewed).
    assert outlet.eligibility.is_eligible is False

    (received, notice) = mailoutbox
    assert received.to == ["redaksi@kabarbetawi.id", "sekretariat@kabarbetawi.id"]
    assert application.code in received.body
    assert f"{django_settings.SITE_URL}/apply/status/{application.code}/" in received.body
    assert notice.to == ["rina@kominfo.example.go.id"]
    assert "Kabar Betawi" in notice.subject
    assert f"/admin/catalog/application/{application.pk}/" in notice.body


def test_the_status_page_shows_the_decisions_and_what_is_missing_and_nothing_else(client, submit):
    other = PressCompanyFactory(legal_name="PT Tetangga Sebelah", npwp=make_npwp(4242))
    submit()
    application = Application.objects.get()
    reviewer = StaffUserFactory(username="reviewer.rahasia", first_name="Joko", last_name="Penelaahsari")
    now = timezone.now()
    application.documents.filter(kind=DocumentKind.DEED).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Pindaian akta tidak terbaca.", reviewed_by=reviewer,
        reviewed_at=now)
    application.documents.filter(kind=DocumentKind.NIB).update(
        review_status=ReviewStatus.ACCEPTED, reviewed_by=reviewer, reviewed_at=now)

    page = client.get(f"/apply/status/{application.code}/")

    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    text = text_of(page)
    assert application.code in html
    assert "Deed of establishment Rejected Reason: Pindaian akta tidak terbaca." in text
    assert "Business ID (NIB) Accepted" in text
    assert text.count("Pending review") == 5
    missing = page.context["missing"]
    assert "Dewan Pers verification" in [str(item["title"]) for item in missing]
    for item in missing:
        assert f"{item['title']} : {item['reason']}" in text
    # Nothing beyond what the applicant entered: no reviewer, no other company, no internal data.
    for secret in ("reviewer.rahasia", "Joko", "Penelaahsari", "PT Tetangga Sebelah", other.npwp,
                   format_npwp(other.npwp), "203.0.113", "127.0.0.1", application.submission_key, "/admin/"):
        assert secret not in html, secret


def test_an_unknown_tracking_code_gives_a_404_page(client):
    assert client.get("/apply/status/tidak-ada-kode/").status_code == 404
    assert client.get("/apply/status/" + "x" * 300 + "/").status_code == 404


# --- validation: every field, everything kept, nothing stored --------------------------------------

def test_every_field_is_checked_with_its_message_beside_it_and_the_typed_values_stay(submit, private_document_storage):
    typed = form_data(npwp="01.312.166.1-091.000", nib="12345", company_email="bukan-email", legal_name="",
                      tax_year=timezone.localdate().year, editor_certificate_no="", kswp_date="kemarin",
                      declaration=None, outlet_name="Kabar Betawi <Jakarta>", address="Jl. Kramat\nNo. 5")
    response = submit(typed)

    assert_refused_and_nothing_stored(response, private_document_storage)
    expected_errors = {
        "npwp": "check digit is wrong",
        "nib": "An NIB has exactly 13 digits.",
        "company_email": "Enter a valid email address.",
        "legal_name": "This field is required.",
        "tax_year": "An annual tax return is for a past year.",
        "editor_certificate_no": "Enter the certificate number of the competency level.",
        "kswp_date": "Enter a valid date.",
        "declaration": "This field is required.",
    }
    fields = fields_of(response)
    for name, message in expected_errors.items():
        assert message in fields[name]["error"], (name, fields[name]["error"])
    errors_shown = {name for name, block in fields.items() if block["error"] and name == block["names"][0]}
    assert errors_shown == set(expected_errors)
    # Everything typed is in the re-rendered form, exactly as typed.
    assert fields["npwp"]["values"] == ["01.312.166.1-091.000"]
    assert fields["outlet_name"]["values"] == ["Kabar Betawi <Jakarta>"]
    assert fields["address"]["values"] in (["Jl. Kramat\r\nNo. 5"], ["Jl. Kramat\nNo. 5"])
    for name in ("nib", "company_email", "regency_city", "company_phone", "website", "person_in_charge",
                 "editor_in_chief", "outlet_email", "outlet_phone", "tax_year", "kswp_date"):
        assert fields[name]["values"] == [str(typed[name])], name
    assert f'name="submission_key" value="{typed["submission_key"]}"' in response.content.decode()
    assert fields["legal_form"]["values"] == ["pt"]
    assert fields["media_type"]["values"] == ["online"]
    assert fields["editor_competency"]["values"] == ["utama"]
    assert fields["province"]["values"] == [str(typed["province"])]
    assert fields["kbli_codes"]["values"] == [str(pk) for pk in typed["kbli_codes"]]
    # The summary links to each field and names the files to choose again.
    summary = summary_of(response)
    assert "Please choose these files again" in summary
    for label in ("Deed of establishment", "NPWP card", "Editorial box (masthead)",
                  "Tax status confirmation (KSWP)"):
        assert label in summary
    assert "Everything else you typed is still in the form." in summary
    assert 'href="#id_npwp"' in response.content.decode()
    # Each input is named by its label and points at its help text; wrong ones are marked invalid.
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="npwp"[^>]*aria-invalid="true"', html)
    for name, block in fields.items():
        assert all(control_id in block["label_for"] for control_id in block["ids"]), name


def test_the_nik_of_a_person_is_refused_as_npwp(submit, private_document_storage):
    response = submit(form_data(npwp="3171012501800003"))
    assert_refused_and_nothing_stored(response, private_document_storage)
    assert error_beside(response, "npwp")


BAD_FILES = [
    ("png_named_pdf", lambda: SimpleUploadedFile("akta.pdf", png_bytes(), content_type="application/pdf"),
     "This file is a PNG but its name ends in .pdf"),
    ("html_named_pdf", lambda: SimpleUploadedFile("akta.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>",
                                                  content_type="application/pdf"),
     "Only PDF, JPEG and PNG files are accepted"),
    ("empty", lambda: SimpleUploadedFile("akta.pdf", b"", content_type="application/pdf"), "empty"),
    ("truncated_pdf", lambda: SimpleUploadedFile("akta.pdf", pdf_bytes("Akta")[:300]), "damaged or incomplete"),
    ("damaged_png", lambda: SimpleUploadedFile("akta.png", png_bytes()[:40]), "damaged or incomplete"),
]


@pytest.mark.parametrize("make_file, message", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_beside_its_field_and_nothing_is_stored(submit, private_document_storage,
                                                                      make_file, message):
    response = submit(files=form_files(deed=make_file()))

    assert_refused_and_nothing_stored(response, private_document_storage)
    assert message in error_beside(response, "doc_deed")
    assert fields_of(response)["legal_name"]["values"] == ["PT Kabar Betawi Media"]
    assert "Deed of establishment" in summary_of(response)


def test_an_oversize_file_is_refused_with_the_limit(submit, settings, private_document_storage):
    settings.DOCUMENT_MAX_BYTES = 2000
    big = SimpleUploadedFile("akta.pdf", pdf_bytes("Akta", ["baris panjang " * 5] * 40))
    assert big.size > 2000

    response = submit(files=form_files(deed=big))

    assert_refused_and_nothing_stored(response, private_document_storage)
    assert re.search(r"The file is [\d.]+ KB; the limit is 2\.0 KB\.", error_beside(response, "doc_deed"))


def test_the_files_of_one_application_together_have_a_limit(submit, settings, private_document_storage):
    settings.APPLICATION_MAX_BYTES = 3000  # each file is small; the seven together are not

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage)
    assert re.search(r"Together the files are [\d.]+ KB; an application may carry at most 2\.9 KB\.",
                     summary_of(response))
    assert "Please choose these files again" in summary_of(response)


@pytest.mark.parametrize("field, changes, files, message", [
    ("doc_deed", {}, {"deed": None}, "This field is required."),
    ("doc_editorial_box", {}, {"editorial_box": None}, "This field is required."),
    ("doc_kswp", {"kswp_date": ""}, {"kswp": None}, "Attach a tax status confirmation (KSWP) or a tax clearance"),
    ("kswp_date", {"kswp_date": ""}, {}, "Enter the date of this document."),
    ("skf_date", {"skf_date": ""}, {"skf": pdf("skf.pdf")}, "Enter the date of this document."),
    ("kswp_date", {"kswp_date": "2999-01-01"}, {}, "The date cannot be in the future."),
    ("certificate_number", {"certificate_date": "2024-04-01"}, {"press_council_certificate": pdf("dp.pdf")},
     "Enter the certificate number."),
    ("website", {"website": ""}, {}, "Online media must give their website."),
    ("website", {"website": "redaksi@kabarbetawi.id"}, {}, "looks like an e-mail address"),
    ("website", {"website": "http://[::1"}, {}, "is not a valid website address"),
    ("kbli_codes", {"kbli_codes": "__advertising__"}, {}, "Dewan Pers requires a press business code"),
    ("kbli_codes", {"kbli_codes": None}, {}, "This field is required."),
    ("legal_form", {"legal_form": "pt_perorangan"}, {}, "Select a valid choice."),
    ("npwp", {"npwp": "01.312.166"}, {}, "An NPWP has 15 digits"),
    ("npwp", {"npwp": "NPWP saya"}, {}, "An NPWP contains only digits"),
    ("company_email", {"company_email": "a" * 64 + "@" + ".".join(["b" * 63] * 3) + "." + "c" * 20 + ".id"}, {},
     "Ensure this value has at most 254 characters"),
])
def test_each_rule_of_the_form_refuses_beside_its_field(submit, private_document_storage, field, changes, files,
                                                        message):
    if changes.get("kbli_codes") == "__advertising__":
        changes["kbli_codes"] = [KbliCode.objects.get(code="73100").pk]
    response = submit(form_data(**changes), form_files(**files))

    assert_refused_and_nothing_stored(response, private_document_storage)
    assert message in error_beside(response, field), fields_of(response)[field]["error"]
    assert f'href="#id_{field}' in response.content.decode()


def test_online_media_without_a_website_but_a_radio_without_one_is_fine(submit):
    response = submit(form_data(media_type="radio", website="", kbli_codes=[KbliCode.objects.get(code="60102").pk]))
    assert response.status_code == 302
    assert not OutletDomain.objects.exists()


def test_an_skf_instead_of_a_kswp_is_enough_and_gets_its_one_month_validity(submit):
    issued = timezone.localdate() - datetime.timedelta(days=3)
    response = submit(form_data(kswp_date=None, skf_date=issued.isoformat()), form_files(kswp=None, skf=pdf("skf.pdf")))
    assert response.status_code == 302
    skf = Document.objects.get(kind=DocumentKind.SKF)
    assert skf.issue_date == issued and skf.expiry_date > issued


# --- double submission, rate limit, honeypot, CSRF -------------------------------------------------

def test_the_same_page_sent_twice_is_one_application(submit, mailoutbox):
    data = form_data()
    first = submit(data)
    second = submit(data)  # a double click, or the page sent again from the browser's history

    assert Application.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Document.objects.count() == 7 and PressCompany.objects.count() == 1
    assert len([m for m in mailoutbox if "received" in m.subject]) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["double-click", "two-applicants"])
def test_two_submissions_at_the_same_moment_neither_fail_nor_duplicate(same_key, private_document_storage):
    """Two requests racing through submit_application in their own connections: with the same key
    (a double click) one application; with different keys for the same new outlet, two applications
    sharing one company, one outlet and one domain. No error, and no file without its row."""
    import threading

    from catalog.applications import submit_application
    from catalog.forms import ApplicationForm

    key = issue_submission_key()
    forms = [ApplicationForm(form_data(submission_key=key if same_key else issue_submission_key()), form_files())
             for _ in range(2)]
    assert all(form.is_valid() for form in forms)
    barrier, results, errors = threading.Barrier(2), [], []

    def send(form):
        try:
            barrier.wait()
            results.append(submit_application(form).pk)
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert Application.objects.count() == (1 if same_key else 2) == len(set(results))
    assert (PressCompany.objects.count(), MediaOutlet.objects.count(), OutletDomain.objects.count()) == (1, 1, 1)
    stored = {path.relative_to(private_document_storage).as_posix() for path in stored_files(private_document_storage)}
    assert stored == set(Document.objects.values_list("file", flat=True))


@pytest.mark.parametrize("forge", [
    lambda application: application.submission_key,  # the bare key of another application
    lambda application: signing.dumps(application.submission_key, salt="lain"),
    lambda application: renewal.renewal_token(application.outlet_id),  # signed, for another form
    lambda application: issue_submission_key()[:-2] + "xx",
    lambda application: "",
], ids=["other_applications_key", "other_salt", "renewal_link", "bad_signature", "empty"])
def test_a_submission_key_the_client_made_up_is_refused_and_reaches_no_other_application(
        client, submit, forge, private_document_storage):
    submit()
    victim = Application.objects.get()
    before, files_before = stored_rows(), stored_files(private_document_storage)

    response = submit(form_data(submission_key=forge(victim), website="https://kabar-lain.id",
                                outlet_name="Kabar Lain"))

    assert response.status_code == 400
    assert victim.code not in response.content.decode()
    assert (stored_rows(), stored_files(private_document_storage)) == (before, files_before)
    assert "This form could not be verified" in summary_of(response)
    # The page shown again carries a new key of our own, so sending it again is one new application.
    fresh = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode()).group(1)
    assert read_submission_key(fresh) != victim.submission_key
    again = submit(form_data(submission_key=fresh, website="https://kabar-lain.id", outlet_name="Kabar Lain"))
    assert again.status_code == 302
    assert again["Location"] != f"/apply/status/{victim.code}/" and Application.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model, changes, field, message", [
    (OutletDomain, {"nib": "9120007654321"}, "website",
     "The website kabarbetawi.id is registered to another company's outlet."),
    (PressCompany, {"website": "https://kabar-kedua.id", "outlet_name": "Kabar Kedua"}, "nib",
     "A company with this NIB is already registered."),
], ids=["same_domain", "same_nib"])
def test_two_companies_claiming_the_same_new_domain_or_nib_at_once_get_one_application_and_a_refusal(
        model, changes, field, message, private_document_storage):
    """Two companies (two NPWPs) send the form at the same moment, through two real requests in two
    transactions. Both pass the form's checks, then meet before inserting the domain (or the company
    with its NIB): one application is stored, the other is refused beside the field, never a 500."""
    import threading

    from django.db.models.signals import pre_save

    cache.clear()
    meeting = threading.Barrier(2)
    datas = [form_data(npwp=NPWP, outlet_email="redaksi@kabarbetawi.id"),
             form_data(npwp=format_npwp(make_npwp(777)), legal_name="PT Kabar Tandingan",
                       outlet_email="redaksi@tandingan.id", **changes)]
    responses, errors = [], []

    def meet_before_insert(sender, instance, **kwargs):
        if instance.pk is None:  # both transactions have checked, neither has inserted
            meeting.wait(timeout=10)

    def send(data):
        try:
            client = Client(raise_request_exception=False)
            client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
            responses.append(client.post(APPLY, {**data, **form_files()}))
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    pre_save.connect(meet_before_insert, sender=model, dispatch_uid="test-meet")
    try:
        threads = [threading.Thread(target=send, args=(data,)) for data in datas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        pre_save.disconnect(dispatch_uid="test-meet", sender=model)

    assert errors == []
    assert sorted(response.status_code for response in responses) == [302, 400]
    (refused,) = [response for response in responses if response.status_code == 400]
    assert message in error_beside(refused, field)
    assert Application.objects.count() == 1 and PressCompany.objects.count() == 1
    assert OutletDomain.objects.count() == 1
    stored = {path.relative_to(private_document_storage).as_posix() for path in stored_files(private_document_storage)}
    assert stored == set(Document.objects.values_list("file", flat=True))


def test_a_submission_that_fails_after_its_files_were_written_leaves_no_file(private_document_storage):
    from catalog.applications import submit_application
    from catalog.forms import ApplicationForm
    from partners.signals import registry_changed

    def broken_receiver(**kwargs):
        raise RuntimeError("the database went away")

    form = ApplicationForm(form_data(), form_files())
    assert form.is_valid()
    # The submission's re-check request is its last write, after the files (partners.services.registry_edit).
    registry_changed.connect(broken_receiver, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            submit_application(form)
    finally:
        registry_changed.disconnect(dispatch_uid="test-broken")
    assert not Application.objects.exists() and not Document.objects.exists()
    assert stored_files(private_document_storage) == []


def test_submissions_per_client_address_are_limited(client, submit, settings, private_document_storage):
    settings.APPLY_RATE_LIMIT = 3
    for _attempt in range(3):
        assert client.post(APPLY, {}, REMOTE_ADDR="198.51.100.20").status_code == 400

    refused = client.post(APPLY, {}, REMOTE_ADDR="198.51.100.20")
    assert refused.status_code == 429
    assert "Too many applications have been sent from your network" in refused.content.decode()
    assert submit(REMOTE_ADDR="198.51.100.20").status_code == 429  # a valid one too
    assert stored_rows()["Application"] == 0

    # Another address is not affected.
    assert submit(REMOTE_ADDR="198.51.100.21").status_code == 302
    assert Application.objects.count() == 1


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(submit, private_document_storage):
    response = submit(form_data(fax="+62 21 555 0101"))

    assert_refused_and_nothing_stored(response, private_document_storage)
    assert "The form could not be accepted as it was sent." in response.content.decode()


def test_the_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client):
    html = client.get(APPLY).content.decode()
    assert re.search(r'<div class="trap" aria-hidden="true">.*?<input type="text" name="fax" id="id_fax" '
                     r'tabindex="-1" autocomplete="off"></div>', html, re.S)


def test_csrf_is_enforced_on_the_form(submit):
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(APPLY, {**form_data(), **form_files()}).status_code == 403
    assert not Application.objects.exists()

    refused = csrf_client.post(APPLY, {**form_data(), **form_files()})
    assert "Halaman ini sudah kedaluwarsa" in refused.content.decode()  # our page, in Indonesian

    page = csrf_client.get(APPLY)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = submit(form_data(csrfmiddlewaretoken=token), client=csrf_client)
    assert response.status_code == 302


def test_only_get_and_post_are_allowed(client):
    assert client.put(APPLY).status_code == 405
    assert client.delete(APPLY).status_code == 405


# --- no bad input is a server error ----------------------------------------------------------------

BAD_POSTS = {
    "empty_post": ({}, {}),
    "only_key": ({"submission_key": "x"}, {}),
    "text_for_a_file": ({"doc_deed": "bukan berkas"}, "text_file"),
    "nul_in_text": ({"legal_name": "PT \x00 Kabar"}, None),
    "unknown_province": ({"province": "999999"}, None),
    "text_province": ({"province": "DKI"}, None),
    "unknown_kbli": ({"kbli_codes": ["abc", "999999"]}, None),
    "unknown_media_type": ({"media_type": "podcast"}, None),
    "unknown_competency": ({"editor_competency": "dewa"}, None),
    "huge_tax_year": ({"tax_year": "9" * 40}, None),
    "negative_tax_year": ({"tax_year": "-2024"}, None),
    "float_tax_year": ({"tax_year": "1e309"}, None),
    "ancient_dates": ({"kswp_date": "0001-01-01", "skf_date": "0001-01-01"}, "skf"),
    "far_future_dates": ({"kswp_date": "9999-12-31"}, None),
    "impossible_date": ({"kswp_date": "2024-02-30"}, None),
    "long_text": ({"legal_name": "P" * 5000, "outlet_name": "O" * 5000, "regency_city": "R" * 5000,
                   "company_phone": "1" * 500, "editor_certificate_no": "C" * 500, "nib": "1" * 500,
                   "npwp": "1" * 500, "website": "w" * 5000 + ".id"}, None),
    "long_email": ({"outlet_email": "a" * 64 + "@" + ".".join(["b" * 63] * 3) + "." + "c" * 20 + ".id"}, None),
    "long_label_website": ({"website": "https://" + "a" * 64 + ".id"}, None),
    "ipv6_website": ({"website": "http://[::1"}, None),
    "ip_website": ({"website": "http://10.0.0.1"}, None),
    "unicode_website": ({"website": "https://berita-ñ.id"}, None),
    "bad_idna_website": ({"website": "https://xn--.id"}, None),
    "list_for_text": ({"npwp": ["1", "2"]}, None),
    "long_submission_key": ({"submission_key": "k" * 500}, None),
    "path_in_file_name": ({}, "path"),
    "many_files": ({}, "many"),
    "no_remote_addr": ({}, "no_addr"),
    "odd_remote_addr": ({}, "odd_addr"),
}


@pytest.mark.parametrize("case", list(BAD_POSTS))
def test_no_bad_input_gives_a_server_error(client, submit, case, private_document_storage):
    changes, special = BAD_POSTS[case]
    data = {**form_data(), **changes} if changes else form_data()
    files = form_files()
    extra = {}
    if case in ("empty_post", "only_key"):
        data, files = changes, {}
    if special == "skf":
        files["doc_skf"] = pdf("skf.pdf")
    if special == "text_file":
        del files["doc_deed"]
    if special == "path":
        files["doc_deed"] = pdf("../../../../etc/passwd.pdf")
    if special == "many":
        files.update({f"doc_x{n}": pdf(f"x{n}.pdf") for n in range(30)})
    if special == "no_addr":
        extra["REMOTE_ADDR"] = ""
    if special == "odd_addr":
        extra["REMOTE_ADDR"] = "unix:/run/gunicorn.sock"

    response = submit(data, files, **extra)

    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        status = client.get(response["Location"])
        assert status.status_code == 200
        for document in Document.objects.all():
            assert (private_document_storage / document.file.name).is_file()
            assert ".." not in document.file.name and "passwd" not in document.file.name


BAD_URLS = ["/apply/status/%00/", "/apply/status/' OR 1=1 --/", "/apply/renew/%00/", "/apply/renew/..%2F..%2F/",
            "/apply/renew/" + "a" * 5000 + "/", "/apply/?submission_key=x"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_no_bad_address_gives_a_server_error(client, url):
    assert client.get(url).status_code in (200, 400, 404)
    assert client.post(url, {"kind": "skf"}).status_code in (200, 400, 404, 405)
