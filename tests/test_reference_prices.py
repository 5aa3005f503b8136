"""Reference prices (issue 14, item 1): an agency's Standar Harga Satuan per year, kind of product and tier; a price
above the upper bound approved only with a reason; an order above the reference placed only with its negotiation,
at the agreed price. Each refusal through the service, the admin and the API with the same words; the exceptions
report and the spend ledger show what was let through, and why."""

from __future__ import annotations

import datetime
import html
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from budgets import services
from budgets.models import MediaOrder, PriceItem, PriceStatus, ProductKind, ReferencePrice
from budgets.reference_prices import upper_bound_for
from budgets.reports import ExceptionsReport
from mediareg.reports import ReportFilters
from partners.models import PressVerification, VerificationLevel
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.factories import StaffUserFactory
from tests.helpers import messages_of
from tests.helpers import text as folded
from tests.test_api_orders import Api, refusal
from tests.test_reports_budgets import download, read_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

ORDERS = "/api/v1/orders/"
PRICES = reverse("admin:budgets_priceitem_changelist")
ADD_ORDER = reverse("admin:budgets_mediaorder_add")
ADD_REFERENCE = reverse("admin:budgets_referenceprice_add")
NEGOTIATION_REQUIRED = (
    "The approved price Rp 10.000.000 is above Dinas Kominfo Banjar's reference price Rp 8.000.000 for Advertorial, "
    "tier A (Perbup Banjar 7/2026 SHS): record the negotiation (the price offered, the price agreed, who negotiated "
    "for the agency and for the outlet, and when) to place the order.")
ABOVE_BOUND = ("Rp 12.000.000 per artikel is above the upper bound Rp 10.000.000 for Advertorial, tier A (Dinas "
               "Kominfo Banjar 2026: Perbup Banjar 7/2026 SHS): give the reason to approve it.")


def text(response) -> str:
    return html.unescape(folded(response))


@pytest.fixture(autouse=True)
def in_english(english):
    """The messages are compared with their English text (the lead translates them after merging)."""


@pytest.fixture
def banjar():
    return make_agency("Dinas Kominfo Banjar", slug="banjar")


@pytest.fixture
def officer(banjar):
    return budget_officer(banjar, "anggaran.banjar", first_name="Siti", last_name="Rahmawati")


@pytest.fixture
def budget(banjar):
    return make_budget(banjar, amount=100_000_000)


@pytest.fixture
def outlet():
    return listed_eligible_outlet("Kabar Martapura")


def set_reference(budget, *, tier="A", kind=ProductKind.ADVERTORIAL, price=8_000_000, bound=10_000_000,
                  source="Perbup Banjar 7/2026 SHS", user=None):
    return services.reference_price_save(budget, kind=kind, tier=tier, reference_price=price, upper_bound=bound,
                                         unit="artikel", source_reference=source, user=user)


NEGOTIATION = {"offered": 10_000_000, "agreed": 9_000_000, "agency_negotiator": "Rina Kusumawati",
               "outlet_negotiator": "Budi Santoso", "negotiated_on": datetime.date(2026, 9, 10)}


# --- the reference prices themselves ---------------------------------------------------------------------------


def test_a_reference_price_is_one_per_kind_and_tier_with_its_bound_not_below(budget, officer):
    row = set_reference(budget, user=officer)
    assert (row.reference_price, row.upper_bound, row.source_reference) == (8_000_000, 10_000_000,
                                                                           "Perbup Banjar 7/2026 SHS")
    with translation.override("en"):  # the sentences as the admin shows them in English
        with pytest.raises(services.BudgetRefused, match="already has a reference price for Advertorial, tier A"):
            set_reference(budget, user=officer)
        with pytest.raises(services.BudgetRefused, match="The upper bound cannot be below the reference price."):
            set_reference(budget, tier="B", price=8_000_000, bound=7_000_000, user=officer)
        with pytest.raises(services.BudgetRefused, match="Name the regulation"):
            set_reference(budget, tier="B", source=" ", user=officer)
    other = budget_officer(make_agency("Kominfotik DKI"))
    with pytest.raises(services.BudgetRefused) as refused:
        set_reference(budget, tier="C", user=other)
    assert refused.value.code == "other_agency"
    # The database keeps the absolute rules whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferencePrice.objects.filter(pk=row.pk).update(upper_bound=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferencePrice.objects.create(budget=budget, kind=ProductKind.ADVERTORIAL, tier="A", reference_price=1,
                                      upper_bound=2, source_reference="x")


