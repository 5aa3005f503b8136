"""One write path per fact (partners.services): a company, an outlet with its website, a document and
its file are checked alike, name their actor in the audit trail and are re-checked, whichever
interface wrote them: the admin's pages and inlines, the public form, the renewal page, the Dewan Pers
import or seed_demo.

The Dewan Pers list publishes no NPWP or NIB, so for those the import's column is the registry service
itself, called as the import and seed_demo call it.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalog import renewal
from catalog.models import EligibilityChange, PendingRecheck, Trigger
from mediareg.models import AuditEvent
from partners import selectors, services
from partners.identifiers import normalize_company_npwp
from partners.models import Document, DocumentKind, MediaOutlet, OutletDomain, ReviewStatus
from tests.apply_helpers import error_beside, form_data, stored_rows
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, MediaOutletFactory, OutletDomainFactory, PressCompanyFactory
from tests.test_admin_registry import company_form_data, errors_of, outlet_form_data
from tests.test_staff_edits import change_page, inline_prefix, new_pdf, page_data

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]

A_NIK = "3171014101900001"  # a valid NIK: a person's number, never a company's NPWP
TAKEN_NIB = "9120007654321"


@pytest.fixture
def staff(admin_client):
    """The admin, reading its pages in English like the public form's tests."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def run(command, *args, **options):
    call_command(command, *[str(arg) for arg in args], stdout=io.StringIO(), stderr=io.StringIO(), **options)


def refusal_message(field: str) -> str:
    with translation.override("en"):
        if field == "npwp":
            with pytest.raises(ValidationError) as refused:
                normalize_company_npwp(A_NIK)
            return refused.value.messages[0]
        return str(services.companies.NIB_TAKEN)


def contexts(obj) -> list[dict]:
    return [event.pgh_context for event in AuditEvent.objects.tracks(obj).order_by("pgh_id")]


# --- registering a company ---------------------------------------------------------------------------


def in_english(messages) -> list[str]:
    with translation.override("en"):
        return [str(message) for message in messages]


def company_refused_by_admin(staff, submit, field, value):
    response = staff.post(reverse("admin:partners_presscompany_add"), company_form_data(**{field: value}))
    assert response.status_code == 200
    return in_english(errors_of(response, field))


def company_refused_by_public_form(staff, submit, field, value):
    response = submit(form_data(**{field: value}))
    assert response.status_code == 400
    return [error_beside(response, field)]


def company_refused_by_the_service(staff, submit, field, value):
    """As the Dewan Pers import and seed_demo register a company."""
    typed = {"npwp": "01.312.166.0-091.000", "nib": "", field: value}
    with pytest.raises(ValidationError) as refused:
        services.company_register(legal_name="PT Warta Ibu Kota", actor="system:import_press_council", **typed)
    return in_english(refused.value.message_dict[field])


@pytest.mark.parametrize("refuse", [company_refused_by_admin, company_refused_by_public_form,
                                    company_refused_by_the_service], ids=["admin", "public_form", "service"])
@pytest.mark.parametrize(("field", "value"), [("npwp", A_NIK), ("nib", TAKEN_NIB)], ids=["nik_as_npwp", "nib_taken"])
def test_a_company_the_registry_cannot_hold_is_refused_with_the_same_message_everywhere(staff, submit, refuse,
                                                                                       field, value):
    PressCompanyFactory(nib=TAKEN_NIB, legal_name="PT Pemilik NIB")
    before = stored_rows()

    assert refuse(staff, submit, field, value) == [refusal_message(field)]

    assert stored_rows() == before


# --- registering an outlet with its website ------------------------------------------------------------


def outlet_by_admin(staff, submit, django_capture_on_commit_callbacks):
    company = PressCompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:partners_mediaoutlet_add"), outlet_form_data(
            company, name="Warta Kota", **{"domains-0-domain": "https://www.Warta-Kota.id/berita"}))
    assert response.status_code == 302
    return MediaOutlet.objects.get(name="Warta Kota"), "warta-kota.id"


