"""The registry back office as staff use it: lists, search, filters, validation and review actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Document, MediaOutlet, MediaType, PressCompany, ReviewStatus, VerificationLevel
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    PressVerificationFactory,
    make_npwp,
)
from tests.helpers import page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]


def changelist(model):
    return reverse(f"admin:partners_{model._meta.model_name}_changelist")


def make_outlet_graph(n):
    for _ in range(n):
        outlet = MediaOutletFactory()
        OutletDomainFactory(outlet=outlet, is_primary=True)
        PressVerificationFactory(outlet=outlet)
        DocumentFactory(company=outlet.company)
        DocumentFactory(company=outlet.company, outlet=outlet, kind="editorial_box")


@pytest.mark.parametrize("model", [PressCompany, MediaOutlet, Document])
def test_list_pages_run_the_same_queries_for_1_and_50_rows(admin_client, model):
    make_outlet_graph(1)
    one, _ = page_queries(admin_client, changelist(model))
    make_outlet_graph(49)
    fifty, response = page_queries(admin_client, changelist(model))
    assert model.objects.count() >= 50
    assert one == fifty, f"{model.__name__} list: {one} queries for 1 row, {fifty} for 50"
    assert fifty <= 10


def test_every_registry_admin_skips_the_full_count_and_selects_related():
    from django.contrib import admin

    for model in (PressCompany, MediaOutlet, Document):
        model_admin = admin.site._registry[model]
        assert model_admin.show_full_result_count is False
        assert model_admin.list_select_related


@pytest.mark.parametrize(
    "typed", ["01.312.166.0-091.000", "013121660091000", "0013121660091000", " 01 312 166 0 091 000 "])
def test_company_search_finds_npwp_typed_in_any_format(admin_client, typed):
    wanted = PressCompanyFactory(npwp="0013121660091000", legal_name="PT Kabar Betawi Media")
    PressCompanyFactory(legal_name="PT Lain Sekali")
    response = admin_client.get(changelist(PressCompany), {"q": typed})
    assert list(response.context["cl"].result_list) == [wanted]


def test_outlet_search_by_domain_name_and_company_npwp(admin_client):
    outlet = MediaOutletFactory(name="Kabar Betawi")
    OutletDomainFactory(outlet=outlet, domain="kabarbetawi.id", is_primary=True)
    other = MediaOutletFactory(name="Suara Tugu")
    OutletDomainFactory(outlet=other, domain="suaratugu.id", is_primary=True)
    for term in ["https://www.KabarBetawi.id/berita", "kabar betawi", outlet.company.npwp_display]:
        response = admin_client.get(changelist(MediaOutlet), {"q": term})
        assert list(response.context["cl"].result_list) == [outlet], term


def test_outlet_filters(admin_client):
    today = timezone.localdate()
    online = MediaOutletFactory(media_type=MediaType.ONLINE)
    PressVerificationFactory(outlet=online, factual=True)
    radio = MediaOutletFactory(media_type=MediaType.RADIO)
    PressVerificationFactory(outlet=radio, level=VerificationLevel.ADMINISTRATIVE)
    DocumentFactory(company=radio.company, outlet=radio, kind="rate_card",
                    issue_date=today - datetime.timedelta(days=300), expiry_date=today + datetime.timedelta(days=10))
    cases = {
        "media_type=radio": [radio],
        "verification=factual": [online],
        "verification=administrative": [radio],
        "expiring=30": [radio],
        "review=pending": [radio],
    }
    for query, expected in cases.items():
        response = admin_client.get(changelist(MediaOutlet) + "?" + query)
        assert list(response.context["cl"].result_list) == expected, query


def test_document_expiry_filter_uses_the_jakarta_calendar_date(admin_client):
    today = timezone.localdate()
    expired = DocumentFactory(kind="skf", issue_date=today - datetime.timedelta(days=31),
                              expiry_date=today - datetime.timedelta(days=1))
    last_day = DocumentFactory(kind="skf", issue_date=today - datetime.timedelta(days=30), expiry_date=today)
    response = admin_client.get(changelist(Document) + "?expiry=expired")
    assert list(response.context["cl"].result_list) == [expired]
    response = admin_client.get(changelist(Document) + "?expiry=30")
    assert list(response.context["cl"].result_list) == [last_day]


def test_document_expiry_filter_leaves_out_rejected_documents(admin_client):
    """A rejected document is nobody's to renew: the list's expiry filters agree with the reminders, the
    renewal page and the staff home (partners.selectors)."""
    today = timezone.localdate()
    soon = DocumentFactory(kind="skf", issue_date=today, expiry_date=today + datetime.timedelta(days=7))
    DocumentFactory(kind="skf", issue_date=today, expiry_date=today + datetime.timedelta(days=7), rejected=True)
    gone = DocumentFactory(kind="skf", issue_date=today - datetime.timedelta(days=40),
                           expiry_date=today - datetime.timedelta(days=2))
    DocumentFactory(kind="skf", issue_date=today - datetime.timedelta(days=40),
                    expiry_date=today - datetime.timedelta(days=2), rejected=True)
    assert list(admin_client.get(changelist(Document) + "?expiry=30").context["cl"].result_list) == [soon]
    assert list(admin_client.get(changelist(Document) + "?expiry=expired").context["cl"].result_list) == [gone]


def company_form_data(**overrides):
    data = {
        "legal_name": "PT Warta Ibu Kota", "legal_form": "pt", "npwp": "01.312.166.0-091.000", "nib": "",
        "address": "Jl. Medan Merdeka Barat 9", "province": "", "regency_city": "Jakarta Pusat", "postal_code": "",
        "email": "redaksi@wartaibukota.id", "phone": "",
        "outlets-TOTAL_FORMS": "0", "outlets-INITIAL_FORMS": "0",
        "owners-TOTAL_FORMS": "0", "owners-INITIAL_FORMS": "0",
        "bank_accounts-TOTAL_FORMS": "0", "bank_accounts-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def errors_of(response, field):
    return response.context["adminform"].form.errors.get(field, [])


def test_company_created_from_the_legacy_npwp_is_stored_as_16_digits(admin_client):
    response = admin_client.post(reverse("admin:partners_presscompany_add"), company_form_data())
    assert response.status_code == 302
    assert PressCompany.objects.get().npwp == "0013121660091000"


def test_malformed_npwp_is_explained_beside_the_field_and_nothing_is_saved(admin_client):
    response = admin_client.post(reverse("admin:partners_presscompany_add"),
                                 company_form_data(npwp="01.312.166.1-091.000"))
    assert response.status_code == 200
    assert errors_of(response, "npwp") == ["Digit pemeriksa NPWP ini salah; periksa kembali nomor tersebut."]
    assert response.context["adminform"].form["legal_name"].value() == "PT Warta Ibu Kota"
    assert not PressCompany.objects.exists()


def test_duplicate_npwp_in_another_format_is_refused_beside_the_field(admin_client):
    PressCompanyFactory(npwp="0013121660091000")
    response = admin_client.post(reverse("admin:partners_presscompany_add"),
                                 company_form_data(npwp="013121660091000"))
    assert response.status_code == 200
    assert errors_of(response, "npwp") == ["Perusahaan dengan NPWP ini sudah terdaftar."]
    assert PressCompany.objects.count() == 1


def test_nik_is_not_a_company_npwp(admin_client):
    response = admin_client.post(reverse("admin:partners_presscompany_add"),
                                 company_form_data(npwp="3171014101900001"))
    assert response.status_code == 200
    assert errors_of(response, "npwp")
    assert not PressCompany.objects.exists()


def outlet_form_data(company, **overrides):
    data = {
        "company": company.pk, "name": "Warta Ibu Kota", "media_type": "online", "person_in_charge": "",
        "editor_in_chief": "", "editor_competency": "", "editor_certificate_no": "", "email": "", "phone": "",
        "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "0",
        "domains-0-domain": "https://www.WartaIbuKota.id/", "domains-0-is_primary": "",
        "verification-TOTAL_FORMS": "0", "verification-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_outlet_domain_is_normalised_and_made_primary(admin_client):
    company = PressCompanyFactory()
    response = admin_client.post(reverse("admin:partners_mediaoutlet_add"), outlet_form_data(company))
    assert response.status_code == 302, response.context and response.context["errors"]
    outlet = MediaOutlet.objects.get()
    assert [(d.domain, d.is_primary) for d in outlet.domains.all()] == [("wartaibukota.id", True)]


def test_duplicate_domain_is_refused_and_nothing_is_half_saved(admin_client):
    OutletDomainFactory(domain="wartaibukota.id")
    company = PressCompanyFactory()
    response = admin_client.post(reverse("admin:partners_mediaoutlet_add"),
                                 outlet_form_data(company, **{"domains-0-domain": "http://wartaibukota.id/x"}))
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert inline_errors[0]["domain"] == ["Domain ini sudah dimiliki media lain."]
    assert not MediaOutlet.objects.filter(company=company).exists()


def test_online_outlet_needs_a_domain(admin_client):
    company = PressCompanyFactory()
    response = admin_client.post(reverse("admin:partners_mediaoutlet_add"),
                                 outlet_form_data(company, **{"domains-0-domain": ""}))
    assert response.status_code == 200
    assert not MediaOutlet.objects.exists()


def test_document_with_expiry_before_issue_is_refused_beside_the_field(admin_client, pdf_upload):
    company = PressCompanyFactory()
    response = admin_client.post(reverse("admin:partners_document_add"), {
        "company": company.pk, "outlet": "", "kind": "skf", "number": "SKF-1", "issue_date": "2026-06-10",
        "expiry_date": "2026-06-01", "tax_year": "", "file": pdf_upload,
    })
    assert response.status_code == 200
    assert errors_of(response, "expiry_date") == ["Tanggal kedaluwarsa tidak boleh sebelum tanggal terbit."]
    assert not Document.objects.exists()


def test_uploaded_file_is_checked_by_content_and_stored_under_a_random_name(admin_client, pdf_upload,
                                                                             private_document_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    company = PressCompanyFactory()
    fake = SimpleUploadedFile("akta.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="application/pdf")
    fields = {"company": company.pk, "outlet": "", "kind": "deed", "number": "12", "issue_date": "2020-01-02",
              "expiry_date": "", "tax_year": ""}
    response = admin_client.post(reverse("admin:partners_document_add"), {**fields, "file": fake})
    assert response.status_code == 200 and not Document.objects.exists()
    html = SimpleUploadedFile("akta.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = admin_client.post(reverse("admin:partners_document_add"), {**fields, "file": html})
    assert response.status_code == 200 and errors_of(response, "file")
    assert not any(private_document_storage.rglob("*.*"))

    response = admin_client.post(reverse("admin:partners_document_add"), {**fields, "file": pdf_upload})
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_filename == "akta pendirian.pdf"
    assert document.content_type == "application/pdf"
    assert "akta" not in document.file.name and document.file.name.endswith(".pdf")
    assert (private_document_storage / document.file.name).read_bytes().startswith(b"%PDF-")


def test_accept_action_records_reviewer_and_time(admin_client, admin_user):
    documents = DocumentFactory.create_batch(3)
    response = admin_client.post(changelist(Document), {
        "action": "accept_documents", "_selected_action": [d.pk for d in documents],
    })
    assert response.status_code == 302
    for document in Document.objects.all():
        assert document.review_status == ReviewStatus.ACCEPTED
        assert document.reviewed_by == admin_user and document.reviewed_at is not None


def test_reject_action_requires_a_reason(admin_client, admin_user):
    document = DocumentFactory()
    selected = {"action": "reject_documents", "_selected_action": [document.pk]}
    response = admin_client.post(changelist(Document), selected)
    assert response.status_code == 200 and b"reason" in response.content.lower() or b"alasan" in response.content
    response = admin_client.post(changelist(Document), {**selected, "apply": "1", "reason": "  "})
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING

    response = admin_client.post(changelist(Document), {**selected, "apply": "1",
                                                        "reason": "Dokumen buram, unggah ulang."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.REJECTED
    assert document.rejection_reason == "Dokumen buram, unggah ulang." and document.reviewed_by == admin_user


def test_review_actions_need_the_review_permission(client, django_user_model):
    from tests.factories import StaffUserFactory

    viewer = StaffUserFactory(permissions=["partners.view_document", "partners.change_document"])
    client.force_login(viewer)
    document = DocumentFactory()
    response = client.post(changelist(Document), {"action": "accept_documents",
                                                  "_selected_action": [document.pk]})
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING
    assert response.status_code in (200, 302)


def test_make_npwp_factory_helper_gives_valid_numbers():
    from partners.identifiers import normalize_npwp

    assert all(normalize_npwp(make_npwp(n)) == make_npwp(n) for n in range(1, 200))
