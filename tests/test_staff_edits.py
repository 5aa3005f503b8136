"""Every way staff change the registry in the back office keeps the rules: a replaced document file
goes back to review and is kept for auditors, and any change that can change eligibility shows on the
outlet page right after the save (partners.services.staff_edit, catalog.signals.recheck_on_commit).

Tests save the change pages as a browser does (every field and inline with its management form) and
then read the outlet page's eligibility panel.
"""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget
from django.urls import reverse

from catalog import lifecycle
from catalog.eligibility import recheck_outlets
from catalog.models import Eligibility, EligibilityChange, EligibilityPolicy, Trigger
from mediareg.models import AuditEvent
from partners.demo.files import pdf_bytes
from partners.models import (
    Document,
    DocumentKind,
    KbliCode,
    MediaOutlet,
    PressVerification,
    ReviewStatus,
    VerificationLevel,
    document_storage,
)
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
JAKARTA_MIDDAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def pinned_day():
    """The eligibility rules read today's date (a KSWP of this fiscal year): an ordinary working day."""
    with time_machine.travel(JAKARTA_MIDDAY, tick=True):
        yield


def change_page(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def page_data(response) -> dict:
    """What the browser sends back from a change page: every field of the form and its inlines."""
    data = {}

    def put(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False or hasattr(value, "url"):
                continue
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):  # the split date and time of a datetime
                for i, (part, sub) in enumerate(zip(widget.decompress(value), widget.widgets, strict=True)):
                    data[f"{form.add_prefix(name)}_{i}"] = sub.format_value(part)
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def inline_prefix(response, obj) -> str:
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.instance.pk == obj.pk and type(form.instance) is type(obj):
                return form.prefix
    raise AssertionError(f"{obj!r} is not on the page")


def new_pdf(text="Dokumen pengganti"):
    return SimpleUploadedFile("pengganti.pdf", pdf_bytes(text), content_type="application/pdf")


@pytest.fixture
def save_page(admin_client, django_capture_on_commit_callbacks):
    """GET a change page, change what ``changes(response)`` returns, POST it as the browser would; the
    work that waits for the commit runs, as it does when the request's transaction commits."""

    def save(obj, changes, client=admin_client):
        page = client.get(change_page(obj))
        data = {**page_data(page), **changes(page)}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(change_page(obj), data)
        assert response.status_code == 302, response.context and (
            response.context["errors"], [f.formset.errors for f in response.context["inline_admin_formsets"]])
        return response

    return save


def panel(client, outlet) -> dict[str, bool]:
    """The eligibility panel of the outlet page as staff read it: each rule and whether it passes."""
    html = client.get(change_page(outlet)).content.decode()
    rows = re.findall(r'<tr class="rule-(\w+)">(.*?)</tr>', html, re.S)
    assert rows, "no eligibility panel on the outlet page"
    return {code: "icon-yes.svg" in row for code, row in rows}  # the pass icon (its text is the word beside it)


def failing_on_page(client, outlet) -> set[str]:
    return {code for code, passed in panel(client, outlet).items() if not passed}


def checked(outlet):
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    return Eligibility.objects.get(pk=outlet.pk)


def kswp_of(outlet) -> Document:
    return Document.objects.get(company=outlet.company, kind=DocumentKind.KSWP)


# --- 1. a replaced file goes back to review, everywhere ----------------------------------------------


def test_replacing_a_company_document_in_the_company_page_sends_it_back_to_review(admin_client, save_page,
                                                                                  admin_user):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    kswp = kswp_of(outlet)
    old_name = kswp.file.name

    save_page(outlet.company, lambda page: {f"{inline_prefix(page, kswp)}-file": new_pdf()})

    kswp.refresh_from_db()
    assert kswp.file.name != old_name
    assert (kswp.review_status, kswp.reviewed_by, kswp.reviewed_at) == (ReviewStatus.PENDING, None, None)
    assert failing_on_page(admin_client, outlet) == {"tax_status"}
    change = EligibilityChange.objects.filter(outlet=outlet).first()
    assert (change.trigger, change.actor, change.is_eligible) == (Trigger.STAFF, admin_user.username, False)


def test_replacing_an_outlet_document_in_the_outlet_page_sends_it_back_to_review_and_rechecks(
        admin_client, save_page):
    outlet = eligible_outlet()
    certificate = DocumentFactory(outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                                  expiry_date=JAKARTA_MIDDAY.date() + datetime.timedelta(days=900))
    assert checked(outlet).is_eligible
    # A fact changed behind the stored result's back: the re-check after the save must show it.
    Document.objects.filter(pk=kswp_of(outlet).pk).update(review_status=ReviewStatus.REJECTED,
                                                          rejection_reason="Bukan KSWP perusahaan ini")
    assert "tax_status" not in failing_on_page(admin_client, outlet)

    save_page(outlet, lambda page: {f"{inline_prefix(page, certificate)}-file": new_pdf()})

    certificate.refresh_from_db()
    assert certificate.review_status == ReviewStatus.PENDING and certificate.reviewed_by is None
    assert certificate.company_id == outlet.company_id
    assert failing_on_page(admin_client, outlet) == {"tax_status"}


def test_replacing_the_file_on_the_documents_own_page_does_the_same(admin_client, save_page):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    kswp = kswp_of(outlet)

    save_page(kswp, lambda page: {"file": new_pdf()})

    kswp.refresh_from_db()
    assert kswp.review_status == ReviewStatus.PENDING
    assert failing_on_page(admin_client, outlet) == {"tax_status"}


def test_changing_only_a_documents_number_keeps_its_review(admin_client, save_page):
    outlet = eligible_outlet()
    kswp = kswp_of(outlet)
    save_page(outlet.company, lambda page: {f"{inline_prefix(page, kswp)}-number": "KSWP-2026-9"})
    kswp.refresh_from_db()
    assert (kswp.number, kswp.review_status) == ("KSWP-2026-9", ReviewStatus.ACCEPTED)


# --- 1. the replaced file stays, for auditors ---------------------------------------------------------


def test_a_replaced_file_is_kept_named_by_the_audit_trail_and_auditors_download_it(
        admin_client, save_page, client, auditor):
    outlet = eligible_outlet()
    kswp = kswp_of(outlet)
    old_name, old_bytes = kswp.file.name, kswp.file.open("rb").read()
    Document.objects.filter(pk=kswp.pk).update(original_filename="KSWP 2026 asli.pdf")

    save_page(outlet.company, lambda page: {f"{inline_prefix(page, kswp)}-file": new_pdf("KSWP baru")})
    kswp.refresh_from_db()

    # The replacement's audit event names the old stored file, and the old file is still there.
    replacement = [e for e in AuditEvent.objects.tracks(kswp).order_by("pgh_id") if e.pgh_label == "update"][-1]
    assert replacement.pgh_diff["file"] == [old_name, kswp.file.name]
    assert replacement.pgh_diff["review_status"] == [ReviewStatus.ACCEPTED, ReviewStatus.PENDING]
    assert document_storage().open(old_name, "rb").read() == old_bytes

    client.force_login(auditor)
    earlier_url = reverse("partners:document-earlier-file", args=[kswp.pk, old_name])
    assert earlier_url in client.get(change_page(kswp)).content.decode()  # the document's page lists it
    trail = client.get(reverse("admin:mediareg_auditevent_changelist"),
                       {"obj": f"partners.document:{kswp.pk}", "method": "references"})
    assert earlier_url in trail.content.decode()  # and so does the audit trail
    response = client.get(earlier_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == old_bytes
    assert 'filename="KSWP_2026_asli.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"


def test_earlier_files_need_the_download_permission_and_must_be_this_documents(client, save_page):
    outlet = eligible_outlet()
    kswp, other = kswp_of(outlet), DocumentFactory()
    old_name = kswp.file.name
    save_page(outlet.company, lambda page: {f"{inline_prefix(page, kswp)}-file": new_pdf()})
    url = reverse("partners:document-earlier-file", args=[kswp.pk, old_name])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(StaffUserFactory(permissions=["partners.view_document"]))
    assert client.get(url).status_code == 403
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    assert client.get(url).status_code == 200
    # Only a file the audit trail records for this document: not another document's, not a path.
    for name in (other.file.name, "../../etc/passwd", kswp.file.name + "x"):
        assert client.get(reverse("partners:document-earlier-file", args=[kswp.pk, name])).status_code == 404


def test_a_document_deleted_from_the_inline_keeps_its_file_for_auditors_and_rechecks(
        admin_client, save_page, client, auditor):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    kswp = kswp_of(outlet)
    pk, name = kswp.pk, kswp.file.name

    save_page(outlet.company, lambda page: {f"{inline_prefix(page, kswp)}-DELETE": "on"})

    assert not Document.objects.filter(pk=pk).exists()
    assert failing_on_page(admin_client, outlet) == {"tax_status"}
    deletion = AuditEvent.objects.get(pgh_obj_model="partners.Document", pgh_obj_id=str(pk), pgh_label="delete")
    assert deletion.pgh_data["file"] == name
    client.force_login(auditor)
    response = client.get(reverse("partners:document-earlier-file", args=[pk, name]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


# --- 2. any change that can change eligibility shows on the outlet page right after the save ----------


def test_a_dewan_pers_downgrade_in_the_outlet_page_shows_at_once(admin_client, save_page):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    verification = outlet.verification

    def downgrade(page):
        prefix = inline_prefix(page, verification)
        return {f"{prefix}-level": VerificationLevel.ADMINISTRATIVE, f"{prefix}-certificate_number": "",
                f"{prefix}-certificate_date": ""}

    save_page(outlet, downgrade)

    assert PressVerification.objects.get(pk=verification.pk).level == VerificationLevel.ADMINISTRATIVE
    assert failing_on_page(admin_client, outlet) == {"press_council"}


def test_a_dewan_pers_downgrade_on_the_verifications_own_page_shows_at_once(admin_client, save_page):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible

    save_page(outlet.verification, lambda page: {"level": VerificationLevel.NONE, "certificate_number": "",
                                                 "certificate_date": ""})

    assert failing_on_page(admin_client, outlet) == {"press_council"}


@pytest.mark.parametrize(("change", "rule"), [
    (lambda page: {"npwp": ""}, "npwp"),
    (lambda page: {"legal_form": "cv"}, "legal_form"),
    (lambda page: {"kbli_codes": [KbliCode.objects.get(code="73100").pk]}, "legal_documents"),
], ids=["npwp", "legal_form", "kbli_codes"])
def test_a_company_change_shows_at_once_on_every_outlet_of_the_company(admin_client, save_page, change, rule):
    outlet = eligible_outlet()
    sister = eligible_outlet(company=outlet.company)
    assert checked(outlet).is_eligible and checked(sister).is_eligible

    save_page(outlet.company, change)

    assert failing_on_page(admin_client, outlet) == {rule}
    assert failing_on_page(admin_client, sister) == {rule}


def test_a_company_change_that_no_rule_reads_rechecks_nothing(admin_client, save_page):
    outlet = eligible_outlet()
    checked(outlet)
    save_page(outlet.company, lambda page: {"address": "Jl. Baru No. 1"})
    assert EligibilityChange.objects.filter(outlet=outlet).count() == 1


def test_a_domain_change_rechecks_the_outlet(admin_client, save_page):
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    Document.objects.filter(pk=kswp_of(outlet).pk).update(review_status=ReviewStatus.REJECTED,
                                                          rejection_reason="Buram")
    domain = outlet.domains.get()

    save_page(outlet, lambda page: {f"{inline_prefix(page, domain)}-domain": "https://www.Kabar-Baru.id/"})

    assert outlet.domains.get().domain == "kabar-baru.id"
    assert failing_on_page(admin_client, outlet) == {"tax_status"}


def test_a_staff_suspension_from_the_outlet_list_shows_at_once(admin_client):
    outlet = eligible_outlet()
    lifecycle.approve(lifecycle.ensure_listing(outlet), user=None)
    admin_client.post(reverse("admin:partners_mediaoutlet_changelist"), {
        "action": "suspend_outlets", "_selected_action": [outlet.pk], "apply": "1", "reason": "Diperiksa"})
    assert failing_on_page(admin_client, outlet) == {"not_suspended_by_staff"}


def test_when_the_recheck_after_a_save_fails_the_save_stands_and_a_worker_gets_it(
        admin_client, save_page, broker, admin_user):  # noqa: F811 (the broker fixture)
    outlet = eligible_outlet()
    assert checked(outlet).is_eligible
    # A policy the rules cannot read (no such verification level) makes every re-check fail.
    EligibilityPolicy.objects.filter(pk=EligibilityPolicy.load().pk).update(min_verification_level="bogus")

    save_page(outlet.company, lambda page: {"npwp": ""})

    assert MediaOutlet.objects.get(pk=outlet.pk).company.npwp is None
    assert [(m["task"], m["args"]) for m in broker.messages()] == [
        ("catalog.tasks.recheck_outlets_task", [[outlet.pk], Trigger.STAFF, admin_user.username])]
