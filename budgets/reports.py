"""The budgets' reports (mediareg.reports, issue 11): the spend ledger, the budget utilisation and the
exceptions an auditor must look at. docs/domain.md "Reports on spending" says what each holds.

Every report is scoped to what the person may see (budgets.selectors.visible_orders / visible_budgets: a
budget officer their agency's, an auditor every agency's; no user, a command, everything) and streams its
rows from a server-side cursor: ``values_list`` with the related names joined in the same query, the
words of a status looked up in a dict made once per file, never a query per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.models import EligibilityChange, EligibilityPolicy, ListingState, ListingTransition, decision_label
from catalog.rules import RULE_TITLES, reason_language
from catalog.tax_calendar import may_count_on, with_counts_until
from mediareg.admin_helpers import count_of
from mediareg.dates import add_months
from mediareg.money import format_rupiah
from mediareg.reports import Column, Report, ReportFilters, register
from mediareg.reports.base import CHUNK
from mediareg.reports.copy import sql_cells
from partners.models import Document, DocumentKind, MediaOutlet, MediaType, ReviewStatus
from partners.selectors import connected_outlets

from . import comparison, reference_prices
from .controls.quota import percent_text, share_percent
from .models import (
    Agency,
    Budget,
    BudgetRevision,
    FlagRule,
    MediaOrder,
    OrderFlag,
    OrderStatus,
    OtherSpend,
    OtherSpendKind,
    ProductKind,
    ProofStatus,
)
from .selectors import (
    proof_overdue,
    quota_over,
    quota_use,
    visible_budgets,
    visible_orders,
    visible_other_spends,
)


def _words(choices) -> dict[str, str]:
    """A choice's words in the file's language, looked up once per file rather than once per row."""
    return {value: str(label) for value, label in choices}


def scoped_orders(user) -> QuerySet[MediaOrder]:
    """The orders ``user`` may see; every order for a command (no user). visible_orders itself gives an
    anonymous caller nothing, as a page must."""
    return MediaOrder.objects.all() if user is None else visible_orders(user)


def scoped_budgets(user) -> QuerySet[Budget]:
    return Budget.objects.all() if user is None else visible_budgets(user)


# --- SQL helpers ------------------------------------------------------------------------------------------

class FailingReasons(Func):
    """The reasons of the rules that failed in an outcomes list (catalog.rules: ``[{"code", "passed",
    "reason": {"id": ..., "en": ...}}]``), in ``language`` (the other one when missing; plain text as it
    is), joined with "; " in the rules' order. Computed by PostgreSQL so that a million orders' outcomes
    never cross the wire (each is about a kilobyte), and so that ``COPY`` of the same SELECT gives the same
    column (bench/export.py). The lax JSON path reads anything, so a malformed list gives no reason rather
    than an error half-way through a file."""

    output_field = TextField()
    template = (
        "(SELECT string_agg(COALESCE(o.value->'reason'->>'%(language)s', o.value->'reason'->>'id', "
        "o.value->'reason'->>'en', o.value->>'reason'), '; ' ORDER BY o.n) "
        "FROM jsonb_path_query(%(expressions)s, 'lax $[*] ? (@.passed != true)') WITH ORDINALITY AS o(value, n))"
    )

    def __init__(self, outcomes, language: str):
        # A literal in the SQL, so only one of the two languages reasons are stored in (render_reason).
        super().__init__(outcomes, language="en" if language == "en" else "id")


def person_name(prefix: str):
    """A user's full name, or their user name when they gave none, as SQL (``prefix``: the path to the user)."""
    full = Trim(Concat(F(f"{prefix}__first_name"), Value(" "), F(f"{prefix}__last_name"), output_field=TextField()))
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}__username"), output_field=TextField())


def negotiators():
    """Who negotiated an order's price, both sides, as SQL ("" without a negotiation)."""
    return Case(When(negotiation_agreed__isnull=True, then=Value("")),
                default=Concat(F("negotiated_by_agency"), Value(" / "), F("negotiated_by_outlet"),
                               output_field=TextField()), output_field=TextField())


# --- spend-ledger -----------------------------------------------------------------------------------------

def spend_ledger_orders(filters: ReportFilters, user) -> QuerySet[MediaOrder]:
    """The orders of the spend ledger: every order ``user`` may see (cancelled ones included: the ledger is
    complete, the status says which), filtered by agency, fiscal year, order date and ids."""
    orders = scoped_orders(user)
    if filters.agency:
        orders = orders.filter(budget__agency__slug=filters.agency)
    if filters.year:
        orders = orders.filter(budget__year=filters.year)
    if filters.date_from:
        orders = orders.filter(order_date__gte=filters.date_from)
    if filters.date_to:
        orders = orders.filter(order_date__lte=filters.date_to)
    if filters.ids:
        orders = orders.filter(pk__in=filters.ids)
    return orders


def spend_ledger_other_spend(filters: ReportFilters, user) -> QuerySet[OtherSpend]:
    """The spend outside the catalog of the ledger: every entry ``user`` may see (cancelled ones included),
    filtered by agency, fiscal year and date spent. None when the ledger is of selected orders (``ids``, the
    order list's "export selected")."""
    spends = OtherSpend.objects.all() if user is None else visible_other_spends(user)
    if filters.ids:
        return spends.none()
    if filters.agency:
        spends = spends.filter(budget__agency__slug=filters.agency)
    if filters.year:
        spends = spends.filter(budget__year=filters.year)
    if filters.date_from:
        spends = spends.filter(spent_on__gte=filters.date_from)
    if filters.date_to:
        spends = spends.filter(spent_on__lte=filters.date_to)
    return spends


# What a ledger row is: an e-catalog order, or spend outside the catalog (the ``entry`` column).
class LedgerEntry(TextChoices):
    ORDER = "order", _("e-catalog order")
    OTHER_SPEND = "other_spend", _("spend outside the catalog")


# The database columns of the ledger, in the report's column order. Choice fields are their stored codes
# here (spend_ledger_rows turns them into words); everything else is as the file shows it.
SPEND_LEDGER_FIELDS = (
    "pk", "budget__agency__name", "budget__year", "budget__account_code", "outlet_id", "outlet__name",
    "outlet__company__legal_name", "price_item__kind", "price_item__name", "description", "quantity", "unit_price",
    "amount", "override_reason", "status", "order_date", "service_start", "service_end", "ecatalog_reference",
    "proof_status", "published_url", "paid_on", "payment_reference", "cancelled_on", "eligible_on_order_date",
    "listing_state_on_order_date", "failing_reasons", "entry", "other_spend_id", "placed_by",
    # Tiers and reference prices (issue 14), after the columns files and scripts already read by position.
    "tier_on_order_date", "reference_price", "negotiation_offered", "negotiation_agreed", "negotiated_on",
    "negotiators",
)


def _none(field):
    """An empty cell of the type ``field`` (NULL::date, NULL::bigint, ...), so that the two parts of the ledger
    have the same column types for COPY (mediareg.reports.copy)."""
    return Cast(Value(None), output_field=field)