def test_the_admin_sets_reference_prices_of_its_agency_with_the_services_refusals(client, budget, officer):
    client.force_login(officer)
    data = {"budget": budget.pk, "kind": ProductKind.ADVERTORIAL, "tier": "A", "reference_price": "Rp 8.000.000",
            "upper_bound": "7.000.000", "unit": "artikel", "source_reference": "Perbup Banjar 7/2026 SHS"}
    response = client.post(ADD_REFERENCE, data)
    assert response.status_code == 200
    assert "The upper bound cannot be below the reference price." in text(response)
    response = client.post(ADD_REFERENCE, {**data, "upper_bound": "10.000.000"})
    assert response.status_code == 302
    row = ReferencePrice.objects.get()
    assert (row.reference_price, row.upper_bound) == (8_000_000, 10_000_000)
    # The budget page lists its year's reference prices; another agency's officer sees none of them.
    page = text(client.get(reverse("admin:budgets_budget_change", args=[budget.pk])))
    assert "Rp 8.000.000" in page and "Perbup Banjar 7/2026 SHS" in page
    client.force_login(budget_officer(make_agency("Kominfotik DKI")))
    assert "Perbup Banjar" not in text(client.get(reverse("admin:budgets_referenceprice_changelist")))
    assert client.get(reverse("admin:budgets_referenceprice_change", args=[row.pk])).status_code == 404


def test_the_api_lists_and_sets_reference_prices(client, budget, officer):
    api = Api(client, officer)
    body = {"budget": budget.pk, "kind": "advertorial", "tier": "A", "reference_price": 8_000_000,
            "upper_bound": 7_000_000, "source_reference": "Perbup Banjar 7/2026 SHS"}
    assert refusal(api.post("/api/v1/reference-prices/", body, language="en")) == [
        "The upper bound cannot be below the reference price."]
    response = api.post("/api/v1/reference-prices/", {**body, "upper_bound": 10_000_000})
    assert response.status_code == 201, response.content
    assert response.json()["year"] == 2026 and response.json()["tier"] == "A"
    listed = api.get("/api/v1/reference-prices/?year=2026&tier=A").json()["results"]
    assert [(row["reference_price"], row["upper_bound"]) for row in listed] == [(8_000_000, 10_000_000)]
    other = Api(client, budget_officer(make_agency("Kominfotik DKI")))
    assert other.get("/api/v1/reference-prices/").json()["results"] == []


# --- a price above the upper bound ------------------------------------------------------------------------------


def submitted(outlet, unit_price=12_000_000):
    return services.price_submit(outlet, kind=ProductKind.ADVERTORIAL, name="Advertorial utama", unit="artikel",
                                 unit_price=unit_price, valid_from=datetime.date(2026, 3, 1))


