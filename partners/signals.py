from django.dispatch import Signal

# Sent after documents were accepted, rejected, added or had their file replaced, with
# ``document_ids`` (and optionally the re-check ``trigger``); the catalog re-checks the outlets they
# concern once the transaction commits.
documents_changed = Signal()

# Sent after a person changed facts the eligibility rules read (partners.services.staff_edit): a
# document added, replaced or removed, a Dewan Pers verification, an outlet's company, media type or
# domains, a company's NPWP, legal form or KBLI codes. With ``outlet_ids`` and ``company_ids`` (every
# outlet of those companies), the ``actor`` and ``at_once``: the person waits for the page, so the
# catalog re-checks in this process when the transaction commits rather than queueing a worker.
registry_changed = Signal()
