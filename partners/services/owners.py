"""A press company's owners (shareholders and beneficial owners) and bank accounts: saved by the company
page's inlines and the API through these functions only (docs/domain.md "Owners and conflicts of interest").

The shares of one company never sum above 100 %: the company row is locked while the new total is
checked and written, so two edits of one company's owners wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from ..models import CompanyBankAccount, CompanyOwner, PressCompany
from .edits import validated, writing

SHARES_OVER_100 = _("The shares of %(company)s would sum to %(total)s %%; they cannot exceed 100 %%.")


def shares_check(company: PressCompany, total: Decimal | int | None) -> None:
    """Refuse a company's owners whose shares sum above 100 % (the inline's formset and the services)."""
    if total is not None and Decimal(total) > 100:
        raise ValidationError(SHARES_OVER_100, code="shares_over_100",
                              params={"company": company, "total": f"{Decimal(total).normalize():f}"})


def company_owners_save(company: PressCompany, *, saved: Iterable[CompanyOwner] = (),
                        deleted: Iterable[CompanyOwner] = (), actor: str = "") -> None:
    """Add, change and remove owners of ``company`` in one go (a page's inline rows); refused with a
    ValidationError, before anything is written, when a row is invalid or the shares would exceed 100 %."""
    saved, deleted = list(saved), list(deleted)
    with writing(actor=actor):
        PressCompany.objects.select_for_update().filter(pk=company.pk).first()
        for owner in saved:
            owner.company = company
            validated(owner, changed=None)
        touched = {owner.pk for owner in saved + deleted if owner.pk}
        kept = (CompanyOwner.objects.filter(company=company).exclude(pk__in=touched)
                .aggregate(total=Sum("share_percent"))["total"] or Decimal(0))
        shares_check(company, kept + sum((o.share_percent or Decimal(0) for o in saved), Decimal(0)))
        for owner in deleted:
            if owner.pk:
                owner.delete()
        for owner in saved:
            owner.save()


def owner_save(owner: CompanyOwner, *, actor: str = "") -> CompanyOwner:
    company_owners_save(owner.company, saved=[owner], actor=actor)
    return owner


def bank_accounts_save(company: PressCompany, *, saved: Iterable[CompanyBankAccount] = (),
                       deleted: Iterable[CompanyBankAccount] = (), actor: str = "") -> None:
    """Add, change and remove bank accounts of ``company``; the number is stored as digits."""
    saved, deleted = list(saved), list(deleted)
    with writing(actor=actor):
        for account in saved:
            account.company = company
            validated(account, changed=None)
        for account in deleted:
            if account.pk:
                account.delete()
        for account in saved:
            try:
                with transaction.atomic():  # a savepoint: the same account added twice at once
                    account.save()
            except IntegrityError:
                validated(account, changed=None)  # now finds the row the other request wrote, in its words
                raise
