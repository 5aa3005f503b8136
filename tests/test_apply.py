"""The public application form (/apply/), the status page, renewal links, registration windows and the
review of applications in the admin (issue 4), through the Django test client against PostgreSQL.

Pages are asked for in English (the language cookie) so that the assertions read plainly; the default
language of the public pages is Bahasa Indonesia (tests/test_language.py).
"""

from __future__ import annotations

import datetime
import html as html_module
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import applications, renewal
from catalog.forms import issue_submission_key, read_submission_key
from catalog.models import (
    Application,
    CompanyChangeProposal,
    Eligibility,
    Listing,
    ListingState,
    RegistrationWindow,
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
    Province,
    ReviewStatus,
)
from tests.catalog_helpers import eligible_outlet, give_company_documents, make_application
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    StaffUserFactory,
    make_npwp,
)
from tests.helpers import messages_of

# Every test: no rate-limit counts from earlier tests, the re-checks and mails a submission queues run
# in-process (as with the embedded defaults), and English pages.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]

APPLY = "/apply/"
QUEUE = reverse("admin:catalog_application_changelist")
NPWP = "01.312.166.0-091.000"  # a valid legacy NPWP (Luhn check digit in ninth place)
NPWP16 = "0013121660091000"


# --- fixtures and helpers --------------------------------------------------------------------------

def form_data(**changes) -> dict:
    """Everything an online outlet types into the form; a change of None leaves the field out."""
    today = timezone.localdate()
    data = {
        "legal_name": "PT Kabar Betawi Media", "legal_form": "pt", "npwp": NPWP, "nib": "9120001234567",
        "address": "Jl. Kramat Raya No. 5", "province": Province.objects.get(code="31").pk,
        "regency_city": "Jakarta Pusat", "company_email": "sekretariat@kabarbetawi.id",
        "company_phone": "(021) 390 1234", "kbli_codes": [KbliCode.objects.get(code="63122").pk],
        "outlet_name": "Kabar Betawi", "media_type": "online", "website": "https://www.KabarBetawi.id/berita",
        "person_in_charge": "Siti Rahmawati", "editor_in_chief": "Budi Santoso", "editor_competency": "utama",
        "editor_certificate_no": "1234-PWI/WU/DP/III/2021", "outlet_email": "redaksi@kabarbetawi.id",
        "outlet_phone": "0812 3456 7890", "tax_year": today.year - 1, "kswp_date": today.isoformat(),
        "declaration": "on", "submission_key": issue_submission_key(),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


REQUIRED_KINDS = ["deed", "law_ministry_approval", "nib", "npwp_card", "annual_tax_return", "editorial_box"]


def pdf(name: str, title: str = "Dokumen") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(title, ["Uji MediaReg"]), content_type="application/pdf")


def form_files(**changes) -> dict:
    """A real small PDF for every required document and the KSWP; a change of None leaves the file out."""
    files = {f"doc_{kind}": pdf(f"{kind}.pdf", kind) for kind in [*REQUIRED_KINDS, "kswp"]}
    files.update({f"doc_{kind}": upload for kind, upload in changes.items()})
    return {name: upload for name, upload in files.items() if upload is not None}


def stored_rows() -> dict:
    return {model.__name__: model.objects.count()
            for model in (PressCompany, MediaOutlet, OutletDomain, Document, Application, Listing)}


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


