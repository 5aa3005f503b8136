"""Write operations on the registry that the admin, the public form, the API and jobs share.

Review decisions are set-based (one UPDATE for any number of documents); the audit triggers record
one event per changed row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Document, ReviewStatus


@transaction.atomic
def documents_accept(documents, *, by) -> int:
    """Accept the given documents; returns how many changed (already accepted ones are left alone)."""
    return documents.exclude(review_status=ReviewStatus.ACCEPTED).update(
        review_status=ReviewStatus.ACCEPTED, reviewed_by=by, reviewed_at=timezone.now(), rejection_reason="",
        updated_at=timezone.now(),
    )


@transaction.atomic
def documents_reject(documents, *, by, reason: str) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for rejecting the document."), code="reason_required")
    return documents.update(
        review_status=ReviewStatus.REJECTED, reviewed_by=by, reviewed_at=timezone.now(), rejection_reason=reason,
        updated_at=timezone.now(),
    )


def document_reset_review(document: Document) -> None:
    """A replaced file has not been reviewed: back to pending (the caller saves)."""
    document.review_status = ReviewStatus.PENDING
    document.reviewed_by = None
    document.reviewed_at = None
    document.rejection_reason = ""
