"""The spend ledger as an Open Contracting Data Standard 1.1 release package (issue 11, item 5).

One contracting process, and so one OCID and one release, per media order: an order is a purchase from
the e-catalog (a call-off from the listed outlets at their approved prices), the budget is its source of
money (``planning.budget``, shared by the orders it pays for), the award and the contract are the order,
and the payment is the contract's transaction. docs/domain.md "Open contracting" says why, and how order
statuses map to OCDS codes.

The package is written as a stream: its opening, then each release as the next order arrives from a
server-side cursor, then its closing; never a list of releases in memory. Only organisations appear
(the agency as buyer and payer, the outlet as supplier and payee): no person's name, phone, e-mail or
identity number, no NPWP, no staff member; the order's own description and the reasons typed by staff
are left out too, as free text that may name a person.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediareg.reports.base import CHUNK

from .models import OrderStatus, ProductKind

OCDS_VERSION = "1.1"
CURRENCY = "IDR"

# Order status → (award status, contract status); codelists awardStatus and contractStatus.
# docs/domain.md "Open contracting": a paid order has come to a close by completion (terminated); a
# cancelled one no longer binds the budget, so it must not be summed with the contracts in force.
STATUSES = {
    OrderStatus.COMMITTED: ("active", "active"),
    OrderStatus.PUBLISHED: ("active", "active"),
    OrderStatus.PAID: ("active", "terminated"),
    OrderStatus.CANCELLED: ("cancelled", "cancelled"),
}

# What one release is made of: one row per order, one query for all of them.
FIELDS = (
    "pk", "status", "order_date", "service_start", "service_end", "quantity", "unit_price", "amount", "paid_on",
    "payment_reference", "updated_at", "budget__year", "budget__account_code", "budget__account_name",
    "budget__current_amount", "budget__agency__slug", "budget__agency__name", "outlet_id", "outlet__name",
    "price_item__kind", "price_item__name", "price_item__unit",
)


def ocid(agency_slug: str, order_pk: int, prefix: str | None = None) -> str:
    """``ocds-mediareg-kominfotik-dki-1234``: the publisher's prefix, the agency, the order's number."""
    return f"{prefix or settings.OCDS_OCID_PREFIX}-{agency_slug}-{order_pk}"


def _moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _value(amount: int) -> dict:
    return {"amount": int(amount), "currency": CURRENCY}


class _Texts:
    """What releases repeat, made once per package rather than once per order (a million orders share a
    few thousand days and a few hundred budgets): the fixed texts in the package's language, the budgets'
    descriptions, and days as OCDS date-times (the day's first or last second in Jakarta)."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.method_details = _("E-catalogue order (e-purchasing) to a listed outlet at its approved price")
        self.kinds = {value: str(label) for value, label in ProductKind.choices}
        self._budgets: dict[tuple, str] = {}
        self._starts: dict[datetime.date, str] = {}
        self._ends: dict[datetime.date, str] = {}

    def moment(self, value: datetime.datetime) -> str:
        return value.astimezone(self.zone).isoformat(timespec="seconds")

    def day_start(self, day: datetime.date) -> str:
        text = self._starts.get(day)
        if text is None:
            text = self._starts[day] = datetime.datetime.combine(day, datetime.time.min, self.zone).isoformat()
        return text

    def day_end(self, day: datetime.date) -> str:
        text = self._ends.get(day)
        if text is None:
            text = self._ends[day] = datetime.datetime.combine(day, datetime.time(23, 59, 59), self.zone).isoformat()
        return text

    def budget_description(self, account_name: str, account_code: str, year: int, agency: str) -> str:
        key = (account_name, account_code, year, agency)
        text = self._budgets.get(key)
        if text is None:
            text = self._budgets[key] = _("%(account)s (%(code)s), fiscal year %(year)s, %(agency)s") % {
                "account": account_name, "code": account_code, "year": year, "agency": agency}
        return text


def release(row: tuple, texts: _Texts, prefix: str) -> dict:
    """The release of one order (a row of ``FIELDS``), without its ``id`` (see ``release_json``)."""
    (pk, status, order_date, service_start, service_end, quantity, unit_price, amount, paid_on, payment_reference,
     updated_at, year, account_code, account_name, budget_amount, agency_slug, agency_name, outlet_id, outlet_name,
     kind, product, unit) = row
    award_status, contract_status = STATUSES[status]
    paid = status == OrderStatus.PAID
    buyer = {"id": f"agency-{agency_slug}", "name": agency_name}
    supplier = {"id": f"outlet-{outlet_id}", "name": outlet_name}
    award_id = f"order-{pk}"
    contract = {
        "id": award_id, "awardID": award_id, "title": product, "status": contract_status,
        "period": {"startDate": texts.day_start(service_start), "endDate": texts.day_end(service_end)},
        "value": _value(amount), "dateSigned": texts.day_start(order_date),
    }
    if paid:
        contract["implementation"] = {"transactions": [{
            "id": payment_reference or f"payment-{pk}", "date": texts.day_start(paid_on), "value": _value(amount),
            "payer": buyer, "payee": supplier}]}
    return {
        "ocid": ocid(agency_slug, pk, prefix),
        "date": texts.moment(updated_at),
        "tag": ["planning", "award", "contract", "implementation"] if paid else ["planning", "award", "contract"],
        "initiationType": "tender",  # the only code of the closed initiationType codelist
        "language": "id",
        "parties": [
            {**buyer, "roles": ["buyer", "payer"] if paid else ["buyer"]},
            {**supplier, "roles": ["supplier", "payee"] if paid else ["supplier"]},
        ],
        "buyer": buyer,
        "planning": {"budget": {
            "id": f"{agency_slug}-{year}-{account_code}",
            "description": texts.budget_description(account_name, account_code, year, agency_name),
            "amount": _value(budget_amount)}},
        "tender": {"id": f"{award_id}-tender", "status": "complete", "procurementMethod": "direct",
                   "procurementMethodDetails": texts.method_details, "mainProcurementCategory": "services"},
        "awards": [{
            "id": award_id, "title": product, "status": award_status, "date": texts.day_start(order_date),
            "value": _value(amount), "suppliers": [supplier],
            "items": [{"id": "1", "description": f"{texts.kinds.get(kind, kind)}: {product}", "quantity": quantity,
                       "unit": {"name": unit, "value": _value(unit_price)}}],
        }],
        "contracts": [contract],
    }


def release_json(body: dict) -> str:
    """The release as compact JSON, its ``id`` first: the OCID and a digest of everything else, so the same
    facts always give the same id and any change (the order's, or its budget's amount) gives a new one, as
    OCDS asks of release ids."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f'{{"id":"{body["ocid"]}-{digest}",{text[1:]}'


def releases(orders: QuerySet, *, prefix: str | None = None) -> Iterator[str]:
    """Each order of ``orders`` (already filtered and scoped) as release JSON, oldest order first, from a
    server-side cursor in chunks of CHUNK rows: one query whatever the number of orders."""
    prefix = prefix or settings.OCDS_OCID_PREFIX
    texts = _Texts()
    for row in orders.order_by("pk").values_list(*FIELDS).iterator(chunk_size=CHUNK):
        yield release_json(release(row, texts, prefix))


def package_chunks(orders: QuerySet, *, uri: str, finished: Callable[[int], None] | None = None,
                   size: int = 65_536) -> Iterator[bytes]:
    """The release package in pieces of about ``size`` bytes: the opening with the publishing metadata, the
    releases, the closing. ``finished(releases)`` is called after the last piece."""
    package = {"uri": uri, "version": OCDS_VERSION, "publishedDate": _moment(timezone.now()),
               "publisher": {"name": settings.OCDS_PUBLISHER_NAME}}
    if settings.OCDS_LICENSE:
        package["license"] = settings.OCDS_LICENSE
    opening = json.dumps(package, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"releases":['
    parts, length, count = [opening], len(opening), 0
    with translation.override("id"):
        for text in releases(orders):
            if count:
                parts.append(",")
            parts.append(text)
            length += len(text) + 1
            count += 1
            if length > size:
                yield "".join(parts).encode("utf-8")
                parts, length = [], 0
    parts.append("]}")
    yield "".join(parts).encode("utf-8")
    if finished:
        finished(count)
