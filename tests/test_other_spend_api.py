"""Spend outside the catalog through the API (budgets/api.py OtherSpendViewSet): recorded and cancelled by the
services the admin calls, with the admin's permissions; a refusal is the admin's sentence as a 400; scoped to the
person's agency; a page of 1 or 100 entries costs the same queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from budgets.models import Budget, OtherSpend
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    evidence,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    record_other_spend,
)
from tests.factories import StaffUserFactory
from tests.test_api_orders import Api
from tests.test_other_spend_admin import OVER_BUDGET_EN as ADMIN_OVER_BUDGET_EN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

URL = "/api/v1/other-spend/"


@pytest.fixture
def banjar():
    return make_agency("Dinas Kominfo Banjar", slug="banjar")


@pytest.fixture
def officer(banjar):
    return budget_officer(banjar, "anggaran.banjar")


@pytest.fixture
def budget(banjar):
    return make_budget(banjar, amount=50_000_000)


@pytest.fixture
def api(client, officer):
    return Api(client, officer)


def body(budget, **fields):
    return {"budget": budget.pk, "kind": "legislature_publication", "description": "Publikasi kegiatan DPRD",
            "recipient": "Tabloid Parlemen Banjar", "amount": "12000000", "spent_on": ORDER_DAY.isoformat(),
            "reference": "SP2D-0456/2026", "evidence_file": evidence(), **fields}


def test_recording_through_the_api_counts_in_the_budget(api, budget, officer):
    response = api.post(URL, body(budget), multipart=True)
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("kind", "amount", "recipient", "status", "has_evidence_file", "year")} == {
        "kind": "legislature_publication", "amount": 12_000_000, "recipient": "Tabloid Parlemen Banjar",
        "status": "recorded", "has_evidence_file": True, "year": 2026}
    assert "evidence_file" not in data  # the file only through its permission-checked view
    spend = OtherSpend.objects.get()
    assert spend.created_by == officer
    row = Budget.objects.get(pk=budget.pk)
    assert (row.other_spent_amount, row.remaining_amount) == (12_000_000, 38_000_000)
    budget_data = api.get(f"/api/v1/budgets/{budget.pk}/").json()
    assert (budget_data["other_spent_amount"], budget_data["remaining_amount"]) == (12_000_000, 38_000_000)


def test_over_budget_is_refused_with_the_admins_sentence_in_both_languages(api, budget, officer):
    price = approved_price(listed_eligible_outlet("Kabar Martapura"), unit_price=10_000_000)
    place(budget, price, quantity=3, user=officer)
    response = api.post(URL, body(budget, amount="30000000"), multipart=True, language="en")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [ADMIN_OVER_BUDGET_EN]
    response = api.post(URL, body(budget, amount="30000000"), multipart=True, language="id")
    with translation.override("id"):
        expected = str(translation.gettext(
            "This spending of %(amount)s exceeds the budget: %(remaining)s of %(budget)s remains "
            "(%(ordered)s is ordered and %(other)s spent outside the catalog).")) % {
            "amount": "Rp 30.000.000", "remaining": "Rp 20.000.000", "budget": "Rp 50.000.000",
            "ordered": "Rp 30.000.000", "other": "Rp 0"}
    assert response.json()["non_field_errors"] == [expected]
    assert not OtherSpend.objects.exists()


def test_the_evidence_is_required_and_checked(api, budget):
    without = body(budget)
    del without["evidence_file"]
    response = api.post(URL, without, multipart=True)
    assert response.status_code == 400 and "evidence_file" in response.json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("kuitansi.pdf", b"<html>x</html>", content_type="application/pdf")
    response = api.post(URL, body(budget, evidence_file=fake), multipart=True, language="en")
    assert response.status_code == 400 and "PDF, JPEG and PNG" in response.json()["non_field_errors"][0]
    assert not OtherSpend.objects.exists()


def test_an_idempotency_key_records_once(api, budget):
    first = api.post(URL, body(budget), multipart=True, key="kunci-1")
    again = api.post(URL, body(budget), multipart=True, key="kunci-1")
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert OtherSpend.objects.count() == 1 and Budget.objects.get(pk=budget.pk).other_spent_amount == 12_000_000


def test_cancel_frees_the_amount_and_needs_a_reason(api, budget, officer):
    spend = record_other_spend(budget, amount=8_000_000, user=officer)
    response = api.post(f"{URL}{spend.pk}/cancel/", {"reason": ""}, language="en")
    assert response.json()["non_field_errors"] == ["Give the reason for cancelling the entry."]
    response = api.post(f"{URL}{spend.pk}/cancel/", {"reason": "Dicatat dua kali"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Budget.objects.get(pk=budget.pk).other_spent_amount == 0
    assert [r["status"] for r in api.get(f"{URL}?status=cancelled").json()["results"]] == ["cancelled"]
    assert api.get(f"{URL}?status=recorded").json()["results"] == []


def test_another_agencys_staff_neither_see_nor_record_nor_cancel(client, budget, officer):
    spend = record_other_spend(budget, user=officer)
    stranger = Api(client, budget_officer(make_agency("Dinas Lain")))
    assert stranger.get(URL).json()["results"] == []
    assert stranger.get(f"{URL}{spend.pk}/").status_code == 404
    assert stranger.post(f"{URL}{spend.pk}/cancel/", {"reason": "x"}).status_code == 404
    response = stranger.post(URL, body(budget), multipart=True, language="en")
    assert response.json()["non_field_errors"] == [
        "You do not work for this budget's agency, so you cannot change it."]
    assert OtherSpend.objects.count() == 1


def test_an_auditor_reads_every_agency_and_writes_nothing(client, budget, officer):
    spend = record_other_spend(budget, user=officer)
    auditor = Api(client, StaffUserFactory(groups=["Auditor"]))
    assert [r["id"] for r in auditor.get(URL).json()["results"]] == [spend.pk]
    assert auditor.post(URL, body(budget), multipart=True).status_code == 403
    assert auditor.post(f"{URL}{spend.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert Api(client, None).get(URL).status_code in (401, 403)


def test_a_page_of_1_or_100_entries_costs_the_same_queries(client, budget, officer, django_assert_num_queries):
    for n in range(100):
        record_other_spend(budget, amount=1_000, user=officer, spent_on=ORDER_DAY - datetime.timedelta(days=n % 30))
    for user in (StaffUserFactory(groups=["Auditor"]), officer):
        client.force_login(user)
        with CaptureQueriesContext(connection) as one:
            response = client.get(URL, {"page_size": 1})
        assert len(response.json()["results"]) == 1
        with django_assert_num_queries(len(one)):
            response = client.get(URL, {"page_size": 100})
        assert len(response.json()["results"]) == 100
