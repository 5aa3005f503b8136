"""The e-catalog part of the demo data (mediareg.demo, for seed_demo): results, listings and a review queue.

Idempotent: outlets that already have a listing are left alone, and the re-check writes nothing when
nothing changed.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from partners.models import MediaOutlet, ReviewStatus
from partners.selectors import outlet_documents

from . import lifecycle
from .eligibility import recheck_outlets
from .models import Application, Eligibility, Trigger


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
    return counts


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