# The spend outside the catalog in the ledger's columns: the kind in the product kind's place, the recipient
# in the outlet's (the registry's outlet and company when chosen), the date spent as the order and payment
# date, the payment reference as the order's, "paid" or "cancelled" as its status; the order's own facts
# (product, quantity, service period, proof, eligibility) empty.
OTHER_SPEND_COLUMNS = {
    "pk": _none(IntegerField()), "budget__agency__name": F("budget__agency__name"), "budget__year": F("budget__year"),
    "budget__account_code": F("budget__account_code"), "outlet_id": F("outlet_id"),
    "outlet__name": F("recipient"), "outlet__company__legal_name": F("company__legal_name"),
    "price_item__kind": F("kind"), "price_item__name": _none(TextField()), "description": F("description"),
    "quantity": _none(IntegerField()), "unit_price": _none(BigIntegerField()), "amount": F("amount"),
    "override_reason": _none(TextField()),
    "status": Case(When(cancelled_on__isnull=True, then=Value(OrderStatus.PAID.value)),
                   default=Value(OrderStatus.CANCELLED.value), output_field=TextField()),
    "order_date": F("spent_on"), "service_start": _none(DateField()), "service_end": _none(DateField()),
    "ecatalog_reference": _none(TextField()), "proof_status": _none(TextField()),
    "published_url": _none(TextField()), "paid_on": Case(When(cancelled_on__isnull=True, then=F("spent_on")),
                                                         default=None, output_field=DateField()),
    "payment_reference": F("reference"), "cancelled_on": F("cancelled_on"),
    "eligible_on_order_date": _none(BooleanField()), "listing_state_on_order_date": _none(TextField()),
    "failing_reasons": _none(TextField()), "entry": Value(LedgerEntry.OTHER_SPEND.value, output_field=TextField()),
    "other_spend_id": F("pk"), "placed_by": person_name("created_by"),
    "tier_on_order_date": _none(TextField()), "reference_price": _none(BigIntegerField()),
    "negotiation_offered": _none(BigIntegerField()), "negotiation_agreed": _none(BigIntegerField()),
    "negotiated_on": _none(DateField()), "negotiators": _none(TextField()),
}


def spend_ledger_other_values(filters: ReportFilters, user) -> QuerySet:
    """The spend outside the catalog as one SELECT of the ledger's columns (oldest first), streamed after the
    orders."""
    names = {field: f"ledger_{i}" for i, field in enumerate(SPEND_LEDGER_FIELDS)}
    return (spend_ledger_other_spend(filters, user)
            .annotate(**{names[field]: OTHER_SPEND_COLUMNS[field] for field in SPEND_LEDGER_FIELDS})
            .order_by("spent_on", "pk")
            .values_list(*names.values()))


def spend_ledger_values(filters: ReportFilters, user, *, language: str | None = None) -> QuerySet:
    """The ledger as one SELECT (``values_list`` of SPEND_LEDGER_FIELDS, oldest order first): what the
    files stream, and what ``COPY (...) TO STDOUT`` runs in bench/export.py. ``language`` is that of the
    failing rules' reasons (default: the active language, as catalog.rules.reason_language)."""
    # An eligible snapshot has no failing rule by construction (catalog.eligibility: eligible means every
    # rule passed), so its outcomes are not read: most orders' never are, which halves the COPY's time.
    failing = Case(When(eligible_on_order_date=True, then=Value(None)),
                   default=FailingReasons("eligibility_outcomes", language or reason_language()),
                   output_field=TextField())
    return (spend_ledger_orders(filters, user)
            .annotate(failing_reasons=failing, entry=Value(LedgerEntry.ORDER.value, output_field=TextField()),
                      other_spend_id=_none(IntegerField()), negotiators=negotiators(),
                      placed_by=person_name("created_by"))
            .order_by("order_date", "pk")
            .values_list(*SPEND_LEDGER_FIELDS))


# Positions of the choice columns in SPEND_LEDGER_FIELDS, which spend_ledger_rows puts into words.
_KIND, _STATUS, _PROOF, _LISTING, _ENTRY = (SPEND_LEDGER_FIELDS.index(name) for name in (
    "price_item__kind", "status", "proof_status", "listing_state_on_order_date", "entry"))


def _ledger_words() -> dict[str, dict[str, str]]:
    """The words of the ledger's choice columns, by column key, in the active language. A product kind and a
    kind of spend outside the catalog share the column (their one common code, "other", reads the same)."""
    return {"product_kind": {**_words(ProductKind.choices), **_words(OtherSpendKind.choices)},
            "status": _words(OrderStatus.choices), "proof_status": _words(ProofStatus.choices),
            "listing_state": _words(ListingState.choices), "entry": _words(LedgerEntry.choices)}


def spend_ledger_rows(filters: ReportFilters, user) -> Iterator[tuple]:
    """The ledger's rows in SpendLedgerReport.columns' order, streamed (CHUNK rows a fetch): the orders, then
    the spend outside the catalog (a second query, after the first has been read)."""
    words = _ledger_words()
    kinds, statuses, proofs = words["product_kind"], words["status"], words["proof_status"]
    listings, entries = words["listing_state"], words["entry"]
    for part in (spend_ledger_values, spend_ledger_other_values):
        for values in part(filters, user).iterator(chunk_size=CHUNK):
            row = list(values)
            row[_KIND] = kinds.get(row[_KIND], row[_KIND])
            row[_STATUS] = statuses.get(row[_STATUS], row[_STATUS])
            row[_PROOF] = proofs.get(row[_PROOF], row[_PROOF])
            row[_LISTING] = listings.get(row[_LISTING], row[_LISTING])
            row[_ENTRY] = entries.get(row[_ENTRY], row[_ENTRY])
            yield tuple(row)


