"""Media orders in the back office: the form that places an order (every refusal shown with its reason,
a double submit recorded once), the order's page with its eligibility snapshot and next steps
(publication with proof, proof review, payment, cancellation), agency scoping, and the proof files."""

import datetime
import html
import uuid
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets import services
from budgets.models import MediaOrder, OrderStatus, ProductKind, ProofStatus
from catalog.models import EligibilityChange
from partners.demo.files import pdf_bytes
from tests.budget_helpers import (
    ORDER_DAY,
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.factories import MediaOutletFactory, StaffUserFactory
from tests.helpers import messages_of, page_queries
from tests.helpers import text as folded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
LIST = reverse("admin:budgets_mediaorder_changelist")
ADD = reverse("admin:budgets_mediaorder_add")


def text(response) -> str:
    """The page's text, white space folded and entities read (an apostrophe is &#x27; in the HTML)."""
    return html.unescape(folded(response))


def page(order):
    return reverse("admin:budgets_mediaorder_change", args=[order.pk])


def step(order, name):
    return reverse("admin:budgets_mediaorder_step", args=[order.pk, name])


def proof_url(order, preview=False):
    return reverse("order-proof-preview" if preview else "order-proof", args=[order.pk])


def pdf(name="bukti tayang.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("Bukti tayang advertorial"), content_type="application/pdf")


@pytest.fixture(autouse=True)
def in_english(english):
    """The messages are compared with their English text (the lead translates them after merging)."""


@pytest.fixture
def agency():
    return make_agency("Dinas Kominfo Banjar", slug="banjar")


@pytest.fixture
def officer(client, agency):
    user = budget_officer(agency, "petugas.banjar")
    client.force_login(user)
    return user


@pytest.fixture
def outlet():
    return listed_eligible_outlet("Kabar Martapura")


@pytest.fixture
def price(outlet):
    return approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")


@pytest.fixture
def budget(agency):
    return make_budget(agency, amount=100_000_000)


def form_data(budget, price, **overrides):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": "2", "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21", "ecatalog_reference": "EPC-2026-0001",
            "description": "Advertorial festival budaya", "amount": "", "override_reason": "",
            "placement_key": str(uuid.uuid4()), **overrides}


def form_errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- placing an order ----------------------------------------------------------------------------------


def test_the_add_form_places_an_order_and_shows_it(client, officer, budget, price, outlet):
    response = client.post(ADD, form_data(budget, price))
    assert response.status_code == 302, form_errors(response)
    order = MediaOrder.objects.get()
    assert response.url == page(order)
    assert (order.outlet, order.quantity, order.unit_price, order.amount, order.status, order.created_by) == (
        outlet, 2, 10_000_000, 20_000_000, OrderStatus.COMMITTED, officer)
    assert order.ecatalog_reference == "EPC-2026-0001" and order.eligible_on_order_date
    budget.refresh_from_db()
    assert budget.ordered_amount == 20_000_000
    shown = client.get(response.url)
    assert any("Rp 20.000.000" in m and "Rp 80.000.000" in m for m in messages_of(shown))
    body = text(shown)
    assert "Rp 20.000.000" in body and "Kabar Martapura" in body and "EPC-2026-0001" in body
    assert 'name="_save"' not in shown.content.decode()  # the order's facts are read-only


def test_the_add_form_carries_a_fresh_request_key_and_only_the_officers_budgets(client, officer, budget, price):
    other = make_budget(make_agency("Kominfotik DKI"), amount=1_000_000_000)
    first = client.get(ADD)
    second = client.get(ADD)
    keys = [r.context["adminform"].form["placement_key"].value() for r in (first, second)]
    assert all(uuid.UUID(str(k)) for k in keys) and keys[0] != keys[1]
    assert f'name="placement_key" value="{keys[0]}"' in first.content.decode()
    offered = list(first.context["adminform"].form.fields["budget"].queryset)
    assert offered == [budget] and other not in offered


def test_the_same_form_posted_twice_records_one_order(client, officer, budget, price):
    data = form_data(budget, price)
    first = client.post(ADD, data)
    second = client.post(ADD, data)
    assert first.status_code == second.status_code == 302
    order = MediaOrder.objects.get()
    assert first.url == second.url == page(order)
    budget.refresh_from_db()
    assert budget.ordered_amount == 20_000_000
    assert any("recorded once" in m for m in messages_of(client.get(second.url)))


def not_eligible_since(outlet, day):
    """The catalog found the outlet not eligible on ``day`` (its listing stayed, e.g. while staff looked into
    it): the history says so, with a rule's reason in both languages, as the re-check stores it."""
    EligibilityChange.objects.create(
        outlet=outlet, created_at=datetime.datetime.combine(day, datetime.time(8), tzinfo=JAKARTA), trigger="staff",
        is_eligible=False, failing_codes=",press_council,",
        outcomes=[{"code": "press_council", "passed": False,
                   "reason": {"id": "Verifikasi Dewan Pers telah dicabut.",
                              "en": "The Press Council verification was withdrawn."}},
                  {"code": "npwp", "passed": True, "reason": {"id": "NPWP sah.", "en": "The NPWP is valid."}}])


REFUSALS = {
    "policy off": "Media spending is off for",
    "not listed": "was not listed in the e-catalog on",
    "not eligible": "was not eligible on Sept. 14, 2026: The Press Council verification was withdrawn.",
    "outside the year": "is outside the budget's year 2025",
    "price not approved": "is not approved, so it cannot be ordered",
    "price not valid that day": "is not valid on",
    "over budget": "exceeds the budget",
    "amount without reason": "give the reason",
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_every_refusal_is_shown_on_the_form_with_its_reason(client, officer, agency, budget, price, outlet, case):
    data = form_data(budget, price)
    if case == "policy off":
        services.budget_set_policy(budget, spending_allowed=False, reference="Pergub 12/2026", user=officer)
    elif case == "not listed":
        data.update(order_date="2026-08-10", service_start="2026-08-10", service_end="2026-08-12")
    elif case == "not eligible":
        not_eligible_since(outlet, datetime.date(2026, 9, 1))
    elif case == "outside the year":
        data["budget"] = make_budget(agency, year=2025).pk
    elif case == "price not approved":
        data["price_item"] = services.price_submit(outlet, kind=ProductKind.BANNER, name="Banner baru",
                                                   unit_price=1_000_000, valid_from=datetime.date(2026, 1, 1)).pk
    elif case == "price not valid that day":
        data["price_item"] = approved_price(outlet, valid_from=datetime.date(2026, 10, 1)).pk
    elif case == "over budget":
        data["quantity"] = "11"
    elif case == "amount without reason":
        data["amount"] = "Rp 15.000.000"
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert REFUSALS[case] in form_errors(response)
    assert REFUSALS[case] in text(response)
    assert not MediaOrder.objects.exists()
    budget.refresh_from_db()
    assert budget.ordered_amount == 0


def test_a_different_amount_with_its_reason_is_placed(client, officer, budget, price):
    response = client.post(ADD, form_data(budget, price, amount="15.000.000", override_reason="Diskon paket"))
    assert response.status_code == 302, form_errors(response)
    order = MediaOrder.objects.get()
    assert (order.amount, order.override_reason) == (15_000_000, "Diskon paket")


def test_a_forged_post_on_another_agencys_budget_is_refused(client, officer, price):
    other = make_budget(make_agency("Kominfotik DKI"), amount=1_000_000_000)
    response = client.post(ADD, form_data(other, price))
    assert response.status_code == 200
    assert "budget" in response.context["adminform"].form.errors
    assert not MediaOrder.objects.exists()
    other.refresh_from_db()
    assert other.ordered_amount == 0


# --- the order's page and its next steps ------------------------------------------------------------


@pytest.fixture
def order(budget, price, officer):
    # Its service ends the day before the pinned day, so its proof is on time on the pages below.
    return place(budget, price, quantity=2, user=officer, service_end=SERVICE_UNTIL)


def test_the_page_shows_the_eligibility_snapshot_with_each_rules_reason(client, officer, order, outlet):
    # The outlet is suspended after the order: the order keeps what the catalog said on its date.
    not_eligible_since(outlet, datetime.date(2026, 10, 1))
    body = text(client.get(page(order)))
    assert "Eligible on the order date" in body
    assert "e-catalog listing: Listed" in body
    assert "Dewan Pers verification" in body
    assert order.eligibility_outcomes
    for outcome in order.eligibility_outcomes:
        assert outcome["reason"]["en"] in body
    assert "The Press Council verification was withdrawn." not in body


def test_publish_accept_pay(client, officer, order, budget):
    # Record the publication: the link and a scan.
    assert client.get(step(order, "publish")).status_code == 200
    response = client.post(step(order, "publish"), {"published_url": "https://kabarmartapura.id/festival",
                                                    "proof_file": pdf()})
    assert response.status_code == 302 and response.url == page(order)
    order.refresh_from_db()
    assert (order.status, order.proof_status) == (OrderStatus.PUBLISHED, ProofStatus.PENDING)
    assert order.proof_original_filename == "bukti tayang.pdf" and order.proof_content_type == "application/pdf"
    body = client.get(page(order)).content.decode()
    assert "order-accept-proof" in body and proof_url(order) in body and "order-pay" not in body
    # Accept the proof.
    response = client.post(step(order, "accept_proof"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.proof_status == ProofStatus.ACCEPTED and order.proof_reviewed_by == officer
    assert "order-pay" in client.get(page(order)).content.decode()
    # Record the payment.
    form = client.get(step(order, "pay"))
    assert form.status_code == 200 and 'name="paid_on"' in form.content.decode()
    response = client.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D 00123/LS/2026"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.paid_on, order.payment_reference) == (
        OrderStatus.PAID, datetime.date(2026, 11, 20), "SP2D 00123/LS/2026")
    budget.refresh_from_db()
    assert (budget.ordered_amount, budget.paid_amount) == (20_000_000, 20_000_000)
    shown = client.get(page(order))
    assert any("Rp 20.000.000" in m for m in messages_of(shown))
    assert "order-cancel" not in shown.content.decode() and "order-pay" not in shown.content.decode()


@pytest.mark.parametrize("proof", ["none", "pending", "rejected"])
def test_payment_without_accepted_proof_is_refused_with_the_reason(client, officer, order, proof):
    if proof != "none":
        services.order_publish(order, published_url="https://kabarmartapura.id/festival", user=officer)
    if proof == "rejected":
        services.order_review_proof(order, accept=False, reason="Tautan tidak memuat advertorial", user=officer)
    page_body = client.get(page(order)).content.decode()
    assert "order-pay" not in page_body and "once the proof of publication is accepted" in page_body
    response = client.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D 1"})
    assert response.status_code == 200
    assert "Payment needs accepted proof of publication; this order has none yet." in text(response)
    order.refresh_from_db()
    assert order.status != OrderStatus.PAID and order.paid_on is None


def test_a_proof_file_is_checked_by_content(client, officer, order):
    fake = SimpleUploadedFile("bukti.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(step(order, "publish"), {"proof_file": fake})
    assert response.status_code == 200
    assert "Only PDF, JPEG and PNG files are accepted" in text(response)
    order.refresh_from_db()
    assert (order.status, order.proof_status, order.proof_file.name) == (OrderStatus.COMMITTED, "", "")


def test_a_proof_file_over_the_limit_is_refused(client, officer, order, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    response = client.post(step(order, "publish"), {"proof_file": pdf()})
    assert response.status_code == 200 and "the limit is" in text(response)
    order.refresh_from_db()
    assert order.proof_status == ""


def test_publishing_needs_a_link_or_a_file(client, officer, order):
    response = client.post(step(order, "publish"), {"published_url": ""})
    assert response.status_code == 200
    assert "Give the published link or a screenshot or scan of the publication." in text(response)


def test_rejecting_proof_asks_for_a_reason_then_new_proof_can_be_sent(client, officer, order):
    services.order_publish(order, published_url="https://kabarmartapura.id/festival", user=officer)
    asked = client.post(step(order, "reject_proof"))
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    done = client.post(step(order, "reject_proof"), {"apply": "1", "reason": "Tautan tidak memuat advertorial"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.proof_status, order.proof_reason) == (ProofStatus.REJECTED, "Tautan tidak memuat advertorial")
    body = client.get(page(order)).content.decode()
    assert "order-publish" in body and "Tautan tidak memuat advertorial" in body
    client.post(step(order, "publish"), {"proof_file": pdf("bukti baru.pdf")})
    order.refresh_from_db()
    assert order.proof_status == ProofStatus.PENDING and order.proof_original_filename == "bukti baru.pdf"


def test_cancelling_asks_for_a_reason_and_frees_the_amount(client, officer, order, budget, price):
    budget.refresh_from_db()
    assert budget.remaining_amount == 80_000_000
    asked = client.post(step(order, "cancel"))
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    done = client.post(step(order, "cancel"), {"apply": "1", "reason": "Acara dibatalkan"}, follow=True)
    assert any("free again" in m for m in messages_of(done))
    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.cancelled_on) == (
        OrderStatus.CANCELLED, "Acara dibatalkan", datetime.date(2026, 11, 26))
    budget.refresh_from_db()
    assert (budget.ordered_amount, budget.remaining_amount) == (0, 100_000_000)
    body = text(client.get(page(order)))
    assert "Rp 100.000.000 remaining" in body
    # The freed amount can be ordered again: ten units fit now.
    assert client.post(ADD, form_data(budget, price, quantity="10")).status_code == 302


def test_a_paid_order_cannot_be_cancelled(client, officer, order):
    services.order_publish(order, published_url="https://kabarmartapura.id/festival", user=officer)
    services.order_review_proof(order, accept=True, user=officer)
    services.order_pay(order, paid_on=datetime.date(2026, 11, 20), reference="SP2D 1", user=officer)
    assert "order-cancel" not in client.get(page(order)).content.decode()
    response = client.post(step(order, "cancel"), {"apply": "1", "reason": "Salah"}, follow=True)
    assert any("A paid order cannot be cancelled." in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_accepting_proof_from_the_list(client, officer, order, budget, price):
    second = place(budget, price, user=officer, service_end=SERVICE_UNTIL)
    for o in (order, second):
        services.order_publish(o, published_url="https://kabarmartapura.id/x", user=officer)
    response = client.post(LIST, {"action": "accept_proofs", "_selected_action": [order.pk, second.pk]}, follow=True)
    assert any("2 orders accepted" in m for m in messages_of(response))
    assert set(MediaOrder.objects.values_list("proof_status", flat=True)) == {ProofStatus.ACCEPTED}


# --- who sees and does what --------------------------------------------------------------------------


def test_another_agencys_officer_cannot_see_open_or_act_on_an_order(client, order, price):
    services.order_publish(order, proof_file=pdf(), user=None)
    client.force_login(budget_officer(make_agency("Kominfotik DKI")))
    assert list(client.get(LIST).context["cl"].result_list) == []
    assert client.get(page(order)).status_code == 404
    assert client.get(reverse("admin:budgets_mediaorder_history", args=[order.pk])).status_code == 404
    for name in ("publish", "accept_proof", "reject_proof", "pay", "cancel"):
        assert client.post(step(order, name), {"apply": "1", "reason": "x"}).status_code == 404, name
    client.post(LIST, {"action": "cancel_orders", "_selected_action": [order.pk], "apply": "1", "reason": "x"})
    assert client.get(proof_url(order)).status_code == 404
    assert client.get(proof_url(order, preview=True)).status_code == 404
    order.refresh_from_db()
    assert (order.status, order.proof_status) == (OrderStatus.PUBLISHED, ProofStatus.PENDING)


def test_an_auditor_sees_every_order_and_changes_nothing(client, auditor, order):
    client.force_login(auditor)
    dki = make_budget(make_agency("Kominfotik DKI"), amount=500_000_000)
    other = place(dki, approved_price(listed_eligible_outlet()))
    assert set(client.get(LIST).context["cl"].result_list) == {order, other}
    response = client.get(page(order))
    assert response.status_code == 200 and 'id="order-steps"' not in response.content.decode()
    assert client.get(ADD).status_code == 403
    for name in ("publish", "accept_proof", "reject_proof", "pay", "cancel"):
        assert client.post(step(order, name), {"apply": "1", "reason": "x"}).status_code == 403, name
    order.refresh_from_db()
    assert order.status == OrderStatus.COMMITTED


# --- proof files -------------------------------------------------------------------------------------


@pytest.fixture
def published(order, officer):
    return services.order_publish(order, published_url="https://kabarmartapura.id/festival", proof_file=pdf(),
                                  user=officer)


def test_the_officer_downloads_and_previews_the_proof(client, officer, published, caplog):
    caplog.set_level("INFO", logger="budgets.views")
    response = client.get(proof_url(published))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store" and response["X-Content-Type-Options"] == "nosniff"
    preview = client.get(proof_url(published, preview=True))
    assert preview.status_code == 200 and preview["Content-Disposition"].startswith("inline;")
    assert preview["Content-Security-Policy"].startswith("sandbox")
    assert preview["Cache-Control"] == "no-store" and preview["X-Content-Type-Options"] == "nosniff"
    logged = [r.getMessage() for r in caplog.records if r.name == "budgets.views"]
    assert any(f"proof downloaded: user={officer.pk} order={published.pk}" in m for m in logged)
    assert any(f"proof previewed: user={officer.pk} order={published.pk}" in m for m in logged)


def test_proof_files_need_the_permission_and_a_login(client, published):
    client.logout()
    response = client.get(proof_url(published))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(StaffUserFactory(is_superuser=False, permissions=["budgets.view_mediaorder",
                                                                         "budgets.view_every_agency"]))
    assert client.get(proof_url(published)).status_code == 403
    assert client.get(proof_url(published, preview=True)).status_code == 403


def test_an_auditor_downloads_any_agencys_proof(client, auditor, published):
    client.force_login(auditor)
    assert client.get(proof_url(published)).status_code == 200


def test_an_order_without_a_proof_file_has_none_to_download(client, officer, order):
    assert client.get(proof_url(order)).status_code == 404


def test_the_page_links_the_proof_only_for_those_who_may_download_it(client, published, agency):
    client.force_login(StaffUserFactory(permissions=["budgets.view_mediaorder", "budgets.view_every_agency"]))
    body = client.get(page(published)).content.decode()
    assert "bukti tayang.pdf" in body and proof_url(published) not in body


# --- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_the_orders_columns(client, officer, order):
    body = text(client.get(LIST))
    for shown in ("Kabar Martapura", "Rp 20.000.000", "Advertorial 600 kata", "Dinas Kominfo Banjar 2026"):
        assert shown in body


def test_list_and_page_run_the_same_queries_for_1_and_100_orders(client, officer, agency):
    budget = make_budget(agency, amount=1_000_000_000)
    outlets = [listed_eligible_outlet() for _ in range(4)]
    prices = [approved_price(o, unit_price=1_000_000) for o in outlets]
    first = place(budget, prices[0], user=officer, service_end=SERVICE_UNTIL)
    services.order_publish(first, proof_file=pdf(), user=officer)
    one, _ = page_queries(client, LIST)
    one_page, _ = page_queries(client, page(first))
    for n in range(99):
        order = place(budget, prices[n % 4], user=officer, service_end=SERVICE_UNTIL)
        if n % 3 == 0:
            services.order_publish(order, published_url="https://x.example/a", user=officer)
    hundred, response = page_queries(client, LIST + "?all=")
    assert len(response.context["cl"].result_list) == 100
    hundred_page, _ = page_queries(client, page(first))
    assert one == hundred, f"list: {one} queries for 1 order, {hundred} for 100"
    assert one_page == hundred_page, f"page: {one_page} queries with 1 order, {hundred_page} with 100"
    assert hundred <= 15


def test_list_filters_and_search(client, agency, budget, price, outlet):
    admin_user = StaffUserFactory(is_superuser=True)
    client.force_login(admin_user)
    radio = listed_eligible_outlet("Radio Intan")
    spot = approved_price(radio, kind=ProductKind.RADIO_SPOT, name="Spot 60 detik", unit_price=2_000_000)
    last_year = make_budget(agency, year=2025, amount=50_000_000)
    dki = make_budget(make_agency("Kominfotik DKI"), amount=500_000_000)
    committed = place(budget, price, service_end=datetime.date(2026, 12, 31))  # still running
    listed_in_2025 = listed_eligible_outlet("Warta Lama", since=datetime.datetime(2025, 1, 10, 9, tzinfo=JAKARTA))
    old = place(last_year, approved_price(listed_in_2025, valid_from=datetime.date(2025, 1, 1), name="Lama"),
                order_date=datetime.date(2025, 5, 5))  # the service ended long ago: waiting for proof
    published = place(dki, spot, ecatalog_reference="EPC-DKI-77", service_end=SERVICE_UNTIL)
    services.order_publish(published, published_url="https://radiointan.id/spot", user=admin_user)
    cancelled = place(budget, spot)
    services.order_cancel(cancelled, reason="Batal", user=admin_user)

    def rows(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert rows() == {committed, old, published, cancelled}
    assert rows(budget__year="2025") == {old}
    assert rows(budget__agency=str(dki.agency_id)) == {published}
    assert rows(outlet__id__exact=str(radio.pk)) == {published, cancelled}
    assert rows(price_item__kind__exact="radio_spot") == {published, cancelled}
    assert rows(status__exact="cancelled") == {cancelled}
    assert rows(proof="pending") == {published}
    assert rows(proof="none") == {committed, old, cancelled}
    assert rows(waiting="proof") == {old}
    assert rows(waiting="review") == {published}
    assert rows(q="intan") == {published, cancelled}
    assert rows(q="EPC-DKI") == {published}
    # The chosen outlet is named in the sidebar; no list of every outlet is.
    body = client.get(LIST, {"outlet__id__exact": radio.pk}).content.decode()
    assert "Radio Intan" in body
    MediaOutletFactory.create_batch(3, name="Tidak Pernah Dipesan")
    assert "Tidak Pernah Dipesan" not in client.get(LIST).content.decode()


def test_an_officer_filters_only_their_own_years(client, officer, agency, budget):
    make_budget(make_agency("Kominfotik DKI"), year=2019, amount=15_000_000_000)
    make_budget(agency, year=2025, amount=1)
    response = client.get(LIST)
    filters = {spec.title: spec for spec in response.context["cl"].filter_specs}
    years = [choice["display"] for choice in filters[[t for t in filters if "year" in str(t)][0]].choices(
        response.context["cl"])]
    assert "2026" in years and "2025" in years and "2019" not in years





def test_save_and_add_another_opens_a_new_form_with_a_new_key(client, officer, budget, price):
    data = form_data(budget, price)
    response = client.post(ADD, {**data, "_addanother": "1"})
    assert response.status_code == 302 and response.url == ADD
    assert MediaOrder.objects.count() == 1
    new_key = client.get(ADD).context["adminform"].form["placement_key"].value()
    assert str(new_key) != data["placement_key"]
    assert 'name="_continue"' not in client.get(ADD).content.decode()
