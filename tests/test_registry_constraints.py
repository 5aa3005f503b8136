"""Absolute rules are database constraints: no code path, bulk update or raw SQL can break them."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from partners.models import Document, OutletDomain, PressCompany, PressVerification, VerificationLevel
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    PressVerificationFactory,
)

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_one_company_per_npwp():
    PressCompanyFactory(npwp="0013121660091000")
    refused(lambda: PressCompanyFactory(npwp="0013121660091000"))


def test_npwp_is_stored_as_16_digits_only():
    company = PressCompanyFactory()
    refused(lambda: PressCompany.objects.filter(pk=company.pk).update(npwp="01.312.166.0-091"))


def test_nib_is_13_digits_and_unique_when_given():
    PressCompanyFactory(nib="9120001034567")
    refused(lambda: PressCompanyFactory(nib="9120001034567"))
    refused(lambda: PressCompanyFactory(nib="12345"))
    PressCompanyFactory(nib="")
    PressCompanyFactory(nib="")  # many companies may lack an NIB


def test_one_outlet_per_domain():
    OutletDomainFactory(domain="kabarbetawi.id")
    refused(lambda: OutletDomainFactory(domain="kabarbetawi.id"))


def test_domains_are_stored_normalised():
    refused(lambda: OutletDomainFactory(domain="KabarBetawi.ID"))


def test_one_primary_domain_per_outlet():
    outlet = MediaOutletFactory()
    OutletDomainFactory(outlet=outlet, is_primary=True)
    refused(lambda: OutletDomainFactory(outlet=outlet, is_primary=True))
    OutletDomainFactory(outlet=outlet, is_primary=False)
    assert OutletDomain.objects.filter(outlet=outlet).count() == 2


def test_outlet_names_are_unique_within_a_company_case_insensitively():
    outlet = MediaOutletFactory(name="Kabar Betawi")
    refused(lambda: MediaOutletFactory(company=outlet.company, name="kabar betawi"))
    MediaOutletFactory(name="Kabar Betawi")  # another company may use the name


def test_expiry_not_before_issue():
    refused(lambda: DocumentFactory(issue_date=datetime.date(2026, 6, 10), expiry_date=datetime.date(2026, 6, 9)))
    DocumentFactory(issue_date=datetime.date(2026, 6, 10), expiry_date=datetime.date(2026, 6, 10))


def test_rejection_needs_a_reason_even_through_a_bulk_update():
    document = DocumentFactory()
    refused(lambda: Document.objects.filter(pk=document.pk).update(review_status="rejected", rejection_reason=""))


def test_certificate_only_with_factual_verification():
    outlet = MediaOutletFactory()
    refused(lambda: PressVerification.objects.create(outlet=outlet, level=VerificationLevel.ADMINISTRATIVE,
                                                     certificate_number="975/DP-Verifikasi/K/IV/2022",
                                                     certificate_date=datetime.date(2022, 4, 9)))


def test_certificate_valid_until_is_five_years_less_a_day():
    verification = PressVerificationFactory(level=VerificationLevel.FACTUAL,
                                            certificate_number="1/DP-Verifikasi/K/XI/2019",
                                            certificate_date=datetime.date(2019, 11, 29))
    assert verification.valid_until == datetime.date(2024, 11, 28)
    verification.certificate_date = datetime.date(2020, 2, 29)
    verification.save(update_fields=["certificate_date"])
    verification.refresh_from_db()
    assert verification.valid_until == datetime.date(2025, 2, 27)


def test_one_verification_per_outlet():
    verification = PressVerificationFactory()
    refused(lambda: PressVerification.objects.create(outlet=verification.outlet))
