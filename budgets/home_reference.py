"""The staff home's panel of prices and orders above the reference prices (docs/domain.md "Tiers and reference
prices"; registered in budgets/apps.py): this year's orders placed above their agency's reference price with a
recorded negotiation, the latest first, and the prices approved above an upper bound with a reason. Each figure
links to the list filtered to exactly its rows. Two queries whatever the number of orders: the orders with
their count (a window count), and the count of prices."""

from __future__ import annotations

import datetime

from . import selectors
from .home import admin_url, first_rows_and_count
from .reference_prices import orders_above_reference, prices_above_bound
from .services.access import may_see_every_agency

# The lists' own filters (budgets/admin/filters.py): ReferenceFilter and BoundFilter.
ABOVE_REFERENCE = {"reference": "above"}
ABOVE_BOUND = {"bound": "above"}


def staff_home_panels(user, today: datetime.date) -> list[dict]:
    if not user.has_perm("budgets.view_mediaorder"):
        return []
    year = today.year
    orders = orders_above_reference(selectors.visible_orders(user)).filter(budget__year=year)
    rows, count = first_rows_and_count(orders, ["-order_date", "-pk"])
    for order in rows:
        order.url = admin_url("budgets_mediaorder_change", order.pk)
    panel = {"id": "home-above-reference", "template": "admin/budgets/home_above_reference.html", "year": year,
             "count": count, "rows": rows, "show_agency": may_see_every_agency(user),
             "url": admin_url("budgets_mediaorder_changelist", query={**ABOVE_REFERENCE, "budget__year": year}),
             "prices": None}
    if user.has_perm("budgets.view_priceitem"):  # the price list is every agency's
        panel["prices"] = prices_above_bound().filter(valid_from__year=year).count()
        panel["prices_url"] = admin_url("budgets_priceitem_changelist", query={**ABOVE_BOUND, "year": year})
    return [panel]
