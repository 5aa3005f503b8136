"""The budgets' reports (mediareg.reports, issue 11): the spend ledger, the budget utilisation and the
exceptions an auditor must look at. docs/domain.md "Reports on spending" says what each holds.

Every report is scoped to what the person may see (budgets.selectors.visible_orders / visible_budgets: a
budget officer their agency's, an auditor every agency's; no user, a command, everything) and streams its
rows from a server-side cursor: ``values_list`` with the related names joined in the same query, the
words of a status looked up in a dict made once per file, never a query per row.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Case, F, Func, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext_lazy as _

from catalog.models import ListingState
from catalog.rules import reason_language
from mediareg.reports import Column, Report, ReportFilters, register
from mediareg.reports.base import CHUNK

from .models import Budget, MediaOrder, OrderStatus, ProductKind, ProofStatus
from .selectors import visible_budgets, visible_orders


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


# The database columns of the ledger, in the report's column order. Choice fields are their stored codes
# here (spend_ledger_rows turns them into words); everything else is as the file shows it.
SPEND_LEDGER_FIELDS = (
    "pk", "budget__agency__name", "budget__year", "budget__account_code", "outlet_id", "outlet__name",
    "outlet__company__legal_name", "price_item__kind", "price_item__name", "description", "quantity", "unit_price",
    "amount", "override_reason", "status", "order_date", "service_start", "service_end", "ecatalog_reference",
    "proof_status", "published_url", "paid_on", "payment_reference", "cancelled_on", "eligible_on_order_date",
    "listing_state_on_order_date", "failing_reasons", "placed_by",
)


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
            .annotate(failing_reasons=failing,
                      placed_by=person_name("created_by"))
            .order_by("order_date", "pk")
            .values_list(*SPEND_LEDGER_FIELDS))


# Positions of the choice columns in SPEND_LEDGER_FIELDS, which spend_ledger_rows puts into words.
_KIND, _STATUS, _PROOF, _LISTING = (SPEND_LEDGER_FIELDS.index(name) for name in (
    "price_item__kind", "status", "proof_status", "listing_state_on_order_date"))


def spend_ledger_rows(filters: ReportFilters, user) -> Iterator[tuple]:
    """The ledger's rows in SpendLedgerReport.columns' order, streamed (CHUNK rows a fetch)."""
    kinds, statuses = _words(ProductKind.choices), _words(OrderStatus.choices)
    proofs, listings = _words(ProofStatus.choices), _words(ListingState.choices)
    for values in spend_ledger_values(filters, user).iterator(chunk_size=CHUNK):
        row = list(values)
        row[_KIND] = kinds.get(row[_KIND], row[_KIND])
        row[_STATUS] = statuses.get(row[_STATUS], row[_STATUS])
        row[_PROOF] = proofs.get(row[_PROOF], row[_PROOF])
        row[_LISTING] = listings.get(row[_LISTING], row[_LISTING])
        yield tuple(row)


@register
class SpendLedgerReport(Report):
    name = "spend-ledger"
    title = _("Spend ledger")
    description = _(
        "Every media order: agency, fiscal year, account, outlet and company, product, quantity, price and "
        "amount, status, dates, proof of publication, payment, and whether the outlet was listed and "
        "eligible on the order date (the order's snapshot of the catalog that day, with the rules that "
        "failed). Cancelled orders are included; the status says so.")
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
        Column("placed_by", _("placed by"), personal=True),
    ]

    def queryset(self, filters: ReportFilters, user):
        return spend_ledger_orders(filters, user)

    def rows(self, filters: ReportFilters, user):
        return spend_ledger_rows(filters, user)