@register
class SpendLedgerReport(Report):
    name = "spend-ledger"
    title = _("Spend ledger")
    description = _(
        "Every media order: agency, fiscal year, account, outlet and company, product, quantity, price and "
        "amount, the outlet's tier, the reference price and the negotiation recorded for an order above it, "
        "status, dates, proof of publication, payment, and whether the outlet was listed and "
        "eligible on the order date (the order's snapshot of the catalog that day, with the rules that "
        "failed). Then the spend outside the catalog (subscriptions, press gatherings, sponsored events, "
        "legislature publications) with its kind, recipient, amount, date and payment reference, so the "
        "ledger holds all the money. Cancelled orders and entries are included; the status says so.")
    permission = "budgets.view_mediaorder"
    filters = ("agency", "year", "date_from", "date_to")
    columns = [
        Column("order_id", _("order number"), "int"),
        Column("agency", _("agency")),
        Column("year", _("fiscal year"), "int"),
        Column("account_code", _("account code")),
        Column("outlet_id", _("outlet number"), "int"),
        Column("outlet", _("outlet")),
        Column("company", _("company")),
        Column("product_kind", _("product kind")),
        Column("product", _("product")),
        Column("description", _("what is published")),
        Column("quantity", _("quantity"), "int"),
        Column("unit_price", _("unit price"), "money"),
        Column("amount", _("amount"), "money"),
        Column("override_reason", _("reason for a different amount")),
        Column("status", _("status")),
        Column("order_date", _("order date"), "date"),
        Column("service_start", _("service from"), "date"),
        Column("service_end", _("service until"), "date"),
        Column("ecatalog_reference", _("e-catalog order reference")),
        Column("proof_status", _("proof")),
        Column("published_url", _("published link")),
        Column("paid_on", _("payment date"), "date"),
        Column("payment_reference", _("payment reference (SP2D)")),
        Column("cancelled_on", _("cancelled on"), "date"),
        Column("eligible", _("eligible on the order date"), "bool"),
        Column("listing_state", _("listing on the order date")),
        Column("failing_reasons", _("failing rules on the order date")),
        Column("entry", _("entry")),
        Column("other_spend_id", _("number of the spend outside the catalog"), "int"),
        Column("placed_by", _("placed by"), personal=True),
        Column("tier", _("tier on the order date")),
        Column("reference_price", _("reference price"), "money"),
        Column("negotiation_offered", _("price offered"), "money"),
        Column("negotiation_agreed", _("price agreed"), "money"),
        Column("negotiated_on", _("negotiated on"), "date"),
        Column("negotiated_by", _("negotiated by (agency / outlet)"), personal=True),
    ]

    def queryset(self, filters: ReportFilters, user):
        return spend_ledger_orders(filters, user)

    def count(self, filters: ReportFilters, user) -> int:
        return spend_ledger_orders(filters, user).count() + spend_ledger_other_spend(filters, user).count()

    def rows(self, filters: ReportFilters, user):
        return spend_ledger_rows(filters, user)

    def copy_select(self, filters: ReportFilters, user, profile: str):
        """The same cells as ``rows`` gives the writer, as SQL, so that PostgreSQL writes the CSV
        (mediareg.reports.copy; bench/export.py): a million orders in a third of the time. Two SELECTs, the
        orders' and then the spend outside the catalog's, each copied in turn (mediareg.reports.formats)."""
        words = _ledger_words()
        selects = [sql_cells(values, self, profile, yes=gettext("yes"), no=gettext("no"), words=words)
                   for values in (spend_ledger_values(filters, user), spend_ledger_other_values(filters, user))]
        if selects[0] is None:  # nothing of the orders may be seen: nor of the rest (the same scope)
            return None
        return [select for select in selects if select is not None]


# --- budget-utilisation -----------------------------------------------------------------------------------

def budget_utilisation_budgets(filters: ReportFilters, user) -> QuerySet[Budget]:
    budgets = scoped_budgets(user)
    if filters.agency:
        budgets = budgets.filter(agency__slug=filters.agency)
    if filters.year:
        budgets = budgets.filter(year=filters.year)
    if filters.ids:
        budgets = budgets.filter(pk__in=filters.ids)
    return budgets


@register
class BudgetUtilisationReport(Report):
    name = "budget-utilisation"
    title = _("Budget utilisation")
    description = _(
        "One row per agency and fiscal year: the original amount (murni), how many revisions, the current "
        "amount, what is ordered (orders not cancelled, paid ones included), committed (ordered and not yet "
        "paid), paid (realisasi), spent outside the catalog (subscriptions, press gatherings, ...), remaining "
        "(current minus ordered and spent outside the catalog), absorption (serapan: paid and spent outside "
        "the catalog ÷ current), and the year's spending policy.")
    permission = "budgets.view_budget"
    filters = ("agency", "year")
    columns = [
        Column("agency", _("agency")),
        Column("year", _("fiscal year"), "int"),
        Column("account_code", _("account code")),
        Column("account_name", _("account name")),
        Column("original", _("original amount (murni)"), "money"),
        Column("revisions", _("revisions"), "int"),
        Column("current", _("current amount (after revisions)"), "money"),
        Column("ordered", _("ordered"), "money"),
        Column("committed", _("committed (ordered, not paid)"), "money"),
        Column("paid", _("paid (realisasi)"), "money"),
        Column("other_spent", _("spent outside the catalog"), "money"),
        Column("remaining", _("remaining (current minus ordered and spent outside the catalog)"), "money"),
        Column("absorption", _("absorption (paid and spent outside the catalog ÷ current, %)"), "percent"),
        Column("spending_allowed", _("media spending allowed"), "bool"),
        Column("policy_reference", _("policy decision reference")),
    ]

    def queryset(self, filters: ReportFilters, user):
        return budget_utilisation_budgets(filters, user)

    def rows(self, filters: ReportFilters, user):
        # The figures the services keep on the budget (ordered_amount, paid_amount, other_spent_amount:
        # docs/domain.md "The figures"); the exceptions report checks them against the orders themselves.
        budgets = (self.queryset(filters, user)
                   .annotate(revision_n=count_of(BudgetRevision, "budget"),
                             committed=F("ordered_amount") - F("paid_amount"),
                             remaining=F("current_amount") - F("ordered_amount") - F("other_spent_amount"))
                   .order_by("agency__name", "year", "pk")
                   .values_list("agency__name", "year", "account_code", "account_name", "original_amount",
                                "revision_n", "current_amount", "ordered_amount", "committed", "paid_amount",
                                "other_spent_amount", "remaining", "spending_allowed", "policy_reference"))
        for (agency, year, code, account, original, revisions, current, ordered, committed, paid, other, remaining,
             allowed, reference) in budgets.iterator(chunk_size=CHUNK):
            absorption = (paid + other) / current if current else None
            yield (agency, year, code, account, original, revisions, current, ordered, committed, paid, other,
                   remaining, absorption, allowed, reference)


# --- exceptions -------------------------------------------------------------------------------------------

class DayStart(Func):
    """The moment a day begins in Asia/Jakarta, ``days`` after the date ``expression``: with days=1, the end
    of that day as catalog.eligibility.end_of reads a date (``created_at < DayStart(date, 1)``), in SQL so
    that a history can be read for every row of a query at once. The time zone is the project's."""

    output_field = DateTimeField()
    template = "((%(expressions)s + %(days)s)::timestamp AT TIME ZONE '%(zone)s')"

    def __init__(self, expression, *, days: int):
        super().__init__(expression, days=int(days), zone=settings.TIME_ZONE)


class DayAfter(Func):
    """The date after a date (PostgreSQL: date + 1 is a date)."""

    output_field = DateField()
    template = "(%(expressions)s + 1)"


