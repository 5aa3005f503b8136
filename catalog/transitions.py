"""The e-catalog listing's transitions: what staff, applicants and the re-check may do to a listing,
decided and recorded here and nothing more. catalog.lifecycle is what the rest of the code calls: it
follows each decision that changes what the rules read with the outlet's re-check.

    applied → under review → listed | rejected
    listed → suspended (eligibility lost, automatically) → listed (eligibility back, automatically)
    listed → suspended by staff (reason) → listed (staff lift it)
    listed | suspended → delisted by staff (reason) → applied (the outlet applies again)
    sanctions (docs/domain.md, "The e-catalog and its sanctions"): 1st warning; 2nd warning +
    suspension for a set period; 3rd warning + delisting for a set period; revocation.

The sanction ladder, one meaning throughout (README, "E-catalog eligibility"; next_sanction_step):

- A warning never shortens a hold. Given to an outlet staff have suspended until further notice,
  the second warning's suspension period runs alongside that suspension: the outlet stays
  suspended by staff, and if staff lift their suspension before the period is over, the outlet
  stays suspended for the rest of it.
- A suspension for a sanction ends by itself on its end date: listed again, then re-checked.
- A delisting is never undone automatically: when its period is over the outlet may apply again
  (reapply), and is listed only after a new review.

Every transition is one ListingTransition row with the actor (a person or ``system:<job>``) and the
reason; a transition that is not allowed from the current state raises TransitionRefused with a
message for the person who asked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediareg.dates import add_months

from .models import Eligibility, EligibilityPolicy, Listing, ListingState, ListingTransition, SuspensionCause
from .rules import reason_text

S = ListingState


class TransitionRefused(ValidationError):
    pass


def actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


def ensure_listing(outlet, *, user=None, actor: str = "") -> Listing:
    """The outlet's listing; a new one starts as applied, and that first step is recorded too."""
    now = timezone.now()
    with transaction.atomic():
        listing, created = Listing.objects.get_or_create(outlet=outlet, defaults={"state_since": now})
        if created:
            ListingTransition.objects.create(listing=listing, created_at=now, action="apply", from_state="",
                                             to_state=S.APPLIED, actor=user,
                                             actor_label=actor or actor_label(user))
    return listing


def _lock_results(outlet_ids) -> None:
    """Lock the outlets' eligibility rows before their listings: the re-check takes the same locks in
    that order (result rows, then listings), so a staff decision and a nightly batch touching the same
    outlet wait for each other instead of deadlocking."""
    list(Eligibility.objects.select_for_update().filter(pk__in=list(outlet_ids)).order_by("pk").values_list("pk"))


def _locked(listing: Listing) -> Listing:
    _lock_results([listing.outlet_id])
    return Listing.objects.select_for_update().select_related("outlet").get(pk=listing.pk)


def _move(listing: Listing, action: str, to_state: str, *, user=None, actor: str = "", reason: str = "",
          cause: str = SuspensionCause.NONE, sanction_ends_on=None, now=None) -> Listing:
    now = now or timezone.now()
    from_state = listing.state
    listing.state, listing.suspension_cause, listing.sanction_ends_on = to_state, cause, sanction_ends_on
    listing.reason = reason
    if from_state != to_state:
        listing.state_since = now
    listing.save()
    ListingTransition.objects.create(listing=listing, created_at=now, action=action, from_state=from_state,
                                     to_state=to_state, actor=user, actor_label=actor or actor_label(user),
                                     reason=reason)
    return listing


def _refuse(action_label: str, listing: Listing):
    raise TransitionRefused(
        _("Cannot %(action)s: the outlet's listing is “%(state)s”.")
        % {"action": action_label, "state": listing.get_state_display()}, code="transition_refused")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give a reason."), code="reason_required")
    return reason


@transaction.atomic
def start_review(listing: Listing, *, user) -> Listing:
    listing = _locked(listing)
    if listing.state != S.APPLIED:
        _refuse(_("start the review"), listing)
    return _move(listing, "start_review", S.UNDER_REVIEW, user=user)


def approvable(listing: Listing) -> Listing:
    """The listing as it stands, if its state allows listing the outlet; refused otherwise. Asked before
    the fresh eligibility check that an approval needs (catalog.lifecycle.approve)."""
    listing = Listing.objects.get(pk=listing.pk)
    if listing.state not in (S.APPLIED, S.UNDER_REVIEW):
        _refuse(_("list the outlet"), listing)
    return listing