def outlet_by_public_form(staff, submit, django_capture_on_commit_callbacks):
    assert submit(form_data(website="https://www.KabarBetawi.id/berita")).status_code == 302
    return MediaOutlet.objects.get(name="Kabar Betawi"), "kabarbetawi.id"


def outlet_by_import(staff, submit, django_capture_on_commit_callbacks, tmp_path):
    path = tmp_path / "dewan-pers.csv"
    path.write_text("Nama Media,Jenis Media,Badan Hukum,Website,Status\n"
                    "Kabar Cempaka,Siber,PT Cempaka Kabar,htpps://WWW.Kabar-Cempaka.id/,Terverifikasi Administrasi\n")
    run("import_press_council", path)
    return MediaOutlet.objects.get(name="Kabar Cempaka"), "kabar-cempaka.id"


def outlet_by_seed_demo(staff, submit, django_capture_on_commit_callbacks):
    run("seed_demo", no_users=True)
    domain = OutletDomain.objects.filter(is_primary=True).order_by("pk").first()
    return domain.outlet, domain.domain


OUTLET_INTERFACES = {
    "admin": (outlet_by_admin, lambda context, admin: context.get("user") == admin.pk,
              lambda admin: (Trigger.STAFF, admin.username)),
    "public_form": (outlet_by_public_form, lambda context, admin: context.get("actor") == "public:application",
                    lambda admin: (Trigger.APPLICATION, "system:application")),
    "import": (outlet_by_import, lambda context, admin: context.get("actor") == "system:import_press_council",
               lambda admin: (Trigger.IMPORT, "system:import_press_council")),
    "seed_demo": (outlet_by_seed_demo, lambda context, admin: context.get("actor") == "system:seed_demo",
                  lambda admin: (Trigger.SCHEDULE, "system:seed_demo")),
}


@pytest.mark.parametrize("interface", list(OUTLET_INTERFACES))
def test_an_outlet_registered_anywhere_has_its_website_normalised_and_primary_names_its_actor_and_is_rechecked(
        staff, submit, django_capture_on_commit_callbacks, admin_user, request, interface):
    register, names_actor, recheck = OUTLET_INTERFACES[interface]
    extra = [request.getfixturevalue("tmp_path")] if interface == "import" else []

    outlet, domain = register(staff, submit, django_capture_on_commit_callbacks, *extra)

    assert outlet.domains.get(is_primary=True).domain == domain
    for row in (outlet, outlet.domains.get(domain=domain)):
        (insert, *_later) = contexts(row)
        assert names_actor(insert, admin_user), (row, insert)
    # The new outlet's first result, the first one written: seed_demo writes its demo history (dated 2019,
    # docs/domain.md "Budgets and orders") after it.
    change = EligibilityChange.objects.filter(outlet=outlet).order_by("pk").first()
    assert (change.trigger, change.actor) == recheck(admin_user)
    assert not PendingRecheck.objects.filter(outlet=outlet).exists()


# --- a website another outlet has ---------------------------------------------------------------------


def domain_refused_by_admin_inline(staff, submit):
    company = PressCompanyFactory()
    response = staff.post(reverse("admin:partners_mediaoutlet_add"), outlet_form_data(
        company, name="Warta Bersama", **{"domains-0-domain": "http://www.Bersama.id/x"}))
    assert response.status_code == 200
    return in_english(response.context["inline_admin_formsets"][0].formset.errors[0]["domain"])


def domain_refused_by_public_form(staff, submit):
    response = submit(form_data(website="https://bersama.id"))
    assert response.status_code == 400
    # The public form names no other outlet to an applicant; staff's pages do.
    assert error_beside(response, "website") == ("The website bersama.id is registered to another company's "
                                                 "outlet. Contact us if this is wrong.")
    return None