def test_a_price_above_the_bound_is_approved_only_with_a_reason_kept_with_it(budget, officer, outlet):
    set_reference(budget, user=officer)
    item = submitted(outlet)
    with pytest.raises(services.BudgetRefused) as refused:
        services.price_approve(item, user=officer)
    assert refused.value.messages == [ABOVE_BOUND]
    item = services.price_approve(item, user=officer, reason="Jangkauan nasional.")
    assert item.status == PriceStatus.APPROVED
    assert (item.approval_bound, item.above_bound_reason) == (10_000_000, "Jangkauan nasional.")
    assert "Perbup Banjar 7/2026 SHS" in item.approval_bound_source
    # Within the bound: no reason asked, the bound still kept.
    within = services.price_approve(services.price_submit(
        outlet, kind=ProductKind.ADVERTORIAL, name="Advertorial biasa", unit="artikel", unit_price=9_000_000,
        valid_from=datetime.date(2026, 3, 1)), user=officer)
    assert (within.approval_bound, within.above_bound_reason) == (10_000_000, "")


def test_the_bound_is_the_approvers_agencys_or_the_lowest_for_someone_of_no_agency(budget, officer, outlet):
    set_reference(budget, user=officer)  # Banjar: up to Rp 10.000.000
    dki = make_budget(make_agency("Kominfotik DKI"), amount=100_000_000)
    set_reference(dki, price=11_000_000, bound=15_000_000, source="Pergub DKI 3/2026")
    dki_officer = budget_officer(dki.agency)
    assert upper_bound_for(dki.agency_id, 2026, ProductKind.ADVERTORIAL, "A").upper_bound == 15_000_000
    assert upper_bound_for(None, 2026, ProductKind.ADVERTORIAL, "A").upper_bound == 10_000_000
    # DKI's officer approves Rp 12 juta without a reason; a superuser (no agency) meets Banjar's lower bound.
    assert services.price_approve(submitted(outlet), user=dki_officer).approval_bound == 15_000_000
    other = services.price_submit(outlet, kind=ProductKind.ADVERTORIAL, name="Advertorial lain", unit="artikel",
                                  unit_price=12_000_000, valid_from=datetime.date(2026, 3, 1))
    with pytest.raises(services.BudgetRefused, match="above the upper bound Rp 10.000.000"):
        services.price_approve(other, user=StaffUserFactory(is_superuser=True))
    # Another tier's bound, another year's or none at all: nothing to check.
    assert upper_bound_for(None, 2025, ProductKind.ADVERTORIAL, "A") is None
    assert upper_bound_for(None, 2026, ProductKind.ADVERTORIAL, "B") is None
    assert upper_bound_for(None, 2026, ProductKind.ADVERTORIAL, None) is None


def test_the_admin_refuses_then_approves_with_a_reason(client, budget, officer, outlet):
    set_reference(budget, user=officer)
    item = submitted(outlet)
    client.force_login(officer)
    response = client.post(PRICES, {"action": "approve_prices", "_selected_action": [item.pk]}, follow=True)
    assert f"{item}: {ABOVE_BOUND}" in messages_of(response)
    page = text(client.get(reverse("admin:budgets_priceitem_change", args=[item.pk])))
    assert "Rp 10.000.000" in page and "The price is above it: approving it needs a reason." in page
    decide = reverse("admin:budgets_priceitem_decide", args=[item.pk, "approve_above_bound"])
    asked = client.post(decide, {"next": reverse("admin:budgets_priceitem_change", args=[item.pk])})
    assert asked.status_code == 200 and "Approve prices above the upper bound" in text(asked)
    client.post(PRICES, {"action": "approve_prices_above_bound", "_selected_action": [item.pk], "apply": "1",
                         "reason": "Jangkauan nasional."})
    item.refresh_from_db()
    assert (item.status, item.above_bound_reason) == (PriceStatus.APPROVED, "Jangkauan nasional.")
    assert "Approved above it. Reason: Jangkauan nasional." in text(
        client.get(reverse("admin:budgets_priceitem_change", args=[item.pk])))


