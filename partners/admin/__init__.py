"""The back office for the registry: one module per subject, shared parts in base, filters and search.

List pages run a fixed number of queries whatever the number of rows: per-row counts are correlated
subqueries (a join with GROUP BY would make the paginator's COUNT scan the join), foreign keys are
selected with the rows, and the unfiltered full count is switched off.
"""

# Importing the modules registers their pages.
from . import companies, documents, outlets  # noqa: F401
