from django.dispatch import Signal

# Sent after documents were accepted, rejected, added or had their file replaced, with
# ``document_ids`` (and optionally the re-check ``trigger``); the catalog re-checks the outlets they
# concern once the transaction commits.
documents_changed = Signal()