class FieldBlocks(HTMLParser):
    """Each ``<div class="field">`` or ``<fieldset class="field">`` of a page (templates/includes/field.html):
    the values of its controls as the browser would send them, its error text and the ids its labels point at."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, dict] = {}
        self._depth = 0  # open divs inside the current field block
        self._block = None
        self._in_error = self._in_textarea = self._in_option = False
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("div", "fieldset"):
            if self._block is None and "field" in (attrs.get("class") or "").split():
                self._block = {"names": [], "values": [], "error": "", "label_for": [], "ids": []}
                self._depth = 0
            elif self._block is not None:
                self._depth += 1
        if self._block is None:
            return
        if tag == "label" and attrs.get("for"):
            self._block["label_for"].append(attrs["for"])
        if tag == "p" and "error" in (attrs.get("class") or "").split():
            self._in_error = True
        if tag in ("input", "select", "textarea") and attrs.get("name"):
            self._block["names"].append(attrs["name"])
            self._block["ids"].append(attrs.get("id"))
            self.fields.setdefault(attrs["name"], self._block)
            if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._block["values"].append(attrs.get("value", "on"))
            elif tag == "input" and attrs.get("type") != "file":
                self._block["values"].append(attrs.get("value") or "")
            elif tag == "textarea":
                self._in_textarea = True
                self._block["values"].append("")
            elif tag == "select":
                self._select = self._block
        if tag == "option" and self._select is not None and "selected" in attrs:
            self._select["values"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_error = False
        if tag == "textarea":
            self._in_textarea = False
        if tag == "select":
            self._select = None
        if tag in ("div", "fieldset") and self._block is not None:
            if self._depth == 0:
                self._block = None
            else:
                self._depth -= 1

    def handle_data(self, data):
        if self._block is None:
            return
        if self._in_error:
            self._block["error"] += data
        if self._in_textarea:
            self._block["values"][-1] += data.lstrip("\n")


def fields_of(response) -> dict[str, dict]:
    return FieldBlocks(response.content.decode()).fields


def error_beside(response, name: str) -> str:
    return " ".join(fields_of(response)[name]["error"].split())


def text_of(response_or_html) -> str:
    """What a person reads: the text without tags, entities resolved, white space collapsed."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def summary_of(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert match, "no error summary on the page"
    return text_of(match.group(0))


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST the form as a browser does; the after-commit work (e-mails, re-check) runs."""

    def post(data=None, files=None, client=client, **extra):
        data = form_data() if data is None else data
        files = form_files() if files is None else files
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(APPLY, {**data, **files}, **extra)

    return post


def assert_refused_and_nothing_stored(response, folder, before=None):
    assert response.status_code == 400, response.status_code
    assert stored_rows() == (before or {name: 0 for name in stored_rows()})
    assert stored_files(folder) == []


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
    assert "Deed of establishment Rejected : Pindaian akta tidak terbaca." in text
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

    from django.db import connection

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

    from django.db import connection
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


# --- reuse of companies and outlets ----------------------------------------------------------------

def test_an_existing_company_is_found_by_its_npwp_in_any_format(submit):
    company = PressCompanyFactory(npwp=NPWP16, nib="", legal_name="PT Kabar Betawi Media", kbli_codes=["58130"])

    for typed in ("013121660091000", "0013121660091000", "01 312 166 0 091 000"):
        response = submit(form_data(npwp=typed, outlet_name=f"Kabar Betawi {len(typed)}",
                                    website=f"https://kabar-{len(typed)}.id"))
        assert response.status_code == 302, typed

    assert PressCompany.objects.count() == 1
    assert set(Application.objects.values_list("company", flat=True)) == {company.pk}
    company.refresh_from_db()
    # Not even an empty NIB is filled in, nor a KBLI code added: each application proposes them to staff.
    assert company.nib == ""
    assert set(company.kbli_codes.values_list("code", flat=True)) == {"58130"}
    for application in Application.objects.all():
        proposed = application.company_changes.proposed
        assert (proposed["nib"], proposed["kbli_codes"]) == ("9120001234567", ["63122"])


def known_company(**fields):
    """The company of form_data() as the registry knows it, with ``fields`` different."""
    values = {"npwp": NPWP16, "legal_name": "PT Kabar Betawi Media", "nib": "9120001234567",
              "address": "Jl. Kramat Raya No. 5", "regency_city": "Jakarta Pusat",
              "email": "sekretariat@kabarbetawi.id", "phone": "(021) 390 1234", "kbli_codes": ["63122"]}
    return PressCompanyFactory(**{**values, **fields})


def company_record(company) -> tuple:
    company.refresh_from_db()
    return (company.legal_name, company.nib, company.address, company.email, company.phone,
            sorted(company.kbli_codes.values_list("code", flat=True)))


def test_an_anonymous_form_never_changes_a_known_company_and_proposes_the_differences(submit):
    company = known_company(email="kantor@kabarbetawi.id", phone="", address="Jl. Lama 1", kbli_codes=["58130"])
    before = company_record(company)

    response = submit(form_data(npwp="013121660091000", company_email="penyerang@example.com",
                                company_phone="021-555", address="Jl. Baru 2",
                                kbli_codes=[KbliCode.objects.get(code="63122").pk]))

    assert response.status_code == 302
    assert company_record(company) == before  # the empty phone too: nothing is filled in
    proposal = CompanyChangeProposal.objects.get()
    assert (proposal.application, proposal.company, proposal.status) == (
        Application.objects.get(), company, CompanyChangeProposal.Status.OPEN)
    assert proposal.proposed == {"address": "Jl. Baru 2", "email": "penyerang@example.com", "phone": "021-555",
                                 "kbli_codes": ["63122"]}
    assert proposal.on_record == {"address": "Jl. Lama 1", "email": "kantor@kabarbetawi.id", "phone": "",
                                  "kbli_codes": ["58130"]}


def test_an_application_that_matches_the_record_proposes_nothing(submit):
    known_company(address="JL. KRAMAT  RAYA No. 5")  # spacing and letter case are no change
    assert submit().status_code == 302
    assert Application.objects.exists() and not CompanyChangeProposal.objects.exists()


@pytest.fixture
def proposal(submit):
    company = known_company(phone="", email="kantor@kabarbetawi.id", kbli_codes=["73100"])  # no press code
    give_company_documents(company)
    outlet = eligible_outlet(company=company, name="Kabar Lama")
    submit(form_data(company_phone="021-555", company_email="penyerang@example.com",
                     kbli_codes=[KbliCode.objects.get(code="63122").pk, KbliCode.objects.get(code="73100").pk]))
    assert outlet.eligibility.failing_rule_codes == ["legal_documents"]
    proposal = CompanyChangeProposal.objects.get()
    assert set(proposal.proposed) == {"phone", "email", "kbli_codes"}
    return proposal, outlet


def application_page(client, proposal):
    return client.get(reverse("admin:catalog_application_change", args=[proposal.application_id]))


def decide_changes(client, proposal, decision, captured, **data):
    url = reverse("admin:catalog_application_company_changes", args=[proposal.application_id, decision])
    with captured(execute=True):
        return client.post(url, data, follow=True)


def test_a_reviewer_applies_the_ticked_changes_and_who_did_it_is_kept(client, reviewer, proposal,
                                                                     django_capture_on_commit_callbacks):
    proposal, outlet = proposal
    page = application_page(client, proposal)
    assert page.status_code == 200
    text = text_of(page)
    assert "Company data typed differently in this application" in text
    assert "Phone - 021-555" in text and "E-mail kantor@kabarbetawi.id penyerang@example.com" in text
    assert "KBLI codes 73100 " in text and "63122 Portal web" in text
    assert 'name="company_change" value="phone"' in page.content.decode()

    done = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks,
                          company_change=["phone", "kbli_codes"])

    assert done.status_code == 200
    assert messages_of(done) == [f"Applied to {proposal.company}: phone, KBLI codes."]
    company = proposal.company
    assert company_record(company)[3:] == ("kantor@kabarbetawi.id", "021-555", ["63122", "73100"])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.applied_fields) == (
        CompanyChangeProposal.Status.APPLIED, reviewer, ["phone", "kbli_codes"])
    assert proposal.decided_at is not None
    # The company's audit trail names the reviewer; its outlets are re-checked (KBLI codes are a rule's fact).
    from mediareg.models import AuditEvent
    assert AuditEvent.objects.filter(pgh_obj_model="partners.PressCompany", pgh_obj_id=str(company.pk),
                                     pgh_label="update", user=reviewer).exists()
    latest = outlet.eligibility_changes.first()
    assert (latest.is_eligible, latest.trigger, latest.actor) == (True, "staff", reviewer.username)
    # Decided is decided; the page says by whom.
    again = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks, company_change=["email"])
    assert messages_of(again) == ["These changes have already been applied or ignored."]
    assert company_record(company)[3] == "kantor@kabarbetawi.id"
    assert f"Applied to the company by {reviewer.username}" in text_of(application_page(client, proposal))


def test_a_reviewer_ignores_the_changes_and_nothing_changes(client, reviewer, proposal,
                                                           django_capture_on_commit_callbacks):
    proposal, _outlet = proposal
    before = company_record(proposal.company)
    nothing = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks)
    assert messages_of(nothing) == ["Tick at least one change to apply."]

    done = decide_changes(client, proposal, "ignore", django_capture_on_commit_callbacks)

    assert messages_of(done) == ["The company data typed in the application was ignored."]
    assert company_record(proposal.company) == before
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (CompanyChangeProposal.Status.IGNORED, reviewer)


def test_only_staff_who_may_change_companies_decide_on_the_changes(client, proposal,
                                                                   django_capture_on_commit_callbacks):
    proposal, _outlet = proposal
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    before = company_record(proposal.company)

    page = application_page(client, proposal)
    assert page.status_code == 200 and "penyerang@example.com" in page.content.decode()
    assert 'name="company_change"' not in page.content.decode()
    url = reverse("admin:catalog_application_company_changes", args=[proposal.application_id, "apply"])
    assert client.post(url, {"company_change": ["email"]}).status_code == 403
    assert client.get(url).status_code == 405
    assert company_record(proposal.company) == before


def test_an_existing_outlet_is_found_by_its_domain(submit):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi Online")
    OutletDomainFactory(outlet=outlet, domain="kabarbetawi.id", is_primary=True)

    response = submit(form_data(npwp=format_npwp(NPWP16), website="http://KABARBETAWI.ID/"))

    assert response.status_code == 302
    assert MediaOutlet.objects.get() == outlet
    assert Application.objects.get().outlet == outlet
    assert OutletDomain.objects.count() == 1


def test_a_website_of_another_companys_outlet_is_refused_beside_the_website(submit, private_document_storage):
    OutletDomainFactory(domain="kabarbetawi.id", outlet=MediaOutletFactory(name="Kabar Orang Lain"))
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "The website kabarbetawi.id is registered to another company's outlet." in error_beside(response, "website")
    assert "Please choose these files again" in summary_of(response)


def test_an_nib_of_another_company_is_refused_beside_the_nib(submit, private_document_storage):
    PressCompanyFactory(nib="9120001234567")
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "A company with this NIB is already registered." in error_beside(response, "nib")


def test_an_outlet_delisted_under_a_sanction_cannot_apply_again_yet(submit, private_document_storage):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi")
    Listing.objects.create(outlet=outlet, state=ListingState.DELISTED, state_since=timezone.now(),
                           sanction_level=3, sanction_ends_on=timezone.localdate() + datetime.timedelta(days=90))
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "Cannot apply again: the outlet's listing is “Delisted”." in summary_of(response)


def test_a_rejected_outlet_applies_again(submit):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi")
    Listing.objects.create(outlet=outlet, state=ListingState.REJECTED, state_since=timezone.now())

    assert submit().status_code == 302
    assert Listing.objects.get(outlet=outlet).state == ListingState.APPLIED
    assert Application.objects.get().outlet == outlet


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


# --- review in the admin ---------------------------------------------------------------------------

@pytest.fixture
def reviewer(client, staff_member):
    client.force_login(staff_member)
    return staff_member


def run_action(client, action, applications_, captured, **extra):
    with captured(execute=True):
        return client.post(QUEUE, {"action": action, "_selected_action": [a.pk for a in applications_], **extra},
                           follow=True)


def test_approve_is_refused_for_an_ineligible_outlet_with_the_reasons(client, reviewer, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    client.post(APPLY, {**form_data(), **form_files()})  # its after-commit re-check is left out here
    application = Application.objects.get()
    assert not Eligibility.objects.filter(outlet=application.outlet).exists()

    response = run_action(client, "approve", [application], django_capture_on_commit_callbacks)

    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("Kabar Betawi: The outlet is not eligible: ")
    assert "Dewan Pers" in message
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.decided_by is None
    assert Listing.objects.get(outlet=application.outlet).state == ListingState.APPLIED
    assert mailoutbox == []
    # The fresh check the refusal rests on is kept (catalog.lifecycle.approve commits it first).
    assert application.outlet.eligibility_changes.get().trigger == "staff"
    assert Eligibility.objects.get(outlet=application.outlet).is_eligible is False


def test_approve_lists_an_eligible_outlet_and_tells_the_applicant(client, reviewer, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    application = make_application(eligible_outlet(name="Kabar Layak"), email="redaksi@layak.id")

    response = run_action(client, "approve", [application], django_capture_on_commit_callbacks)

    assert messages_of(response) == ["1 application approved."]
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (Application.Status.APPROVED, reviewer)
    assert Listing.objects.get(outlet=application.outlet).state == ListingState.LISTED
    (decision,) = [m for m in mailoutbox if "redaksi@layak.id" in m.to]
    assert "Approved" in decision.subject or "Disetujui" in decision.subject
    assert f"/apply/status/{application.code}/" in decision.body
    # Decided is decided.
    again = run_action(client, "approve", [application], django_capture_on_commit_callbacks)
    assert "This application has already been decided." in messages_of(again)[0]


@pytest.mark.parametrize("action, status, listing_state, renewal_link", [
    ("reject", Application.Status.REJECTED, ListingState.REJECTED, False),
    ("request_changes", Application.Status.CHANGES_REQUESTED, ListingState.APPLIED, True),
])
def test_reject_and_request_changes_need_a_reason_that_is_emailed(client, reviewer, mailoutbox, action, status,
                                                                  listing_state, renewal_link,
                                                                  django_capture_on_commit_callbacks):
    outlet = MediaOutletFactory(name="Kabar Kurang")
    DocumentFactory(company=outlet.company)
    application = make_application(outlet, email="redaksi@kurang.id")

    form = run_action(client, action, [application], django_capture_on_commit_callbacks)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    empty = run_action(client, action, [application], django_capture_on_commit_callbacks, apply="1", reason="  ")
    assert "This field is required." in empty.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and mailoutbox == []

    done = run_action(client, action, [application], django_capture_on_commit_callbacks, apply="1",
                      reason="Akta pendirian belum dilegalisasi.\nKirim ulang.")

    assert done.status_code == 200 and len(messages_of(done)) == 1
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (
        status, "Akta pendirian belum dilegalisasi.\nKirim ulang.")
    assert Listing.objects.get(outlet=outlet).state == listing_state
    (mail,) = mailoutbox
    assert mail.to == sorted({"redaksi@kurang.id", outlet.company.email})
    assert "Akta pendirian belum dilegalisasi." in mail.body
    assert ("/apply/renew/" in mail.body) is renewal_link
    if renewal_link:
        token = re.search(r"/apply/renew/([^/\s]+)/", mail.body).group(1)
        assert renewal.read_renewal_token(token) == outlet.pk
    status_page = client.get(f"/apply/status/{application.code}/")
    assert "Akta pendirian belum dilegalisasi." in status_page.content.decode()


def test_the_decisions_need_the_manage_listing_permission(client, django_capture_on_commit_callbacks):
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    application = make_application(MediaOutletFactory())

    page = client.get(QUEUE)
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    run_action(client, "approve", [application], django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def queue_queries(client, url=QUEUE) -> tuple[int, object]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_the_queue_runs_the_same_queries_for_1_and_20_applications(client, reviewer):
    make_application(DocumentFactory(outlet=MediaOutletFactory(), kind="editorial_box").outlet)
    one, _page = queue_queries(client)
    for _n in range(19):
        outlet = DocumentFactory(outlet=MediaOutletFactory(), kind="editorial_box").outlet
        make_application(outlet, status=Application.Status.APPROVED)
        outlet.applications.update(decided_by=StaffUserFactory())
    twenty, page = queue_queries(client)
    assert len(page.context["cl"].result_list) == 20
    assert twenty == one


def test_the_queue_filters_by_status_and_age(client, reviewer):
    fresh = make_application(MediaOutletFactory(), days_ago=1)
    week_old = make_application(MediaOutletFactory(), days_ago=10)
    month_old = make_application(MediaOutletFactory(), days_ago=40, status=Application.Status.REJECTED)

    def shown(query):
        return set(client.get(QUEUE + query).context["cl"].result_list)

    assert shown("") == {fresh, week_old, month_old}
    assert shown("?status__exact=submitted") == {fresh, week_old}
    assert shown("?status__exact=rejected") == {month_old}
    assert shown("?age=7") == {week_old, month_old}
    assert shown("?age=30") == {month_old}
    assert shown("?age=7&status__exact=submitted") == {week_old}
    assert [a.pk for a in client.get(QUEUE).context["cl"].result_list] == [month_old.pk, week_old.pk, fresh.pk]


def test_the_application_page_shows_its_documents_to_review(client, reviewer, submit):
    submit()
    application = Application.objects.get()
    page = client.get(reverse("admin:catalog_application_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Download") >= 7 and "Accept or reject these documents" in html


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
