"""Documents: adding them (one on the admin's pages, several from the public form, the renewal page or
seed_demo), replacing a file, removing them, and the review decisions.

Review decisions are set-based (one UPDATE for any number of documents); the audit triggers record one
event per changed row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Document, MediaOutlet, Owner, ReviewStatus, owner_of_kind
from ..signals import documents_changed
from ..uploads import check_document_file
from .edits import facts_changed, owners, staff_edit_in_progress, validated, writing

# Rows per INSERT when documents are added in a batch (seed_demo adds several hundred).
INSERT_BATCH_SIZE = 200


def document_place(kind: str, *, outlet: MediaOutlet) -> dict:
    """Where a document an outlet sends belongs (the public form, the renewal page): an outlet document
    (models.KIND_OWNER) to the outlet, any other to its company."""
    return {"company_id": outlet.company_id, "outlet": outlet if owner_of_kind(kind) == Owner.OUTLET else None}


def documents_add(documents: Iterable[Document], *, actor: str = "") -> list[Document]:
    """Add new documents, each with its file (an upload or a file made in code), in one transaction.

    Each is checked as every interface checks it: its file by content and size (``upload.checked``,
    when a form has checked it already), its fields and dates by the model's rules; an outlet
    document's company is its outlet's. Files are stored under random names (models.document_upload_to)
    with the suffix of their real type; the name given, the type and the size are kept. Rows are
    inserted in batches, and the files of an insert that fails are removed again. The outlets concerned
    are re-checked."""
    documents = list(documents)
    for document in documents:
        _prepare(document)
    with writing(actor=actor):
        try:
            Document.objects.bulk_create(documents, batch_size=INSERT_BATCH_SIZE)
        except BaseException:
            discard_files(documents)
            raise
        for document in documents:
            facts_changed(**owners(document.outlet_id, document.company_id))
    return documents


def document_save(document: Document, *, actor: str = "") -> bool:
    """Save a document a person added or changed, on its own page or in the document rows of its
    company's or outlet's page; returns whether its file was replaced.

    A replaced file has not been reviewed: the decision goes back to pending. The old file is never
    deleted: it stays in storage, the audit event of the replacement names it (its diff, file: old →
    new) and auditors download it from there (views.document_earlier_file)."""
    if document._state.adding:
        documents_add([document], actor=actor)
        return False
    stored = Document.objects.filter(pk=document.pk).values_list("outlet_id", "company_id").first()
    replaced = _prepare(document)
    if replaced:
        document_reset_review(document)
    with writing(actor=actor):
        document.save()
        facts_changed(**owners(document.outlet_id, document.company_id))
        if stored is not None and stored != (document.outlet_id, document.company_id):
            facts_changed(**owners(*stored))  # moved: its former owner lost it
    return replaced


def _prepare(document: Document) -> bool:
    """Owner, file and fields checked and made consistent before writing; returns whether a new file
    comes with it."""
    if document.outlet_id and not document.company_id:
        document.company_id = document.outlet.company_id  # an outlet's documents are its company's too
    new_file = _take_file(document)  # then Document.clean refuses an outlet of another company
    validated(document)
    return new_file


def _take_file(document: Document) -> bool:
    """A file given now (not stored yet): checked by content unless a form has done so, renamed to a
    neutral name with its real type's suffix, and described (name given, type, size)."""
    given = document.file
    if not given or given._committed:
        return False
    upload = given.file
    checked = getattr(upload, "checked", None)
    if checked is None:
        try:
            checked = check_document_file(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc}) from exc
    given.name = f"document{checked.extension}"
    document.original_filename = checked.original_filename
    document.content_type = checked.content_type
    document.size = checked.size
    return True


def discard_files(documents: Iterable[Document]) -> None:
    """Remove the files these documents have written into storage, for rows a rollback takes back."""
    for document in documents:
        if document.file and getattr(document.file, "_committed", False):
            document.file.storage.delete(document.file.name)


def document_reset_review(document: Document) -> None:
    """A replaced file has not been reviewed: back to pending (the caller saves)."""
    document.review_status = ReviewStatus.PENDING
    document.reviewed_by = None
    document.reviewed_at = None
    document.rejection_reason = ""


def documents_delete(documents, *, actor: str = "") -> None:
    """Remove documents from the registry. Their files stay in storage, each named by the audit event
    of its deletion, for auditors (views.document_earlier_file)."""
    with writing(actor=actor):
        for outlet_id, company_id in documents.values_list("outlet_id", "company_id"):
            facts_changed(**owners(outlet_id, company_id))
        documents.delete()


# --- review decisions --------------------------------------------------------------------------------


def _announce(documents) -> None:
    # A decision taken on a back-office page (a list action, a button) is re-checked at once, in the
    # person's name, so the outlet page they open next shows its result, as after any other staff
    # save; the review queue of a worker would leave the old result (and "re-check pending") there.
    staff = staff_edit_in_progress()
    documents_changed.send(sender=Document, document_ids=list(documents.values_list("pk", flat=True)),
                           at_once=staff is not None, actor=staff.actor if staff else "")


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
