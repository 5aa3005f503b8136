"""Price comparison across agencies (docs/domain.md "Price comparison across agencies"): what the same outlet
charged OTHER agencies for the same product in the same year.

The same product is the same outlet and the same kind of product (budgets.models.ProductKind); the
description is not compared. A new price of a product is a new price-list item, an outlet's descriptions are
retyped from one item to the next ("Advertorial 600 kata" then "Advertorial 600 kata + 2 foto"), and the
Jepara finding (one body paying Rp 4,995 juta an item where another paid Rp 2 juta to the same outlet) is
exactly a case the description would hide. Two genuinely different products of one kind at one outlet give a
false flag, which costs a second approver one reason; a missed comparison costs an audit finding.

The price compared is the effective unit price: the order's amount ÷ its quantity in whole rupiah (rounded
down), so a negotiated amount counts as what was paid. Orders that are cancelled do not count; the year is
the budget's fiscal year.

Every read here is one query whatever the number of orders: correlated subqueries per order row
(``with_comparison``), never a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from .models import MediaOrder, OrderStatus

# amount ÷ quantity: bigint ÷ integer is an integer division in PostgreSQL (rounded down).
EFFECTIVE_UNIT_PRICE = ExpressionWrapper(F("amount") / F("quantity"), output_field=BigIntegerField())
AGENCY_NAME = Coalesce(NullIf(F("budget__agency__short_name"), Value("")), F("budget__agency__name"),
                       output_field=TextField())


class CountDistinct(Func):
    """COUNT(DISTINCT x) as a plain function, so that a subquery counts its rows without a GROUP BY."""

    template = "COUNT(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def effective_unit_price(amount: int, quantity: int) -> int:
    return amount // quantity


def other_agencies_orders(*, outlet_id, kind, year, agency_id) -> QuerySet[MediaOrder]:
    """The orders not cancelled of agencies other than ``agency_id`` to ``outlet_id`` for a product of ``kind``
    in fiscal ``year``. The arguments may be OuterRef()s (a correlated subquery) or values."""
    return (MediaOrder.objects.filter(outlet_id=outlet_id, price_item__kind=kind, budget__year=year)
            .exclude(budget__agency_id=agency_id).exclude(status=OrderStatus.CANCELLED))


def _correlated_others() -> QuerySet[MediaOrder]:
    return other_agencies_orders(outlet_id=OuterRef("outlet_id"), kind=OuterRef("price_item__kind"),
                                 year=OuterRef("budget__year"), agency_id=OuterRef("budget__agency_id"))


def with_comparison(orders: QuerySet[MediaOrder]) -> QuerySet[MediaOrder]:
    """``orders`` with, for each, ``effective_unit_price`` and what the same outlet charged other agencies for
    the same product that year: ``other_lowest_price`` (the lowest effective unit price, or None),
    ``other_lowest_agency`` (whose it was), ``other_lowest_order`` (its id) and ``other_agencies`` (how many
    other agencies ordered it). Correlated subqueries: still one query."""
    lowest = _correlated_others().annotate(unit=EFFECTIVE_UNIT_PRICE, agency_name=AGENCY_NAME).order_by(
        "unit", "order_date", "pk")
    agencies = _correlated_others().order_by().annotate(n=CountDistinct(F("budget__agency_id"))).values("n")
    return orders.annotate(
        effective_unit_price=EFFECTIVE_UNIT_PRICE,
        other_lowest_price=Subquery(lowest.values("unit")[:1], output_field=BigIntegerField()),
        other_lowest_agency=Subquery(lowest.values("agency_name")[:1], output_field=TextField()),
        other_lowest_order=Subquery(lowest.values("pk")[:1], output_field=IntegerField()),
        other_agencies=Coalesce(Subquery(agencies, output_field=IntegerField()), Value(0)))


def above_factor(orders: QuerySet[MediaOrder]) -> QuerySet[MediaOrder]:
    """Orders (annotated by ``with_comparison``) whose effective unit price is more than their budget's
    factor times the lowest other agency's price."""
    return orders.filter(other_lowest_price__isnull=False).filter(
        effective_unit_price__gt=ExpressionWrapper(
            F("other_lowest_price") * F("budget__price_comparison_factor"),
            output_field=DecimalField()))


@dataclass(frozen=True)
class Lowest:
    """The lowest price another agency paid: whose, in which order, and how many other agencies ordered."""

    unit_price: int
    agency: str
    order_id: int
    agencies: int

    def exceeded_by(self, unit_price: int, factor: Decimal) -> bool:
        return Decimal(unit_price) > Decimal(self.unit_price) * factor


def lowest_other_price(*, outlet_id: int, kind: str, year: int, agency_id: int) -> Lowest | None:
    """For an order about to be placed (budgets.controls.price_comparison): the lowest effective unit price
    other agencies paid ``outlet_id`` for ``kind`` in ``year``, or None when none did. One query."""
    others = other_agencies_orders(outlet_id=outlet_id, kind=kind, year=year, agency_id=agency_id)
    agencies = others.order_by().annotate(n=CountDistinct(F("budget__agency_id"))).values("n")
    row = (others.annotate(unit=EFFECTIVE_UNIT_PRICE, agency_name=AGENCY_NAME,
                           agencies=Subquery(agencies, output_field=IntegerField()))
           .order_by("unit", "order_date", "pk").values("unit", "agency_name", "pk", "agencies").first())
    if row is None:
        return None
    return Lowest(unit_price=row["unit"], agency=row["agency_name"], order_id=row["pk"], agencies=row["agencies"])


@dataclass(frozen=True)
class AgencyPrices:
    agency: str
    orders: int
    lowest: int
    highest: int


def other_agency_prices(order: MediaOrder) -> list[AgencyPrices]:
    """The order's page: per other agency that ordered the same product of the same outlet in the order's
    year, how many orders and their lowest and highest effective unit prices, cheapest first. One query."""
    others = other_agencies_orders(outlet_id=order.outlet_id, kind=order.price_item.kind, year=order.budget.year,
                                   agency_id=order.budget.agency_id)
    rows = (others.annotate(unit=EFFECTIVE_UNIT_PRICE).values("budget__agency_id")
            .annotate(orders=Count("pk"), lowest=Min("unit"), highest=Max("unit"),
                      agency_name=Max(AGENCY_NAME))
            .order_by("lowest", "agency_name"))
    return [AgencyPrices(r["agency_name"], r["orders"], r["lowest"], r["highest"]) for r in rows]