def test_the_api_approves_with_the_same_refusal(client, budget, officer, outlet):
    set_reference(budget, user=officer)
    item = submitted(outlet)
    api = Api(client, officer)
    assert refusal(api.post(f"/api/v1/price-items/{item.pk}/approve/", {}, language="en")) == [ABOVE_BOUND]
    response = api.post(f"/api/v1/price-items/{item.pk}/approve/", {"reason": "Jangkauan nasional."})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["approval_bound"], response.json()["above_bound_reason"]) == (
        "approved", 10_000_000, "Jangkauan nasional.")
    auditor = StaffUserFactory(groups=["Auditor"])
    item2 = submitted(outlet, 9_000_000)
    assert Api(client, auditor).post(f"/api/v1/price-items/{item2.pk}/approve/", {}).status_code == 403


# --- an order above the reference -------------------------------------------------------------------------------


@pytest.fixture
def price(outlet):
    return approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")


def test_without_a_reference_the_control_keeps_the_tier_and_asks_nothing(budget, officer, price):
    order = place(budget, price, quantity=2, user=officer)
    assert (order.tier_on_order_date, order.reference_price, order.negotiation_agreed) == ("A", None, None)
    assert order.amount == 20_000_000


def test_an_order_above_the_reference_needs_the_negotiation_and_is_placed_at_the_agreed_price(
        budget, officer, price):
    set_reference(budget, user=officer)
    with pytest.raises(services.BudgetRefused) as refused:
        place(budget, price, quantity=2, user=officer)
    assert refused.value.messages == [NEGOTIATION_REQUIRED]
    assert not MediaOrder.objects.exists()
    order = place(budget, price, quantity=2, user=officer, answers={"negotiation": NEGOTIATION})
    assert (order.unit_price, order.amount, order.reference_price) == (10_000_000, 18_000_000, 8_000_000)
    assert (order.negotiation_offered, order.negotiation_agreed, order.negotiated_by_agency,
            order.negotiated_by_outlet, order.negotiated_on) == (
        10_000_000, 9_000_000, "Rina Kusumawati", "Budi Santoso", datetime.date(2026, 9, 10))
    assert order.override_reason == (
        "Price negotiated on 2026-09-10: offered Rp 10.000.000, agreed Rp 9.000.000 per unit")
    budget.refresh_from_db()
    assert budget.ordered_amount == 18_000_000


@pytest.mark.parametrize(("change", "message"), [
    ({"agency_negotiator": ""}, "The negotiation is incomplete: give who negotiated for the agency."),
    ({"agreed": 11_000_000}, "The price agreed cannot be above the price offered."),
    ({"offered": 12_000_000, "agreed": 11_000_000}, "The price agreed cannot be above the approved price"),
    ({"negotiated_on": datetime.date(2026, 9, 15)}, "its day cannot be after the order date"),
    ({"offered": 9.5}, "The price offered of the negotiation is whole rupiah"),
])
def test_a_negotiation_that_does_not_hold_is_refused(budget, officer, price, change, message):
    set_reference(budget, user=officer)
    with pytest.raises(services.BudgetRefused) as refused:
        place(budget, price, user=officer, answers={"negotiation": {**NEGOTIATION, **change}})
    assert message in refused.value.messages[0]


def test_an_amount_other_than_quantity_times_the_agreed_price_is_refused(budget, officer, price):
    set_reference(budget, user=officer)
    with pytest.raises(services.BudgetRefused, match=r"is not quantity × the price agreed \(Rp 18.000.000\)"):
        place(budget, price, quantity=2, user=officer, amount=19_000_000, override_reason="Diskon",
              answers={"negotiation": NEGOTIATION})


def test_the_tier_on_the_order_date_picks_the_reference(budget, officer, outlet, price):
    """Administrative → B's reference; after factual verification → A's."""
    set_reference(budget, tier="B", price=6_000_000, bound=7_000_000)
    verification = PressVerification.objects.get(outlet=outlet)
    factual = (verification.certificate_number, verification.certificate_date)
    verification.level, verification.certificate_number, verification.certificate_date = (
        VerificationLevel.ADMINISTRATIVE, "", None)
    verification.save()
    with pytest.raises(services.BudgetRefused, match="reference price Rp 6.000.000 for Advertorial, tier B"):
        place(budget, price, user=officer)
    verification.level, (verification.certificate_number, verification.certificate_date) = (
        VerificationLevel.FACTUAL, factual)
    verification.save()
    order = place(budget, price, user=officer)  # tier A: no reference set for it
    assert (order.tier_on_order_date, order.reference_price) == ("A", None)


