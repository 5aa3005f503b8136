"""The budgets' panels on the staff home (catalog.home_panels; registered in budgets/apps.py): media
orders held by an integrity control for a second approval, orders waiting for proof of publication and proof
waiting for review, each figure linked to the media
order list filtered to exactly its rows, with the longest-waiting orders below.

Only for staff who may see media orders, and scoped to the user's agency as the order list is
(budgets.selectors.visible_orders). One query a panel: the count rides on the first rows (a window
count over the filtered orders), whatever the number of orders.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, OuterRef, Subquery, Window
from django.urls import NoReverseMatch, reverse

from . import selectors
from .models import FlagRule, OrderFlag, OrderStatus, ProofStatus
from .services.access import may_see_every_agency

ROWS = 5

# The order list's filter parameters: the list's own WaitingForProofFilter (budgets/admin/filters.py)
# for orders waiting for proof, plain field lookups for proof waiting for review.
WAITING_FOR_PROOF = {"waiting": "proof"}
PROOF_WAITING_FOR_REVIEW = {"status__exact": OrderStatus.PUBLISHED, "proof_status__exact": ProofStatus.PENDING}
WAITING_FOR_SECOND_APPROVAL = {"waiting": "approval"}


def admin_url(name: str, *args, query: dict | None = None) -> str:
    """The admin page ``name``, or "" when the site has no such page (the template then shows the figure
    without a link, as for a page the user may not open)."""
    try:
        url = reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def first_rows_and_count(orders, ordering: list[str]) -> tuple[list, int]:
    """The first ROWS orders and the number of all of them, in one query."""
    rows = list(orders.select_related("outlet", "budget__agency").annotate(total=Window(Count("pk")))
                .order_by(*ordering)[:ROWS])
    return rows, (rows[0].total if rows else 0)


def staff_home_panels(user, today: datetime.date) -> list[dict]:
    if not user.has_perm("budgets.view_mediaorder"):
        return []
    show_agency = may_see_every_agency(user)
    waiting, waiting_n = first_rows_and_count(selectors.orders_waiting_for_proof(user, today),
                                              ["service_end", "pk"])
    for order in waiting:
        order.days_waiting = (today - order.service_end).days
        order.url = admin_url("budgets_mediaorder_change", order.pk)
    review, review_n = first_rows_and_count(selectors.proofs_waiting_for_review(user),
                                            ["proof_submitted_at", "pk"])
    for order in review:
        order.url = admin_url("budgets_mediaorder_change", order.pk)
    held, held_n = first_rows_and_count(
        selectors.orders_waiting_for_second_approval(user).annotate(waiting_rules=Subquery(
            OrderFlag.objects.filter(order=OuterRef("pk"), approved_at__isnull=True).order_by()
            .values("order").annotate(rules=StringAgg("rule", ",", order_by="rule")).values("rules"))),
        ["order_date", "pk"])
    rule_names = dict(FlagRule.choices)
    for order in held:
        order.url = admin_url("budgets_mediaorder_change", order.pk)
        order.rules = [rule_names.get(code, code) for code in (order.waiting_rules or "").split(",") if code]
    return [
        {"id": "home-orders-waiting-proof", "template": "admin/budgets/home_orders_waiting_proof.html",
         "count": waiting_n, "rows": waiting, "show_agency": show_agency,
         "url": admin_url("budgets_mediaorder_changelist", query=WAITING_FOR_PROOF)},
        {"id": "home-proofs-waiting-review", "template": "admin/budgets/home_proofs_waiting_review.html",
         "count": review_n, "rows": review, "show_agency": show_agency,
         "url": admin_url("budgets_mediaorder_changelist", query=PROOF_WAITING_FOR_REVIEW)},
        {"id": "home-orders-second-approval", "template": "admin/budgets/home_orders_second_approval.html",
         "count": held_n, "rows": held, "show_agency": show_agency,
         "url": admin_url("budgets_mediaorder_changelist", query=WAITING_FOR_SECOND_APPROVAL)},
    ]