def domain_refused_by_the_service(staff, submit):
    """As the Dewan Pers import and seed_demo add a website."""
    outlet = MediaOutletFactory(name="Warta Bersama")
    with pytest.raises(services.DomainTaken) as refused:
        services.outlet_domain_add(outlet, "HTTPS://bersama.id", actor="system:import_press_council")
    assert refused.value.error_dict["domain"][0].code == "domain_taken"
    return in_english(refused.value.message_dict["domain"])


@pytest.mark.parametrize("refuse", [domain_refused_by_admin_inline, domain_refused_by_public_form,
                                    domain_refused_by_the_service], ids=["admin_inline", "public_form", "service"])
def test_a_website_another_outlet_has_is_refused_wherever_it_is_typed_and_stays_its_owners(staff, submit, refuse):
    owner = OutletDomainFactory(domain="bersama.id", is_primary=True).outlet
    before = OutletDomain.objects.count()

    messages = refuse(staff, submit)

    if messages is not None:
        assert messages == ["This domain already belongs to another outlet."]
    assert OutletDomain.objects.count() == before
    assert OutletDomain.objects.get(domain="bersama.id").outlet == owner
    assert not MediaOutlet.objects.filter(name__in=["Warta Bersama", "Kabar Betawi"], domains__isnull=False).exists()


def test_the_import_leaves_a_website_taken_while_it_ran_to_its_owner_and_says_so(tmp_path):
    """The import matches rows by the websites it read at its start; one another outlet takes meanwhile
    is refused by the same service (DomainTaken), and the row is used without it."""
    owner = OutletDomainFactory(domain="bersama.id", is_primary=True).outlet
    path = tmp_path / "dewan-pers.csv"
    path.write_text("Nama Media,Jenis Media,Badan Hukum,Website,Status\n"
                    "Warta Baru,Siber,PT Warta Baru,warta-baru.id,Terverifikasi Administrasi\n")

    def taken_meanwhile(sender, instance, **kwargs):
        if instance.name == "Warta Baru" and instance.pk is None:
            OutletDomain.objects.create(outlet=owner, domain="warta-baru.id")

    pre_save.connect(taken_meanwhile, sender=MediaOutlet, dispatch_uid="test-taken-meanwhile")
    try:
        err = io.StringIO()
        call_command("import_press_council", str(path), stdout=io.StringIO(), stderr=err)
    finally:
        pre_save.disconnect(dispatch_uid="test-taken-meanwhile", sender=MediaOutlet)

    assert f"website warta-baru.id belongs to another outlet (“{owner.name}”); not added" in err.getvalue()
    assert OutletDomain.objects.get(domain="warta-baru.id").outlet == owner
    assert not MediaOutlet.objects.get(name="Warta Baru").domains.exists()


# --- a document and its file ------------------------------------------------------------------------------


@pytest.fixture
def save_page(staff, django_capture_on_commit_callbacks):
    def save(obj, changes):
        page = staff.get(change_page(obj))
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(change_page(obj), {**page_data(page), **changes(page)})
        assert response.status_code == 302, response.context and response.context["errors"]
    return save


def replaced_on_the_document_page(outlet, document, save_page, client, captured):
    save_page(document, lambda page: {"file": new_pdf()})
    return Document.objects.get(pk=document.pk)


def replaced_in_the_company_page(outlet, document, save_page, client, captured):
    save_page(outlet.company, lambda page: {f"{inline_prefix(page, document)}-file": new_pdf()})
    return Document.objects.get(pk=document.pk)


def replaced_in_the_outlet_page(outlet, document, save_page, client, captured):
    save_page(outlet, lambda page: {f"{inline_prefix(page, document)}-file": new_pdf()})
    return Document.objects.get(pk=document.pk)


def replaced_on_the_renewal_page(outlet, document, save_page, client, captured):
    """The renewal page takes the replacement as a new document; the old one stays as the record."""
    url = renewal.renewal_url_for_outlet(outlet.pk).removeprefix(settings.SITE_URL)
    data = {"kind": document.kind, "number": "BARU-1", "issue_date": timezone.localdate().isoformat(),
            "expiry_date": (timezone.localdate() + datetime.timedelta(days=900)).isoformat(), "tax_year": "",
            "file": new_pdf()}
    # Not committed in this test, so the worker's re-check is not sent: its request (the mark) is checked.
    assert client.post(url, data).status_code == 200
    return Document.objects.get(number="BARU-1")