class Check(TextChoices):
    """What the exceptions report looks for; docs/domain.md "Reports on spending" says why and how."""

    ORDER_SNAPSHOT_NOT_ELIGIBLE = "order_snapshot_not_eligible", _(
        "Order to an outlet not listed or not eligible on the order date (the order's snapshot)")
    ORDER_HISTORY_NOT_ELIGIBLE = "order_history_not_eligible", _(
        "Order to an outlet not listed or not eligible on the order date (the catalog's history)")
    PAID_WITHOUT_PROOF = "paid_without_accepted_proof", _("Paid order without accepted proof of publication")
    PRICE_OVERRIDE = "price_override", _("Amount differs from quantity × unit price")
    BUDGET_BELOW_ORDERS = "budget_below_orders", _("Budget below what its orders hold")
    DOCUMENT_EXPIRED_WHILE_LISTED = "document_expired_while_listed", _(
        "Document expired while the outlet stayed listed")
    LISTED_WITHOUT_TAX_STATUS = "listed_without_tax_status", _(
        "Listed outlet without a current tax status confirmation (KSWP or SKF)")
    ORDER_HELD = "order_held_for_second_approval", _(
        "Order held by an integrity control for a second approval")
    OBJECTION_LATE = "objection_not_decided_in_time", _(
        "Objection (masa sanggah) decided late or still undecided after its period")
    OUTLETS_CONNECTED = "outlets_connected", _("Outlets sharing a bank account, owner, phone or address")
    # Proof deadlines (docs/domain.md "Proof deadlines").
    PROOF_OVERDUE = "proof_overdue", _("Proof of publication overdue")
    PROOF_FILED_LATE = "proof_filed_late", _("Proof of publication filed after its deadline")
    # Tiers and reference prices (docs/domain.md "Tiers and reference prices").
    PRICE_ABOVE_BOUND = "price_above_bound", _("Price approved above the upper bound of a reference price")
    ORDER_ABOVE_REFERENCE = "order_above_reference", _("Order above the reference price")
    # Issue 14: price comparison across agencies, fair-distribution quotas.
    PRICE_ABOVE_OTHER_AGENCIES = "price_above_other_agencies", _(
        "Order price more than the factor above another agency's price for the same outlet and product")
    OUTLET_OVER_QUOTA = "outlet_over_quota", _("Outlet over a fair-distribution quota")


class Subject(TextChoices):
    ORDER = "order", _("order")
    BUDGET = "budget", _("budget")
    DOCUMENT = "document", _("document")
    OUTLET = "outlet", _("outlet")
    OBJECTION = "objection", _("objection")
    PRICE = "price", _("price list item")


def _may(user, permission: str) -> bool:
    return user is None or user.has_perm(permission)


def _exception_orders(filters: ReportFilters, user) -> QuerySet[MediaOrder]:
    orders = scoped_orders(user)
    if filters.agency:
        orders = orders.filter(budget__agency__slug=filters.agency)
    if filters.year:
        orders = orders.filter(budget__year=filters.year)
    return orders.order_by("order_date", "pk")


ORDER_FIELDS = ("pk", "price_item__name", "outlet_id", "outlet__name", "outlet__company__legal_name",
                "budget__agency__name", "budget__year", "order_date", "amount", "status")


def orders_not_eligible_by_snapshot(filters: ReportFilters, user) -> QuerySet:
    """Orders whose own snapshot says the outlet was not listed or not eligible on the order date:
    order_place refuses them, so one is there only if the service was bypassed or the row changed."""
    return (_exception_orders(filters, user)
            .filter(Q(eligible_on_order_date=False) | ~Q(listing_state_on_order_date=ListingState.LISTED))
            .annotate(failing=FailingReasons("eligibility_outcomes", reason_language()))
            .values_list(*ORDER_FIELDS, "listing_state_on_order_date", "eligible_on_order_date", "failing"))


def orders_not_eligible_by_history(filters: ReportFilters, user) -> QuerySet:
    """Orders whose outlet, read again from the catalog's history (the listing's transitions and the
    eligibility changes up to the end of the order date, as catalog.eligibility.listing_state_on and
    eligibility_on read them for one outlet), was not listed or not eligible that day, whatever the order's
    snapshot says. Two correlated subqueries on indexed histories; no query per order."""
    day_end = DayStart(OuterRef("order_date"), days=1)
    transitions = (ListingTransition.objects.filter(listing__outlet_id=OuterRef("outlet_id"), created_at__lt=day_end)
                   .order_by("-created_at", "-pk"))
    changes = (EligibilityChange.objects.filter(outlet_id=OuterRef("outlet_id"), created_at__lt=day_end)
               .order_by("-created_at", "-pk"))
    return (_exception_orders(filters, user)
            .annotate(listing_then=Coalesce(Subquery(transitions.values("to_state")[:1]), Value("")),
                      eligible_then=Subquery(changes.values("is_eligible")[:1]))  # NULL: never evaluated by then
            .filter(~Q(listing_then=ListingState.LISTED) | Q(eligible_then__isnull=True) | Q(eligible_then=False))
            # Read only for the rows found (PostgreSQL computes the select list after the WHERE).
            .annotate(failing_then=Coalesce(Subquery(changes.values("failing_codes")[:1]), Value("")))
            .values_list(*ORDER_FIELDS, "listing_then", "eligible_then", "failing_then"))


def orders_paid_without_proof(filters: ReportFilters, user) -> QuerySet:
    """Paid orders whose proof of publication is not accepted (a database CHECK and order_pay forbid it)."""
    return (_exception_orders(filters, user)
            .filter(status=OrderStatus.PAID).exclude(proof_status=ProofStatus.ACCEPTED)
            .values_list(*ORDER_FIELDS, "paid_on", "payment_reference", "proof_status"))


def orders_with_price_override(filters: ReportFilters, user) -> QuerySet:
    """Orders whose amount is not quantity × unit price (allowed with a reason, which the auditor reads)."""
    return (_exception_orders(filters, user)
            .exclude(amount=F("quantity") * F("unit_price"))
            .values_list(*ORDER_FIELDS, "quantity", "unit_price", "override_reason"))


def orders_held(filters: ReportFilters, user) -> QuerySet:
    """Every hold an integrity control put on an order (budgets.services.flags), approved or still waiting:
    the rule, what the control found (in the file's language), who went ahead and why, who gave the second
    approval and why. One row per hold, one query."""
    language = "en" if reason_language() == "en" else "id"
    orders = _exception_orders(filters, user).values("pk")
    return (OrderFlag.objects.filter(order__in=orders)
            .annotate(finding=Coalesce(KT(f"detail__{language}"), KT("detail__id"), Value(""),
                                       output_field=TextField()),
                      raiser=person_name("raised_by"), approver=person_name("approved_by"))
            .order_by("order__order_date", "order_id", "pk")
            .values_list("order_id", *(f"order__{field}" for field in ORDER_FIELDS[1:]), "rule", "finding",
                         "reason", "raiser", "raised_at", "approver", "approved_at", "approval_reason"))


# --- tiers and reference prices ---------------------------------------------------------------------------

def prices_above_bound(filters: ReportFilters, user) -> QuerySet:
    """Price list items approved above the upper bound of the reference price that applied, with the reason
    given (budgets.services.prices.price_approve). Prices are every agency's: the year filter is the year of the
    price's first day, the agency filter the approver's agency."""
    prices = reference_prices.prices_above_bound()  # as the staff home counts them
    if filters.agency:
        prices = prices.filter(reviewed_by__agency_staff__agency__slug=filters.agency)
    if filters.year:
        prices = prices.filter(valid_from__year=filters.year)
    return (prices.annotate(approver=person_name("reviewed_by"))
            .order_by("valid_from", "pk")
            .values_list("pk", "name", "outlet_id", "outlet__name", "outlet__company__legal_name", "valid_from",
                         "unit_price", "unit", "approval_bound", "approval_bound_source", "above_bound_reason",
                         "approver", "reviewed_at"))


