import logging

from django.db import transaction

from mediareg.jobs import send_on_commit
from partners.models import Document, MediaOutlet

from . import pending
from .eligibility import recheck_outlets
from .models import Trigger
from .tasks import outlets_concerned, recheck_outlets_task

logger = logging.getLogger(__name__)

# A person waits for an at-once re-check; a company with more outlets than this goes to a worker.
AT_ONCE_LIMIT = 200


def queue_recheck(outlet_ids, *, trigger: str, actor: str = "") -> None:
    """Re-check these outlets once the current transaction commits, so the worker reads what was saved.

    The one way a write asks for a re-check (document reviews, replaced files, registry changes);
    outside a transaction it queues at once. The request is first marked on the outlets in the
    write's own transaction (catalog.pending), so it outlives a broker that refuses the task: the
    failure is logged, the write stands, and the recheck-pending-outlets sweep does the re-check.
    """
    outlet_ids = sorted(set(outlet_ids))
    if outlet_ids:
        pending.mark(outlet_ids, trigger=trigger, actor=actor)
        send_on_commit(recheck_outlets_task, outlet_ids, trigger, actor)


def recheck_on_commit(outlet_ids, *, trigger: str, actor: str = "") -> None:
    """Re-check these outlets in this process as soon as the current transaction commits (at once
    outside one), for a person who waits: the page they see next shows the fresh result.

    The saved change stands whatever happens here: when the re-check fails (a lock or statement
    timeout, a lost connection, a rule that breaks on unexpected data) it is logged and queued for a
    worker instead, as is a re-check of more than AT_ONCE_LIMIT outlets.
    """
    outlet_ids = sorted(set(outlet_ids))
    if len(outlet_ids) > AT_ONCE_LIMIT:
        queue_recheck(outlet_ids, trigger=trigger, actor=actor)
    elif outlet_ids:
        # Marked in the write's transaction like a queued re-check: should this process die between the
        # commit and the re-check, the sweep still does it (the re-check clears the marks it reads).
        pending.mark(outlet_ids, trigger=trigger, actor=actor)
        transaction.on_commit(lambda: _recheck_or_queue(outlet_ids, trigger=trigger, actor=actor))


def _recheck_or_queue(outlet_ids: list[int], *, trigger: str, actor: str) -> None:
    try:
        recheck_outlets(outlet_ids, trigger=trigger, actor=actor)
    except Exception:  # any failure: the worker gets a second chance, the person gets their page
        logger.exception("re-check of outlets %s after a staff edit failed; queued for a worker", outlet_ids)
        send_on_commit(recheck_outlets_task, outlet_ids, trigger, actor)  # still marked: the sweep backs it up


def recheck_after_document_change(sender, document_ids, trigger=Trigger.DOCUMENT_REVIEW, at_once=False, actor="",
                                  **kwargs):
    """Re-check the outlets concerned once the review is committed: at once, in the person's name, for a
    decision on a back-office page (the page they see next shows the result); otherwise by a worker,
    which then reads the decision."""
    outlet_ids = outlets_concerned(Document.objects.filter(pk__in=document_ids))
    if at_once:
        recheck_on_commit(outlet_ids, trigger=trigger, actor=actor)
    else:
        queue_recheck(outlet_ids, trigger=trigger)


def recheck_after_registry_change(sender, outlet_ids=(), company_ids=(), actor="", at_once=False, trigger="",
                                  **kwargs):
    """Re-check the outlets whose facts changed, and every outlet of the companies whose facts changed:
    at once, in the person's name, for a person's edit in the back office; otherwise by a worker under
    the edit's trigger (its history names it, e.g. system:application)."""
    ids = set(outlet_ids)
    if company_ids:
        ids.update(MediaOutlet.objects.filter(company_id__in=list(company_ids)).values_list("pk", flat=True))
    if at_once:
        recheck_on_commit(ids, trigger=trigger or Trigger.STAFF, actor=actor)
    else:
        queue_recheck(ids, trigger=trigger or Trigger.STAFF)
