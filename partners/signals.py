from django.dispatch import Signal

# Sent after documents were accepted, rejected, added or had their file replaced, with
# ``document_ids`` (and optionally the re-check ``trigger``, and ``at_once`` with the ``actor`` when a
# person in the back office waits for the page); the catalog re-checks the outlets they concern once
# the transaction commits: in this process when ``at_once``, else by a worker.
documents_changed = Signal()

# Sent once per registry edit (partners.services.edits) that changed facts the eligibility rules read:
# a document added, replaced or removed, a Dewan Pers verification, an outlet added or its company,
# media type or domains changed, a company's NPWP, legal form or KBLI codes. With ``outlet_ids`` and
# ``company_ids`` (every outlet of those companies), the edit's ``actor``, its ``trigger`` (a catalog
# trigger, empty for staff) and ``at_once``: a person waits for the page, so the catalog re-checks in
# this process when the transaction commits; otherwise it queues a worker.
registry_changed = Signal()

# Sent by the Dewan Pers list import (partners.press_council_import) inside its transaction, once every
# row is applied, with ``report`` (a PressCouncilReport: the file, its SHA-256, the list date, every row
# as read with what became of it). The catalog keeps it as evidence; a receiver that fails rolls the
# whole import back, so registry changes never stand without their evidence.
press_council_list_applied = Signal()

# Sent by the same import once its transaction has committed, with the same ``report``. The catalog
# re-checks ``report.outlet_ids`` (the outlets the list touched or flagged) in this process and answers
# with what the import reports: ``checked`` and ``changed`` outlets, and the ``grace_days`` its Dewan Pers
# rule gives an outlet missing from a complete list.
press_council_list_imported = Signal()
