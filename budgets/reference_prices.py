"""Reads of the reference prices (budgets.models.ReferencePrice; docs/domain.md "Tiers and reference prices"):
which reference and which upper bound apply to a product of an outlet's tier, for an agency and a year.

Each is one query. An agency with no reference price for the year, kind and tier has none: nothing is checked
against it, so an agency that has not set its Standar Harga Satuan works as before.
"""

from __future__ import annotations

from django.db.models import F, QuerySet

from .models import MediaOrder, OrderStatus, PriceItem, PriceStatus, ReferencePrice


def reference_prices(year: int, kind: str, tier: str | None) -> QuerySet[ReferencePrice]:
    if not tier:
        return ReferencePrice.objects.none()
    return ReferencePrice.objects.select_related("budget__agency").filter(budget__year=year, kind=kind, tier=tier)


def reference_price_for(agency_id: int, year: int, kind: str, tier: str | None) -> ReferencePrice | None:
    """The agency's reference price for ``kind`` and ``tier`` in fiscal year ``year``, or None."""
    return reference_prices(year, kind, tier).filter(budget__agency_id=agency_id).first()


def upper_bound_for(agency_id: int | None, year: int, kind: str, tier: str | None) -> ReferencePrice | None:
    """The reference price whose upper bound a price approval is checked against: the approver's agency's; for
    someone of no agency (a superuser, central staff), the one with the lowest upper bound of any agency that
    year, since the price list is shared and every agency may order from it. None when none is set."""
    prices = reference_prices(year, kind, tier)
    if agency_id is not None:
        return prices.filter(budget__agency_id=agency_id).first()
    return prices.order_by("upper_bound", "budget__agency__name", "pk").first()


# --- what staff and auditors look at ------------------------------------------------------------------------


def orders_above_reference(orders: QuerySet[MediaOrder]) -> QuerySet[MediaOrder]:
    """Of ``orders``, those whose approved price was above the reference price kept on them (placed with a
    recorded negotiation), cancelled ones left out."""
    return (orders.filter(reference_price__isnull=False, unit_price__gt=F("reference_price"))
            .exclude(status=OrderStatus.CANCELLED))


def prices_above_bound(prices: QuerySet[PriceItem] | None = None) -> QuerySet[PriceItem]:
    """Approved prices above the upper bound they were checked against (approved with a reason)."""
    prices = PriceItem.objects.all() if prices is None else prices
    return prices.filter(status=PriceStatus.APPROVED, approval_bound__isnull=False,
                         unit_price__gt=F("approval_bound"))
