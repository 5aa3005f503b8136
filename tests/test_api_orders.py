"""Media orders written through the API (budgets/api.py): placing, publishing with proof, the proof's review,
payment and cancellation go through the services the admin calls, with the admin's permissions; a refusal is
the admin's message as a 400 in the request's language; writes with an Idempotency-Key happen once; the
audit trail names the API's user."""

import datetime
import html
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets import services
from budgets.api import request_key_for
from budgets.models import AgencyStaff, Budget, MediaOrder, OrderStatus, ProofStatus
from mediareg.api.tokens import token_create
from mediareg.models import AuditEvent, IdempotencyKey
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
    publish,
)
from tests.catalog_helpers import listed_outlet
from tests.factories import StaffUserFactory, UserFactory, grant_permissions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
ORDERS = "/api/v1/orders/"

OVER_BUDGET_ID = ("Pesanan sebesar Rp 20.000.000 ini melebihi anggaran: sisa Rp 15.000.000 dari Rp 25.000.000 "
                  "(Rp 10.000.000 sudah dipesan).")
OVER_BUDGET_EN = ("This order of Rp 20.000.000 exceeds the budget: Rp 15.000.000 of Rp 25.000.000 remains "
                  "(Rp 10.000.000 is already ordered).")
NO_PROOF_ID = "Pembayaran memerlukan bukti tayang yang diterima; pesanan ini belum memilikinya."
NO_PROOF_EN = "Payment needs accepted proof of publication; this order has none yet."


