"""The staff-home panel of outlets that share an owner, a bank account, a phone or an address with an outlet
of another company (partners.selectors.connected_outlets; docs/domain.md "Owners and conflicts of interest"):
how many groups of each kind, and the groups that span the most companies, linked to the page that lists
them all. Registered in catalog/apps.py (catalog.home_panels); three queries whatever the register's size."""

from __future__ import annotations

import datetime

from django.urls import reverse

from partners import selectors

ROWS = 5


def staff_home_panels(user, today: datetime.date) -> list[dict]:
    if not user.has_perm("partners.view_mediaoutlet"):
        return []
    counts = selectors.connected_groups_count()
    return [{"id": "home-connected-outlets", "template": "admin/partners/home_connected_outlets.html",
             "count": sum(counts.values()),
             "counts": [(selectors.link_label(kind), counts[kind]) for kind in selectors.LinkKind.ALL
                        if counts.get(kind)],
             "rows": selectors.connected_outlets(limit=ROWS),
             "url": reverse("admin:partners_mediaoutlet_connected")}]
