"""Who acts for which agency. Outlets and eligibility are shared by every agency; budgets, their
revisions and orders belong to one. A budget officer sees and changes only their own agency's; superusers
and holders of ``budgets.view_every_agency`` (auditors) see all, and only superusers act for any agency."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Agency, AgencyStaff


class BudgetRefused(ValidationError):
    """A budget, price or order write that the rules refuse; the message names the reason and is shown to
    the person as it is (admin message, form error, API 400)."""


def agency_of(user) -> Agency | None:
    """The agency ``user`` works for, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_agency_cache", False)
    if cached is not False:
        return cached
    membership = AgencyStaff.objects.select_related("agency").filter(user_id=user.pk).first()
    user._agency_cache = membership.agency if membership else None
    return user._agency_cache


def may_see_every_agency(user) -> bool:
    return bool(user and (user.is_superuser or user.has_perm("budgets.view_every_agency")))


def can_act_for(user, agency_id: int | None) -> bool:
    """May ``user`` change what belongs to the agency ``agency_id``? Superusers for any; staff for their own."""
    if user is None:
        return True  # a job or command, named in the audit trail by its own context
    if user.is_superuser:
        return True
    agency = agency_of(user)
    return agency is not None and agency.pk == agency_id


def require_agency(user, agency_id: int) -> None:
    if not can_act_for(user, agency_id):
        raise BudgetRefused(_("You do not work for this budget's agency, so you cannot change it."),
                            code="other_agency")
