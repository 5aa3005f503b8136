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
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import ValueRange
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Floor, JSONObject, Least, Mod, NullIf

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
    other agencies ordered it). Two correlated subqueries (the lowest row read once, as one JSON object):
    still one query."""
    lowest = (_correlated_others().annotate(unit=EFFECTIVE_UNIT_PRICE, agency_name=AGENCY_NAME)
              .order_by("unit", "order_date", "pk")
              .values(row=JSONObject(unit="unit", agency="agency_name", order="pk"))[:1])
    agencies = _correlated_others().order_by().annotate(n=CountDistinct(F("budget__agency_id"))).values("n")
    return orders.annotate(
        effective_unit_price=EFFECTIVE_UNIT_PRICE,
        other_lowest=Subquery(lowest, output_field=JSONField()),
        other_lowest_price=Cast(KT("other_lowest__unit"), BigIntegerField()),
        other_lowest_agency=KT("other_lowest__agency"),
        other_lowest_order=Cast(KT("other_lowest__order"), IntegerField()),
        other_agencies=Coalesce(Subquery(agencies, output_field=IntegerField()), Value(0)))


def compare_page(orders: list[MediaOrder]) -> list[MediaOrder]:
    """The figures of ``with_comparison`` set on each of ``orders`` (a page of the API's list, an order it
    answers with) in one query for the whole page: each agency's lowest order of every outlet, kind and year
    the page names, then per order the lowest of the other agencies'. ``with_comparison``'s correlated
    subqueries read the other agencies' orders again for every order of the page (13 s a page of 51 when an
    outlet has 25,000 orders in a year, bench/integrity.py)."""
    keys = {(order.outlet_id, order.price_item.kind, order.budget.year) for order in orders}
    if not keys:
        return orders
    wanted = Q()
    for outlet_id, kind, year in keys:
        wanted |= Q(outlet_id=outlet_id, price_item__kind=kind, budget__year=year)
    lowest_per_agency = (
        MediaOrder.objects.exclude(status=OrderStatus.CANCELLED).filter(wanted)
        .annotate(unit=EFFECTIVE_UNIT_PRICE, agency_name=AGENCY_NAME, kind=F("price_item__kind"),
                  year=F("budget__year"), agency=F("budget__agency_id"))
        .order_by("outlet_id", "kind", "year", "agency", "unit", "order_date", "pk")
        .distinct("outlet_id", "kind", "year", "agency")
        .values_list("outlet_id", "kind", "year", "agency", "unit", "order_date", "pk", "agency_name"))
    by_key: dict[tuple, list] = {}
    for outlet_id, kind, year, agency, unit, day, pk, name in lowest_per_agency:
        by_key.setdefault((outlet_id, kind, year), []).append((unit, day, pk, agency, name))
    for order in orders:
        others = [row for row in by_key.get((order.outlet_id, order.price_item.kind, order.budget.year), ())
                  if row[3] != order.budget.agency_id]
        lowest = min(others, default=None)
        order.effective_unit_price = effective_unit_price(order.amount, order.quantity)
        order.other_lowest_price, order.other_lowest_order, order.other_lowest_agency = (
            (lowest[0], lowest[2], lowest[4]) if lowest else (None, None, None))
        order.other_agencies = len(others)
    return orders


# The lowest other price and what paid it in one sortable number: unit price × KEY + an id (an order's, an
# agency's); the window's MIN of it is the lowest price, the smallest id breaking a tie.
KEY = 10**12
KEY_FIELD = DecimalField(max_digits=38, decimal_places=0)


class OtherAgencies(ValueRange):
    """The rows of the agencies ordered before the current row's agency (``before``) or after it: RANGE frames
    with an offset, which PostgreSQL supports and Django's ValueRange does not write for these bounds."""

    def __init__(self, *, before: bool):
        super().__init__()
        self.before = before

    def window_frame_start_end(self, connection, start, end):
        return ("UNBOUNDED PRECEDING", "1 PRECEDING") if self.before else ("1 FOLLOWING", "UNBOUNDED FOLLOWING")


