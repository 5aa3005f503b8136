"""Reads of budgets and orders that several places share: the admin, the staff home, /transparency/,
later the reports and the API. Each runs a fixed number of queries whatever the number of orders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import MD5, Cast, Concat, ExtractMonth, NullIf
from django.utils import timezone

from catalog.models import ListingState, ListingTransition
from partners.models import MediaOutlet

from .models import (
    Agency,
    Budget,
    BudgetRevision,
    DeclaredInterest,
    MediaOrder,
    OrderFlag,
    OrderStatus,
    OtherSpend,
    OtherSpendKind,
    ProofStatus,
)
from .services.access import agency_of, may_see_every_agency

LIVE = ~Q(status=OrderStatus.CANCELLED)


# --- who sees what --------------------------------------------------------------------------------------

def visible_agencies(user) -> QuerySet[Agency]:
    if may_see_every_agency(user):
        return Agency.objects.all()
    agency = agency_of(user)
    return Agency.objects.filter(pk=agency.pk) if agency else Agency.objects.none()


def visible_budgets(user, budgets: QuerySet[Budget] | None = None) -> QuerySet[Budget]:
    budgets = Budget.objects.all() if budgets is None else budgets
    if may_see_every_agency(user):
        return budgets
    agency = agency_of(user)
    return budgets.filter(agency=agency) if agency else budgets.none()


def visible_orders(user, orders: QuerySet[MediaOrder] | None = None) -> QuerySet[MediaOrder]:
    orders = MediaOrder.objects.all() if orders is None else orders
    if may_see_every_agency(user):
        return orders
    agency = agency_of(user)
    return orders.filter(budget__agency=agency) if agency else orders.none()


def visible_other_spends(user, spends: QuerySet[OtherSpend] | None = None) -> QuerySet[OtherSpend]:
    spends = OtherSpend.objects.all() if spends is None else spends
    if may_see_every_agency(user):
        return spends
    agency = agency_of(user)
    return spends.filter(budget__agency=agency) if agency else spends.none()


# --- a budget's figures ---------------------------------------------------------------------------------

@dataclass
class MonthSpend:
    month: int
    ordered: int = 0
    paid: int = 0
    other: int = 0  # spent outside the catalog


def spend_by_month(budget: Budget) -> list[MonthSpend]:
    """The twelve months of the budget's year: orders placed (by order date, cancelled left out), payments
    (by payment date) and spend outside the catalog (by the date spent, cancelled left out). Three queries."""
    months = {m: MonthSpend(m) for m in range(1, 13)}
    other = OtherSpend.objects.filter(budget=budget, cancelled_on__isnull=True, spent_on__year=budget.year)
    for row in other.annotate(m=ExtractMonth("spent_on")).values("m").annotate(total=Sum("amount")).order_by():
        months[row["m"]].other = row["total"] or 0
    live = MediaOrder.objects.filter(LIVE, budget=budget)
    for row in live.annotate(m=ExtractMonth("order_date")).values("m").annotate(total=Sum("amount")).order_by():
        months[row["m"]].ordered = row["total"] or 0
    paid = live.filter(status=OrderStatus.PAID, paid_on__year=budget.year)
    for row in paid.annotate(m=ExtractMonth("paid_on")).values("m").annotate(total=Sum("amount")).order_by():
        months[row["m"]].paid = row["total"] or 0
    return list(months.values())


@dataclass
class KindSpend:
    kind: str
    label: str
    entries: int
    amount: int


def other_spend_by_kind(budget: Budget) -> list[KindSpend]:
    """The budget's spend outside the catalog per kind (cancelled left out), in the kinds' order; kinds without
    spend are left out. One query. Public: amounts and counts only."""
    rows = {r["kind"]: r for r in OtherSpend.objects.filter(budget=budget, cancelled_on__isnull=True)
            .values("kind").annotate(entries=Count("pk"), amount=Sum("amount")).order_by()}
    return [KindSpend(kind, str(label), rows[kind]["entries"], rows[kind]["amount"] or 0)
            for kind, label in OtherSpendKind.choices if kind in rows]


def published_budgets() -> QuerySet[Budget]:
    """Every agency's budgets (public information, /transparency/ and /api/v1/transparency/), each with its
    agency selected, its agency's name as ``agency_name`` (an ordering the API's cursor can use) and the count
    of its revisions. One query."""
    return (Budget.objects.select_related("agency")
            .annotate(revision_count=Count("revisions"), agency_name=F("agency__name")))


def budget_revisions(budget: Budget) -> QuerySet[BudgetRevision]:
    """The budget's revisions in the order they were made (the page and the API show them; who entered each
    is not public)."""
    return budget.revisions.order_by("revised_on", "pk")


def budgets_fingerprint() -> str:
    """A digest of every budget's figures and its agency's names, in one query over the budgets (hundreds of
    rows, not orders). Every service that places, pays or cancels an order, records or cancels spend outside
    the catalog, revises a budget or switches its policy changes a budget row (its amounts and ``updated_at``),
    so a cache keyed on this digest shows a money change on the next request (budgets.public_api)."""
    row = Concat(Cast("pk", CharField()), Value(":"), Cast("updated_at", CharField()), Value(":"),
                 Cast("current_amount", CharField()), Value(":"), Cast("ordered_amount", CharField()), Value(":"),
                 Cast("paid_amount", CharField()), Value(":"), Cast("other_spent_amount", CharField()), Value(":"),
                 Cast("spending_allowed", CharField()), Value(":"),
                 "agency__slug", Value(":"), "agency__name", Value(":"), "agency__short_name",
                 output_field=CharField())
    digest = Budget.objects.aggregate(digest=MD5(StringAgg(row, delimiter=",", order_by="pk")))["digest"]
    return digest or "none"


def agency_years(agency: Agency) -> list[Budget]:
    """Every budget of the agency, oldest year first, with the counts of its revisions (one query)."""
    return list(Budget.objects.filter(agency=agency).annotate(revision_count=Count("revisions"))
                .order_by("year"))


# --- fair distribution ----------------------------------------------------------------------------------

@dataclass
class OutletSpend:
    outlet_id: int
    name: str
    media_type: str
    ordered: int
    paid: int
    orders: int

    @property
    def share(self) -> float:
        return self.__dict__.get("_share", 0.0)


@dataclass
class FairDistribution:
    """How evenly an agency's orders of one year went to the outlets of the e-catalog."""

    listed_outlets: int
    outlets_with_orders: int
    listed_with_orders: int
    total: int
    top5_share: float | None  # of the year's orders (not cancelled), 0..1
    hhi: int | None  # Herfindahl–Hirschman index over outlets, 0..10,000
    per_outlet: list[OutletSpend] = field(default_factory=list)
    listed_without_orders: list[MediaOutlet] = field(default_factory=list)

    @property
    def listed_without_orders_count(self) -> int:
        """All of them, also when ``listed_without_orders`` was cut to its first rows."""
        return self.listed_outlets - self.listed_with_orders

    @property
    def reach(self) -> float | None:
        return self.listed_with_orders / self.listed_outlets if self.listed_outlets else None


