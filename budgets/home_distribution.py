"""Fair-distribution panels on the staff home (catalog.home_panels; registered in budgets/apps.py), for
staff of an agency, on the agency's budget of the current year (docs/domain.md "Fair-distribution quotas"):

- outlets nearing their quota: at or above budgets.selectors.QUOTA_NEAR_PERCENT of either limit of their
  media type's quota (the order that takes one over is refused, budgets.controls.quota);
- listed outlets that received nothing this year (budgets.selectors.fair_distribution, as the budget page
  and /transparency/ count them).

Fixed queries whatever the number of orders or outlets: one for the quotas, three for the distribution.
"""

from __future__ import annotations

import datetime

from django.db.models import F
from django.db.models.functions import Greatest

from partners.models import MediaType

from . import selectors
from .home import ROWS, admin_url
from .models import MediaOrder
from .services.access import agency_of


def staff_home_panels(user, today: datetime.date) -> list[dict]:
    agency = agency_of(user)
    if agency is None:
        return []
    panels = []
    if user.has_perm("budgets.view_mediaorder"):
        panels.append(quota_panel(agency, today))
    if user.has_perm("budgets.view_budget"):
        panels.append(without_orders_panel(user, agency, today))
    return panels


def quota_panel(agency, today: datetime.date) -> dict:
    orders = MediaOrder.objects.filter(budget__agency=agency, budget__year=today.year)
    rows = list(selectors.quota_near(selectors.quota_use(orders))
                .annotate(used=Greatest(F("orders_used"), F("share_used")))
                .order_by(F("used").desc(nulls_last=True), "outlet__name"))
    media_types = dict(MediaType.choices)
    for row in rows:
        row["media_type"] = media_types.get(row["outlet__media_type"], row["outlet__media_type"])
        row["url"] = admin_url("budgets_mediaorder_changelist", query={
            "outlet__id__exact": row["outlet_id"], "budget__year": today.year})
        row["over"] = (row["max_orders"] is not None and row["orders"] >= row["max_orders"]) or (
            row["share_used"] is not None and row["share_used"] >= 100)
    return {"id": "home-outlets-near-quota", "template": "admin/budgets/home_outlets_near_quota.html",
            "count": len(rows), "rows": rows[:ROWS], "year": today.year, "near": selectors.QUOTA_NEAR_PERCENT}


def without_orders_panel(user, agency, today: datetime.date) -> dict:
    fair = selectors.fair_distribution(agency, today.year, today=today, without_orders_rows=ROWS)
    may_open = user.has_perm("partners.view_mediaoutlet")
    rows = [{"name": outlet.name, "media_type": outlet.get_media_type_display(),
             "url": admin_url("partners_mediaoutlet_change", outlet.pk) if may_open else ""}
            for outlet in fair.listed_without_orders]
    return {"id": "home-outlets-without-orders", "template": "admin/budgets/home_outlets_without_orders.html",
            "count": fair.listed_without_orders_count, "listed": fair.listed_outlets, "rows": rows,
            "year": today.year}
