"""The declared-interest control (docs/domain.md "Owners and conflicts of interest"): an order to an outlet
connected to an interest declared to the ordering agency (the outlet itself or its company is declared, or
the declared person is named as an owner of the outlet's company) is refused, with the person and their role,
or, when the agency's policy is a second approval and the person placing the order gave a reason
(``answers["interest_reason"]``), placed and held for a second approver. Budgets audits found publication
budgets handed to legislators who own media (Kepri DPRD; /work/shared/domain.md §7b)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from partners.models import CompanyOwner, MediaOutlet
from partners.selectors import NameKey

from ..models import ConflictHandling, DeclaredInterest, FlagRule, InterestRelation
from ..services.access import BudgetRefused
from . import Hold, OrderDraft

ANSWER = "interest_reason"

FINDINGS = {
    "outlet": _("%(outlet)s is declared as an interest of %(person)s, %(role)s (%(relation)s), to %(agency)s."),
    "company": _("%(outlet)s belongs to %(company)s, declared as an interest of %(person)s, %(role)s "
                 "(%(relation)s), to %(agency)s."),
    "owner": _("%(person)s, %(role)s (%(relation)s), declared an interest to %(agency)s and is named as an owner "
               "of %(company)s, the company of %(outlet)s."),
}
REFUSED = _("%(finding)s The agency's policy refuses orders to outlets connected to a declared interest.")
REASON_REQUIRED = _("%(finding)s Give the reason for ordering from it anyway: the order will wait for a second "
                    "approver.")
RELATIONS = {InterestRelation.SELF: _("own interest"), InterestRelation.SPOUSE: _("through the spouse"),
             InterestRelation.CHILD: _("through a child"), InterestRelation.OTHER_FAMILY: _("through family")}


def declared_interest(draft: OrderDraft) -> list[Hold]:
    interests = interests_in_outlet(draft.agency_id, draft.outlet, draft.order_date)
    if not interests:
        return []
    agency = draft.budget.agency  # read with the locked budget (budgets.services.locks)
    interest = interests[0]
    message = FINDINGS[interest.how]
    params = {"outlet": draft.outlet.name, "company": draft.outlet.company.legal_name,
              "person": interest.person_name, "role": interest.get_role_display(),
              "relation": RELATIONS.get(interest.relation, interest.relation), "agency": str(agency)}
    finding = message % params
    if agency.conflict_handling != ConflictHandling.SECOND_APPROVAL:
        raise BudgetRefused(REFUSED % {"finding": finding}, code="declared_interest")
    reason = str(draft.answer(ANSWER) or "").strip()
    if not reason:
        raise BudgetRefused(REASON_REQUIRED % {"finding": finding}, code="interest_reason_required")
    return [Hold(FlagRule.DECLARED_INTEREST, message, params, reason)]


def interests_in_outlet(agency_id: int, outlet: MediaOutlet, day: datetime.date) -> list[DeclaredInterest]:
    """The interests declared to the agency, in force on ``day``, that the outlet is connected to, each with
    ``how``: "outlet" (the outlet is declared), "company" (its company is) or "owner" (the person's name, as
    partners.selectors.NameKey reads it, is the name of an owner or shareholder of the outlet's company).
    One query."""
    through_outlets = DeclaredInterest.outlets.through.objects.filter(declaredinterest_id=OuterRef("pk"),
                                                                      mediaoutlet_id=outlet.pk)
    through_companies = DeclaredInterest.companies.through.objects.filter(declaredinterest_id=OuterRef("pk"),
                                                                          presscompany_id=outlet.company_id)
    owners = (CompanyOwner.objects.filter(company_id=outlet.company_id).annotate(key=NameKey("name"))
              .filter(key=OuterRef("person_key")))
    interests = list(
        DeclaredInterest.objects.filter(agency_id=agency_id)
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=day))
        .annotate(person_key=NameKey("person_name"), by_outlet=Exists(through_outlets),
                  by_company=Exists(through_companies), by_owner=Exists(owners))
        .filter(Q(by_outlet=True) | Q(by_company=True) | Q(by_owner=True))
        .order_by("pk"))
    for interest in interests:
        interest.how = "outlet" if interest.by_outlet else "company" if interest.by_company else "owner"
    return interests