COMPANY_DOCUMENT, OUTLET_DOCUMENT = DocumentKind.KSWP, DocumentKind.PRESS_COUNCIL_CERTIFICATE


@pytest.mark.parametrize(("replace", "kind"), [
    (replaced_on_the_document_page, COMPANY_DOCUMENT), (replaced_on_the_document_page, OUTLET_DOCUMENT),
    (replaced_in_the_company_page, COMPANY_DOCUMENT), (replaced_in_the_outlet_page, OUTLET_DOCUMENT),
    (replaced_on_the_renewal_page, COMPANY_DOCUMENT), (replaced_on_the_renewal_page, OUTLET_DOCUMENT),
], ids=["document_page-company", "document_page-outlet", "company_inline", "outlet_inline",
        "renewal_page-company", "renewal_page-outlet"])
def test_a_replaced_file_goes_back_to_review_names_who_replaced_it_and_asks_for_the_recheck(
        save_page, client, django_capture_on_commit_callbacks, admin_user, replace, kind):
    outlet = eligible_outlet()
    if kind == COMPANY_DOCUMENT:
        document = Document.objects.get(company=outlet.company, kind=kind)
    else:
        document = DocumentFactory(outlet=outlet, kind=kind, accepted=True, number="CERT-1",
                                   expiry_date=timezone.localdate() + datetime.timedelta(days=900))
    old_name = document.file.name

    stored = replace(outlet, document, save_page, client, django_capture_on_commit_callbacks)

    assert stored.file.name != old_name and stored.file.name.endswith(".pdf") and "pengganti" not in stored.file.name
    assert (stored.original_filename, stored.content_type) == ("pengganti.pdf", "application/pdf")
    assert (stored.review_status, stored.reviewed_by, stored.reviewed_at) == (ReviewStatus.PENDING, None, None)
    assert (stored.company_id, stored.outlet_id) == (outlet.company_id, document.outlet_id)
    event = [e for e in AuditEvent.objects.tracks(stored).order_by("pgh_id")][-1]
    if replace is replaced_on_the_renewal_page:
        assert (event.pgh_label, event.pgh_context["actor"]) == ("insert", "public:renewal")
        assert PendingRecheck.objects.get(outlet=outlet).trigger == Trigger.DOCUMENT_REVIEW
        assert Document.objects.get(pk=document.pk).file.name == old_name  # the old one stays
    else:
        assert (event.pgh_label, event.pgh_context["user"]) == ("update", admin_user.pk)
        assert event.pgh_diff["file"] == [old_name, stored.file.name]
        change = EligibilityChange.objects.get(outlet=outlet)  # at once: the page shows it
        assert (change.trigger, change.actor) == (Trigger.STAFF, admin_user.username)


def document_with_another_companys_outlet_by_admin(staff, outlet, other):
    response = staff.post(reverse("admin:partners_document_add"), {
        "company": other.pk, "outlet": outlet.pk, "kind": "rate_card", "number": "RC-1", "issue_date": "2026-01-05",
        "expiry_date": "", "tax_year": "", "file": new_pdf()})
    assert response.status_code == 200
    return in_english(errors_of(response, "outlet"))


def document_with_another_companys_outlet_by_the_service(staff, outlet, other):
    document = Document(company=other, outlet=outlet, kind="rate_card", number="RC-1",
                        issue_date=datetime.date(2026, 1, 5), file=new_pdf())
    with pytest.raises(ValidationError) as refused:
        services.documents_add([document], actor="system:seed_demo")
    return in_english(refused.value.message_dict["outlet"])


@pytest.mark.parametrize("add", [document_with_another_companys_outlet_by_admin,
                                 document_with_another_companys_outlet_by_the_service], ids=["admin", "service"])
