"""Write operations on the registry that the admin, the public form, the API and jobs share.

Review decisions are set-based (one UPDATE for any number of documents); the audit triggers record
one event per changed row.

Every write of a fact the eligibility rules read asks the catalog for a re-check (partners.signals;
partners does not import the catalog). Inside ``staff_edit`` (a person's save in the back office)
the requests of the whole page are sent once, after its transaction, for a re-check at once;
elsewhere each is sent as it happens and the catalog queues it for a worker.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Document, MediaOutlet, OutletDomain, PressCompany, PressVerification, ReviewStatus
from .signals import documents_changed, registry_changed

# The fields of a company and of an outlet that eligibility rules read (catalog.facts).
COMPANY_FACT_FIELDS = frozenset({"npwp", "legal_form", "kbli_codes"})
OUTLET_FACT_FIELDS = frozenset({"company", "media_type"})


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


def document_reset_review(document: Document) -> None:
    """A replaced file has not been reviewed: back to pending (the caller saves)."""
    document.review_status = ReviewStatus.PENDING
    document.reviewed_by = None
    document.reviewed_at = None
    document.rejection_reason = ""


# --- staff edits of the registry ------------------------------------------------------------------


@dataclass
class _StaffEdit:
    actor: str
    outlet_ids: set[int] = field(default_factory=set)
    company_ids: set[int] = field(default_factory=set)


_staff_edit: ContextVar[_StaffEdit | None] = ContextVar("partners_staff_edit", default=None)


@contextlib.contextmanager
def staff_edit(user):
    """Around a person's save in the back office (a page with its inlines, a deletion). The re-checks
    the writes inside ask for are sent as one ``registry_changed`` with ``at_once`` when the block ends
    without an error (after the page's transaction), so the page the person sees next shows the fresh
    eligibility. Nothing is sent for a page that saved nothing or failed."""
    edit = _StaffEdit(actor=user.get_username())
    token = _staff_edit.set(edit)
    try:
        yield edit
    finally:
        _staff_edit.reset(token)
    if edit.outlet_ids or edit.company_ids:
        registry_changed.send(sender=MediaOutlet, outlet_ids=sorted(edit.outlet_ids),
                              company_ids=sorted(edit.company_ids), actor=edit.actor, at_once=True)


def _facts_changed(*, outlet_ids: Iterable[int | None] = (), company_ids: Iterable[int | None] = ()) -> None:
    outlet_ids = {pk for pk in outlet_ids if pk is not None}
    company_ids = {pk for pk in company_ids if pk is not None}
    edit = _staff_edit.get()
    if edit is not None:
        edit.outlet_ids |= outlet_ids
        edit.company_ids |= company_ids
    elif outlet_ids or company_ids:
        registry_changed.send(sender=MediaOutlet, outlet_ids=sorted(outlet_ids), company_ids=sorted(company_ids),
                              actor="", at_once=False)


def _owners(outlet_id: int | None, company_id: int | None) -> dict:
    """An outlet document concerns its outlet; a company document every outlet of the company."""
    return {"outlet_ids": [outlet_id]} if outlet_id else {"company_ids": [company_id]}


def document_save(document: Document) -> bool:
    """Save a document a person added or changed, on its own page or in the document inlines of its
    company's or outlet's page; returns whether its file was replaced.

    A replaced file has not been reviewed: the decision goes back to pending. The old file is never
    deleted: it stays in storage, the audit event of the replacement names it (its diff, file: old →
    new) and auditors download it from there (views.document_earlier_file)."""
    stored = (Document.objects.filter(pk=document.pk).values_list("file", "outlet_id", "company_id").first()
              if document.pk else None)
    replaced = stored is not None and document.file.name != stored[0]
    if replaced:
        document_reset_review(document)
    if document.outlet_id:
        document.company_id = document.outlet.company_id  # an outlet's documents are its company's too
    document.save()
    _facts_changed(**_owners(document.outlet_id, document.company_id))
    if stored is not None and (stored[1], stored[2]) != (document.outlet_id, document.company_id):
        _facts_changed(**_owners(stored[1], stored[2]))  # moved: its former owner lost it
    return replaced


def documents_delete(documents) -> None:
    """Remove documents from the registry. Their files stay in storage, each named by the audit event
    of its deletion, for auditors (views.document_earlier_file)."""
    owners = list(documents.values_list("outlet_id", "company_id"))
    documents.delete()
    _facts_changed(outlet_ids=[outlet for outlet, _company in owners if outlet],
                   company_ids=[company for outlet, company in owners if not outlet])


def verification_save(verification: PressVerification) -> None:
    """Save an outlet's Dewan Pers verification (its own page or the outlet page's inline)."""
    verification.save()
    _facts_changed(outlet_ids=[verification.outlet_id])


def outlet_saved(outlet: MediaOutlet, *, changed: Iterable[str]) -> None:
    """An outlet's own fields were saved; ``changed`` names them."""
    if OUTLET_FACT_FIELDS.intersection(changed):
        _facts_changed(outlet_ids=[outlet.pk])


def outlet_domains_saved(outlet: MediaOutlet) -> None:
    """An outlet's domains were added, changed or removed: one of them is primary."""
    domains = list(outlet.domains.all())
    if domains and not any(domain.is_primary for domain in domains):
        OutletDomain.objects.filter(pk=domains[0].pk).update(is_primary=True)
    _facts_changed(outlet_ids=[outlet.pk])


def company_saved(company: PressCompany, *, changed: Iterable[str]) -> None:
    """A company's own fields (and KBLI codes) were saved; ``changed`` names them. Its NPWP, legal
    form and KBLI codes count for every outlet of the company."""
    if COMPANY_FACT_FIELDS.intersection(changed):
        _facts_changed(company_ids=[company.pk])