def orders_above_reference(filters: ReportFilters, user) -> QuerySet:
    """Orders whose approved price was above the agency's reference price, with the negotiation recorded before
    they were placed (budgets.controls.reference_price) and who placed them."""
    return (reference_prices.orders_above_reference(_exception_orders(filters, user))  # as the staff home
            .annotate(placed_by=person_name("created_by"))
            .values_list(*ORDER_FIELDS, "quantity", "unit_price", "reference_price", "reference_source",
                         "tier_on_order_date", "negotiation_offered", "negotiation_agreed", "negotiated_by_agency",
                         "negotiated_by_outlet", "negotiated_on", "placed_by"))


def budgets_below_orders(filters: ReportFilters, user) -> QuerySet:
    """Budgets whose current amount is below what their orders hold, by the figure the services keep
    (ordered_amount) or by the sum of their orders that are not cancelled: CHECK constraints and
    budget_revise forbid the first, so a row means a bypass or a figure out of step with the orders."""
    live = (MediaOrder.objects.filter(budget=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
            .order_by().values("budget").annotate(total=Sum("amount")).values("total"))
    budgets = scoped_budgets(user)
    if filters.agency:
        budgets = budgets.filter(agency__slug=filters.agency)
    if filters.year:
        budgets = budgets.filter(year=filters.year)
    return (budgets.annotate(orders_total=Coalesce(Subquery(live, output_field=BigIntegerField()), Value(0)))
            .filter(Q(current_amount__lt=F("ordered_amount")) | Q(current_amount__lt=F("orders_total")))
            .order_by("agency__name", "year", "pk")
            .values_list("pk", "agency__name", "year", "account_name", "updated_at", "current_amount",
                         "ordered_amount", "orders_total"))


# --- issue 14: price comparison across agencies and fair-distribution quotas --------------------------------

def orders_above_other_agencies(filters: ReportFilters, user) -> QuerySet:
    """Orders not cancelled whose effective unit price (amount ÷ quantity) is more than their budget's price
    comparison factor times the lowest another agency paid the same outlet for the same kind of product in
    the year (budgets.comparison): every order, also those placed before the control held such orders. One
    query (window functions over the year's orders); the other agencies' orders are read whatever agency
    ``user`` sees, as the order's page shows them. The agency that paid the lowest price is an id here (the
    rows name it from one read of the agencies)."""
    return (comparison.above_factor(_exception_orders(filters, user), year=filters.year)
            .order_by("order_date", "pk")
            .values_list(*ORDER_FIELDS, "effective_unit_price", "other_lowest_price", "other_lowest_agency_id",
                         "other_lowest_order", "budget__price_comparison_factor"))


def outlets_over_quota(filters: ReportFilters, user) -> QuerySet:
    """Outlets that received more orders, or more of the budget, than their media type's quota of the budget
    allows (orders placed before the quota was set, or a budget revised down afterwards). One query."""
    return (quota_over(quota_use(_exception_orders(filters, user).order_by()))
            .order_by("budget__agency__name", "budget__year", "outlet__name", "outlet_id")
            .values_list("outlet_id", "outlet__name", "outlet__company__legal_name", "budget__agency__name",
                         "budget__year", "last_order", "total", "orders", "max_orders", "max_share_percent",
                         "budget__current_amount", "outlet__media_type"))


def documents_expired_while_listed(today: datetime.date) -> QuerySet:
    """Accepted documents, of an outlet or of its company (a company's counts for each of its outlets), whose
    expiry date D is before ``today``, that no accepted document of the same kind and owner replaced (one
    valid on D + 1: issued by then, expiring after D or never), while the outlet was still listed at the end
    of D + 1, by its listing's transitions: the night's re-check after the expiry had run and left it listed.
    One query: the outlets' own documents and the companies' (joined to each of the company's outlets), as a
    UNION sorted by expiry date."""
    parts = []
    for own in (True, False):
        replacement = (Document.objects.filter(kind=OuterRef("kind"), company_id=OuterRef("company_id"),
                                               review_status=ReviewStatus.ACCEPTED)
                       .exclude(pk=OuterRef("pk"))
                       .filter(Q(issue_date__isnull=True) | Q(issue_date__lte=DayAfter(OuterRef("expiry_date"))))
                       .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=OuterRef("expiry_date"))))
        replacement = (replacement.filter(outlet_id=OuterRef("outlet_id")) if own
                       else replacement.filter(outlet__isnull=True))
        state_after = (ListingTransition.objects
                       .filter(listing__outlet_id=OuterRef("target_outlet"),
                               created_at__lt=DayStart(OuterRef("expiry_date"), days=2))
                       .order_by("-created_at", "-pk").values("to_state")[:1])
        outlet = "outlet" if own else "company__outlets"
        parts.append(Document.objects.filter(review_status=ReviewStatus.ACCEPTED, expiry_date__lt=today)
                     .filter(outlet__isnull=not own)
                     .annotate(target_outlet=F(f"{outlet}__id"), target_name=F(f"{outlet}__name"))
                     .filter(target_outlet__isnull=False)
                     .annotate(state_after=Subquery(state_after), replaced=Exists(replacement))
                     .filter(state_after=ListingState.LISTED, replaced=False)
                     .values_list("pk", "kind", "number", "target_outlet", "target_name", "company__legal_name",
                                  "expiry_date"))
    own, companies = parts
    return own.union(companies, all=True).order_by("expiry_date", "pk", "target_outlet")


def listed_without_tax_status(today: datetime.date) -> QuerySet:
    """Outlets listed now whose company has no tax status that counts today, as catalog.rules.rule_tax_status
    reads it: an accepted KSWP dated no later than today whose calendar limit (catalog.tax_calendar:
    with_counts_until, the fiscal-year grace date or the policy's days) is today or later, or an accepted SKF
    not older than the policy's months and not expired. The latest accepted KSWP is given for the detail."""
    policy = EligibilityPolicy.load()
    company_documents = Document.objects.filter(company_id=OuterRef("company_id"), outlet__isnull=True,
                                                review_status=ReviewStatus.ACCEPTED)
    kswp = with_counts_until(company_documents.filter(kind=DocumentKind.KSWP, issue_date__lte=today)
                             .filter(may_count_on(today, today, policy)), policy).filter(counts_until__gte=today)
    skf_from = add_months(today, -policy.skf_max_age_months)
    skf = (company_documents.filter(kind=DocumentKind.SKF, issue_date__gte=skf_from)
           .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today)))
    latest_kswp = (company_documents.filter(kind=DocumentKind.KSWP, issue_date__isnull=False)
                   .order_by("-issue_date").values("issue_date")[:1])
    return (MediaOutlet.objects.filter(listing__state=ListingState.LISTED)
            .exclude(Exists(kswp)).exclude(Exists(skf))
            .annotate(latest_kswp=Subquery(latest_kswp))
            .order_by("name", "pk")
            .values_list("pk", "name", "company__legal_name", "latest_kswp"))


