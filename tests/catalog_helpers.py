"""Builders for outlets that pass, or fail, the eligibility rules, and for applications in the review
queue (shared by the catalog tests)."""

import datetime
import uuid
import zoneinfo

from django.utils import timezone

from catalog import lifecycle
from catalog.models import Application, Listing, ListingState, ListingTransition
from partners.models import DocumentKind, MediaType, Province, VerificationLevel
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    PressVerificationFactory,
)

# The day listed_outlet's outlets were listed; in August, "Agustus" in Indonesian.
LISTED_ON = datetime.datetime(2026, 8, 17, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))


def eligible_outlet(company=None, **outlet_fields):
    """An online outlet whose company has every document the default policy asks for."""
    today = timezone.localdate()
    outlet = MediaOutletFactory(**({"company": company} if company else {}), **outlet_fields)
    OutletDomainFactory(outlet=outlet, is_primary=True)
    PressVerificationFactory(outlet=outlet, level=VerificationLevel.FACTUAL,
                             certificate_number=f"{outlet.pk}/DP-Verifikasi/K/IV/2024",
                             certificate_date=today - datetime.timedelta(days=400))
    if company is None:
        give_company_documents(outlet.company, today)
    return outlet


def give_company_documents(company, today=None):
    today = today or timezone.localdate()
    for kind in (DocumentKind.DEED, DocumentKind.LAW_MINISTRY_APPROVAL, DocumentKind.NIB):
        DocumentFactory(company=company, kind=kind, accepted=True, issue_date=today - datetime.timedelta(days=900))
    DocumentFactory(company=company, kind=DocumentKind.KSWP, accepted=True, issue_date=today.replace(month=1, day=1))
    DocumentFactory(company=company, kind=DocumentKind.ANNUAL_TAX_RETURN, accepted=True, tax_year=today.year - 1,
                    issue_date=today.replace(month=1, day=1))


def make_application(outlet, *, days_ago: int = 0, status=Application.Status.SUBMITTED, email="redaksi@example.id"):
    """An application of ``outlet`` with its company's documents, submitted ``days_ago``."""
    application = Application.objects.create(
        code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
        applicant_email=email, status=status, language="id",
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        decision_reason="" if status not in ("rejected", "changes_requested") else "Alasan",
    )
    application.documents.set(outlet.company.documents.all())
    lifecycle.ensure_listing(outlet)
    return application


def listed_outlet(name: str = "", *, domain: str = "", media_type=MediaType.ONLINE, province: str = "31",
                  level=VerificationLevel.FACTUAL, state=ListingState.LISTED, since=LISTED_ON, company=None):
    """An outlet in the given listing state (listed by default since 17 August 2026), with its primary
    domain, its Dewan Pers verification and a company in ``province`` (a Kemendagri code)."""
    company = company or PressCompanyFactory(province=Province.objects.get(code=province))
    outlet = MediaOutletFactory(company=company, media_type=media_type, **({"name": name} if name else {}))
    OutletDomainFactory(outlet=outlet, is_primary=True, **({"domain": domain} if domain else {}))
    if level == VerificationLevel.FACTUAL:
        PressVerificationFactory(outlet=outlet, factual=True)
    elif level == VerificationLevel.ADMINISTRATIVE:
        PressVerificationFactory(outlet=outlet, administrative=True)
    listing = Listing.objects.create(outlet=outlet, state=state, state_since=since,
                                     suspension_cause="staff" if state == ListingState.SUSPENDED else "")
    ListingTransition.objects.create(listing=listing, created_at=since, action="approve", from_state="under_review",
                                     to_state=state, actor_label="rina.verifikator")
    return outlet