class Api:
    """A program calling the API with its user's token."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.headers = {}
        if user is not None:
            _token, key = token_create(user=user, name="Sistem keuangan", created_by=user)
            self.headers["HTTP_AUTHORIZATION"] = f"Token {key}"

    def post(self, url, data=None, *, key=None, language=None, multipart=False):
        headers = dict(self.headers)
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        if language is not None:
            headers["HTTP_ACCEPT_LANGUAGE"] = language
        if multipart:
            return self.client.post(url, data or {}, **headers)
        return self.client.post(url, data or {}, content_type="application/json", **headers)

    def get(self, url):
        return self.client.get(url, **self.headers)


@pytest.fixture
def banjar():
    return make_agency("Dinas Kominfo Kabupaten Banjar", slug="banjar")


@pytest.fixture
def officer(banjar):
    return budget_officer(banjar, "anggaran.banjar")


@pytest.fixture
def budget(banjar):
    return make_budget(banjar, amount=25_000_000)


@pytest.fixture
def price():
    return approved_price(listed_eligible_outlet("Kabar Martapura"), unit_price=10_000_000,
                          name="Advertorial 600 kata")


@pytest.fixture
def api(client, officer):
    return Api(client, officer)


def order_body(budget, price, **fields):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": 1, "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": (ORDER_DAY + datetime.timedelta(days=7)).isoformat(),
            **fields}


def figures(budget) -> tuple[int, int]:
    row = Budget.objects.get(pk=budget.pk)
    return row.ordered_amount, row.paid_amount


def refusal(response) -> list[str]:
    assert response.status_code == 400, response.content
    return response.json()["non_field_errors"]


def step(order, name):
    return f"{ORDERS}{order.pk}/{name}/"


def pdf():
    return SimpleUploadedFile("bukti tayang.pdf", pdf_bytes("Bukti tayang advertorial"),
                              content_type="application/pdf")


# --- placing -------------------------------------------------------------------------------------------------

def test_an_order_placed_through_the_api_is_the_services_order_in_the_users_name(api, officer, budget, price):
    response = api.post(ORDERS, order_body(budget, price, quantity=2, ecatalog_reference="EPURCH-2026-1",
                                           description="Sosialisasi vaksinasi"))
    assert response.status_code == 201, response.content
    body = response.json()
    order = MediaOrder.objects.get()
    assert body["id"] == order.pk
    assert {key: body[key] for key in ("budget", "price_item", "quantity", "unit_price", "amount", "status",
                                       "proof_status", "ecatalog_reference", "description", "order_date")} == {
        "budget": budget.pk, "price_item": price.pk, "quantity": 2, "unit_price": 10_000_000, "amount": 20_000_000,
        "status": "committed", "proof_status": "none", "ecatalog_reference": "EPURCH-2026-1",
        "description": "Sosialisasi vaksinasi", "order_date": "2026-09-14"}
    assert body["eligibility"]["eligible"] is True and body["eligibility"]["listing_state"] == "listed"
    assert figures(budget) == (20_000_000, 0)
    assert order.created_by == officer and order.eligible_on_order_date
    # The audit trail names the token's user and the API's address, for the order and the budget's figure.
    [insert] = AuditEvent.objects.filter(pgh_obj_model="budgets.MediaOrder", pgh_obj_id=str(order.pk))
    assert (insert.pgh_label, insert.pgh_context["user"], insert.pgh_context["url"]) == ("insert", officer.pk, ORDERS)
    budget_update = AuditEvent.objects.filter(pgh_obj_model="budgets.Budget", pgh_obj_id=str(budget.pk),
                                              pgh_label="update").latest("pgh_id")
    assert budget_update.pgh_context["user"] == officer.pk
    assert budget_update.pgh_data["ordered_amount"] == 20_000_000


def test_a_different_amount_is_placed_only_with_its_reason(api, budget, price):
    message = refusal(api.post(ORDERS, order_body(budget, price, amount=9_000_000), language="en"))
    assert message == ["The amount Rp 9.000.000 differs from quantity × approved price (Rp 10.000.000): give the "
                       "reason."]
    response = api.post(ORDERS, order_body(budget, price, amount="9000000", override_reason="Diskon negosiasi"))
    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["override_reason"]) == (9_000_000, "Diskon negosiasi")
    assert figures(budget) == (9_000_000, 0)


def test_an_order_over_the_budget_is_refused_with_the_admins_message_in_each_language(
        client, api, officer, budget, price):
    place(budget, price, user=officer)  # Rp 10.000.000 of Rp 25.000.000 ordered
    body = order_body(budget, price, quantity=2)
    assert refusal(api.post(ORDERS, body)) == [OVER_BUDGET_ID]  # Indonesian unless asked otherwise
    assert refusal(api.post(ORDERS, body, language="en")) == [OVER_BUDGET_EN]
    assert refusal(api.post(ORDERS, body, language="en-US,en;q=0.9")) == [OVER_BUDGET_EN]
    assert figures(budget) == (10_000_000, 0) and MediaOrder.objects.count() == 1
    # The admin's order form shows the same words for the same order.
    client.force_login(officer)
    page = client.post("/admin/budgets/mediaorder/add/", {
        **{key: value for key, value in body.items() if key != "budget"}, "budget": budget.pk,
        "placement_key": str(uuid.uuid4())})
    assert page.status_code == 200
    assert OVER_BUDGET_ID in html.unescape(re.sub(r"\s+", " ", page.content.decode()))


def test_the_services_other_refusals_come_back_as_400_with_their_reason(api, banjar, officer, budget, price):
    unlisted = approved_price(listed_outlet("Kabar Baru Terdaftar"), name="Banner")
    waiting = services.price_submit(price.outlet, kind="banner", name="Banner 300x250", unit_price=1_000_000,
                                    valid_from=datetime.date(2026, 1, 1))
    cases = [
        (order_body(budget, price, order_date="2026-08-01", service_start="2026-08-01"),
         "Kabar Martapura was not listed in the e-catalog on"),
        (order_body(budget, unlisted), "Kabar Baru Terdaftar was not eligible on"),
        (order_body(budget, waiting), "The price of Banner 300x250 is not approved, so it cannot be ordered."),
        (order_body(budget, price, order_date="2026-11-27"), "The order date cannot be later than today."),
        (order_body(budget, price, service_end="2026-09-01"), "The service period cannot end before it starts."),
        (order_body(budget, price, quantity="1.5"), "The quantity is a whole number of at least 1."),
        (order_body(budget, price, quantity=0), "The quantity is a whole number of at least 1."),
        (order_body(budget, price, quantity=True), "The quantity is a whole number of at least 1."),
        (order_body(budget, price, amount=1e7, override_reason="x"), "The amount is whole rupiah, at least Rp 1."),
    ]
    for body, expected in cases:
        [message] = refusal(api.post(ORDERS, body, language="en"))
        assert message.startswith(expected), (body, message)
    services.budget_set_policy(budget, spending_allowed=False, reference="Surat Bupati 900/12", user=officer)
    [message] = refusal(api.post(ORDERS, order_body(budget, price), language="en"))
    assert message.startswith("Media spending is off for")
    assert MediaOrder.objects.count() == 0 and figures(budget) == (0, 0)


def test_what_is_not_an_order_is_refused_by_field(api, budget, price):
    response = api.post(ORDERS, {"budget": budget.pk}, language="en")
    assert response.status_code == 400
    assert set(response.json()) == {"price_item", "quantity", "order_date", "service_start", "service_end"}
    body = {**order_body(budget, price, ecatalog_reference="x" * 101, quantity=2**31, order_date="14-09-2026x"),
            "budget": 999_999}
    response = api.post(ORDERS, body, language="en")
    assert set(response.json()) == {"ecatalog_reference", "quantity", "order_date", "budget"}
    assert response.json()["quantity"] == ["Ensure this value is less than or equal to 2147483647."]
    assert MediaOrder.objects.count() == 0


def test_a_budget_officer_cannot_order_on_or_change_another_agencys(client, banjar, budget, price):
    dki_officer = budget_officer(make_agency("Dinas Kominfotik DKI Jakarta", slug="dki"), "anggaran.dki")
    api = Api(client, dki_officer)
    assert refusal(api.post(ORDERS, order_body(budget, price), language="en")) == [
        "You do not work for this budget's agency, so you cannot change it."]
    assert refusal(api.post(ORDERS, order_body(budget, price))) == [
        "Anda tidak bekerja di instansi pemilik anggaran ini, sehingga tidak dapat mengubahnya."]
    # Another agency's orders are not there for them: every step is 404, and nothing changes.
    order = place(budget, price, user=budget_officer(budget.agency))
    for name, body in (("publish", {"published_url": "https://x.example/1"}),
                       ("review-proof", {"decision": "accept"}), ("pay", {"paid_on": "2026-11-26", "reference": "1"}),
                       ("cancel", {"reason": "x"})):
        assert api.post(step(order, name), body).status_code == 404, name
    assert api.get(f"{ORDERS}{order.pk}/").status_code == 404
    order.refresh_from_db()
    assert (order.status, order.proof_status) == (OrderStatus.COMMITTED, ProofStatus.NONE)
    assert figures(budget) == (10_000_000, 0)


# --- the next steps ------------------------------------------------------------------------------------------

def test_publication_review_and_payment(api, officer, budget, price):
    order = place(budget, price, user=officer, service_end=SERVICE_UNTIL)  # its proof is on time today

    response = api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-001"})
    assert refusal(response) == [NO_PROOF_ID]
    response = api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-001"}, language="en")
    assert refusal(response) == [NO_PROOF_EN]

    response = api.post(step(order, "publish"), {"published_url": "https://kabarmartapura.example/berita/1"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["proof_status"]) == ("published", "pending")
    assert refusal(api.post(step(order, "review-proof"), {"decision": "reject"}, language="en")) == [
        "Give the reason for rejecting the proof."]
    response = api.post(step(order, "review-proof"), {"decision": "reject", "reason": "Tautan tidak dapat dibuka"})
    assert (response.json()["proof_status"], response.json()["proof_reason"]) == ("rejected",
                                                                                 "Tautan tidak dapat dibuka")
    assert refusal(api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-001"})) == [NO_PROOF_ID]

    # A screenshot or scan, sent as multipart, checked and kept; its file is never served by the API.
    response = api.post(step(order, "publish"), {"published_url": "", "proof_file": pdf()}, multipart=True)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["proof_status"], body["has_proof_file"], body["proof_content_type"]) == (
        "pending", True, "application/pdf")
    assert body["published_url"] == "https://kabarmartapura.example/berita/1"  # kept from the first publication
    assert "bukti" not in response.content.decode() and "proofs/" not in response.content.decode()
    assert api.post(step(order, "review-proof"), {"decision": "accept"}).json()["proof_status"] == "accepted"

    assert refusal(api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": " "}, language="en")) == [
        "Give the payment reference (SP2D number)."]
    response = api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-001"})
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("status", "paid_on", "payment_reference")} == {
        "status": "paid", "paid_on": "2026-11-20", "payment_reference": "SP2D-001"}
    assert figures(budget) == (10_000_000, 10_000_000)
    assert refusal(api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-002"},
                            language="en")) == ["This order is already paid."]
    assert refusal(api.post(step(order, "cancel"), {"reason": "Batal"}, language="en")) == [
        "A paid order cannot be cancelled."]
    events = AuditEvent.objects.filter(pgh_obj_model="budgets.MediaOrder", pgh_obj_id=str(order.pk),
                                       pgh_label="update")
    assert events.count() >= 4 and {event.pgh_context["user"] for event in events} == {officer.pk}


def test_a_proof_file_is_checked_by_its_content(api, officer, budget, price):
    order = place(budget, price, user=officer)
    fake = SimpleUploadedFile("bukti.pdf", b"<html>bukan pdf</html>", content_type="application/pdf")
    [message] = refusal(api.post(step(order, "publish"), {"proof_file": fake}, multipart=True, language="en"))
    assert "PDF, JPEG and PNG" in message
    assert refusal(api.post(step(order, "publish"), {}, language="en")) == [
        "Give the published link or a screenshot or scan of the publication."]
    response = api.post(step(order, "publish"), {"published_url": "bukan alamat"}, language="en")
    assert response.status_code == 400 and list(response.json()) == ["published_url"]
    order.refresh_from_db()
    assert (order.status, order.proof_status, order.proof_file.name) == (OrderStatus.COMMITTED, ProofStatus.NONE, "")


def test_cancelling_frees_the_amount(api, officer, budget, price):
    order = place(budget, price, user=officer)
    assert refusal(api.post(step(order, "cancel"), {"reason": "  "}, language="en")) == [
        "Give the reason for cancelling the order."]
    response = api.post(step(order, "cancel"), {"reason": "Kegiatan dibatalkan"})
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("status", "cancelled_on", "cancel_reason")} == {
        "status": "cancelled", "cancelled_on": TODAY.isoformat(), "cancel_reason": "Kegiatan dibatalkan"}
    assert figures(budget) == (0, 0)
    assert refusal(api.post(step(order, "cancel"), {"reason": "lagi"}, language="en")) == [
        "This order is already cancelled."]


# --- who may write -----------------------------------------------------------------------------------------

def every_write(budget, price, order):
    return [(ORDERS, order_body(budget, price)),
            (step(order, "publish"), {"published_url": "https://x.example/1"}),
            (step(order, "review-proof"), {"decision": "accept"}),
            (step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-1"}),
            (step(order, "cancel"), {"reason": "Batal"})]


def unchanged(budget, order, ordered):
    order.refresh_from_db()
    assert (order.status, order.proof_status) == (OrderStatus.PUBLISHED, ProofStatus.PENDING)
    assert figures(budget) == (ordered, 0) and MediaOrder.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", "Verifikator", "Auditor", "staff"])
def test_who_may_not_write_changes_nothing(client, officer, budget, price, role):
    order = publish(place(budget, price, user=officer), user=officer)
    if role == "anonymous":
        user = None
    elif role == "staff":  # signed in, with no permission at all
        user = UserFactory(is_staff=True)
    else:
        user = StaffUserFactory(groups=[role])
    api = Api(client, user)
    for url, body in every_write(budget, price, order):
        response = api.post(url, body, key=str(uuid.uuid4()))
        assert response.status_code == (401 if user is None else 403), (role, url, response.content)
    unchanged(budget, order, 10_000_000)
    if role == "Auditor":  # reads everything all the same
        assert api.get(f"{ORDERS}{order.pk}/").status_code == 200


def test_each_step_asks_for_the_admins_permission(client, banjar, officer, budget, price):
    order = publish(place(budget, price, user=officer), user=officer)
    viewer = UserFactory(permissions=["budgets.view_mediaorder"])
    AgencyStaff.objects.create(user=viewer, agency=banjar)  # of the order's agency, with no step's permission
    api = Api(client, viewer)
    for url, body in every_write(budget, price, order):
        assert api.post(url, body).status_code == 403, url
    grant_permissions(viewer, "budgets.review_proof")
    assert api.post(step(order, "review-proof"), {"decision": "accept"}).status_code == 200
    assert api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-1"}).status_code == 403
    grant_permissions(viewer, "budgets.pay_mediaorder")
    assert api.post(step(order, "pay"), {"paid_on": "2026-11-20", "reference": "SP2D-1"}).status_code == 200


def test_a_superuser_acts_for_every_agency(client, budget, price):
    superuser = StaffUserFactory(is_superuser=True)
    api = Api(client, superuser)
    response = api.post(ORDERS, order_body(budget, price))
    assert response.status_code == 201
    order = MediaOrder.objects.get()
    assert order.created_by == superuser
    assert api.post(step(order, "cancel"), {"reason": "Uji"}).status_code == 200


# --- idempotent writes --------------------------------------------------------------------------------------

def test_the_same_placement_sent_twice_with_its_key_is_placed_once(api, officer, budget, price):
    # Placed today with a service period that ends yesterday: the first order's proof is not overdue yet, so
    # the outlet may receive the second (the proof deadline control).
    body = order_body(budget, price, service_end=SERVICE_UNTIL.isoformat())
    first = api.post(ORDERS, body, key="penempatan-0001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    second = api.post(ORDERS, body, key="penempatan-0001")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert MediaOrder.objects.count() == 1 and figures(budget) == (10_000_000, 0)
    # The order's request key (the admin form's guard against a double submission) comes from the same key.
    order = MediaOrder.objects.get()
    assert order.request_key == request_key_for(officer, "penempatan-0001")
    assert first.json()["request_key"] == str(order.request_key)

    other = api.post(ORDERS, {**body, "quantity": 2}, key="penempatan-0001", language="en")
    assert other.status_code == 422
    assert other.json() == {"detail": "This Idempotency-Key was already used with a different request."}
    assert MediaOrder.objects.count() == 1 and figures(budget) == (10_000_000, 0)
    # With another key the same body is another order.
    assert api.post(ORDERS, body, key="penempatan-0002").status_code == 201
    assert figures(budget) == (20_000_000, 0)


def test_a_refused_placement_leaves_its_key_free(api, officer, budget, price):
    body = order_body(budget, price, quantity=3)
    assert refusal(api.post(ORDERS, body, key="k-1", language="en"))[0].startswith("This order of Rp 30.000.000")
    assert not IdempotencyKey.objects.exists()
    services.budget_revise(budget, amount_after=50_000_000, reason="amendment", reference="APBD-P 2026",
                           revised_on=datetime.date(2026, 10, 1), user=officer)
    response = api.post(ORDERS, body, key="k-1")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert figures(budget) == (30_000_000, 0)


def test_once_the_stored_answer_has_expired_the_request_key_still_places_once(api, budget, price):
    body = order_body(budget, price)
    first = api.post(ORDERS, body, key="retry-after-a-week")
    IdempotencyKey.objects.all().delete()  # what clear_expired_idempotency_keys does after IDEMPOTENCY_KEY_DAYS
    again = api.post(ORDERS, body, key="retry-after-a-week")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert MediaOrder.objects.count() == 1 and figures(budget) == (10_000_000, 0)


def test_a_payment_sent_twice_with_its_key_is_recorded_once(api, officer, budget, price):
    order = services.order_review_proof(publish(place(budget, price, user=officer), user=officer), accept=True,
                                        user=officer)
    body = {"paid_on": "2026-11-20", "reference": "SP2D-009"}
    first = api.post(step(order, "pay"), body, key="bayar-9")
    second = api.post(step(order, "pay"), body, key="bayar-9")
    assert (first.status_code, second.status_code, second["Idempotent-Replayed"]) == (200, 200, "true")
    assert second.json() == first.json()
    assert figures(budget) == (10_000_000, 10_000_000)
    # Without the key, the repeat is the service's refusal.
    assert refusal(api.post(step(order, "pay"), body, language="en")) == ["This order is already paid."]
