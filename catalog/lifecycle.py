"""The e-catalog listing lifecycle as staff, applicants and jobs drive it: decide, then re-check.

Each decision is catalog.transitions' (which only decides and records); a decision that changes
what the eligibility rules read (a staff suspension, a delisting, a sanction, an outlet listed again)
is followed, in the same transaction, by the outlet's re-check (catalog.eligibility, which only
evaluates and lets the listings follow the result). An approval is the other way round: it re-checks
first, commits that fresh result on its own, then decides on it. This module is the one place the two
meet, so neither of them imports the other's caller.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from . import transitions
from .eligibility import recheck_outlets
from .models import Listing, Trigger
from .transitions import TransitionRefused, ensure_listing, reject, start_review

# Decisions that change nothing the rules read, used as they are.
__all__ = ["TransitionRefused", "approve", "delist", "end_timed_sanctions", "ensure_listing", "lift_suspension",
           "overturn",
           "reapply", "reject", "revoke", "sanction", "start_review", "suspend"]


def _recheck(listing: Listing, user, actor: str = "") -> None:
    recheck_outlets([listing.outlet_id], trigger=Trigger.STAFF, actor=actor or transitions.actor_label(user))


def approve(listing: Listing, *, user) -> Listing:
    """List the outlet, after a fresh eligibility check; refused with the failing reasons otherwise.

    The check is committed on its own first, so that a refusal keeps the fresh result (and its history
    row) instead of rolling it back with the refused transition.
    """
    listing = transitions.approvable(listing)
    _recheck(listing, user)
    return transitions.approve(listing, user=user)


@transaction.atomic
def suspend(listing: Listing, *, user, reason: str) -> Listing:
    listing = transitions.suspend(listing, user=user, reason=reason)
    _recheck(listing, user)
    return listing


@transaction.atomic
def lift_suspension(listing: Listing, *, user, reason: str = "", today: datetime.date | None = None,
                    decision=None) -> Listing:
    """Lift a staff suspension (``decision``: the one an upheld objection takes back, transitions.lift_suspension);
    listed again only if still eligible (the re-check decides)."""
    listing = transitions.lift_suspension(listing, user=user, reason=reason, today=today, decision=decision)
    _recheck(listing, user)
    return Listing.objects.get(pk=listing.pk)


@transaction.atomic
def delist(listing: Listing, *, user, reason: str) -> Listing:
    listing = transitions.delist(listing, user=user, reason=reason)
    _recheck(listing, user)
    return listing


@transaction.atomic
def sanction(listing: Listing, *, user, reason: str, today: datetime.date | None = None) -> Listing:
    """The next step on the catalog's sanction ladder (catalog.transitions.next_sanction_step)."""
    listing, step = transitions.sanction(listing, user=user, reason=reason, today=today)
    if step.changes_listing:
        _recheck(listing, user)
    return listing


@transaction.atomic
def revoke(listing: Listing, *, user, reason: str) -> Listing:
    listing = transitions.revoke(listing, user=user, reason=reason)
    _recheck(listing, user)
    return listing


@transaction.atomic
def overturn(listing: Listing, *, user, decision, reason: str) -> Listing:
    """Take back a staff removal after an upheld objection (catalog.transitions.overturn), then re-check."""
    listing = transitions.overturn(listing, user=user, decision=decision, reason=reason)
    _recheck(listing, user)
    return Listing.objects.get(pk=listing.pk)


@transaction.atomic
def reapply(listing: Listing, *, user=None, actor: str = "", today: datetime.date | None = None) -> Listing:
    """A rejected outlet, or one whose delisting has ended, applies again."""
    listing = transitions.reapply(listing, user=user, actor=actor, today=today)
    # A delisting held the outlet out whatever its documents said; the result follows the new state.
    _recheck(listing, user, actor=actor)
    return listing


def end_timed_sanctions(today: datetime.date | None = None) -> int:
    """End the sanction periods that are over (catalog.transitions.end_sanction_periods) and re-check the
    outlets listed again, in one transaction: a failure leaves every listing as it was."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ended, listed_again = transitions.end_sanction_periods(today)
        if listed_again:
            recheck_outlets(listed_again, trigger=Trigger.SCHEDULE, actor="system:sanctions", today=today)
    return ended
