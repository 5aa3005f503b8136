from django.db import transaction

from .models import Trigger


def recheck_after_document_change(sender, document_ids, trigger=Trigger.DOCUMENT_REVIEW, **kwargs):
    """Re-check the outlets concerned once the review is committed, so the worker reads the decision."""
    from partners.models import Document

    from .tasks import outlets_concerned, recheck_outlets_task

    outlet_ids = outlets_concerned(Document.objects.filter(pk__in=document_ids))
    if outlet_ids:
        transaction.on_commit(lambda: recheck_outlets_task.delay(outlet_ids, trigger))
