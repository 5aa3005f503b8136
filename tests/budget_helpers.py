"""Builders for agencies, budget officers, budgets, approved prices and orders (the budgets tests share
them). Orders are placed through budgets.services, as every caller does."""

from __future__ import annotations

import datetime
import itertools

from budgets import services
from budgets.models import Agency, AgencyStaff, ProductKind
from tests.catalog_helpers import LISTED_ON, eligible_outlet
from tests.factories import StaffUserFactory

_numbers = itertools.count(1)

# An order day after listed_outlet's listing day (17 August 2026) and before ORDINARY_DAY (26 November).
ORDER_DAY = datetime.date(2026, 9, 14)
# The end of a service period whose proof is on time on ORDINARY_DAY (due two days later at the earliest):
# for orders whose proof a test sends through the admin, the API or a service on the pinned clock.
SERVICE_UNTIL = datetime.date(2026, 11, 25)


def make_agency(name: str = "", *, kind=Agency.Kind.PROVINCE, slug: str = "") -> Agency:
    n = next(_numbers)
    name = name or f"Dinas Kominfo Uji {n}"
    return Agency.objects.create(name=name, short_name=name[:60], slug=slug or f"dinas-uji-{n}", kind=kind)


def budget_officer(agency: Agency, username: str = "", **fields):
    """A member of Petugas Anggaran working for ``agency``."""
    user = StaffUserFactory(username=username or f"anggaran.{next(_numbers)}", groups=["Petugas Anggaran"], **fields)
    AgencyStaff.objects.create(user=user, agency=agency)
    return user


def make_budget(agency: Agency | None = None, *, year: int = 2026, amount: int = 1_000_000_000, **fields):
    return services.budget_create(agency or make_agency(), year=year, original_amount=amount, **fields)


def listed_eligible_outlet(name: str = "", *, since=LISTED_ON):
    """An outlet listed since ``since`` and found eligible by a re-check at that moment."""
    import time_machine

    from catalog.eligibility import recheck_outlet
    from catalog.models import Listing, ListingState, ListingTransition

    with time_machine.travel(since, tick=False):
        outlet = eligible_outlet(**({"name": name} if name else {}))
        listing = Listing.objects.create(outlet=outlet, state=ListingState.LISTED, state_since=since)
        ListingTransition.objects.create(listing=listing, created_at=since, action="approve",
                                         from_state="under_review", to_state=ListingState.LISTED,
                                         actor_label="rina.verifikator")
        recheck_outlet(outlet)
    return outlet


def approved_price(outlet, *, unit_price: int = 10_000_000, kind=ProductKind.ADVERTORIAL, name: str = "",
                   valid_from: datetime.date = datetime.date(2026, 1, 1), valid_until=None, approver=None):
    item = services.price_submit(outlet, kind=kind, name=name or f"Advertorial {next(_numbers)}",
                                 unit_price=unit_price, valid_from=valid_from, valid_until=valid_until, unit="artikel")
    return services.price_approve(item, user=approver or StaffUserFactory(is_superuser=True))


def place(budget, price_item, *, quantity: int = 1, order_date: datetime.date = ORDER_DAY, user=None,
          today: datetime.date | None = None, **fields):
    """An order placed on its order date (``today``, unless given), with a week's service from that day. An
    earlier order of the agency to the outlet whose proof is overdue on ``today`` refuses it (the proof
    deadline control): publish the earlier one first, as its outlet would have."""
    return services.order_place(budget=budget, price_item=price_item, quantity=quantity, order_date=order_date,
                                service_start=fields.pop("service_start", order_date),
                                service_end=fields.pop("service_end", order_date + datetime.timedelta(days=7)),
                                user=user, today=today or order_date, **fields)


def publish(order, *, url: str = "https://portal.example/berita/1", user=None, today: datetime.date | None = None,
            late_reason: str = ""):
    """The order's publication recorded with its link; the proof waits for review. Filed, unless ``today`` says
    otherwise, the day after the service period ended, within every proof deadline."""
    return services.order_publish(order, published_url=url, user=user, late_reason=late_reason,
                                  today=today or order.service_end + datetime.timedelta(days=1))


def pay(order, *, paid_on: datetime.date, user=None, reference: str = ""):
    """Publish the order, accept its proof and record its payment, as staff do."""
    staff = user or StaffUserFactory(is_superuser=True)
    order = services.order_review_proof(publish(order, user=staff), accept=True, user=staff)
    return services.order_pay(order, paid_on=paid_on, reference=reference or f"SP2D-{next(_numbers)}", user=staff,
                              today=datetime.date(2026, 11, 26))


def evidence(name: str = "kuitansi.pdf", title: str = "Kuitansi"):
    """A PDF receipt, as staff attach to spend outside the catalog."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.demo.files import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(title), content_type="application/pdf")


def record_other_spend(budget, *, amount: int = 5_000_000, kind: str = "subscription", spent_on=ORDER_DAY, user=None,
                       today: datetime.date | None = None, **fields):
    """Spend outside the catalog recorded through budgets.services, with a PDF receipt."""
    return services.other_spend_record(
        budget=budget, kind=kind, description=fields.pop("description", "Langganan koran harian setahun"),
        recipient=fields.pop("recipient", "Harian Uji"), amount=amount, spent_on=spent_on,
        reference=fields.pop("reference", f"SP2D-LAIN-{next(_numbers)}"),
        evidence_file=fields.pop("evidence_file", evidence()), user=user,
        today=today or datetime.date(2026, 11, 26), **fields)
