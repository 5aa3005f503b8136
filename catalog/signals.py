from django.db import transaction

from .models import Trigger


def queue_recheck(outlet_ids, *, trigger: str, actor: str = "") -> None:
    """Re-check these outlets once the current transaction commits, so the worker reads what was saved.

    The one way a write asks for a re-check (document reviews, replaced files, registry changes);
    outside a transaction it queues at once.
    """
    from .tasks import recheck_outlets_task

    outlet_ids = sorted(set(outlet_ids))
    if outlet_ids:
        transaction.on_commit(lambda: recheck_outlets_task.delay(outlet_ids, trigger, actor))


def recheck_after_document_change(sender, document_ids, trigger=Trigger.DOCUMENT_REVIEW, **kwargs):
    """Re-check the outlets concerned once the review is committed, so the worker reads the decision."""
    from partners.models import Document

    from .tasks import outlets_concerned

    queue_recheck(outlets_concerned(Document.objects.filter(pk__in=document_ids)), trigger=trigger)