def listed_during(year: int, today: datetime.date | None = None) -> QuerySet[MediaOutlet]:
    """Outlets listed in the e-catalog on at least one day of ``year`` (up to ``today`` for the current
    year), from the listings' transitions: listed when the year began, or listed during it."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    last_day = min(datetime.date(year, 12, 31), today)
    end = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.max))
    transitions = ListingTransition.objects.filter(listing__outlet=OuterRef("pk"))
    state_at_start = Subquery(transitions.filter(created_at__lt=start).order_by("-created_at", "-pk")
                              .values("to_state")[:1])
    listed_in_year = Exists(transitions.filter(created_at__gte=start, created_at__lte=end,
                                               to_state=ListingState.LISTED))
    return (MediaOutlet.objects.annotate(state_at_start=state_at_start)
            .filter(Q(state_at_start=ListingState.LISTED) | listed_in_year))


def fair_distribution(agency: Agency, year: int, *, today: datetime.date | None = None,
                      without_orders_rows: int | None = None) -> FairDistribution:
    """Per outlet spend of ``agency`` in ``year`` and how concentrated it is. Three queries."""
    rows = (MediaOrder.objects.filter(LIVE, budget__agency=agency, budget__year=year)
            .values("outlet_id", "outlet__name", "outlet__media_type")
            .annotate(ordered=Sum("amount"), paid=Sum("amount", filter=Q(status=OrderStatus.PAID)),
                      orders=Count("pk"))
            .order_by("-ordered", "outlet__name"))
    per_outlet = [OutletSpend(r["outlet_id"], r["outlet__name"], r["outlet__media_type"], r["ordered"] or 0,
                              r["paid"] or 0, r["orders"]) for r in rows]
    total = sum(o.ordered for o in per_outlet)
    for o in per_outlet:
        o._share = o.ordered / total if total else 0.0
    listed = listed_during(year, today)
    listed_ids = set(listed.values_list("pk", flat=True))
    ordered_ids = {o.outlet_id for o in per_outlet}
    without = listed.exclude(pk__in=ordered_ids).order_by("name").only("pk", "name", "media_type")
    if without_orders_rows is not None:
        without = without[:without_orders_rows]
    hhi = round(sum((o.ordered * 100 / total) ** 2 for o in per_outlet)) if total else None
    top5 = sum(o.ordered for o in per_outlet[:5]) / total if total else None
    return FairDistribution(listed_outlets=len(listed_ids), outlets_with_orders=len(per_outlet),
                            listed_with_orders=len(listed_ids & ordered_ids), total=total, top5_share=top5, hhi=hhi,
                            per_outlet=per_outlet, listed_without_orders=list(without))


# --- the staff home -------------------------------------------------------------------------------------

def orders_waiting_for_proof(user, today: datetime.date) -> QuerySet[MediaOrder]:
    """Committed orders whose service period has ended and no proof arrived (or the proof was rejected)."""
    return visible_orders(user).filter(Q(status=OrderStatus.COMMITTED, service_end__lt=today)
                                       | Q(status=OrderStatus.PUBLISHED, proof_status=ProofStatus.REJECTED))


def proofs_waiting_for_review(user) -> QuerySet[MediaOrder]:
    return visible_orders(user).filter(status=OrderStatus.PUBLISHED, proof_status=ProofStatus.PENDING)


def orders_waiting_for_second_approval(user) -> QuerySet[MediaOrder]:
    """Orders that are not cancelled with a flag of an integrity control waiting for its second approval
    (budgets.services.flags)."""
    waiting = OrderFlag.objects.filter(order=OuterRef("pk"), approved_at__isnull=True)
    return visible_orders(user).filter(LIVE).filter(Exists(waiting))
# --- declared interests ------------------------------------------------------------------------------------


def visible_interests(user, interests: QuerySet[DeclaredInterest] | None = None) -> QuerySet[DeclaredInterest]:
    interests = DeclaredInterest.objects.all() if interests is None else interests
    if may_see_every_agency(user):
        return interests
    agency = agency_of(user)
    return interests.filter(agency=agency) if agency else interests.none()



# --- proof deadlines (docs/domain.md "Proof deadlines") -------------------------------------------------

def proof_unresolved() -> Q:
    """An open order (committed or published) without proof waiting for review or accepted: none was sent, or
    the one sent was rejected. Cancelled and paid orders are resolved (the control, the reminders, the lists)."""
    return (Q(status__in=[OrderStatus.COMMITTED, OrderStatus.PUBLISHED])
            & Q(proof_status__in=[ProofStatus.NONE, ProofStatus.REJECTED]))


def proof_overdue(today: datetime.date) -> Q:
    """An unresolved order (``proof_unresolved``) past its proof deadline."""
    return proof_unresolved() & Q(proof_due_on__lt=today)


def proof_overdue_orders(today: datetime.date) -> QuerySet[MediaOrder]:
    """Every agency's orders whose proof is overdue on ``today`` (the control, the reminders)."""
    return MediaOrder.objects.filter(proof_overdue(today))


