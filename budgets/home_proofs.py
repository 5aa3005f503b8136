"""The staff home's panel of proofs of publication past their deadline (catalog.home_panels; registered in
budgets/apps.py; docs/domain.md "Proof deadlines").

"Orders waiting for proof" (budgets/home.py) counts every order whose service period has ended without
proof, from the day after; this panel counts those of them, and of the orders whose proof was rejected,
whose deadline has passed too: they are the ones that block new orders to their outlet and that a claim can
now make only with a reason and a second approval. Each row says the deadline and how many days have passed
since. One query, scoped to the user's agency as the order list is; the figure links to the list filtered to
exactly these orders.
"""

from __future__ import annotations

import datetime

from . import selectors
from .home import admin_url, first_rows_and_count
from .services.access import may_see_every_agency

# The order list's ProofDeadlineFilter (budgets/admin/filters.py).
PROOF_OVERDUE = {"proof_deadline": "overdue"}


def proof_panels(user, today: datetime.date) -> list[dict]:
    if not user.has_perm("budgets.view_mediaorder"):
        return []
    rows, count = first_rows_and_count(selectors.overdue_proofs(user, today), ["proof_due_on", "pk"])
    for order in rows:
        order.days_overdue = (today - order.proof_due_on).days
        order.url = admin_url("budgets_mediaorder_change", order.pk)
    return [{"id": "home-proofs-overdue", "template": "admin/budgets/home_proofs_overdue.html", "count": count,
             "rows": rows, "show_agency": may_see_every_agency(user),
             "url": admin_url("budgets_mediaorder_changelist", query=PROOF_OVERDUE)}]
