"""The e-catalog back office, one module per subject (shared parts in common and filters).

The outlet page of the registry gains the eligibility result with every rule's reason, the history of
results and the listing's standing; its list gains eligibility and listing columns and filters. Staff
act on listings only through catalog.lifecycle (the actions in listings), never by editing a listing in
a form, so every decision is a recorded transition with its actor and reason.

As in partners.admin, list pages run a fixed number of queries whatever the number of rows: the
result and the listing are selected with the rows (list_select_related), the failing rules are read
from the stored ``,code,code,`` string, and the unfiltered full count is switched off.
"""

# Importing the modules registers their pages (outlets after partners.admin, whose outlet page it replaces).
from . import applications, history, imports, jobs, listings, objections, outlets, policy  # noqa: F401