def overdue_proofs(user, today: datetime.date) -> QuerySet[MediaOrder]:
    """The orders ``user`` may see whose proof is overdue on ``today`` (the staff home, the order list)."""
    return visible_orders(user).filter(proof_overdue(today))



# --- fair-distribution quotas (budgets.controls.quota) ------------------------------------------------------

# An outlet is "nearing" its quota at this share of either limit (the staff home's panel).
QUOTA_NEAR_PERCENT = 80
DECIMAL = DecimalField(max_digits=30, decimal_places=4)


def quota_use(orders: QuerySet[MediaOrder]) -> QuerySet:
    """Per budget and outlet among ``orders`` (not cancelled) whose outlet's media type has a quota on that
    budget: the orders (``orders``) and their sum (``total``), the quota's limits (``max_orders``,
    ``max_share_percent``), the budget's current amount (``budget_amount``) and how much of each limit is used
    in percent (``orders_used``, ``share_used``; None without that limit). One query (GROUP BY over the orders
    joined to their budget's quota of the outlet's media type: at most one, by its unique constraint; a
    correlated subquery read the quota about nine times per order, 1 s on the staff home at 100,000 orders)."""
    rows = (orders.filter(LIVE)
            .filter(budget__quotas__media_type=F("outlet__media_type"))
            .annotate(max_orders=F("budget__quotas__max_orders"),
                      max_share_percent=F("budget__quotas__max_share_percent"))
            .filter(Q(max_orders__isnull=False) | Q(max_share_percent__isnull=False))
            .values("budget_id", "outlet_id", "outlet__name", "outlet__media_type", "outlet__company__legal_name",
                    "budget__agency__name", "budget__agency_id", "budget__year", "budget__current_amount",
                    "max_orders", "max_share_percent")
            .annotate(orders=Count("pk"), total=Sum("amount"), last_order=Max("order_date")))
    return rows.annotate(
        # The share of the budget this outlet may receive, in rupiah (exact decimals).
        share_cap=ExpressionWrapper(F("max_share_percent") * Cast("budget__current_amount", DECIMAL) / 100,
                                    output_field=DECIMAL),
    ).annotate(
        orders_used=ExpressionWrapper(Cast("orders", FloatField()) * 100 / Cast("max_orders", FloatField()),
                                      output_field=FloatField()),
        share_used=ExpressionWrapper(Cast("total", FloatField()) * 100 / Cast(NullIf("share_cap", Value(0)),
                                                                              FloatField()),
                                     output_field=FloatField()))


def quota_near(rows: QuerySet, percent: int = QUOTA_NEAR_PERCENT) -> QuerySet:
    """``quota_use`` rows at or above ``percent`` of either limit."""
    return rows.filter(Q(orders_used__gte=percent) | Q(share_used__gte=percent))


def quota_over(rows: QuerySet) -> QuerySet:
    """``quota_use`` rows over either limit (exact: orders, and rupiah against the share's cap in decimals)."""
    return rows.filter(Q(orders__gt=F("max_orders")) | Q(total__gt=F("share_cap")))
