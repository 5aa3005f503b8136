"""The e-catalog part of the demo data (mediareg.demo, for seed_demo): results, listings and a review queue.

Idempotent: outlets that already have a listing are left alone, and the re-check writes nothing when
nothing changed.
"""

from __future__ import annotations

import datetime
import secrets

from django.db.models import F
from django.utils import timezone

from partners.models import MediaOutlet, ReviewStatus
from partners.selectors import outlet_documents

from . import applications, lifecycle, objections
from .eligibility import recheck_outlets
from .models import (
    Application,
    Eligibility,
    EligibilityChange,
    Listing,
    ListingState,
    ListingTransition,
    Objection,
    Trigger,
)


def seed_catalog_demo(*, actor: str) -> dict[str, int]:
    """Re-check every outlet, list the eligible ones that have no listing yet, and put some of the others
    in the review queue; returns the new listings by state."""
    outlet_ids = list(MediaOutlet.objects.order_by("pk").values_list("pk", flat=True))
    recheck_outlets(outlet_ids, trigger=Trigger.SCHEDULE, actor=actor)
    eligible = set(Eligibility.objects.filter(is_eligible=True).values_list("pk", flat=True))
    counts = {"listed": 0, "applied": 0, "under review": 0}
    for outlet in MediaOutlet.objects.filter(listing__isnull=True).order_by("pk"):
        # Decided by the outlet's id, not its position, so that a second run makes the same choices.
        if outlet.pk in eligible:
            lifecycle.approve(lifecycle.ensure_listing(outlet, actor=actor), user=None)
            counts["listed"] += 1
        elif outlet.pk % 3 == 0:
            _application(outlet, actor=actor, review=False)
            counts["applied"] += 1
        elif outlet.pk % 3 == 1:
            _application(outlet, actor=actor, review=True)
            counts["under review"] += 1
    counts["objections"] = seed_objections_demo(actor=actor)
    return counts


# The objections of the demo (docs/domain.md "Objection window"): three applications of the review queue
# rejected, each objected to: one waiting for staff (the staff home), one dismissed with its reason (the
# status page), and one still undecided after its period (the exceptions report), whose dates are moved
# back by the demo, as its listing history is (record_demo_history), and say so in its statement.
DEMO_OBJECTIONS = 3
DEMO_LATE_DAYS = 10
DEMO_REJECTION = "Akta pendirian yang dikirim tidak terbaca; kirim salinan yang jelas."
DEMO_STATEMENT = "Salinan akta yang jelas kami lampirkan; mohon lamaran ditinjau kembali."
DEMO_LATE_STATEMENT = (f"{DEMO_STATEMENT} (Riwayat demo: tanggal keberatan ini dimundurkan {DEMO_LATE_DAYS} hari "
                       "oleh seed_demo agar muncul di laporan pengecualian.)")


def seed_objections_demo(*, actor: str) -> int:
    """Reject three demo applications under review and object to each (see DEMO_OBJECTIONS); returns how
    many objections were filed now. Idempotent: nothing when the demo's objections are there."""
    if Objection.objects.filter(application__submission_key__startswith="demo-").exists():
        return 0
    queue = list(Application.objects.filter(submission_key__startswith="demo-", status=Application.Status.UNDER_REVIEW)
                 .select_related("outlet", "company").order_by("pk"))
    if len(queue) <= DEMO_OBJECTIONS:  # keep some of the queue under review
        return 0
    filed = []
    for application in queue[:DEMO_OBJECTIONS]:
        applications.reject_application(application, user=None, reason=DEMO_REJECTION)
        application.refresh_from_db()
        late = len(filed) == DEMO_OBJECTIONS - 1
        filed.append(objections.file_objection(objections.application_decision(application), actor=actor,
                                               statement=DEMO_LATE_STATEMENT if late else DEMO_STATEMENT))
    waiting, dismissed, late = filed
    objections.decide_objection(dismissed, user=None, uphold=False,
                                reason="Salinan akta masih tidak memuat pengesahan Kemenkumham.")
    back = datetime.timedelta(days=DEMO_LATE_DAYS)
    Application.objects.filter(pk=late.application_id).update(decided_at=F("decided_at") - back)
    Objection.objects.filter(pk=late.pk).update(decision_at=F("decision_at") - back, filed_at=F("filed_at") - back,
                                                opens_on=F("opens_on") - back, deadline=F("deadline") - back)
    return len(filed)


