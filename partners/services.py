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
from .signals import documents_changed


def _announce(documents) -> None:
    documents_changed.send(sender=Document, document_ids=list(documents.values_list("pk", flat=True)))


@transaction.atomic
def documents_accept(documents, *, by) -> int:
    """Accept the given documents; returns how many changed (already accepted ones are left alone)."""
    pending = documents.exclude(review_status=ReviewStatus.ACCEPTED)
    ids = list(pending.values_list("pk", flat=True))
    changed = Document.objects.filter(pk__in=ids).update(
        review_status=ReviewStatus.ACCEPTED, reviewed_by=by, reviewed_at=timezone.now(), rejection_reason="",
        updated_at=timezone.now(),
    )
    _announce(Document.objects.filter(pk__in=ids))
    return changed


@transaction.atomic
def documents_reject(documents, *, by, reason: str) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for rejecting the document."), code="reason_required")
    # A second click (or a re-sent page) with the same reason changes nothing and records nothing.
    ids = list(documents.exclude(review_status=ReviewStatus.REJECTED, rejection_reason=reason)
               .values_list("pk", flat=True))
    changed = Document.objects.filter(pk__in=ids).update(
        review_status=ReviewStatus.REJECTED, reviewed_by=by, reviewed_at=timezone.now(), rejection_reason=reason,
        updated_at=timezone.now(),
    )
    _announce(Document.objects.filter(pk__in=ids))
    return changed


def document_saved(document: Document) -> None:
    """A document was added or its file replaced (admin, public form, renewal)."""
    documents_changed.send(sender=Document, document_ids=[document.pk])


def document_reset_review(document: Document) -> None:
    """A replaced file has not been reviewed: back to pending (the caller saves)."""
    document.review_status = ReviewStatus.PENDING
    document.reviewed_by = None
    document.reviewed_at = None
    document.rejection_reason = ""