def form_data(budget, price, **overrides):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": "2", "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21", "ecatalog_reference": "EPC-1",
            "description": "Advertorial", "amount": "", "override_reason": "", "placement_key": str(uuid.uuid4()),
            "negotiation_offered": "", "negotiation_agreed": "", "negotiated_by_agency": "",
            "negotiated_by_outlet": "", "negotiated_on": "", **overrides}


def test_the_admin_form_refuses_without_the_negotiation_and_places_with_it(client, budget, officer, price):
    set_reference(budget, user=officer)
    client.force_login(officer)
    response = client.post(ADD_ORDER, form_data(budget, price))
    assert response.status_code == 200
    assert NEGOTIATION_REQUIRED in text(response)
    response = client.post(ADD_ORDER, form_data(
        budget, price, negotiation_offered="10.000.000", negotiation_agreed="Rp 9.000.000",
        negotiated_by_agency="Rina Kusumawati", negotiated_by_outlet="Budi Santoso", negotiated_on="2026-09-10"))
    assert response.status_code == 302
    order = MediaOrder.objects.get()
    assert (order.amount, order.negotiation_agreed) == (18_000_000, 9_000_000)
    page = text(client.get(reverse("admin:budgets_mediaorder_change", args=[order.pk])))
    assert "reference price Rp 8.000.000" in page and "The approved price Rp 10.000.000 is above it." in page
    assert ("Negotiated on Sept. 10, 2026 by Rina Kusumawati (agency) and Budi Santoso (outlet): offered "
            "Rp 10.000.000, agreed Rp 9.000.000 per unit") in page


def test_the_api_refuses_with_the_same_words_and_places_with_the_negotiation(client, budget, officer, price):
    set_reference(budget, user=officer)
    api = Api(client, officer)
    body = {"budget": budget.pk, "price_item": price.pk, "quantity": 2, "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21"}
    assert refusal(api.post(ORDERS, body, language="en")) == [NEGOTIATION_REQUIRED]
    incomplete = {"negotiation_offered": 10_000_000, "negotiation_agreed": 9_000_000}
    assert refusal(api.post(ORDERS, {**body, **incomplete}, language="en")) == [
        "The negotiation is incomplete: give who negotiated for the agency, who negotiated for the outlet, the day."]
    negotiation = {**incomplete, "negotiated_by_agency": "Rina Kusumawati", "negotiated_by_outlet": "Budi Santoso",
                   "negotiated_on": "2026-09-10"}
    response = api.post(ORDERS, {**body, **negotiation})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["amount"], answer["reference_price"], answer["tier_on_order_date"]) == (18_000_000, 8_000_000, "A")
    assert answer["negotiation"] == {"offered": 10_000_000, "agreed": 9_000_000,
                                     "agency_negotiator": "Rina Kusumawati", "outlet_negotiator": "Budi Santoso",
                                     "negotiated_on": "2026-09-10"}


# --- what the auditor reads ---------------------------------------------------------------------------------------


