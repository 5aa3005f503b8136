"""seed_demo: a realistic, reproducible demo register that a second run leaves as it is."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from pghistory.models import Context

from catalog.models import EligibilityPolicy
from catalog.tax_calendar import TaxCalendar
from mediareg import demo as seed_demo
from partners.identifiers import is_nik_form, normalize_npwp
from partners.models import (
    Document,
    DocumentKind,
    LegalForm,
    MediaOutlet,
    MediaType,
    OutletDomain,
    PressCompany,
    PressCompanyEvent,
    PressVerification,
    ReviewStatus,
    VerificationLevel,
)

pytestmark = pytest.mark.django_db

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
PDF_MAGIC, PNG_MAGIC = b"%PDF-", b"\x89PNG\r\n\x1a\n"


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (PressCompany, MediaOutlet, OutletDomain, PressVerification, Document, get_user_model())}


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    return settings


def test_a_second_run_adds_and_changes_nothing(debug_on):
    first_output = seed()
    first = counts()
    updated = {m.__name__: sorted(m.objects.values_list("updated_at", flat=True))
               for m in (PressCompany, MediaOutlet, Document)}
    second_output = seed()
    assert counts() == first
    assert updated == {m.__name__: sorted(m.objects.values_list("updated_at", flat=True))
                       for m in (PressCompany, MediaOutlet, Document)}
    assert first["PressCompany"] == 35 and first["MediaOutlet"] == 50
    assert first["PressVerification"] == 50 and first["Document"] > 300
    assert "Demo data: 35 companies, 50 outlets" in first_output
    assert "(created 0)" in second_output and "(created 0)" not in first_output


def test_a_run_on_another_day_adds_no_second_set(debug_on):
    """Identities must not depend on today's date, or a later run would duplicate the register."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC), tick=False):
        seed()
    first = counts()
    with time_machine.travel(datetime.datetime(2026, 4, 21, 9, tzinfo=datetime.UTC), tick=False):
        assert "(created 0)" in seed()
    assert counts() == first


def test_the_plan_is_reproducible():
    day = datetime.date(2026, 11, 26)
    assert seed_demo.PlanBuilder(day).build() == seed_demo.PlanBuilder(day).build()


@pytest.mark.parametrize("seeded", ["2026-11-26T10:00", "2027-01-01T00:10", "2027-03-31T10:00", "2027-05-01T10:00"])
def test_the_set_shows_every_state_staff_meet(debug_on, seeded):
    with time_machine.travel(datetime.datetime.fromisoformat(seeded).replace(tzinfo=JAKARTA), tick=False):
        seed()
        today = timezone.localdate()
        _assert_every_state(today)


def _assert_every_state(today):
    assert set(MediaOutlet.objects.values_list("media_type", flat=True)) == set(MediaType.values)
    by_type = {t: MediaOutlet.objects.filter(media_type=t).count() for t in MediaType.values}
    assert by_type[MediaType.ONLINE] > sum(by_type.values()) / 2

    assert set(PressVerification.objects.values_list("level", flat=True)) == set(VerificationLevel.values)
    lapsed = PressVerification.objects.filter(level=VerificationLevel.FACTUAL, valid_until__lt=today)
    assert lapsed.exists()
    for verification in PressVerification.objects.filter(level=VerificationLevel.FACTUAL):
        assert "/DP-Verifikasi/K/" in verification.certificate_number and verification.certificate_date
    assert not PressVerification.objects.filter(checked_at__isnull=True).exists()

    assert set(Document.objects.values_list("review_status", flat=True)) == set(ReviewStatus.values)
    assert Document.objects.expired(today).exists()
    assert Document.objects.expiring_within(30, today).exists()
    assert Document.objects.filter(kind=DocumentKind.SKF, expiry_date__lt=today).exists()
    # Tax documents that count today and some that no longer do, whatever the day of the year.
    tax_calendar = TaxCalendar(EligibilityPolicy())
    kswp_from, required = tax_calendar.kswp_counts_from(today), tax_calendar.required_return_year(today)
    assert Document.objects.filter(kind=DocumentKind.KSWP, issue_date__gte=kswp_from).exists()
    assert Document.objects.filter(kind=DocumentKind.KSWP, issue_date__lt=kswp_from).exists()
    assert Document.objects.filter(kind=DocumentKind.ANNUAL_TAX_RETURN, tax_year__gte=required).exists()
    assert Document.objects.filter(kind=DocumentKind.ANNUAL_TAX_RETURN, tax_year__lt=required).exists()

    forms = set(PressCompany.objects.values_list("legal_form", flat=True))
    assert {LegalForm.PT, LegalForm.PT_PERORANGAN, LegalForm.YAYASAN, LegalForm.KOPERASI} <= forms
    assert PressCompany.objects.exclude(kbli_codes__is_press=True).exists()
    assert not PressCompany.objects.exclude(province__code="31").exists()


def test_registry_numbers_are_valid(debug_on):
    seed()
    for company in PressCompany.objects.all():
        assert len(company.npwp) == 16 and normalize_npwp(company.npwp) == company.npwp
        assert not is_nik_form(company.npwp)
        assert len(company.nib) == 13 and company.nib.isdigit()


def test_every_row_passes_the_model_rules(debug_on):
    seed()
    for queryset in (PressCompany.objects.all(), MediaOutlet.objects.all(), OutletDomain.objects.all(),
                     PressVerification.objects.all(), Document.objects.select_related("outlet")):
        for obj in queryset:
            obj.full_clean()