@transaction.atomic
def approve(listing: Listing, *, user) -> Listing:
    """List the outlet if its stored eligibility result passes; refused with the failing reasons
    otherwise. The result must be fresh: catalog.lifecycle.approve re-checks first."""
    listing = _locked(listing)
    if listing.state not in (S.APPLIED, S.UNDER_REVIEW):
        _refuse(_("list the outlet"), listing)
    eligibility = Eligibility.objects.get(pk=listing.outlet_id)
    if not eligibility.is_eligible:
        reasons = " ".join(reason_text(o["reason"]) for o in eligibility.outcomes if not o["passed"])
        raise TransitionRefused(_("The outlet is not eligible: %(reasons)s") % {"reasons": reasons},
                                code="not_eligible")
    return _move(listing, "approve", S.LISTED, user=user)


@transaction.atomic
def reject(listing: Listing, *, user, reason: str) -> Listing:
    reason = _require_reason(reason)
    listing = _locked(listing)
    if listing.state not in (S.APPLIED, S.UNDER_REVIEW):
        _refuse(_("reject the application"), listing)
    return _move(listing, "reject", S.REJECTED, user=user, reason=reason)


@transaction.atomic
def suspend(listing: Listing, *, user, reason: str) -> Listing:
    """A staff suspension holds until staff lift it, whatever eligibility does meanwhile."""
    reason = _require_reason(reason)
    listing = _locked(listing)
    if not (listing.state == S.LISTED or (listing.state == S.SUSPENDED
                                          and listing.suspension_cause == SuspensionCause.ELIGIBILITY)):
        _refuse(_("suspend"), listing)
    return _move(listing, "suspend", S.SUSPENDED, user=user, reason=reason, cause=SuspensionCause.STAFF)


@transaction.atomic
def lift_suspension(listing: Listing, *, user, reason: str = "", today: datetime.date | None = None,
                    decision: ListingTransition | None = None) -> Listing:
    """Lift a staff suspension. A second warning given meanwhile still holds the outlet out for the rest
    of its period; otherwise the outlet is listed again if it is still eligible. With ``decision`` (an
    upheld objection to it, catalog.objections), only while that suspension is still the listing's latest
    move, checked with the listing locked: a later suspension has its own objection period."""
    listing = _locked(listing)
    if not (listing.state == S.SUSPENDED and listing.suspension_cause == SuspensionCause.STAFF):
        _refuse(_("lift the suspension"), listing)
    if decision is not None and getattr(latest_move(listing), "pk", None) != decision.pk:
        _refuse(_("take the decision back"), listing)
    today = today or timezone.localdate()
    ends = listing.sanction_ends_on
    if ends and ends > today:
        if not reason:
            with translation.override(settings.LANGUAGE_CODE):  # stored: the site's language
                reason = _("The suspension of the second warning runs until %(date)s.") % {"date": _date(ends)}
        _move(listing, "lift_suspension", S.SUSPENDED, user=user, cause=SuspensionCause.SANCTION,
              sanction_ends_on=ends, reason=reason)
    else:
        # Back to listed only if still eligible: the re-check that follows suspends it again otherwise.
        _move(listing, "lift_suspension", S.LISTED, user=user, reason=reason)
    return listing


@transaction.atomic
def delist(listing: Listing, *, user, reason: str) -> Listing:
    reason = _require_reason(reason)
    listing = _locked(listing)
    if listing.state not in (S.LISTED, S.SUSPENDED):
        _refuse(_("delist"), listing)
    return _move(listing, "delist", S.DELISTED, user=user, reason=reason)


@dataclass(frozen=True)
class SanctionStep:
    """The next step on the catalog's sanction ladder for a listing (docs/domain.md, "The e-catalog and its
    sanctions")."""

    level: int  # 1 to 3 are the warnings; 4 is a further breach, revoked
    action: str  # the ListingTransition action it records
    ends_on: datetime.date | None = None  # the first day without the suspension or delisting
    alongside_staff_suspension: bool = False  # a second warning while staff hold the outlet (module doc)

    @property
    def changes_listing(self) -> bool:
        """Whether the step moves the listing (and so what the rules read), or only records a warning."""
        return self.level > 1 and not self.alongside_staff_suspension


