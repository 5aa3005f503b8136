"""Pending re-checks: the mark a change leaves on each outlet it asks to re-check (PendingRecheck).

The mark is written in the change's own transaction, before the task is queued, so a re-check asked
for is never lost, even when the broker refuses the task or it vanishes: the recheck-pending-outlets
sweep re-checks outlets marked for longer than a few minutes, and any re-check of an outlet (the
task, staff's "re-check now", the nightly run) removes the marks it has served.

Served means read before the facts: recheck_outlets reads a batch's marks, then loads the facts in a
later statement. Each mark was committed together with the change it stands for, so every change
behind a mark read is visible to the re-check. A mark written after that read carries a new token
and stays for the next re-check.
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from .models import PendingRecheck

UPSERT_BATCH_SIZE = 1000
# The task queued on commit normally runs within seconds; the sweep takes only marks older than this.
SWEEP_AFTER = datetime.timedelta(minutes=2)
# Outlets the sweep re-checks per run at most (about a second of re-checking per thousand).
SWEEP_LIMIT = 5000


def mark(outlet_ids: list[int], *, trigger: str, actor: str = "") -> None:
    """Mark these outlets as waiting for a re-check; one statement per thousand outlets.

    An outlet already marked keeps its ``since`` (the first request not yet served) and gets the new
    request's token, trigger and actor.
    """
    now = timezone.now()
    PendingRecheck.objects.bulk_create(
        [PendingRecheck(outlet_id=pk, since=now, requested_at=now, trigger=trigger, actor=actor, token=uuid.uuid4())
         for pk in sorted(set(outlet_ids))],
        batch_size=UPSERT_BATCH_SIZE, update_conflicts=True, unique_fields=["outlet"],
        update_fields=["requested_at", "trigger", "actor", "token"])


def read_marks(outlet_ids: list[int]) -> list[tuple[int, uuid.UUID]]:
    """The marks of these outlets as they stand now: (outlet id, token)."""
    return list(PendingRecheck.objects.filter(outlet_id__in=outlet_ids).values_list("outlet_id", "token"))


def clear_served(marks: list[tuple[int, uuid.UUID]]) -> None:
    """Remove the marks a re-check has served; a mark renewed since (another token) stays."""
    if marks:
        PendingRecheck.objects.filter(outlet_id__in=[pk for pk, _token in marks],
                                      token__in=[token for _pk, token in marks]).delete()


def overdue(now: datetime.datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[tuple[str, str], list[int]]:
    """Outlets marked for longer than SWEEP_AFTER, oldest first, grouped by (trigger, actor)."""
    now = now or timezone.now()
    rows = (PendingRecheck.objects.filter(since__lte=now - SWEEP_AFTER).order_by("since", "outlet_id")
            .values_list("outlet_id", "trigger", "actor")[:limit])
    groups: dict[tuple[str, str], list[int]] = {}
    for outlet_id, trigger, actor in rows:
        groups.setdefault((trigger, actor), []).append(outlet_id)
    return groups
