"""The demo's owners and bank accounts (docs/domain.md "Owners and conflicts of interest"): each demo company
gets a majority shareholder who directs it and a bank account, drawn from a generator seeded by its NPWP, so
every run writes the same ones. Two listed outlets of different companies (chosen by the project's demo,
mediareg.demo, which knows the catalog) share a beneficial owner and a bank account, as an agency bundling
outlets would (Purwakarta, /work/shared/domain.md §7b): the staff home, the outlet pages and the exceptions
report show them connected, and budgets.demo declares that owner's interest to one agency.

Written through partners.services; a company that already has owners or an account keeps them."""

from __future__ import annotations

import random
from decimal import Decimal

from ..models import CompanyBankAccount, CompanyOwner, OwnerKind, PressCompany
from ..services import bank_accounts_save, company_owners_save
from .tables import FIRST_NAMES, LAST_NAMES

# The person behind the two connected companies: a DPRD member in budgets.demo's declared interest.
SHARED_OWNER_NAME = "H. Dedi Kurniawan"
SHARED_OWNER_NIK = "3171011203790001"  # an invented NIK of a valid form (Jakarta Pusat, born 12 March 1979)
SHARED_ACCOUNT = ("Bank DKI", "1010203040506")
BANKS = ("Bank DKI", "Bank Mandiri", "BRI", "BNI", "BCA", "Bank Syariah Indonesia")


def demo_nik(rng: random.Random) -> str:
    """A NIK of a valid form: a Jakarta region code, a birth date (day + 40 for women), a serial."""
    region = rng.choice(("317101", "317201", "317301", "317401", "317501"))
    day = rng.randint(1, 28) + rng.choice((0, 40))
    return f"{region}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{rng.randint(1, 9999):04d}"


def seed_owners(companies: list[PressCompany], *, shared: tuple[PressCompany, PressCompany] | None) -> int:
    """Owners and an account for each of ``companies`` that has none; ``shared`` get the shared beneficial owner
    and account. Returns how many rows were written."""
    have_owners = set(CompanyOwner.objects.filter(company__in=companies).values_list("company_id", flat=True))
    have_accounts = set(CompanyBankAccount.objects.filter(company__in=companies)
                        .values_list("company_id", flat=True))
    shared_ids = {company.pk for company in shared or ()}
    written = 0
    for company in companies:
        rng = random.Random(f"mediareg-demo-owners:{company.npwp or company.legal_name}")
        if company.pk not in have_owners:
            majority = Decimal(rng.choice((100, 75, 60, 51)))
            owners = [CompanyOwner(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                   identity_number=demo_nik(rng), kind=OwnerKind.BOTH, share_percent=majority,
                                   position="Direktur Utama")]
            if majority < 100:
                owners.append(CompanyOwner(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                           identity_number=demo_nik(rng), kind=OwnerKind.SHAREHOLDER,
                                           share_percent=100 - majority, position="Komisaris"))
            if company.pk in shared_ids:
                owners.append(CompanyOwner(name=SHARED_OWNER_NAME, identity_number=SHARED_OWNER_NIK,
                                           kind=OwnerKind.BENEFICIAL_OWNER, share_percent=None))
            company_owners_save(company, saved=owners)
            written += len(owners)
        if company.pk not in have_accounts:
            bank, number = SHARED_ACCOUNT if company.pk in shared_ids else (
                rng.choice(BANKS), str(rng.randrange(10**9, 10**13)))
            bank_accounts_save(company, saved=[CompanyBankAccount(bank_name=bank, account_number=number,
                                                                  account_holder=company.legal_name)])
            written += 1
    return written


def shared_owner_companies() -> list[int]:
    """The demo companies of the shared beneficial owner (by the NIK), for budgets.demo."""
    return list(CompanyOwner.objects.filter(identity_number=SHARED_OWNER_NIK).order_by("company_id")
                .values_list("company_id", flat=True))