def next_sanction_step(listing: Listing, policy: EligibilityPolicy, today: datetime.date) -> SanctionStep:
    """What the next sanction does to this listing: the one statement of the ladder, applied by
    sanction() and described on the admin's confirmation page."""
    level = listing.sanction_level + 1
    if level == 1:
        return SanctionStep(1, "warning_1")
    if level == 2:
        return SanctionStep(2, "warning_2_suspension", add_months(today, policy.suspension_months),
                            alongside_staff_suspension=(listing.state == S.SUSPENDED
                                                        and listing.suspension_cause == SuspensionCause.STAFF))
    if level == 3:
        return SanctionStep(3, "warning_3_delisting", add_months(today, policy.delisting_months))
    return SanctionStep(level, "revoke")


@transaction.atomic
def sanction(listing: Listing, *, user, reason: str, today: datetime.date | None = None
             ) -> tuple[Listing, SanctionStep]:
    """Give the next step on the sanction ladder; returns the listing and the step given."""
    reason = _require_reason(reason)
    listing = _locked(listing)
    step = next_sanction_step(listing, EligibilityPolicy.load(), today or timezone.localdate())
    # After the third warning the outlet is delisted for a period; a further breach meanwhile revokes it.
    if not (listing.state in (S.LISTED, S.SUSPENDED) or (listing.state == S.DELISTED and step.level > 3)):
        _refuse(_("give a sanction"), listing)
    if step.level > 3:
        return revoke(listing, user=user, reason=reason), step
    listing.sanction_level = step.level
    if step.alongside_staff_suspension:
        # Staff hold the outlet until they lift it; the sanction's period runs meanwhile and holds the
        # outlet out for whatever is left of it when they do (lift_suspension).
        listing.sanction_ends_on = step.ends_on
    if not step.changes_listing:
        _note(listing, step.action, user=user, reason=reason)
    elif step.level == 2:
        _move(listing, step.action, S.SUSPENDED, user=user, reason=reason, cause=SuspensionCause.SANCTION,
              sanction_ends_on=step.ends_on)
    else:
        _move(listing, step.action, S.DELISTED, user=user, reason=reason, sanction_ends_on=step.ends_on)
    return listing, step


@transaction.atomic
def revoke(listing: Listing, *, user, reason: str) -> Listing:
    """Revocation as a catalog vendor: for an outlet that is or was listed, not for an application."""
    reason = _require_reason(reason)
    listing = _locked(listing)
    if listing.state not in (S.LISTED, S.SUSPENDED, S.DELISTED):
        _refuse(_("revoke"), listing)
    return _move(listing, "revoke", S.REVOKED, user=user, reason=reason)


@transaction.atomic
def reapply(listing: Listing, *, user=None, actor: str = "", today: datetime.date | None = None) -> Listing:
    """A rejected outlet, or one whose delisting has ended, applies again."""
    listing = _locked(listing)
    today = today or timezone.localdate()
    if listing.state not in (S.REJECTED, S.DELISTED) or (
            listing.sanction_ends_on and listing.sanction_ends_on > today):
        _refuse(_("apply again"), listing)
    return _move(listing, "reapply", S.APPLIED, user=user, actor=actor)


# Staff decisions that take an outlet out of the catalog, which the outlet may object to (catalog.objections);
# the automatic ones (auto_suspend, sanction_ended) follow the rules and are not objected to.
STAFF_REMOVALS = ("suspend", "delist", "warning_2_suspension", "warning_3_delisting", "revoke")


def latest_move(listing: Listing) -> ListingTransition | None:
    """The transition that put the listing where it is (the last that changed its state; a warning that
    leaves the state as it was is a note, not a move)."""
    return (ListingTransition.objects.filter(listing=listing).exclude(from_state=F("to_state"))
            .order_by("-created_at", "-pk").first())


@transaction.atomic
def overturn(listing: Listing, *, user, decision: ListingTransition, reason: str) -> Listing:
    """Take back a staff decision that removed the outlet (an objection upheld, catalog.objections),
    while the listing is still where that decision put it: listed again (the re-check that follows
    suspends it if it is not eligible), or, for the revocation of a delisted outlet, delisted with no
    period left, so it may apply again. A sanction step taken back lowers the warnings by one."""
    reason = _require_reason(reason)
    listing = _locked(listing)
    moved = latest_move(listing)
    if decision.action not in STAFF_REMOVALS or moved is None or moved.pk != decision.pk:
        _refuse(_("take the decision back"), listing)
    if decision.action in ("warning_2_suspension", "warning_3_delisting"):
        listing.sanction_level = max(listing.sanction_level - 1, 0)
    to_state = S.DELISTED if decision.from_state == S.DELISTED else S.LISTED
    return _move(listing, "objection_upheld", to_state, user=user, reason=reason)


