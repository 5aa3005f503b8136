from django.dispatch import Signal

# Sent after documents were accepted, rejected, added or had their file replaced, with
# ``document_ids``; the catalog re-checks the outlets they concern once the transaction commits.
documents_changed = Signal()
