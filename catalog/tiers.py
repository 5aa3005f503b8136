"""Tiers of outlets (docs/domain.md "Tiers and reference prices"): A, B or C, computed from the registry and the
policy, never typed in.

The default follows Kalimantan Timur (Pergub 49/2024): A is Dewan Pers factual verification, B administrative
verification, C an outlet that meets the local rules (eligible in the e-catalog) and is working towards
verification. The policy (catalog.models.EligibilityPolicy) says which verification level gives A and which B,
and whether C needs the outlet to be eligible.

The verification that counts on a day is the registry's level judged on that day, as the eligibility rule
reads it (catalog.rules.rule_press_council): an outlet missing from the Dewan Pers list for longer than the
grace period counts as not verified, and a factual verification whose certificate has expired (or has no
date) counts as administrative only.

``tier_for`` is the rule as a pure function; ``tier_annotation`` is the same rule in SQL, so that a list of
outlets gets its tiers in its own query (the policy is read by subqueries, with the model's defaults when the
row does not exist yet); ``tier_on`` answers for one outlet on a past day (orders, price approval).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import PressVerification, VerificationLevel

from .models import EligibilityPolicy

LEVEL_RANK = {VerificationLevel.NONE: 0, VerificationLevel.ADMINISTRATIVE: 1, VerificationLevel.FACTUAL: 2}


class Tier(TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")


def tier_description(tier: str, policy: EligibilityPolicy) -> str:
    """What puts an outlet in ``tier`` under ``policy``, in a sentence for the pages."""
    if tier == Tier.A:
        return str(_("Dewan Pers: %(level)s")) % {"level": VerificationLevel(policy.tier_a_level).label}
    if tier == Tier.B:
        return str(_("Dewan Pers: %(level)s")) % {"level": VerificationLevel(policy.tier_b_level).label}
    if policy.tier_c_requires_eligible:
        return str(_("Meets the local rules (eligible), working towards verification"))
    return str(_("Working towards verification"))


def counted_level(level: str, *, certificate_valid_until: datetime.date | None,
                  missing_from_list_since: datetime.date | None, policy: EligibilityPolicy,
                  day: datetime.date) -> str:
    """The Dewan Pers level that counts on ``day``: past the grace period off the list, none; a factual
    verification without a certificate valid that day, administrative."""
    level = level or VerificationLevel.NONE
    if level == VerificationLevel.NONE:
        return level
    if missing_from_list_since is not None and (day - missing_from_list_since).days > policy.press_council_grace_days:
        return VerificationLevel.NONE
    if level == VerificationLevel.FACTUAL and (certificate_valid_until is None or certificate_valid_until < day):
        return VerificationLevel.ADMINISTRATIVE
    return level


def tier_for(verification_level: str, eligible: bool, policy: EligibilityPolicy) -> Tier | None:
    """The tier of an outlet whose counted Dewan Pers level is ``verification_level`` (counted_level) and which
    is (or is not) eligible in the e-catalog; None when it reaches no tier."""
    rank = LEVEL_RANK[verification_level or VerificationLevel.NONE]
    if rank >= LEVEL_RANK[policy.tier_a_level]:
        return Tier.A
    if rank >= LEVEL_RANK[policy.tier_b_level]:
        return Tier.B
    if eligible or not policy.tier_c_requires_eligible:
        return Tier.C
    return None


def tier_on(outlet_id: int, day: datetime.date, *, eligible: bool | None = None,
            policy: EligibilityPolicy | None = None) -> Tier | None:
    """Outlet ``outlet_id``'s tier on ``day``: its verification as the registry records it, judged on that day,
    and its eligibility that day (``eligible`` when the caller knows it, else the catalog's history up to today
    and the current result for a later day). At most three queries."""
    from .eligibility import eligibility_on  # eligibility imports the rules, which need no tiers

    policy = policy or EligibilityPolicy.load()
    verification = PressVerification.objects.filter(outlet_id=outlet_id).values(
        "level", "valid_until", "missing_from_list_since").first() or {}
    level = counted_level(verification.get("level", VerificationLevel.NONE),
                          certificate_valid_until=verification.get("valid_until"),
                          missing_from_list_since=verification.get("missing_from_list_since"),
                          policy=policy, day=day)
    if eligible is None:
        eligible = eligibility_on(outlet_id, min(day, timezone.localdate())).eligible
    return tier_for(level, eligible, policy)


# --- the same rule in SQL ---------------------------------------------------------------------------------


def _policy_value(policy: EligibilityPolicy | None, name: str, output_field):
    """A policy setting in the query: the given policy's value, or a subquery of the policy row with the
    model's default when there is no row yet (the list then costs no extra query)."""
    if policy is not None:
        return Value(getattr(policy, name), output_field=output_field)
    default = EligibilityPolicy._meta.get_field(name).get_default()
    row = EligibilityPolicy.objects.filter(pk=1).values(name)[:1]
    return Coalesce(Subquery(row, output_field=output_field), Value(default, output_field=output_field),
                    output_field=output_field)


def _rank(expression):
    return Case(When(Exact(expression, Value(VerificationLevel.FACTUAL.value)), then=Value(2)),
                When(Exact(expression, Value(VerificationLevel.ADMINISTRATIVE.value)), then=Value(1)),
                default=Value(0), output_field=IntegerField())


class DaysBetween(Func):
    """``later - earlier`` in whole days (PostgreSQL's date minus date)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def counted_rank(day: datetime.date, policy: EligibilityPolicy | None = None, prefix: str = ""):
    """counted_level's rank (0 none, 1 administrative, 2 factual) of the outlet at ``prefix`` as SQL."""
    verification = f"{prefix}verification__"
    grace = _policy_value(policy, "press_council_grace_days", IntegerField())
    off_the_list = GreaterThan(DaysBetween(Value(day), F(f"{verification}missing_from_list_since")), grace)
    return Case(
        When(Q(**{f"{verification}level__isnull": True}) | Q(**{f"{verification}level": VerificationLevel.NONE}),
             then=Value(0)),
        When(Q(**{f"{verification}missing_from_list_since__isnull": False}) & Q(off_the_list), then=Value(0)),
        When(Q(**{f"{verification}level": VerificationLevel.FACTUAL, f"{verification}valid_until__gte": day}),
             then=Value(2)),
        default=Value(1), output_field=IntegerField())


def tier_annotation(day: datetime.date | None = None, policy: EligibilityPolicy | None = None, prefix: str = ""):
    """tier_for as SQL over the outlet at ``prefix`` ("" for a MediaOutlet query, "outlet__" from a related
    row), with its current eligibility result: "A", "B", "C" or NULL."""
    day = day or timezone.localdate()
    rank = counted_rank(day, policy, prefix)
    eligible = Q(**{f"{prefix}eligibility__is_eligible": True})
    c_needs_eligible = _policy_value(policy, "tier_c_requires_eligible", BooleanField())
    return Case(
        When(GreaterThanOrEqual(rank, _rank(_policy_value(policy, "tier_a_level", CharField()))),
             then=Value(Tier.A.value)),
        When(GreaterThanOrEqual(rank, _rank(_policy_value(policy, "tier_b_level", CharField()))),
             then=Value(Tier.B.value)),
        When(eligible | Q(Exact(c_needs_eligible, False)), then=Value(Tier.C.value)),
        default=Value(None), output_field=CharField())