def test_the_exceptions_report_and_the_ledger_show_prices_and_orders_let_through(client, budget, officer, outlet,
                                                                                django_assert_max_num_queries):
    set_reference(budget, user=officer)
    services.price_approve(submitted(outlet), user=officer, reason="Jangkauan nasional.")
    price = approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")
    order = place(budget, price, quantity=2, user=officer, answers={"negotiation": NEGOTIATION})
    auditor = StaffUserFactory(groups=["Auditor"])
    rows = download(client, auditor, "exceptions")
    found = {row["check (code)"]: row for row in rows}
    above = found["order_above_reference"]
    assert above["number"] == str(order.pk)
    assert "above the reference price Rp 8.000.000" in above["detail"]
    assert "Negotiated on 2026-09-10: offered Rp 10.000.000, agreed Rp 9.000.000" in above["detail"]
    assert above["people named"] == (
        "Negotiated by Rina Kusumawati (agency) and Budi Santoso (outlet); placed by Siti Rahmawati.")
    bound = found["price_above_bound"]
    assert bound["name"] == "Advertorial utama" and "Reason: Jangkauan nasional." in bound["detail"]
    assert bound["people named"] == "Approved by Siti Rahmawati."
    assert found["price_override"]["people named"] == ""
    # The public profile leaves the names out.
    client.force_login(auditor)
    public = read_csv(client.get("/reports/exceptions.csv", {"profile": "public"}))
    assert not any("Rina" in cell or "Siti" in cell for row in public for cell in row)
    ledger = {row["order number"]: row for row in download(client, auditor, "spend-ledger")}[str(order.pk)]
    assert (ledger["tier on the order date"], ledger["reference price"], ledger["price offered"],
            ledger["price agreed"], ledger["negotiated on"], ledger["negotiated by (agency / outlet)"]) == (
        "A", "8000000", "10000000", "9000000", "2026-09-10", "Rina Kusumawati / Budi Santoso")
    # The checks' queries do not grow with the findings.
    report = ExceptionsReport()
    for _n in range(3):
        place(budget, price, user=officer, answers={"negotiation": {**NEGOTIATION}}, quantity=1)
    # One query a check, and a few reads shared by the checks (the policy, the connected outlets' second).
    checks = len(report.findings(ReportFilters(), None, datetime.date(2026, 11, 26)))
    with django_assert_max_num_queries(checks + 3):
        assert sum(1 for _row in report.rows(ReportFilters(), None)) >= 5
    assert PriceItem.objects.filter(above_bound_reason="").exclude(approval_bound=None).exists()


# --- the staff home ---------------------------------------------------------------------------------------------


def test_the_staff_home_shows_the_orders_above_the_reference_and_links_to_exactly_them(
        client, budget, officer, outlet, django_assert_max_num_queries):
    from budgets.home_reference import staff_home_panels

    set_reference(budget, user=officer)
    services.price_approve(submitted(outlet), user=officer, reason="Jangkauan nasional.")
    price = approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")
    negotiated = place(budget, price, quantity=2, user=officer, answers={"negotiation": NEGOTIATION})
    cheaper = approved_price(outlet, unit_price=5_000_000, name="Unggahan", kind=ProductKind.SOCIAL_POST)
    place(budget, cheaper, user=officer)
    staff_home_panels(officer, datetime.date(2026, 11, 26))  # the user's permissions and agency, read once
    with django_assert_max_num_queries(2):
        [panel] = staff_home_panels(officer, datetime.date(2026, 11, 26))
    assert (panel["count"], [o.pk for o in panel["rows"]], panel["prices"]) == (1, [negotiated.pk], 1)
    client.force_login(officer)
    home = text(client.get("/admin/"))
    assert "Above the reference prices in 2026" in home
    assert "<strong>1</strong> orders above the reference price, placed with a recorded negotiation" in home
    assert "<strong>1</strong> prices approved above an upper bound, with a reason" in home
    listed = client.get(panel["url"])
    assert [o.pk for o in listed.context["cl"].result_list] == [negotiated.pk]
    prices = client.get(panel["prices_url"])
    assert [p.name for p in prices.context["cl"].result_list] == ["Advertorial utama"]
    # Another agency's officer counts none of this agency's orders.
    other = budget_officer(make_agency("Kominfotik DKI"))
    assert staff_home_panels(other, datetime.date(2026, 11, 26))[0]["count"] == 0
