"""The declared-interest register of an agency (docs/domain.md "Owners and conflicts of interest"): who, among
its officials, the regional legislators and others, owns or controls which outlets or press companies, they or
their family. Written by the agency's own budget officers (superusers for any agency); the order control
(budgets.controls.interests) reads it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from partners.models import MediaOutlet, PressCompany

from ..models import DeclaredInterest
from .access import BudgetRefused, require_agency


def interest_save(interest: DeclaredInterest, *, outlets: Iterable[MediaOutlet] | None = None,
                  companies: Iterable[PressCompany] | None = None, user=None) -> DeclaredInterest:
    """Record or change a declared interest; ``outlets`` and ``companies``, when given, become its outlets and
    companies. At least one of them is needed: an interest in nothing controls nothing."""
    require_agency(user, interest.agency_id)
    if interest.pk:  # nor may an officer move another agency's interest to their own
        stored_agency = DeclaredInterest.objects.filter(pk=interest.pk).values_list("agency_id", flat=True).first()
        if stored_agency is not None:
            require_agency(user, stored_agency)
    interest.person_name = " ".join((interest.person_name or "").split())
    try:
        interest.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise BudgetRefused(exc.messages[0] if len(exc.messages) == 1 else " ".join(exc.messages),
                            code="invalid") from exc
    outlets = None if outlets is None else list(outlets)
    companies = None if companies is None else list(companies)
    has_outlets = bool(outlets) if outlets is not None else (interest.pk and interest.outlets.exists())
    has_companies = bool(companies) if companies is not None else (interest.pk and interest.companies.exists())
    if not (has_outlets or has_companies):
        raise BudgetRefused(_("Name at least one outlet or press company the person or their family owns or "
                              "controls."), code="interest_empty")
    with transaction.atomic():
        if interest.pk is None and user is not None and getattr(user, "is_authenticated", False):
            interest.created_by = user
        interest.save()
        if outlets is not None:
            interest.outlets.set(outlets)
        if companies is not None:
            interest.companies.set(companies)
    return interest


def interest_delete(interest: DeclaredInterest, *, user=None) -> None:
    require_agency(user, interest.agency_id)
    interest.delete()