def _note(listing: Listing, action: str, *, user=None, actor: str = "", reason: str = "", now=None) -> None:
    """Record a step that leaves the listing in its state (a warning, the end of a sanction period
    that does not list the outlet again), with the listing's other fields as the caller set them."""
    now = now or timezone.now()
    listing.save()
    ListingTransition.objects.create(listing=listing, created_at=now, action=action, from_state=listing.state,
                                     to_state=listing.state, actor=user, actor_label=actor or actor_label(user),
                                     reason=reason)


def _date(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


# --- automatic transitions -----------------------------------------------------------------------


def follow_eligibility(results: dict, *, actor: str, now) -> tuple[int, int]:
    """Suspend listed outlets that lost eligibility and reinstate those suspended for it that regained
    it. Set-based: one read, at most two writes and one insert, whatever the number of outlets.

    The reasons are stored in the site's language (not the language of whoever caused the re-check),
    so that the same event reads the same whether it came from the nightly job or an English session.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _follow_eligibility(results, actor=actor, now=now)


def _follow_eligibility(results: dict, *, actor: str, now) -> tuple[int, int]:
    listings = list(Listing.objects.select_for_update().filter(outlet_id__in=list(results)).filter(
        state__in=[S.LISTED, S.SUSPENDED]).only("pk", "outlet_id", "state", "suspension_cause"))
    to_suspend, to_reinstate, transitions = [], [], []
    for listing in listings:
        eligible, outcomes = results[listing.outlet_id]
        if listing.state == S.LISTED and not eligible:
            reason = " ".join(reason_text(o.as_json()["reason"]) for o in outcomes if not o.passed)
            listing.state, listing.suspension_cause, listing.reason, listing.state_since = (
                S.SUSPENDED, SuspensionCause.ELIGIBILITY, reason, now)
            to_suspend.append(listing)
            transitions.append(ListingTransition(listing=listing, created_at=now, action="auto_suspend",
                                                 from_state=S.LISTED, to_state=S.SUSPENDED, actor_label=actor,
                                                 reason=reason))
        elif listing.state == S.SUSPENDED and listing.suspension_cause == SuspensionCause.ELIGIBILITY and eligible:
            listing.state, listing.suspension_cause, listing.reason, listing.state_since = (
                S.LISTED, SuspensionCause.NONE, "", now)
            to_reinstate.append(listing)
            transitions.append(ListingTransition(listing=listing, created_at=now, action="auto_reinstate",
                                                 from_state=S.SUSPENDED, to_state=S.LISTED, actor_label=actor,
                                                 reason=_("Eligible again.")))
    changed = to_suspend + to_reinstate
    if changed:
        for listing in changed:
            listing.updated_at = now
        Listing.objects.bulk_update(changed, ["state", "suspension_cause", "reason", "state_since", "updated_at"])
        ListingTransition.objects.bulk_create(transitions)
    return len(to_suspend), len(to_reinstate)


def end_sanction_periods(today: datetime.date) -> tuple[int, list[int]]:
    """Sanction periods end by themselves on their end date (``sanction_ends_on`` is the first day
    without the sanction, as reapply() reads it); returns how many ended and the outlets listed again,
    which the caller re-checks in the same transaction (catalog.lifecycle.end_timed_sanctions).

    - A suspension for a sanction: the outlet goes back to listed; the re-check suspends it for
      eligibility if it no longer qualifies.
    - A delisting: the outlet stays delisted and may now apply again; it is never listed again
      without a new application and review.
    - A sanction period that ran under a staff suspension: the staff suspension stays.

    Each end is a recorded transition; the end date is cleared, so a second run finds nothing."""
    now = timezone.now()
    due = Listing.objects.filter(sanction_ends_on__lte=today, state__in=[S.SUSPENDED, S.DELISTED])
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _lock_results(due.values_list("outlet_id", flat=True))
        ended = list(due.select_for_update().order_by("pk"))
        listed_again = []
        for listing in ended:
            if listing.state == S.SUSPENDED and listing.suspension_cause == SuspensionCause.SANCTION:
                _move(listing, "sanction_ended", S.LISTED, actor="system:sanctions", now=now,
                      reason=_("The sanction period ended."))
                listed_again.append(listing.outlet_id)
                continue
            listing.sanction_ends_on = None
            _note(listing, "sanction_ended", actor="system:sanctions", now=now, reason=(
                _("The delisting period ended: the outlet may apply again.") if listing.state == S.DELISTED
                else _("The sanction period ended; the staff suspension stays until staff lift it.")))
    return len(ended), listed_again