def _application(outlet: MediaOutlet, *, actor: str, review: bool) -> None:
    """An application in the review queue, carrying the outlet's documents that wait for review."""
    listing = lifecycle.ensure_listing(outlet, actor=actor)
    application, created = Application.objects.get_or_create(
        submission_key=f"demo-{outlet.pk}",
        defaults={"code": secrets.token_urlsafe(12), "company_id": outlet.company_id, "outlet": outlet,
                  "applicant_email": outlet.email or "redaksi@example.com",
                  "submitted_at": timezone.now() - timezone.timedelta(days=3 + outlet.pk % 20)},
    )
    if created:
        pending = outlet_documents(outlet.pk, outlet.company_id).filter(review_status=ReviewStatus.PENDING)
        application.documents.set(pending)
    if review and application.status == Application.Status.SUBMITTED:
        lifecycle.start_review(listing, user=None)
        application.status = Application.Status.UNDER_REVIEW
        application.save(update_fields=["status"])


# Demo history (docs/domain.md "Budgets and orders", "The demo"): the orders of the budgets demo go back
# to 2019, but the catalog demo lists its outlets on the day it runs, and an order is refused for a day
# on which its outlet was not listed and eligible (catalog.eligibility.listing_state_on, eligibility_on).
# So the demo's own listings get one more row each in their listing and eligibility history, dated at
# the start of the demo's order years and signed by the demo. It is labelled as demo history, never
# presented as a re-check of that day's documents, and nothing outside the demo writes such rows.
DEMO_HISTORY_REASON = {
    "id": "Riwayat demo: dicatat oleh seed_demo agar pesanan demo sejak 2019 dapat dibuat; "
          "bukan hasil pemeriksaan dokumen pada hari itu.",
    "en": "Demo history: recorded by seed_demo so that the demo's orders since 2019 can be placed; "
          "not a check of that day's documents.",
}


def record_demo_history(*, since: datetime.datetime, actor: str) -> list[int]:
    """Give the demo's listed outlets (listings the demo itself opened, by ``actor``) a listing and an
    eligible result dated ``since``; returns the ids of every outlet with that history, written now or
    by an earlier run (whatever its listing's state today), in order.

    Idempotent: a listing with any transition at or before ``since`` is left as it is."""
    missing = list(Listing.objects.filter(state=ListingState.LISTED, transitions__action="apply",
                                          transitions__actor_label=actor)
                   .exclude(transitions__created_at__lte=since).order_by("pk").values_list("pk", "outlet_id"))
    outcomes = [{"code": "demo_history", "passed": True, "reason": DEMO_HISTORY_REASON}]
    ListingTransition.objects.bulk_create(
        ListingTransition(listing_id=listing_id, created_at=since, action="approve", from_state="",
                          to_state=ListingState.LISTED, actor_label=actor, reason=DEMO_HISTORY_REASON["id"])
        for listing_id, _outlet_id in missing)
    EligibilityChange.objects.bulk_create(
        EligibilityChange(outlet_id=outlet_id, created_at=since, trigger=Trigger.IMPORT, actor=actor,
                          is_eligible=True, failing_codes="", outcomes=outcomes)
        for _listing_id, outlet_id in missing)
    return list(ListingTransition.objects.filter(created_at=since, actor_label=actor, action="approve")
                .order_by("listing__outlet_id").values_list("listing__outlet_id", flat=True).distinct())
