"""Builders for outlets that pass, or fail, the eligibility rules (shared by the catalog tests)."""

import datetime

from django.utils import timezone

from partners.models import DocumentKind, VerificationLevel
from tests.factories import DocumentFactory, MediaOutletFactory, OutletDomainFactory, PressVerificationFactory


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