def objections_not_decided_in_time(today: datetime.date) -> QuerySet:
    """Objections decided, or still undecided, more than catalog.selectors.OBJECTION_DECISION_DAYS after the
    end of their period (catalog.selectors.objections_late); one query."""
    return (catalog_selectors.objections_late(today, grace_days=catalog_selectors.OBJECTION_DECISION_DAYS)
            .values_list("pk", "application_id", "transition__action", "outlet_id", "outlet__name",
                         "outlet__company__legal_name", "filed_at", "deadline", "decided_on", "days_late"))
class ConnectedOutletRows:
    """The outlets that share a bank account, an owner, a phone or an address with an outlet of another company
    (partners.selectors.connected_outlets, two queries), one row per outlet and link, read once and given as
    findings() gives its querysets (``count()``, ``iterator()``). The shared thing itself (a name, a number) is
    left out: the report's columns are not personal data; the outlet pages show it to staff."""

    def __init__(self):
        self._rows = None

    def _load(self) -> list:
        if self._rows is None:
            self._rows = [(group, outlet) for group in connected_outlets() for outlet in group.outlets]
        return self._rows

    def count(self) -> int:
        return len(self._load())

    def exists(self) -> bool:
        return bool(self._load())

    def iterator(self, chunk_size: int | None = None):
        return iter(self._load())


def orders_with_proof_overdue(filters: ReportFilters, user, today: datetime.date) -> QuerySet:
    """Open orders past their proof deadline without proof waiting for review or accepted (none sent, or the
    one sent rejected): budgets.selectors.proof_overdue, as the staff home and the order control read it."""
    return (_exception_orders(filters, user).filter(proof_overdue(today))
            .values_list(*ORDER_FIELDS, "service_end", "proof_due_on", "proof_status"))


def orders_with_proof_filed_late(filters: ReportFilters, user) -> QuerySet:
    """Orders whose proof was filed after its deadline (a late claim), with the reason given and whether the
    second approval was given and why (the late-proof flag, budgets.services.flags)."""
    flag = OrderFlag.objects.filter(order=OuterRef("pk"), rule=FlagRule.LATE_PROOF)
    return (_exception_orders(filters, user).filter(proof_filed_on__gt=F("proof_due_on"))
            .annotate(late_reason=Subquery(flag.values("reason")[:1]),
                      approval_reason=Subquery(flag.values("approval_reason")[:1]))
            .values_list(*ORDER_FIELDS, "proof_due_on", "proof_filed_on", "late_reason", "approval_reason"))