def _lowest_other(id_field: str):
    """Over every order not cancelled of the same outlet, kind of product and year: the smallest ``unit price ×
    KEY + id`` among the agencies with a smaller id, and among those with a larger one, the lesser of the two
    (PostgreSQL's LEAST ignores a NULL), i.e. among the other agencies. Window functions over one sort, rather
    than a subquery per order."""
    key = ExpressionWrapper(Cast(EFFECTIVE_UNIT_PRICE, KEY_FIELD) * Value(KEY) + F(id_field), output_field=KEY_FIELD)
    partition = [F("outlet_id"), F("price_item__kind"), F("budget__year")]
    agency = F("budget__agency_id").asc()
    before = Window(Min(key), partition_by=partition, order_by=agency, frame=OtherAgencies(before=True))
    after = Window(Min(key), partition_by=partition, order_by=agency, frame=OtherAgencies(before=False))
    return Least(before, after, output_field=KEY_FIELD)


def above_factor(orders: QuerySet[MediaOrder], *, year: int | None = None) -> QuerySet[MediaOrder]:
    """Those of ``orders`` (not cancelled) whose effective unit price is more than their budget's factor times
    the lowest price another agency paid the same outlet for the same kind of product in the year, with
    ``effective_unit_price``, ``other_lowest_price``, ``other_lowest_order`` and ``other_lowest_agency_id``.
    One query, whatever agency ``orders`` are limited to: window functions over every order not cancelled (of
    ``year`` when given), then only the rows of ``orders`` above the factor (PostgreSQL filters a window's
    result in an outer query, Django's "qualify")."""
    every = MediaOrder.objects.exclude(status=OrderStatus.CANCELLED)
    if year is not None:
        every = every.filter(budget__year=year)
    lowest_price = Floor(F("lowest_order_key") / Value(KEY), output_field=BigIntegerField())
    found = Case(When(Q(pk__in=orders.values("pk")) & Q(lowest_order_key__isnull=False)
                      & Q(effective_unit_price__gt=ExpressionWrapper(
                          lowest_price * F("budget__price_comparison_factor"), output_field=KEY_FIELD)),
                      then=Value(True)), default=Value(False))
    return (every.annotate(effective_unit_price=EFFECTIVE_UNIT_PRICE, lowest_order_key=_lowest_other("pk"),
                           lowest_agency_key=_lowest_other("budget__agency_id"))
            .annotate(found=found, other_lowest_price=lowest_price,
                      other_lowest_order=Cast(Mod(F("lowest_order_key"), Value(KEY)), BigIntegerField()),
                      other_lowest_agency_id=Cast(Mod(F("lowest_agency_key"), Value(KEY)), BigIntegerField()))
            .filter(found=True))


@dataclass(frozen=True)
class Lowest:
    """The lowest price another agency paid: whose, and in which order."""

    unit_price: int
    agency: str
    order_id: int

    def exceeded_by(self, unit_price: int, factor: Decimal) -> bool:
        return Decimal(unit_price) > Decimal(self.unit_price) * factor


def lowest_other_price(*, outlet_id: int, kind: str, year: int, agency_id: int) -> Lowest | None:
    """For an order about to be placed (budgets.controls.price_comparison): the lowest effective unit price
    other agencies paid ``outlet_id`` for ``kind`` in ``year``, or None when none did. One query."""
    others = other_agencies_orders(outlet_id=outlet_id, kind=kind, year=year, agency_id=agency_id)
    row = (others.annotate(unit=EFFECTIVE_UNIT_PRICE, agency_name=AGENCY_NAME)
           .order_by("unit", "order_date", "pk").values("unit", "agency_name", "pk").first())
    if row is None:
        return None
    return Lowest(unit_price=row["unit"], agency=row["agency_name"], order_id=row["pk"])


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