def test_an_outlet_document_belongs_to_its_outlets_company_whoever_adds_it(staff, add, private_document_storage):
    outlet, other = MediaOutletFactory(), PressCompanyFactory()

    assert add(staff, outlet, other) == ["This outlet belongs to another company."]

    assert not Document.objects.exists()
    assert not [path for path in private_document_storage.rglob("*") if path.is_file()]


def test_an_outlet_documents_company_follows_the_outlet_when_added_in_its_row_or_moved(save_page):
    outlet = MediaOutletFactory(media_type="radio")  # a radio needs no website on its page
    rate_card = DocumentFactory(outlet=outlet, kind="rate_card")

    save_page(outlet, lambda page: {"documents-TOTAL_FORMS": "2", "documents-1-kind": "editorial_box",
                                    "documents-1-number": "BOX-1", "documents-1-issue_date": "2026-01-05",
                                    "documents-1-file": new_pdf()})
    new = Document.objects.get(number="BOX-1")
    assert (new.outlet_id, new.company_id) == (outlet.pk, outlet.company_id)

    elsewhere = PressCompanyFactory()
    save_page(outlet, lambda page: {"company": elsewhere.pk})
    assert set(Document.objects.filter(outlet=outlet).values_list("company_id", flat=True)) == {elsewhere.pk}
    assert Document.objects.get(pk=rate_card.pk).company_id == elsewhere.pk


# --- seed_demo stays fast: its documents in a batch ------------------------------------------------------


def test_documents_added_in_a_batch_cost_a_few_queries_whatever_their_number():
    def add(n):
        company = PressCompanyFactory()
        documents = [Document(company=company, kind=DocumentKind.NPWP_CARD, number=f"N-{i}", file=new_pdf())
                     for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            services.documents_add(documents, actor="system:seed_demo")
        return len(captured)

    assert add(2) == add(40)


# --- the expiring documents pages share -------------------------------------------------------------------


def test_an_outlets_expiring_documents_are_its_own_and_its_companys_on_the_list_and_the_renewal_page(staff):
    """Issue 9: the outlet list's "expiring within 30 days" ignored the company's documents, which count
    for every outlet of the company (and which the renewal page always offered)."""
    today = timezone.localdate()
    soon, past = today + datetime.timedelta(days=10), today - datetime.timedelta(days=3)
    own = MediaOutletFactory(name="Sendiri")
    DocumentFactory(outlet=own, kind="rate_card", expiry_date=soon)
    by_company = MediaOutletFactory(name="Lewat Perusahaan")
    DocumentFactory(company=by_company.company, kind="skf", issue_date=soon - datetime.timedelta(days=30),
                    expiry_date=soon)
    rejected = MediaOutletFactory(name="Ditolak")
    DocumentFactory(outlet=rejected, kind="rate_card", expiry_date=soon, rejected=True)
    expired = MediaOutletFactory(name="Kedaluwarsa")
    DocumentFactory(company=expired.company, kind="skf", issue_date=past - datetime.timedelta(days=30),
                    expiry_date=past)
    outlets_list = reverse("admin:partners_mediaoutlet_changelist")

    def listed(query):
        return {outlet.name for outlet in staff.get(f"{outlets_list}?{query}").context["cl"].result_list}

    assert listed("expiring=30") == {"Sendiri", "Lewat Perusahaan"}
    assert listed("expiring=expired") == {"Kedaluwarsa"}
    counts = dict(selectors.outlet_list().values_list("name", "expiring_n"))
    assert counts == {"Sendiri": 1, "Lewat Perusahaan": 1, "Ditolak": 0, "Kedaluwarsa": 0}
    for outlet in (own, by_company, expired):
        offered = renewal.documents_to_renew(outlet, today)
        assert offered and all(d.review_status != ReviewStatus.REJECTED for d in offered)
    assert renewal.documents_to_renew(rejected, today) == []
    companies_list = reverse("admin:partners_presscompany_changelist")
    assert by_company.company in staff.get(f"{companies_list}?expiring=30").context["cl"].result_list
