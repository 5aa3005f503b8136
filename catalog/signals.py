from mediareg.jobs import send_on_commit

from . import pending
from .models import Trigger


def queue_recheck(outlet_ids, *, trigger: str, actor: str = "") -> None:
    """Re-check these outlets once the current transaction commits, so the worker reads what was saved.

    The one way a write asks for a re-check (document reviews, replaced files, registry changes);
    outside a transaction it queues at once. The request is first marked on the outlets in the
    write's own transaction (catalog.pending), so it outlives a broker that refuses the task: the
    failure is logged, the write stands, and the recheck-pending-outlets sweep does the re-check.
    """
    from .tasks import recheck_outlets_task

    outlet_ids = sorted(set(outlet_ids))
    if outlet_ids:
        pending.mark(outlet_ids, trigger=trigger, actor=actor)
        send_on_commit(recheck_outlets_task, outlet_ids, trigger, actor)


def recheck_after_document_change(sender, document_ids, trigger=Trigger.DOCUMENT_REVIEW, **kwargs):
    """Re-check the outlets concerned once the review is committed, so the worker reads the decision."""
    from partners.models import Document

    from .tasks import outlets_concerned

    queue_recheck(outlets_concerned(Document.objects.filter(pk__in=document_ids)), trigger=trigger)