@register
class ExceptionsReport(Report):
    name = "exceptions"
    title = _("Exceptions")
    description = _(
        "What an auditor must look at, one row per finding with the check it fails: orders whose outlet was "
        "not listed or not eligible on the order date, by the order's snapshot and again by the catalog's "
        "history; paid orders without accepted proof; amounts that differ from quantity × unit price; budgets "
        "below what their orders hold; accepted documents that expired, were not replaced by the next day, "
        "while the outlet was still listed at the end of that next day; listed outlets whose company has "
        "no KSWP counting today nor a current SKF; every order an integrity control held for a second "
        "approval, with the rule, what it found, who went ahead and why, and who approved it and why; "
        "objections decided, or still undecided, more than a day after their objection period; outlets that "
        "share a bank account, an owner, a phone or an address with another company's; proofs of publication "
        "overdue, and proofs filed after their deadline; orders priced more than the budget's factor above "
        "what another agency paid the same outlet for the same kind of product that year; and outlets over a "
        "fair-distribution quota. Orders and budgets are those of your agency (every "
        "agency's for auditors); the registry's findings are shared by every agency and need the permission "
        "to view documents or outlets; the agency and year filters apply to orders and budgets. Also: prices "
        "approved above the upper bound of a reference price, with the reason, and orders above the reference "
        "price, with the negotiation recorded and who placed them.")
    permission = "budgets.view_mediaorder"
    filters = ("agency", "year")
    columns = [
        Column("check_code", _("check (code)")),
        Column("check", _("check")),
        Column("subject", _("concerns")),
        Column("subject_id", _("number"), "int"),
        Column("subject_name", _("name")),
        Column("outlet_id", _("outlet number"), "int"),
        Column("outlet", _("outlet")),
        Column("company", _("company")),
        Column("agency", _("agency")),
        Column("year", _("fiscal year"), "int"),
        Column("date", _("date"), "date"),
        Column("amount", _("amount"), "money"),
        Column("detail", _("detail")),
        # The people a finding names (who negotiated, placed, approved): personal, left out of the public profile.
        Column("people", _("people named"), personal=True),
    ]

    def queryset(self, filters: ReportFilters, user):
        """The orders the order checks read (count() is the sum of the categories', see ``count``)."""
        return _exception_orders(filters, user)

    def findings(self, filters: ReportFilters, user, today: datetime.date) -> list[tuple[str, QuerySet]]:
        """Each check with its query, those ``user`` may see, in the order of the file."""
        found = [
            (Check.ORDER_SNAPSHOT_NOT_ELIGIBLE, orders_not_eligible_by_snapshot(filters, user)),
            (Check.ORDER_HISTORY_NOT_ELIGIBLE, orders_not_eligible_by_history(filters, user)),
            (Check.PAID_WITHOUT_PROOF, orders_paid_without_proof(filters, user)),
            (Check.PRICE_OVERRIDE, orders_with_price_override(filters, user)),
            (Check.BUDGET_BELOW_ORDERS, budgets_below_orders(filters, user)),
            (Check.ORDER_HELD, orders_held(filters, user)),
            (Check.PROOF_OVERDUE, orders_with_proof_overdue(filters, user, today)),
            (Check.PROOF_FILED_LATE, orders_with_proof_filed_late(filters, user)),
            (Check.ORDER_ABOVE_REFERENCE, orders_above_reference(filters, user)),
            (Check.PRICE_ABOVE_OTHER_AGENCIES, orders_above_other_agencies(filters, user)),
            (Check.OUTLET_OVER_QUOTA, outlets_over_quota(filters, user)),
        ]
        if _may(user, "budgets.view_priceitem"):  # the price list is every agency's
            found.append((Check.PRICE_ABOVE_BOUND, prices_above_bound(filters, user)))
        # The registry is every agency's: its findings need the registry's view permissions, not an agency.
        if _may(user, "partners.view_document"):
            found.append((Check.DOCUMENT_EXPIRED_WHILE_LISTED, documents_expired_while_listed(today)))
        if _may(user, "partners.view_mediaoutlet"):
            found.append((Check.LISTED_WITHOUT_TAX_STATUS, listed_without_tax_status(today)))
            found.append((Check.OUTLETS_CONNECTED, ConnectedOutletRows()))
        if _may(user, "catalog.view_objection"):
            found.append((Check.OBJECTION_LATE, objections_not_decided_in_time(today)))
        return found

    def count(self, filters: ReportFilters, user) -> int:
        return sum(query.count() for _check, query in self.findings(filters, user, timezone.localdate()))

    def rows(self, filters: ReportFilters, user):
        """Check by check, each streamed from its own query; the words are looked up once per file."""
        today = timezone.localdate()
        checks, subjects = _words(Check.choices), _words(Subject.choices)
        statuses, proofs = _words(OrderStatus.choices), _words(ProofStatus.choices)
        listings, kinds = _words(ListingState.choices), _words(DocumentKind.choices)
        rule_titles = {code: str(title) for code, title in RULE_TITLES.items()}
        yes, no, none = str(_("eligible")), str(_("not eligible")), str(_("none"))
        never = str(_("never evaluated by then"))
        texts = {
            Check.ORDER_SNAPSHOT_NOT_ELIGIBLE: _(
                "The order's snapshot of %(date)s: listing %(listing)s, %(eligible)s. Order status: %(status)s. "
                "Failing rules: %(failing)s"),
            Check.ORDER_HISTORY_NOT_ELIGIBLE: _(
                "The catalog's history at the end of %(date)s: listing %(listing)s, %(eligible)s. Order status: "
                "%(status)s. Failing rules: %(failing)s"),
            Check.PAID_WITHOUT_PROOF: _("Paid on %(paid_on)s (%(reference)s); proof of publication: %(proof)s."),
            Check.PRICE_OVERRIDE: _("%(quantity)s × %(unit_price)s = %(expected)s; the amount is %(amount)s. "
                                    "Reason: %(reason)s. Order status: %(status)s."),
            Check.BUDGET_BELOW_ORDERS: _("The current amount %(current)s is below what is ordered: %(ordered)s by "
                                         "the budget's figure, %(total)s by its orders that are not cancelled."),
            Check.DOCUMENT_EXPIRED_WHILE_LISTED: _(
                "%(document)s expired on %(expiry)s; no accepted %(kind)s replaced it by %(next)s, and the outlet "
                "was still listed at the end of that day."),
            Check.LISTED_WITHOUT_TAX_STATUS: _(
                "Listed on %(today)s without a KSWP that counts that day or a current SKF; the latest accepted "
                "KSWP is of %(latest)s."),
            Check.ORDER_HELD: _(
                "%(rule)s: %(finding)s Raised on %(raised_at)s, reason given: %(reason)s. Second approval: "
                "%(approval)s. Order status: %(status)s."),
            Check.OBJECTION_LATE: _(
                "Filed on %(filed)s against: %(decision)s. The objection period ended on %(deadline)s; %(when)s "
                "(%(days)s days after it)."),
            Check.OUTLETS_CONNECTED: _("Shares its %(link)s with: %(others)s."),
            Check.PROOF_OVERDUE: _(
                "Service ended on %(end)s; proof due by %(due)s, %(days)s day(s) overdue on %(today)s. Proof: "
                "%(proof)s. Order status: %(status)s."),
            Check.PROOF_FILED_LATE: _(
                "Proof filed on %(filed)s, %(days)s day(s) after its deadline of %(due)s. Reason given: %(reason)s. "
                "Second approval: %(approval)s. Order status: %(status)s."),
            Check.PRICE_ABOVE_BOUND: _(
                "%(price)s per %(unit)s from %(valid_from)s is above the upper bound %(bound)s (%(source)s); "
                "approved on %(day)s. Reason: %(reason)s"),
            Check.ORDER_ABOVE_REFERENCE: _(
                "The approved price %(unit_price)s is above the reference price %(reference)s (%(source)s, tier "
                "%(tier)s). Negotiated on %(negotiated_on)s: offered %(offered)s, agreed %(agreed)s; %(quantity)s × "
                "%(agreed)s. Order status: %(status)s."),
            Check.PRICE_ABOVE_OTHER_AGENCIES: _(
                "Unit price %(price)s, more than %(factor)s× the lowest another agency paid the outlet for the same "
                "product in %(year)s: %(lowest)s (%(agency)s, order %(order)s). Order status: %(status)s."),
            Check.OUTLET_OVER_QUOTA: _(
                "%(orders)s orders, %(total)s (%(share)s of the budget %(budget)s); the quota for %(media_type)s "
                "outlets: %(limits)s."),
        }
        people_texts = {
            Check.PRICE_ABOVE_BOUND: str(_("Approved by %(approver)s.")),
            Check.ORDER_HELD: str(_("Raised by %(raiser)s; second approval by %(approver)s.")),
            Check.ORDER_ABOVE_REFERENCE: str(_(
                "Negotiated by %(agency_side)s (agency) and %(outlet_side)s (outlet); placed by %(placed_by)s.")),
        }
        texts = {check: str(text) for check, text in texts.items()}

        def order_row(check, values, **detail):
            pk, product, outlet_id, outlet, company, agency, year, order_date, amount, status = values[:10]
            return (check, checks[check], subjects[Subject.ORDER], pk, product, outlet_id, outlet, company, agency,
                    year, order_date, amount, texts[check] % {
                        "date": order_date.isoformat(), "status": statuses.get(status, status), **detail})

        def snapshot(values):
            listing, eligible, failing = values[10:]
            return order_row(Check.ORDER_SNAPSHOT_NOT_ELIGIBLE, values, listing=listings.get(listing, listing or none),
                             eligible=yes if eligible else no, failing=failing or none)

        def history(values):
            listing, eligible, failing = values[10:]
            return order_row(Check.ORDER_HISTORY_NOT_ELIGIBLE, values, listing=listings.get(listing, listing or none),
                             eligible=never if eligible is None else yes if eligible else no,
                             failing="; ".join(rule_titles.get(c, c) for c in failing.split(",") if c) or none)

        def paid(values):
            paid_on, reference, proof = values[10:]
            return order_row(Check.PAID_WITHOUT_PROOF, values, paid_on=paid_on.isoformat() if paid_on else none,
                             reference=reference or none, proof=proofs.get(proof, proof))

        def override(values):
            quantity, unit_price, reason = values[10:]
            return order_row(Check.PRICE_OVERRIDE, values, quantity=quantity, unit_price=format_rupiah(unit_price),
                             expected=format_rupiah(quantity * unit_price), amount=format_rupiah(values[8]),
                             reason=reason or none)

        def budget(values):
            pk, agency, year, account, updated_at, current, ordered, total = values
            check = Check.BUDGET_BELOW_ORDERS
            return (check, checks[check], subjects[Subject.BUDGET], pk, f"{agency} {year}: {account}", None, "", "",
                    agency, year, updated_at, current, texts[check] % {
                        "current": format_rupiah(current), "ordered": format_rupiah(ordered),
                        "total": format_rupiah(total)})

        def document(values):
            pk, kind, number, outlet_id, outlet, company, expiry = values
            check, label = Check.DOCUMENT_EXPIRED_WHILE_LISTED, kinds.get(kind, kind)
            name = f"{label} {number}".strip()
            return (check, checks[check], subjects[Subject.DOCUMENT], pk, name, outlet_id, outlet, company, "", None,
                    expiry, None, texts[check] % {"document": name, "expiry": expiry.isoformat(), "kind": label,
                                                  "next": (expiry + datetime.timedelta(days=1)).isoformat()})

        def tax(values):
            pk, outlet, company, latest = values
            check = Check.LISTED_WITHOUT_TAX_STATUS
            return (check, checks[check], subjects[Subject.OUTLET], pk, outlet, pk, outlet, company, "", None, today,
                    None, texts[check] % {"today": today.isoformat(), "latest": latest.isoformat() if latest else none})

        rules = _words(FlagRule.choices)
        waiting = str(_("waiting"))
        approved_text = str(_("given on %(day)s, reason: %(reason)s"))

        def held(values):
            rule, finding, reason, raiser, raised_at, approver, approved_at, approval_reason = values[10:]
            approval = waiting if approved_at is None else approved_text % {
                "day": timezone.localtime(approved_at).date().isoformat(), "reason": approval_reason}
            row = order_row(Check.ORDER_HELD, values, rule=rules.get(rule, rule), finding=finding,
                            reason=reason or none, raised_at=timezone.localtime(raised_at).date().isoformat(),
                            approval=approval)
            # Who raised and who approved: the personal column, left out of the public profile.
            return (*row, people_texts[Check.ORDER_HELD] % {"raiser": raiser or none,
                                                            "approver": approver or waiting})

        decided_on, undecided = str(_("decided on %(date)s")), str(_("not decided by %(date)s"))

        def objection(values):
            pk, application_id, action, outlet_id, outlet, company, filed_at, deadline, decided, days = values
            check = Check.OBJECTION_LATE
            label = str(decision_label(None if application_id else action))
            when = decided_on % {"date": decided.isoformat()} if decided else undecided % {"date": today.isoformat()}
            return (check, checks[check], subjects[Subject.OBJECTION], pk, label, outlet_id, outlet, company, "", None,
                    deadline, None, texts[check] % {
                        "filed": timezone.localdate(filed_at).isoformat(), "decision": label,
                        "deadline": deadline.isoformat(), "when": when, "days": days})

        def connected(values):
            group, outlet = values
            check = Check.OUTLETS_CONNECTED
            others = "; ".join(f"{other.name} ({other.company.legal_name})" for other in group.others(outlet.pk))
            return (check, checks[check], subjects[Subject.OUTLET], outlet.pk, outlet.name, outlet.pk, outlet.name,
                    outlet.company.legal_name, "", None, today, None,
                    texts[check] % {"link": group.kind_label, "others": others})

        def overdue(values):
            end, due, proof = values[10:]
            return order_row(Check.PROOF_OVERDUE, values, end=end.isoformat(), due=due.isoformat(),
                             days=(today - due).days, today=today.isoformat(), proof=proofs.get(proof, proof))

        not_given = str(_("not given yet"))

        def filed_late(values):
            due, filed, reason, approval = values[10:]
            return order_row(Check.PROOF_FILED_LATE, values, due=due.isoformat(), filed=filed.isoformat(),
                             days=(filed - due).days, reason=reason or none, approval=approval or not_given)

        def price_above(values):
            (pk, name, outlet_id, outlet, company, valid_from, unit_price, unit, bound, source, reason, approver,
             reviewed_at) = values
            check = Check.PRICE_ABOVE_BOUND
            return (check, checks[check], subjects[Subject.PRICE], pk, name, outlet_id, outlet, company, "",
                    valid_from.year, valid_from, unit_price, texts[check] % {
                        "price": format_rupiah(unit_price), "unit": unit, "valid_from": valid_from.isoformat(),
                        "bound": format_rupiah(bound), "source": source or none,
                        "day": timezone.localdate(reviewed_at).isoformat() if reviewed_at else none,
                        "reason": reason or none},
                    people_texts[check] % {"approver": approver or none})

        def above_reference(values):
            (quantity, unit_price, reference, source, tier, offered, agreed, agency_side, outlet_side, negotiated_on,
             placed_by) = values[10:]
            money = {"offered": offered, "agreed": agreed}
            check = Check.ORDER_ABOVE_REFERENCE
            row = order_row(check, values, quantity=quantity, unit_price=format_rupiah(unit_price),
                            reference=format_rupiah(reference), source=source or none, tier=tier or none,
                            negotiated_on=negotiated_on.isoformat() if negotiated_on else none,
                            **{key: format_rupiah(value) if value is not None else none
                               for key, value in money.items()})
            return (*row, people_texts[check] % {"agency_side": agency_side or none,
                                                 "outlet_side": outlet_side or none, "placed_by": placed_by or none})

        agency_names = {}

        def above_others(values):
            unit, lowest, agency_id, order, factor = values[10:]
            if not agency_names:  # once per file, and only when there is such a finding
                agency_names.update((agency.pk, str(agency)) for agency in Agency.objects.all())
            return order_row(Check.PRICE_ABOVE_OTHER_AGENCIES, values, price=format_rupiah(unit),
                             factor=f"{factor:.2f}", year=values[6], lowest=format_rupiah(lowest),
                             agency=agency_names.get(agency_id, agency_id), order=order)

        media_types = _words(MediaType.choices)
        most_orders, most_share = str(_("at most %(n)s orders per outlet")), str(_("at most %(share)s per outlet"))

        def over_quota(values):
            (outlet_id, outlet, company, agency, year, last_order, total, orders, max_orders, max_share, budget_amount,
             media_type) = values
            check = Check.OUTLET_OVER_QUOTA
            limits = []
            if max_share is not None:
                limits.append(most_share % {"share": percent_text(max_share)})
            if max_orders is not None:
                limits.append(most_orders % {"n": max_orders})
            return (check, checks[check], subjects[Subject.OUTLET], outlet_id, outlet, outlet_id, outlet, company,
                    agency, year, last_order, total, texts[check] % {
                        "orders": orders, "total": format_rupiah(total),
                        "share": percent_text(share_percent(total, budget_amount)),
                        "budget": format_rupiah(budget_amount), "media_type": media_types.get(media_type, media_type),
                        "limits": "; ".join(limits)})

        row_of = {Check.PRICE_ABOVE_OTHER_AGENCIES: above_others, Check.OUTLET_OVER_QUOTA: over_quota,
                  Check.ORDER_SNAPSHOT_NOT_ELIGIBLE: snapshot, Check.ORDER_HISTORY_NOT_ELIGIBLE: history,
                  Check.PAID_WITHOUT_PROOF: paid, Check.PRICE_OVERRIDE: override, Check.BUDGET_BELOW_ORDERS: budget,
                  Check.DOCUMENT_EXPIRED_WHILE_LISTED: document, Check.LISTED_WITHOUT_TAX_STATUS: tax,
                  Check.ORDER_HELD: held, Check.OBJECTION_LATE: objection, Check.OUTLETS_CONNECTED: connected,
                  Check.PROOF_OVERDUE: overdue, Check.PROOF_FILED_LATE: filed_late,
                  Check.PRICE_ABOVE_BOUND: price_above, Check.ORDER_ABOVE_REFERENCE: above_reference}
        width = len(self.columns)
        for check, query in self.findings(filters, user, today):
            make_row = row_of[check]
            for values in query.iterator(chunk_size=CHUNK):
                row = make_row(values)
                yield row if len(row) == width else (*row, "")  # a check that names nobody
