"""Re-checking eligibility and answering "was outlet X eligible on date D, and why".

recheck_outlets() is the one write path, used by the admin's "re-check now", the jobs and the
imports. Per batch it locks the outlets' result rows (so two re-checks of one outlet serialise),
loads the facts, evaluates the rules in Python, and writes only what changed: the result, one
history row per change, and the listing transitions that follow from it (catalog.transitions'
follow_eligibility, in the batch's transaction). The number of queries grows with the number of
batches, not of outlets. It also removes the pending re-check marks it has served (catalog.pending).

Evaluating is all this module does with listings: staff decisions and their re-checks are composed
in catalog.lifecycle, which calls this module and never the other way round.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from mediareg.audit import audit_context

from . import pending
from .facts import load_facts
from .models import Eligibility, EligibilityChange, EligibilityPolicy, ListingTransition, Trigger
from .rules import Outcome, evaluate
from .transitions import follow_eligibility

BATCH_SIZE = 1000


@dataclass(frozen=True)
class RecheckSummary:
    checked: int = 0
    changed: int = 0
    suspended: int = 0
    reinstated: int = 0

    def __add__(self, other: RecheckSummary) -> RecheckSummary:
        return RecheckSummary(*(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True)))


def failing_codes_of(outcomes: list[Outcome]) -> str:
    failing = [o.code for o in outcomes if not o.passed]
    return f",{','.join(failing)}," if failing else ""


def recheck_outlets(outlet_ids, *, trigger: str, actor: str = "", today: datetime.date | None = None,
                    batch_size: int = BATCH_SIZE, policy: EligibilityPolicy | None = None) -> RecheckSummary:
    """Re-evaluate the given outlets in batches; idempotent (a second run with the same facts writes nothing)."""
    ids = sorted(set(outlet_ids))
    policy = policy or EligibilityPolicy.load()
    summary = RecheckSummary()
    actor = actor or f"system:{trigger}"
    with audit_context(actor=actor):
        for start in range(0, len(ids), batch_size):
            batch = ids[start:start + batch_size]
            # Read before the batch loads its facts, so that every change behind these marks is seen.
            served = pending.read_marks(batch)
            summary += _recheck_batch(batch, trigger=trigger, actor=actor, today=today or timezone.localdate(),
                                      policy=policy)
            pending.clear_served(served)
    return summary


@transaction.atomic
def _recheck_batch(ids: list[int], *, trigger, actor, today, policy) -> RecheckSummary:
    now = timezone.now()
    stored = _lock_results(ids, now)
    facts = load_facts(ids, policy)

    changed_rows, history = [], []
    results: dict[int, tuple[bool, list[Outcome]]] = {}
    for outlet_id, outlet_facts in facts.items():
        outcomes = evaluate(outlet_facts, policy, today)
        eligible = all(o.passed for o in outcomes)
        codes = failing_codes_of(outcomes)
        results[outlet_id] = (eligible, outcomes)
        rendered = [o.as_json() for o in outcomes]  # cheap: reasons are rendered once per process
        before = stored.get(outlet_id)
        result_changed = before is None or before[:2] != (eligible, codes)
        if result_changed or before[2] != rendered:
            # A new reason with the same result (a renewed certificate's date) refreshes what staff see;
            # only a changed result is history.
            changed_rows.append(Eligibility(outlet_id=outlet_id, is_eligible=eligible, failing_codes=codes,
                                            outcomes=rendered, evaluated_at=now,
                                            changed_at=now if result_changed else before[3]))
        if result_changed:
            history.append(EligibilityChange(outlet_id=outlet_id, created_at=now, trigger=trigger, actor=actor,
                                             is_eligible=eligible, failing_codes=codes, outcomes=rendered))
    if changed_rows:
        # INSERT ... ON CONFLICT DO UPDATE: one statement for the batch (bulk_update's CASE per row is
        # several times slower at thousands of rows, docs/architecture.md "Performance").
        Eligibility.objects.bulk_create(
            changed_rows, update_conflicts=True, unique_fields=["outlet"],
            update_fields=["is_eligible", "failing_codes", "outcomes", "changed_at", "evaluated_at"])
    if history:
        EligibilityChange.objects.bulk_create(history)
    suspended, reinstated = follow_eligibility(results, actor=actor, now=now)
    return RecheckSummary(checked=len(facts), changed=len(history), suspended=suspended,
                          reinstated=reinstated)


def _lock_results(ids: list[int], now) -> dict[int, tuple | None]:
    """Lock the outlets' result rows (two re-checks of one outlet wait for each other) and return
    their stored (eligible, failing codes, outcomes, changed at); None for outlets never evaluated."""
    locked = Eligibility.objects.select_for_update().order_by("pk")
    columns = ("pk", "is_eligible", "failing_codes", "outcomes", "changed_at")
    stored = {row[0]: row[1:] for row in locked.filter(pk__in=ids).values_list(*columns)}
    missing = [pk for pk in ids if pk not in stored]
    if missing:
        # Placeholder rows (no outcomes: a state no evaluation produces) so that new outlets can be
        # locked too; a concurrent re-check that created the row first wins the insert.
        Eligibility.objects.bulk_create([Eligibility(outlet_id=pk, changed_at=now, evaluated_at=now)
                                         for pk in missing], ignore_conflicts=True)
        for row in locked.filter(pk__in=missing).values_list(*columns):
            stored[row[0]] = row[1:] if row[3] else None
    return stored


def recheck_outlet(outlet, *, trigger: str = Trigger.STAFF, actor: str = "") -> Eligibility:
    recheck_outlets([outlet.pk], trigger=trigger, actor=actor)
    return Eligibility.objects.get(pk=outlet.pk)


@dataclass(frozen=True)
class PastEligibility:
    eligible: bool
    since: datetime.datetime | None
    outcomes: list[dict]
    trigger: str = ""

    @property
    def failing(self) -> list[dict]:
        return [o for o in self.outcomes if not o["passed"]]


def end_of(when: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date means the end of that day in Asia/Jakarta; a moment stays itself."""
    if isinstance(when, datetime.datetime):
        return when
    return timezone.make_aware(datetime.datetime.combine(when, datetime.time.max))


def listing_state_on(outlet_id: int, when: datetime.date | datetime.datetime) -> str:
    """The outlet's listing state at ``when`` (a date: the end of that day), from its listing's transitions;
    "" when it had no listing yet."""
    state = (ListingTransition.objects.filter(listing__outlet_id=outlet_id, created_at__lte=end_of(when))
             .order_by("-created_at", "-pk").values_list("to_state", flat=True).first())
    return state or ""


def eligibility_on(outlet_id: int, when: datetime.date | datetime.datetime) -> PastEligibility:
    """The outlet's result as it stood at ``when`` (a date means the end of that day in Asia/Jakarta).

    Answered from the history of changes: the latest change at or before that moment. An outlet
    that had not been evaluated by then was not eligible.
    """
    when = end_of(when)
    change = (EligibilityChange.objects.filter(outlet_id=outlet_id, created_at__lte=when)
              .order_by("-created_at", "-pk").first())
    if change is None:
        return PastEligibility(eligible=False, since=None, outcomes=[])
    return PastEligibility(eligible=change.is_eligible, since=change.created_at, outcomes=change.outcomes,
                           trigger=change.trigger)
