"""seed_demo's budgets (budgets.demo): the DKI-like province and the Banjar-like regency, their budgets
since 2016, price lists, orders in every status, the labelled demo history that lets orders go back to
2019, and a second run that adds nothing, on any day of the year."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Q, Sum
from pghistory.models import Context

from budgets import demo as budgets_demo
from budgets import selectors
from budgets.models import (
    Agency,
    AgencyStaff,
    Budget,
    BudgetRevision,
    MediaOrder,
    MediaOrderEvent,
    OrderStatus,
    OtherSpend,
    PriceItem,
    PriceStatus,
    ProofStatus,
    RevisionReason,
)
from catalog.eligibility import eligibility_on, listing_state_on
from catalog.models import EligibilityChange, Listing, ListingState, ListingTransition

pytestmark = pytest.mark.django_db

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
DKI, BANJAR = "kominfotik-dki", "diskominfo-banjar"


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def at(moment: str):
    return time_machine.travel(datetime.datetime.fromisoformat(moment).replace(tzinfo=JAKARTA), tick=False)


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    return settings


def state() -> dict:
    """Everything the budgets demo writes, with each order's and budget's figures."""
    return {
        "agencies": list(Agency.objects.order_by("pk").values_list("pk", "slug")),
        "staff": list(AgencyStaff.objects.order_by("pk").values_list("pk", "agency_id")),
        "budgets": list(Budget.objects.order_by("pk").values_list("pk", "current_amount", "ordered_amount",
                                                                   "paid_amount", "updated_at")),
        "revisions": BudgetRevision.objects.count(),
        "prices": list(PriceItem.objects.order_by("pk").values_list("pk", "status", "valid_until")),
        "orders": list(MediaOrder.objects.order_by("pk").values_list("pk", "status", "proof_status", "updated_at")),
        "other_spend": list(OtherSpend.objects.order_by("pk").values_list("pk", "amount", "spent_on")),
        "transitions": ListingTransition.objects.count(),
        "changes": EligibilityChange.objects.count(),
    }


def assert_books_balance():
    """Each budget's ordered and paid figures are the sums of its orders, and within the budget."""
    for budget in Budget.objects.all():
        orders = budget.orders.exclude(status=OrderStatus.CANCELLED)
        assert budget.ordered_amount == (orders.aggregate(s=Sum("amount"))["s"] or 0)
        assert budget.paid_amount == (orders.filter(status=OrderStatus.PAID).aggregate(s=Sum("amount"))["s"] or 0)
        assert budget.ordered_amount <= budget.current_amount
        assert not budget.orders.exclude(order_date__year=budget.year).exists()
        other = budget.other_spends.filter(cancelled_on__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
        assert budget.other_spent_amount == other
        assert budget.ordered_amount + budget.other_spent_amount <= budget.current_amount


def assert_every_status(today: datetime.date):
    orders = MediaOrder.objects
    assert orders.filter(status=OrderStatus.COMMITTED).exists()
    assert orders.filter(status=OrderStatus.PUBLISHED, proof_status=ProofStatus.PENDING).exists()
    assert orders.filter(status=OrderStatus.PUBLISHED, proof_status=ProofStatus.ACCEPTED).exists()
    assert orders.filter(status=OrderStatus.PUBLISHED, proof_status=ProofStatus.REJECTED).exists()
    assert orders.filter(status=OrderStatus.PAID).exists()
    assert orders.filter(status=OrderStatus.CANCELLED).exists()
    assert not orders.filter(order_date__gt=today).exists()
    assert not orders.filter(paid_on__gt=today).exists()
    # Orders in every year with spending, the current one included, from both agencies.
    for year in range(2019, today.year + 1):
        assert orders.filter(budget__agency__slug=DKI, order_date__year=year).exists(), year
    assert orders.filter(budget__agency__slug=BANJAR, order_date__year=today.year).exists()
    # Spread over the listed demo outlets: each of them has orders.
    listed = set(Listing.objects.filter(state=ListingState.LISTED).values_list("outlet_id", flat=True))
    assert listed and listed == set(orders.values_list("outlet_id", flat=True).distinct())


def test_the_demo_agencies_budgets_and_revisions(debug_on):
    with at("2026-11-26T10:00"):
        output = seed()
    assert "A planned demo order was refused" not in output
    dki, banjar = Agency.objects.get(slug=DKI), Agency.objects.get(slug=BANJAR)
    assert (dki.name, dki.short_name, dki.kind, dki.region_code) == (
        "Dinas Komunikasi, Informatika dan Statistik Provinsi DKI Jakarta", "Kominfotik DKI", "province", "31")
    assert (banjar.kind, banjar.region_code) == ("regency", "63.03")
    years = {b.year: b for b in Budget.objects.filter(agency=dki)}
    assert sorted(years) == list(range(2016, 2027))
    for year in (2016, 2017, 2018):
        off = years[year]
        assert not off.spending_allowed and "Gubernur" in off.policy_reference and off.policy_note
        assert not off.orders.exists()
    assert all(b.spending_allowed for y, b in years.items() if y >= 2019)
    assert years[2019].current_amount == 15_000_000_000
    assert 13_000_000_000 <= years[2019].ordered_amount <= 15_000_000_000
    refocusing = BudgetRevision.objects.get(budget=years[2020])
    assert refocusing.reason == RevisionReason.REFOCUSING and refocusing.revised_on.month == 4
    assert refocusing.amount_after <= refocusing.amount_before / 2 and "SKB Mendagri" in refocusing.reference
    assert years[2021].current_amount == 5_000_000_000
    # Orders placed before the April 2020 cut fit the cut budget, and those after it too.
    assert years[2020].ordered_amount <= years[2020].current_amount
    assert years[2020].orders.filter(order_date__lt=refocusing.revised_on).exists()
    banjar_years = {b.year: b.current_amount for b in Budget.objects.filter(agency=banjar)}
    assert min(banjar_years) == 2022 and max(banjar_years) == 2026
    assert all(amount < 1_000_000_000 for amount in banjar_years.values())
    assert every_budget_is_on_the_default_account()
    assert_books_balance()
    assert "Budgets: 2 agencies, 16 budgets" in output


def every_budget_is_on_the_default_account() -> bool:
    return not Budget.objects.exclude(account_code="5.1.02.02.01.0055").exists()


def test_price_lists_orders_in_every_status_and_the_snapshot(debug_on):
    with at("2026-11-26T10:00"):
        seed()
        today = datetime.date(2026, 11, 26)
        assert_every_status(today)
    listed = Listing.objects.filter(state=ListingState.LISTED).values_list("outlet_id", flat=True)
    for outlet_id in listed:
        assert PriceItem.objects.filter(outlet_id=outlet_id, status=PriceStatus.APPROVED).count() >= 2
    waiting = PriceItem.objects.filter(status=PriceStatus.SUBMITTED)
    assert 1 <= waiting.count() <= 2 and not waiting.filter(source=PriceItem.Source.STAFF).exists()
    assert PriceItem.objects.filter(status=PriceStatus.REJECTED).exclude(review_reason="").exists()
    # A price raised from 2023: the old one ended the day before, and the orders before keep it.
    old = PriceItem.objects.filter(status=PriceStatus.APPROVED, valid_until=datetime.date(2022, 12, 31))
    assert old.exists()
    for item in old:
        new = PriceItem.objects.get(outlet=item.outlet, kind=item.kind, name=item.name,
                                    valid_from=datetime.date(2023, 1, 1))
        assert new.unit_price > item.unit_price
        assert not MediaOrder.objects.filter(price_item=item, order_date__gte=new.valid_from).exists()
        assert not MediaOrder.objects.filter(price_item=new, order_date__lt=new.valid_from).exists()
    assert not MediaOrder.objects.exclude(unit_price=F("price_item__unit_price")).exists()
    # Every order carries the catalog's answer of its day; the old ones say it is demo history.
    assert not MediaOrder.objects.filter(eligible_on_order_date=False).exists()
    assert not MediaOrder.objects.exclude(listing_state_on_order_date=ListingState.LISTED).exists()
    early = MediaOrder.objects.filter(order_date__year=2019).first()
    assert early.eligibility_outcomes[0]["code"] == "demo_history"
    # Proof waiting for review comes with a screenshot; paid orders have accepted proof and a payment.
    assert not MediaOrder.objects.filter(proof_status=ProofStatus.PENDING, proof_file="").exists()
    paid = MediaOrder.objects.filter(status=OrderStatus.PAID)
    assert not paid.filter(Q(paid_on__isnull=True) | Q(payment_reference="")).exists()
    assert not paid.filter(published_url="", proof_file="").exists()
    staff = get_user_model().objects.get(username="anggaran")
    assert selectors.proofs_waiting_for_review(staff).exists()
    assert selectors.orders_waiting_for_proof(staff, today).exists()


def test_the_demo_history_is_labelled_and_only_for_the_demo_listings(debug_on):
    with at("2026-11-26T10:00"):
        seed()
    start = budgets_demo.DEMO_HISTORY_START
    history = ListingTransition.objects.filter(created_at=start)
    listed = set(Listing.objects.filter(state=ListingState.LISTED).values_list("outlet_id", flat=True))
    assert set(history.values_list("listing__outlet_id", flat=True)) == listed
    assert set(history.values_list("actor_label", flat=True)) == {"system:seed_demo"}
    assert all(t.reason.startswith("Riwayat demo") for t in history)
    changes = EligibilityChange.objects.filter(created_at=start)
    assert set(changes.values_list("outlet_id", flat=True)) == listed
    assert {c.outcomes[0]["code"] for c in changes} == {"demo_history"}
    outlet_id = min(listed)
    assert listing_state_on(outlet_id, datetime.date(2019, 1, 1)) == ""
    assert listing_state_on(outlet_id, datetime.date(2019, 6, 1)) == ListingState.LISTED
    assert eligibility_on(outlet_id, datetime.date(2019, 6, 1)).eligible
    assert not eligibility_on(outlet_id, datetime.date(2018, 12, 31)).eligible
    # An outlet the demo did not list has no history before today.
    unlisted = Listing.objects.exclude(state=ListingState.LISTED).values_list("outlet_id", flat=True).first()
    assert listing_state_on(unlisted, datetime.date(2025, 6, 1)) == ""


@pytest.mark.parametrize("moment", ["2026-11-26T10:00", "2027-01-01T00:10", "2026-12-31T23:50"])
def test_a_second_run_adds_and_changes_nothing_on_any_day(debug_on, moment):
    with at(moment):
        first_output = seed()
        today = datetime.date.fromisoformat(moment[:10])
        assert "A planned demo order was refused" not in first_output
        assert_every_status(today)
        assert_books_balance()
        assert Budget.objects.filter(agency__slug=DKI, year=today.year).exists()
        first = state()
        second_output = seed()
    assert state() == first
    assert "orders (created 0)" in second_output


def test_a_later_run_adds_only_the_new_days_orders(debug_on):
    """Order identities do not depend on the day of the run: a run weeks later adds the orders of the
    weeks since (and the new year's budget), never a second set."""
    with at("2026-10-01T10:00"):
        seed()
    before = set(MediaOrder.objects.values_list("request_key", flat=True))
    statuses = dict(MediaOrder.objects.values_list("request_key", "status"))
    with at("2027-02-15T10:00"):
        output = seed()
        assert "A planned demo order was refused" not in output
        assert_books_balance()
    after = MediaOrder.objects.filter(request_key__in=before)
    assert after.count() == len(before)
    assert dict(after.values_list("request_key", "status")) == statuses
    new = MediaOrder.objects.exclude(request_key__in=before)
    assert new.exists() and not new.filter(order_date__lt=datetime.date(2026, 10, 1)).exists()
    assert Budget.objects.filter(agency__slug=DKI, year=2027).exists()


def test_the_demo_sets_reference_prices_and_shows_a_price_and_an_order_above_them(debug_on):
    """Reference prices from 2024; a premium advertorial approved above every bound with a reason and ordered
    once at a negotiated price: both in the exceptions report and on the officer's staff home."""
    from budgets.home_reference import staff_home_panels
    from budgets.models import ReferencePrice
    from budgets.reports import ExceptionsReport
    from mediareg.reports import ReportFilters

    with at("2026-11-26T10:00"):
        seed()
        today = datetime.date(2026, 11, 26)
        dki_officer = get_user_model().objects.get(username="anggaran")
        [panel] = staff_home_panels(dki_officer, today)
        checks = {row[0] for row in ExceptionsReport().rows(ReportFilters(), None)}
    assert set(ReferencePrice.objects.values_list("budget__year", flat=True)) == {2024, 2025, 2026}
    above = PriceItem.objects.filter(approval_bound__isnull=False, unit_price__gt=F("approval_bound"))
    assert above.count() == 1 and above.get().above_bound_reason
    negotiated = MediaOrder.objects.filter(negotiation_agreed__isnull=False)
    assert negotiated.count() == 1
    order = negotiated.get()
    assert order.unit_price > order.reference_price and order.amount == order.quantity * order.negotiation_agreed
    assert order.created_by == dki_officer
    # Every other demo order is within its reference.
    assert not MediaOrder.objects.filter(unit_price__gt=F("reference_price")).exclude(pk=order.pk).exists()
    assert (panel["count"], panel["prices"]) == (1, 1)
    assert {"order_above_reference", "price_above_bound"} <= checks


def test_budget_officers_see_their_own_agency(debug_on, client):
    with at("2026-11-26T10:00"):
        output = seed()
    assert "anggaran / anggaran (Kominfotik DKI), anggaran.banjar / anggaran.banjar (Diskominfo Banjar)" in output
    users = get_user_model().objects
    dki, banjar = users.get(username="anggaran"), users.get(username="anggaran.banjar")
    assert dki.groups.filter(name="Petugas Anggaran").exists() and dki.is_staff and not dki.is_superuser
    assert set(selectors.visible_budgets(dki).values_list("agency__slug", flat=True)) == {DKI}
    assert set(selectors.visible_orders(banjar).values_list("budget__agency__slug", flat=True)) == {BANJAR}
    # Orders name the officer who placed them.
    assert set(MediaOrder.objects.filter(budget__agency__slug=DKI).values_list("created_by", flat=True)) == {dki.pk}
    assert client.post("/admin/login/", {"username": "anggaran", "password": "anggaran"}).status_code == 302
    # Each agency's second approver of held orders works for it and may approve, and only that.
    assert "Demo second approvers of held orders (PPK): ppk / ppk (Kominfotik DKI), ppk.banjar / ppk.banjar" in output
    ppk = users.get(username="ppk")
    assert ppk.agency_staff.agency.slug == DKI and ppk.has_perm("budgets.approve_orderflag")
    assert not ppk.has_perm("budgets.add_mediaorder") and not dki.has_perm("budgets.approve_orderflag")
    # Diskominfo Banjar's administrator (Admin Instansi) manages its staff and settings.
    assert "Demo agency administrators (Admin Instansi): admin.banjar / admin.banjar (Diskominfo Banjar)" in output
    admin = users.get(username="admin.banjar")
    assert admin.agency_staff.agency.slug == BANJAR and admin.has_perm("auth.add_user") and not admin.is_superuser
    assert client.post("/admin/login/", {"username": "admin.banjar", "password": "admin.banjar"}).status_code == 302


def test_without_debug_no_officers_and_the_job_places_the_orders(settings):
    settings.DEBUG = False
    with at("2026-11-26T10:00"):
        seed()
    assert not get_user_model().objects.exists() and not AgencyStaff.objects.exists()
    assert MediaOrder.objects.exists() and not MediaOrder.objects.filter(created_by__isnull=False).exists()


def test_the_audit_trail_names_the_job_for_the_orders(debug_on):
    with at("2026-11-26T10:00"):
        seed()
    contexts = Context.objects.filter(metadata__actor="system:seed_demo")
    inserts = MediaOrderEvent.objects.filter(pgh_label="insert", pgh_context__in=contexts)
    assert inserts.count() == MediaOrder.objects.count()
    assert inserts.values("pgh_context").distinct().count() == 1
    paid = MediaOrderEvent.objects.filter(pgh_label="update", status=OrderStatus.PAID, pgh_context__in=contexts)
    assert paid.count() == MediaOrder.objects.filter(status=OrderStatus.PAID).count()


def test_a_failed_run_leaves_no_orders_and_no_proof_files(debug_on, monkeypatch, private_document_storage):
    from budgets import services

    paid, stored = [], []
    order_pay = services.order_pay
    proofs = private_document_storage / "proofs"

    def pay_then_fail(order, **kwargs):
        paid.append(order_pay(order, **kwargs))
        if len(paid) == 20:
            stored.extend(path for path in proofs.rglob("*") if path.is_file())
            raise RuntimeError("disk full")
        return paid[-1]

    monkeypatch.setattr(services, "order_pay", pay_then_fail)
    with at("2026-11-26T10:00"), pytest.raises(RuntimeError):
        seed()
    assert stored  # proof files had been written when the run failed
    assert not MediaOrder.objects.exists() and not Budget.objects.exists()
    assert not any(path.exists() for path in stored)


def test_transparency_shows_the_demo_years_in_rupiah(client, debug_on):
    """What a visitor reads on /transparency/ after `make run`: the seed's Rp 15 miliar of 2019, the 2020
    refocusing with its reason, about Rp 5 miliar in 2021, and the years without media spending."""
    from tests.helpers import text

    with at("2026-11-26T10:00"):
        seed()
        page = {year: text(client.get(f"/transparency/?agency={DKI}&year={year}")) for year in (2017, 2019, 2020, 2021)}
    assert "Rp 15.000.000.000" in page[2019]
    assert "Rp 5.000.000.000" in page[2021]
    assert "Refocusing dan realokasi" in page[2020] and "SKB" in page[2020]
    assert "Tidak ada belanja media pada 2017" in page[2017]
    for year in (2019, 2021):
        assert "Pemerataan" in page[year] and "Belanja per media" in page[year]


def test_the_current_year_has_spend_outside_the_catalog_on_the_public_page(debug_on, client):
    with at("2026-11-26T10:00"):
        output = seed()
        assert "A planned demo order was refused" not in output
        dki = OtherSpend.objects.filter(budget__agency__slug=DKI, budget__year=2026)
        assert sorted(dki.values_list("kind", flat=True)) == [
            "legislature_publication", "press_gathering", "subscription"]
        assert dki.get(kind="subscription").outlet is not None  # a subscription to a demo newspaper
        assert OtherSpend.objects.filter(budget__agency__slug=BANJAR, budget__year=2026).count() == 2
        assert all(spend.evidence_file for spend in OtherSpend.objects.all())
        client.cookies["django_language"] = "en"
        page = client.get("/transparency/", {"agency": DKI, "year": 2026}).content.decode()
        assert "Legislature (DPRD) publication" in page and "Rp 283.000.000" in page
def test_the_demo_connects_two_outlets_and_holds_an_order_for_a_declared_interest(debug_on, client):
    """Two listed outlets of different companies share a beneficial owner and a bank account; Banjar, whose
    policy is a second approval, has his interest declared and one order to his outlet waits for the PPK."""
    from budgets.models import ConflictHandling, DeclaredInterest, FlagRule, OrderFlag
    from partners.demo.owners import SHARED_OWNER_NAME
    from partners.selectors import connected_outlets

    with at("2026-11-26T10:00"):
        seed()
        groups = {group.kind: group for group in connected_outlets() if group.companies_n >= 2}
        assert {"owner", "bank_account"} <= set(groups)
        assert len({outlet.company_id for outlet in groups["bank_account"].outlets}) == 2
        banjar = Agency.objects.get(slug=BANJAR)
        assert banjar.conflict_handling == ConflictHandling.SECOND_APPROVAL
        interest = DeclaredInterest.objects.get(agency=banjar)
        assert interest.person_name == SHARED_OWNER_NAME and interest.role == "legislator"
        flag = OrderFlag.objects.get(rule=FlagRule.DECLARED_INTEREST)
        assert flag.waiting and flag.order.budget.agency == banjar
        assert flag.order.outlet in interest.outlets.all()
        # Banjar's other orders leave the declared owner's outlets alone.
        owned = [o.pk for o in groups["owner"].outlets]
        assert MediaOrder.objects.filter(budget__agency=banjar, outlet__in=owned).count() == 1
        client.force_login(get_user_model().objects.get(username="auditor"))
        home = client.get("/admin/").content.decode()
        assert 'id="home-connected-outlets"' in home
        assert seed().count("(created 0)") >= 1
        assert OrderFlag.objects.filter(rule=FlagRule.DECLARED_INTEREST).count() == 1


def test_the_demo_has_an_overdue_proof_and_a_late_claim_held(debug_on, client):
    """Proof deadlines (docs/domain.md): an order of the province whose proof is overdue, which the staff home
    and the exceptions report show and which refuses a new order to its outlet, and a proof filed after its
    deadline with its reason, held for a second approver."""
    from budgets import services
    from budgets.home_proofs import proof_panels
    from budgets.models import FlagRule, OrderFlag
    from budgets.reports import Check, ExceptionsReport, orders_with_proof_filed_late, orders_with_proof_overdue
    from mediareg.reports import ReportFilters

    today = datetime.date(2026, 11, 26)
    with at("2026-11-26T10:00"):
        output = seed()
        assert "A planned demo order was refused" not in output
        officer = get_user_model().objects.get(username="anggaran")
        overdue = selectors.overdue_proofs(officer, today).order_by("proof_due_on").first()
        assert overdue is not None and overdue.budget.agency.slug == DKI
        panel = proof_panels(officer, today)[0]
        assert panel["count"] >= 1 and overdue in panel["rows"]
        assert orders_with_proof_overdue(ReportFilters(), None, today).exists()
        late = MediaOrder.objects.get(proof_filed_on__gt=F("proof_due_on"))
        flag = OrderFlag.objects.get(order=late, rule=FlagRule.LATE_PROOF)
        assert flag.waiting and flag.reason == budgets_demo.LATE_REASON
        assert (late.status, late.proof_status) == (OrderStatus.PUBLISHED, ProofStatus.ACCEPTED)
        assert [row[0] for row in orders_with_proof_filed_late(ReportFilters(), None)] == [late.pk]
        found = dict(ExceptionsReport().findings(ReportFilters(), None, today))
        assert found[Check.PROOF_OVERDUE].exists() and found[Check.PROOF_FILED_LATE].exists()
        # A new order to the overdue order's outlet from the province is refused.
        price = overdue.price_item
        with pytest.raises(services.BudgetRefused) as refused:
            services.order_place(budget=Budget.objects.get(agency__slug=DKI, year=2026), price_item=price,
                                 quantity=1, order_date=today, service_start=today, service_end=today, user=officer,
                                 today=today)
        assert refused.value.code == "proof_overdue"
        client.force_login(officer)
        assert 'id="home-proofs-overdue"' in client.get("/admin/").content.decode()


@pytest.mark.parametrize("moment", ["2026-11-26T10:00", "2027-01-01T00:10"])
def test_the_integrity_cases_show_on_the_staff_home_and_in_the_exceptions(debug_on, moment, client):
    """Issue 14's demo cases: an order held because Banjar paid the outlet less than half (price comparison);
    Banjar's quota with an outlet at its limit; last year's quota that an outlet exceeds."""
    from budgets.home_distribution import staff_home_panels
    from budgets.models import FlagRule, OrderFlag, OutletQuota
    from budgets.reports import Check, ExceptionsReport
    from mediareg.reports import ReportFilters

    with at(moment):
        output = seed()
        today = datetime.date.fromisoformat(moment[:10])
        assert "A planned demo order was refused" not in output
        assert_books_balance()
        held = OrderFlag.objects.get(rule=FlagRule.PRICE_COMPARISON, order__budget__agency__slug=DKI)
        assert held.waiting and held.order.order_date.year == today.year and held.reason
        assert OutletQuota.objects.filter(budget__agency__slug=BANJAR, budget__year=today.year).exists()
        banjar_officer = get_user_model().objects.get(username="anggaran.banjar")
        near = {p["id"]: p for p in staff_home_panels(banjar_officer, today)}["home-outlets-near-quota"]
        assert near["count"] >= 1
        dki_officer = get_user_model().objects.get(username="anggaran")
        without = {p["id"]: p for p in staff_home_panels(dki_officer, today)}["home-outlets-without-orders"]
        assert without["count"] >= 1
        found = {check for check, query in ExceptionsReport().findings(ReportFilters(), None, today)
                 if query.exists()}
        assert {Check.PRICE_ABOVE_OTHER_AGENCIES, Check.OUTLET_OVER_QUOTA} <= found