def test_review_decisions_are_complete(debug_on):
    seed()
    reviewer = get_user_model().objects.get(username="verifikator")
    for document in Document.objects.exclude(review_status=ReviewStatus.PENDING):
        assert document.reviewed_at and document.reviewed_by == reviewer
    rejected = Document.objects.filter(review_status=ReviewStatus.REJECTED)
    assert rejected.exists() and not rejected.filter(rejection_reason="").exists()
    pending = Document.objects.filter(review_status=ReviewStatus.PENDING)
    assert not pending.filter(reviewed_at__isnull=False).exists()


def test_files_are_real_pdfs_or_images_under_random_names(debug_on, private_document_storage):
    seed()
    for document in Document.objects.all():
        data = (private_document_storage / document.file.name).read_bytes()
        assert len(data) == document.size
        magic = {"application/pdf": PDF_MAGIC, "image/png": PNG_MAGIC}[document.content_type]
        assert data.startswith(magic)
        if magic == PDF_MAGIC:
            assert data.endswith(b"%%EOF")
        stem = document.original_filename.rsplit(".", 1)[0]
        assert stem not in document.file.name


def test_a_failed_run_leaves_no_rows_and_no_files(debug_on, monkeypatch):
    written = []
    add_documents = seed_demo.Seeder.add_documents

    def add_then_fail(seeder, plan):
        add_documents(seeder, plan)
        written.extend(d.file.name for d in seeder.new_documents)
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed_demo.Seeder, "add_documents", add_then_fail)
    with pytest.raises(RuntimeError):
        seed()
    assert written
    assert not PressCompany.objects.exists() and not Document.objects.exists()
    storage = Document._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in written)


def test_no_known_passwords_when_debug_is_off(settings):
    settings.DEBUG = False
    output = seed()
    assert not get_user_model().objects.exists()
    assert "admin / admin" not in output
    assert PressCompany.objects.count() == 35
    # Decisions are still dated, without a named reviewer.
    assert not Document.objects.filter(review_status=ReviewStatus.ACCEPTED, reviewed_at__isnull=True).exists()


def test_no_users_flag(debug_on):
    seed(no_users=True)
    assert not get_user_model().objects.exists()


def test_demo_admin_logs_in_and_roles_are_set(debug_on, client):
    output = seed()
    assert "Admin login: admin / admin at http://127.0.0.1:8000/admin/" in output
    # Through the login page: client.login() has no request, which the login lockout (django-axes) needs.
    assert client.post("/admin/login/", {"username": "admin", "password": "admin"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="verifikator").groups.filter(name="Verifikator").exists()
    assert users.get(username="auditor").groups.filter(name="Auditor").exists()
    assert users.get(username="auditor").is_staff and not users.get(username="auditor").is_superuser


def test_an_existing_admin_keeps_its_password(debug_on):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "sudah-diganti-123")
    seed()
    admin.refresh_from_db()
    assert admin.check_password("sudah-diganti-123")


def test_the_audit_trail_names_the_job(debug_on):
    seed()
    contexts = Context.objects.filter(metadata__actor="system:seed_demo")
    inserts = PressCompanyEvent.objects.filter(pgh_label="insert", pgh_context__in=contexts)
    assert inserts.count() == PressCompany.objects.count() == 35
    # The registry's part is one context (the budgets' part has its own, tests/test_budgets_demo.py).
    assert inserts.values("pgh_context").distinct().count() == 1
    assert set(inserts.values_list("pgh_obj_id", flat=True)) == set(PressCompany.objects.values_list("pk", flat=True))


def test_the_demo_has_eligibility_listings_and_a_review_queue_and_a_rerun_adds_none():
    from catalog.models import Application, Eligibility, EligibilityChange, Listing, ListingState

    seed()
    state = (Eligibility.objects.count(), EligibilityChange.objects.count(), Listing.objects.count(),
             Application.objects.count())
    assert Eligibility.objects.count() == MediaOutlet.objects.count()
    assert Listing.objects.filter(state=ListingState.LISTED).exists()
    assert {ListingState.APPLIED, ListingState.UNDER_REVIEW} <= set(Listing.objects.values_list("state", flat=True))
    assert Application.objects.filter(documents__isnull=False).exists()
    # Only eligible outlets are listed.
    assert not Listing.objects.filter(state=ListingState.LISTED, outlet__eligibility__is_eligible=False).exists()
    seed()
    assert state == (Eligibility.objects.count(), EligibilityChange.objects.count(), Listing.objects.count(),
                     Application.objects.count())


def test_the_demo_has_objections_waiting_decided_and_late_and_a_rerun_adds_none(debug_on, client):
    from catalog import selectors
    from catalog.models import Application, Objection, ObjectionStatus

    seed()
    today = timezone.localdate()
    waiting = Objection.objects.filter(status=ObjectionStatus.WAITING)
    assert waiting.filter(deadline__gte=today).count() == 1  # inside its period: on the staff home
    dismissed = Objection.objects.get(status=ObjectionStatus.DISMISSED)
    assert dismissed.decision_reason and dismissed.application.status == Application.Status.REJECTED
    assert [o.pk for o in selectors.objections_late(today, grace_days=selectors.OBJECTION_DECISION_DAYS)] == [
        waiting.get(deadline__lt=today).pk]
    # The status page shows the dismissed objection and its reason.
    page = client.get(f"/apply/status/{dismissed.application.code}/").content.decode()
    assert dismissed.decision_reason in page
    seed()
    assert Objection.objects.count() == 3
