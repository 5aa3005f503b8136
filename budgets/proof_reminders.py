"""E-mail about proofs of publication (docs/domain.md "Proof deadlines"): the day before an order's proof is
due, and once it is overdue, the outlet (which must send it) and its agency's staff (who record it) hear
about it, each once per order and deadline.

Once only, even when the job runs twice at the same time or its task is delivered again:

1. Claim, set-based: one query finds the orders due tomorrow or today and those overdue since at most
   ``OVERDUE_DAYS`` days (older ones are on the staff home and in the exceptions report, not mailed again
   and again), and one INSERT ... ON CONFLICT DO NOTHING per thousand adds their ProofReminder rows. The
   unique (order, deadline, kind) key means a second run claims nothing new.
2. Queue, in one transaction: the unsent claims are locked (SELECT ... FOR UPDATE SKIP LOCKED, so a
   concurrent run skips them), each e-mail is stored in the outbox (mediareg.outbox.queue_mail, sent after
   commit) and its claim marked sent. The mail and the mark commit together, so a claim is never queued
   twice and never lost. The recipients of every order come from two queries, not one per order.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation

from mediareg.mail import unique_addresses
from mediareg.outbox import queue_mail

from .models import AgencyStaff, MediaOrder, ProofReminder
from .selectors import proof_unresolved

CLAIM_BATCH_SIZE = 1000
# Overdue proofs are mailed about when their deadline passed at most this many days ago.
OVERDUE_DAYS = 30


@dataclass
class ProofReminderSummary:
    due: int = 0
    overdue: int = 0
    without_address: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def due_reminders(today: datetime.date) -> list[tuple[int, datetime.date, str]]:
    """(order, deadline, kind) of every reminder due on ``today``; one query."""
    tomorrow = today + datetime.timedelta(days=1)
    oldest = today - datetime.timedelta(days=OVERDUE_DAYS)
    rows = (MediaOrder.objects.filter(proof_unresolved(), proof_due_on__gte=oldest, proof_due_on__lte=tomorrow)
            .values_list("pk", "proof_due_on"))
    return [(pk, due, ProofReminder.Kind.OVERDUE if due < today else ProofReminder.Kind.DUE) for pk, due in rows]


def send_proof_reminders(today: datetime.date | None = None) -> ProofReminderSummary:
    """Claim the reminders due on ``today`` and queue those not queued yet. Safe to run any number of times."""
    today = today or timezone.localdate()
    due = due_reminders(today)
    ProofReminder.objects.bulk_create([ProofReminder(order_id=pk, due_on=day, kind=kind) for pk, day, kind in due],
                                      batch_size=CLAIM_BATCH_SIZE, ignore_conflicts=True)
    summary = ProofReminderSummary()
    if not due:
        return summary
    with transaction.atomic():
        claims = list(ProofReminder.objects.select_for_update(skip_locked=True, of=("self",))
                      .filter(order_id__in=[pk for pk, _day, _kind in due], sent_at__isnull=True)
                      .filter(Q(kind=ProofReminder.Kind.DUE, due_on__gte=today)
                              | Q(kind=ProofReminder.Kind.OVERDUE, due_on__lt=today))
                      .select_related("order__outlet", "order__budget__agency", "order__price_item"))
        staff = _staff_emails({claim.order.budget.agency_id for claim in claims})
        now = timezone.now()
        for claim in claims:
            order = claim.order
            recipients = unique_addresses([order.outlet.email, *staff.get(order.budget.agency_id, [])])
            claim.recipients, claim.sent_at = ", ".join(recipients), now
            if not recipients:
                summary.without_address += 1
                continue
            queue_mail("emails/proof_reminder", reminder_context(claim, today), recipients,
                       language=settings.LANGUAGE_CODE, concerns=order)
            if claim.kind == ProofReminder.Kind.DUE:
                summary.due += 1
            else:
                summary.overdue += 1
        ProofReminder.objects.bulk_update(claims, ["recipients", "sent_at"])
    return summary


def _staff_emails(agency_ids: set[int]) -> dict[int, list[str]]:
    """The active staff of each agency with an e-mail address (one query)."""
    emails: dict[int, list[str]] = defaultdict(list)
    rows = (AgencyStaff.objects.filter(agency_id__in=agency_ids, user__is_active=True).exclude(user__email="")
            .order_by("agency_id", "user__username").values_list("agency_id", "user__email"))
    for agency_id, email in rows:
        emails[agency_id].append(email)
    return emails


def reminder_context(claim: ProofReminder, today: datetime.date) -> dict:
    order = claim.order

    def day(value, language):
        with translation.override(language):
            return formats.date_format(value, "j F Y")

    return {
        "order": order, "overdue": claim.kind == ProofReminder.Kind.OVERDUE,
        "days": abs((claim.due_on - today).days), "agency": order.budget.agency, "outlet": order.outlet,
        "product": order.price_item.name, "reference": order.ecatalog_reference or "-",
        "service_end_id": day(order.service_end, "id"), "service_end_en": day(order.service_end, "en"),
        "due_id": day(claim.due_on, "id"), "due_en": day(claim.due_on, "en"),
        "admin_url": settings.SITE_URL + reverse("admin:budgets_mediaorder_change", args=[order.pk]),
    }
