"""The budgets back office: the budget list and page with their figures, revisions and the spending policy
through the admin, agencies and their staff, and the scoping of every page to the user's agency.

Orders are placed, published, paid and cancelled through budgets.services, as every caller does; the
clock is pinned to the ordinary day (Thursday 26 November 2026)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.db import DatabaseError, transaction

from budgets import services
from budgets.admin.budgets import RevisionInline
from budgets.models import Agency, AgencyStaff, Budget, BudgetRevision
from tests.budget_helpers import (
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
    publish,
)
from tests.factories import StaffUserFactory, UserFactory
from tests.helpers import messages_of, page_queries, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

LIST = "/admin/budgets/budget/"
SEPTEMBER = datetime.date(2026, 9, 14)
OCTOBER = datetime.date(2026, 10, 1)
AFTER_LISTING = datetime.date(2026, 8, 18)  # the day after the outlet was listed (tests/catalog_helpers.py)


def page(budget) -> str:
    return f"{LIST}{budget.pk}/change/"


def revise_url(budget) -> str:
    return f"{LIST}{budget.pk}/revise/"


def policy_url(budget) -> str:
    return f"{LIST}{budget.pk}/policy/"


def superuser():
    return UserFactory(username="super", is_staff=True, is_superuser=True)


@pytest.fixture
def world():
    """Two agencies with a 2026 budget each, their budget officers, and an outlet with an approved price."""
    province = make_agency("Dinas Komunikasi Provinsi Uji", slug="provinsi-uji")
    regency = make_agency("Diskominfo Kabupaten Uji", slug="kabupaten-uji")
    outlet = listed_eligible_outlet("Portal Uji Satu")
    return {
        "province": province, "regency": regency,
        "budget": make_budget(province, amount=1_000_000_000),
        "other_budget": make_budget(regency, amount=200_000_000),
        "officer": budget_officer(province, "anggaran.provinsi"),
        "other_officer": budget_officer(regency, "anggaran.kabupaten"),
        "outlet": outlet,
        "price": approved_price(outlet, unit_price=10_000_000),
    }


def spend(world) -> dict:
    """September: 2 × Rp 10 M ordered, paid on 5 October; October: 1 × Rp 10 M waiting for review of its
    proof, 3 × Rp 10 M cancelled."""
    budget, price = world["budget"], world["price"]
    paid = pay(place(budget, price, quantity=2, order_date=SEPTEMBER), paid_on=datetime.date(2026, 10, 5))
    waiting = publish(place(budget, price, quantity=1, order_date=OCTOBER))
    cancelled = services.order_cancel(place(budget, price, quantity=3, order_date=datetime.date(2026, 10, 2)),
                                      reason="Salah pesan")
    return {"paid": paid, "waiting": waiting, "cancelled": cancelled}


def figure(response, key: str) -> str:
    match = re.search(rf'<tr id="figure-{key}"><th scope="row">[^<]*</th><td class="number">([^<]*)</td>',
                      response.content.decode())
    assert match, key
    return match.group(1)


def month_row(response, month: int) -> list[str]:
    match = re.search(rf'<tr id="month-{month}">(.*?)</tr>', response.content.decode())
    assert match, month
    return re.findall(r'<td class="number">([^<]*)</td>', match.group(1))


# --- the budget page ------------------------------------------------------------------------------------


def test_the_budget_page_shows_how_evenly_the_orders_went_to_the_listed_outlets(client, english, world):
    # Two more listed outlets: one gets Rp 10 M beside Portal Uji Satu's Rp 30 M, one gets nothing.
    second = listed_eligible_outlet("Portal Uji Dua")
    listed_eligible_outlet("Portal Tanpa Pesanan")
    place(world["budget"], world["price"], quantity=3)
    place(world["budget"], approved_price(second, unit_price=10_000_000))
    client.force_login(world["officer"])
    body = client.get(page(world["budget"])).content.decode()

    def row(key):
        return re.search(rf'<tr id="fair-{key}"><th scope="row">[^<]*</th><td class="number">([^<]*)</td>',
                         body).group(1)

    assert row("reach") == "2 of 3 (66.7%)"
    assert row("top5") == "100.0%"
    # Shares 75% and 25%: 75² + 25² = 6,250, as 1.6 outlets with equal shares.
    assert row("hhi") == "6,250 (as 1.6 equal outlets)"
    assert re.search(r'<span id="fair-without">Portal Tanpa Pesanan</span>', body)
    assert "/transparency/?agency=provinsi-uji&amp;year=2026" in body


def test_the_budget_page_shows_the_figures_and_the_spend_per_month(client, english, world):
    spend(world)
    client.force_login(world["officer"])
    response = client.get(page(world["budget"]))
    assert response.status_code == 200
    assert figure(response, "original") == "Rp 1.000.000.000"
    assert figure(response, "current") == "Rp 1.000.000.000"
    assert figure(response, "ordered") == "Rp 30.000.000"  # the cancelled order is free again
    assert figure(response, "committed") == "Rp 10.000.000"
    assert figure(response, "paid") == "Rp 20.000.000"
    assert figure(response, "remaining") == "Rp 970.000.000"
    assert figure(response, "absorption") == "2.0 %"
    # Orders by their order date, payments by their payment date, cancelled orders left out.
    # (The last column, spend outside the catalog, is tested in tests/test_other_spend_admin.py.)
    assert month_row(response, 8) == ["-", "-", "-", "-"]
    assert month_row(response, 9) == ["Rp 20.000.000", "-", "-", "-"]
    assert month_row(response, 10) == ["Rp 10.000.000", "Rp 20.000.000", "Rp 20.000.000", "-"]
    assert month_row(response, 11) == ["-", "-", "Rp 20.000.000", "-"]
    totals = re.search(r'<tr id="month-total">(.*?)</tr>', response.content.decode()).group(1)
    assert re.findall(r'<td class="number">([^<]*)</td>', totals) == ["Rp 30.000.000", "Rp 20.000.000", "Rp 0"]


def test_absorption_reads_in_indonesian(client, world):
    spend(world)
    client.force_login(world["officer"])
    response = client.get(page(world["budget"]))
    assert figure(response, "absorption") == "2,0 %"
    assert "Rp 970.000.000" in text(response)


def test_the_budget_page_draws_the_agencys_years(client, english, world):
    make_budget(world["province"], year=2025, amount=500_000_000, spending_allowed=False,
                policy_reference="Pergub 1/2025")
    client.force_login(world["officer"])
    response = client.get(page(world["budget"]))
    html = response.content.decode()
    chart = html.split('id="budget-chart"')[1]
    assert "<svg" in chart and 'aria-labelledby="budget-year-chart-title"' in chart
    assert "Rp 500.000.000" in chart and "Rp 1.000.000.000" in chart and "off by policy" in chart
    assert "Rp 200.000.000" not in chart, "another agency's budget is not in this agency's chart"


def test_the_budget_page_saves_nothing_and_its_original_amount_is_read_only(client, english, world):
    client.force_login(world["officer"])
    response = client.get(page(world["budget"]))
    html = response.content.decode()
    assert 'name="original_amount"' not in html and 'name="current_amount"' not in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert client.post(page(world["budget"]), {"original_amount": 1}).status_code == 405
    world["budget"].refresh_from_db()
    assert world["budget"].original_amount == 1_000_000_000


# --- the budget list ------------------------------------------------------------------------------------


def test_the_list_shows_each_budgets_figures_and_policy(client, english, world):
    spend(world)
    services.budget_set_policy(world["other_budget"], spending_allowed=False, reference="Perbup 7/2026")
    client.force_login(superuser())
    response = client.get(LIST)
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert set(rows) == {world["budget"].pk, world["other_budget"].pk}
    html = response.content.decode()
    row = html.split(f'href="/admin/budgets/budget/{world["budget"].pk}/change/')[1].split("</tr>")[0]
    for shown in ("2026", "Rp 1.000.000.000", "Rp 30.000.000", "Rp 20.000.000", "Rp 970.000.000", "2.0 %",
                  'status-good">allowed'):
        assert shown in row, shown
    other = html.split(f'href="/admin/budgets/budget/{world["other_budget"].pk}/change/')[1].split("</tr>")[0]
    assert 'status-bad" title="Perbup 7/2026">off by policy' in other


def test_the_list_runs_the_same_queries_for_1_and_20_budgets(client, world):
    user = superuser()
    client.force_login(user)
    few, _response = page_queries(client, LIST)
    for n in range(19):
        make_budget(make_agency(), year=2020 + n % 7, amount=1_000_000 * (n + 1))
    many, response = page_queries(client, LIST)
    assert response.context["cl"].result_count == 21
    assert many == few


def test_the_budget_page_runs_the_same_queries_for_1_and_100_orders(client, world):
    budget, price = world["budget"], world["price"]
    place(budget, price, service_end=SERVICE_UNTIL)
    client.force_login(world["officer"])
    few, _response = page_queries(client, page(budget))
    for n in range(99):
        # Each running to late November: no proof is overdue yet when the next is placed.
        order = place(budget, price, order_date=AFTER_LISTING + datetime.timedelta(days=n % 95),
                      service_end=SERVICE_UNTIL)
        if n % 3 == 0:
            pay(order, paid_on=datetime.date(2026, 11, 25))
    many, response = page_queries(client, page(budget))
    assert many == few
    assert figure(response, "ordered") == "Rp 1.000.000.000"


def test_the_list_runs_the_same_queries_for_1_and_100_orders(client, world):
    budget, price = world["budget"], world["price"]
    place(budget, price, service_end=SERVICE_UNTIL)
    client.force_login(world["officer"])
    few, _response = page_queries(client, LIST)
    for n in range(99):
        place(budget, price, order_date=AFTER_LISTING + datetime.timedelta(days=n % 95), service_end=SERVICE_UNTIL)
    many, _response = page_queries(client, LIST)
    assert many == few


# --- revisions ------------------------------------------------------------------------------------------


def revision_form(**fields) -> dict:
    return {"amount_after": "600000000", "reason": "refocusing", "revised_on": "2026-11-20",
            "reference": "DPPA 903/2026", "note": "Refocusing untuk penanganan bencana", **fields}


def test_a_revision_is_added_through_the_admin_and_shown_read_only(client, english, world):
    spend(world)
    officer, budget = world["officer"], world["budget"]
    client.force_login(officer)
    assert revise_url(budget) in client.get(page(budget)).content.decode()
    form_page = client.get(revise_url(budget))
    assert form_page.status_code == 200 and "Rp 30.000.000" in text(form_page)  # the lowest possible amount

    response = client.post(revise_url(budget), revision_form())
    assert response.status_code == 302 and response.url == page(budget)
    assert "Revised from Rp 1.000.000.000 to Rp 600.000.000 (DPPA 903/2026)." in messages_of(response)
    budget.refresh_from_db()
    assert (budget.original_amount, budget.current_amount) == (1_000_000_000, 600_000_000)
    revision = BudgetRevision.objects.get(budget=budget)
    assert (revision.amount_before, revision.reason, revision.created_by) == (1_000_000_000, "refocusing", officer)

    shown = client.get(page(budget))
    html = shown.content.decode()
    inline = html.split('id="revisions-group"')[1]
    for value in ("Rp 1.000.000.000", "Rp 600.000.000", "Refocusing and reallocation", "DPPA 903/2026",
                  "Nov. 20, 2026"):
        assert value in inline, value
    for field in ("amount_after", "amount_before", "reason", "revised_on", "reference", "note", "DELETE"):
        assert f'name="revisions-0-{field}"' not in html, "a saved revision has no field to edit"
    assert figure(shown, "current") == "Rp 600.000.000"
    assert figure(shown, "original") == "Rp 1.000.000.000"


def test_a_revision_below_what_is_ordered_is_refused_with_the_reason(client, english, world):
    spend(world)
    budget = world["budget"]
    client.force_login(world["officer"])
    response = client.post(revise_url(budget), revision_form(amount_after="25000000"))
    assert response.status_code == 200
    assert response.context["form"].errors["amount_after"] == [
        "The budget cannot go below what its orders already hold: Rp 30.000.000 is ordered (Rp 20.000.000 of it "
        "paid). Cancel orders first or choose at least that amount."]
    assert "The budget cannot go below what its orders already hold" in text(response)
    budget.refresh_from_db()
    assert budget.current_amount == 1_000_000_000 and not BudgetRevision.objects.exists()

    # Exactly what is ordered is allowed.
    assert client.post(revise_url(budget), revision_form(amount_after="30000000")).status_code == 302
    budget.refresh_from_db()
    assert budget.remaining_amount == 0


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"revised_on": "2025-12-30"}, "revised_on", "A revision of the 2026 budget is dated in 2026."),
    ({"amount_after": "1000000000"}, "amount_after", "The new amount is the budget's current amount; nothing to "
                                                     "revise."),
])
def test_other_refusals_of_a_revision_are_shown_on_their_field(client, english, world, fields, field, message):
    client.force_login(world["officer"])
    response = client.post(revise_url(world["budget"]), revision_form(**fields))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]


def test_revisions_cannot_be_changed_or_deleted(rf, world):
    revision = services.budget_revise(world["budget"], amount_after=900_000_000, reason="amendment",
                                      reference="Perda 5/2026", revised_on=datetime.date(2026, 10, 1))
    inline = RevisionInline(Budget, admin.site)
    request = rf.get("/")
    request.user = superuser()
    assert not inline.has_add_permission(request, world["budget"])
    assert not inline.has_change_permission(request, world["budget"])
    assert not inline.has_delete_permission(request, world["budget"])
    with pytest.raises(DatabaseError), transaction.atomic():
        BudgetRevision.objects.filter(pk=revision.pk).update(amount_after=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        BudgetRevision.objects.filter(pk=revision.pk).delete()


# --- the spending policy --------------------------------------------------------------------------------


def test_the_policy_is_switched_with_its_reference(client, english, world):
    budget = world["budget"]
    client.force_login(world["officer"])
    refused = client.post(policy_url(budget), {"reference": "", "note": ""})  # unticked: off
    assert refused.status_code == 200
    assert refused.context["form"].errors["reference"] == [
        "Give the reference of the decision that sets the spending policy."]
    budget.refresh_from_db()
    assert budget.spending_allowed

    response = client.post(policy_url(budget), {"reference": "Pergub 12/2026", "note": "Tanpa belanja media"})
    assert response.status_code == 302
    assert "Media spending is off (Pergub 12/2026)." in messages_of(response)
    budget.refresh_from_db()
    assert (budget.spending_allowed, budget.policy_reference, budget.policy_note) == (
        False, "Pergub 12/2026", "Tanpa belanja media")
    shown = text(client.get(page(budget)))
    assert "off by policy" in shown and "Pergub 12/2026" in shown
    with pytest.raises(services.BudgetRefused, match="Media spending is off"):
        place(budget, world["price"])

    client.post(policy_url(budget), {"spending_allowed": "on", "reference": "Pergub 13/2026"})
    budget.refresh_from_db()
    assert budget.spending_allowed and budget.policy_reference == "Pergub 13/2026"


# --- adding a budget ------------------------------------------------------------------------------------


def test_a_budget_officer_adds_a_budget_of_their_own_agency(client, english, world):
    client.force_login(world["officer"])
    form_page = client.get(f"{LIST}add/")
    assert form_page.status_code == 200
    assert 'name="agency"' not in form_page.content.decode()
    assert "Dinas Komunikasi Provinsi Uji" in text(form_page)
    response = client.post(f"{LIST}add/", {"year": "2027", "account_code": "5.1.02.02.01.0055",
                                           "account_name": "Belanja Jasa Iklan", "original_amount": "750000000",
                                           "spending_allowed": "on"})
    budget = Budget.objects.get(year=2027)
    assert response.status_code == 302 and response.url == page(budget)
    assert (budget.agency, budget.original_amount, budget.current_amount) == (world["province"], 750_000_000,
                                                                           750_000_000)


def test_a_second_budget_for_the_same_year_and_policy_off_without_reference_are_refused(client, english, world):
    client.force_login(world["officer"])
    fields = {"year": "2026", "account_code": "5.1.02.02.01.0055", "account_name": "Belanja",
              "original_amount": "5", "spending_allowed": "on"}
    response = client.post(f"{LIST}add/", fields)
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [
        "Dinas Komunikasi Provinsi Uji already has a budget for 2026."]
    response = client.post(f"{LIST}add/", {**fields, "year": "2018", "spending_allowed": ""})
    assert response.context["form"].errors["policy_reference"] == [
        "Give the reference of the decision that stops media spending."]
    assert Budget.objects.count() == 2


def test_a_superuser_chooses_the_agency(client, english, world):
    client.force_login(superuser())
    assert 'name="agency"' in client.get(f"{LIST}add/").content.decode()
    response = client.post(f"{LIST}add/", {"agency": world["regency"].pk, "year": "2027",
                                           "account_code": "5.1.02.02.01.0055", "account_name": "Belanja",
                                           "original_amount": "100000000", "spending_allowed": "on"})
    assert response.status_code == 302
    assert Budget.objects.get(year=2027).agency == world["regency"]


def test_staff_without_an_agency_cannot_add_a_budget(client, world):
    client.force_login(StaffUserFactory(groups=["Petugas Anggaran"]))
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(LIST).context["cl"].result_count == 0


# --- scoping --------------------------------------------------------------------------------------------


def listed(client, url=LIST) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_a_budget_officer_sees_and_changes_only_their_agencys_budgets(client, world):
    budget, other = world["budget"], world["other_budget"]
    client.force_login(world["officer"])
    assert listed(client) == {budget.pk}
    assert client.get(page(budget)).status_code == 200
    for url in (page(other), revise_url(other), policy_url(other), f"{LIST}{other.pk}/history/"):
        assert client.get(url).status_code == 404, url
    assert client.post(revise_url(other), revision_form(amount_after="100000000")).status_code == 404
    assert client.post(policy_url(other), {"reference": "Surat 1"}).status_code == 404
    other.refresh_from_db()
    assert (other.current_amount, other.spending_allowed) == (200_000_000, True)
    assert not BudgetRevision.objects.exists()


def test_the_other_agencys_officer_sees_only_theirs(client, world):
    client.force_login(world["other_officer"])
    assert listed(client) == {world["other_budget"].pk}
    assert client.get(page(world["budget"])).status_code == 404


def test_an_auditor_sees_every_agency_and_changes_nothing(client, english, auditor, world):
    budget = world["budget"]
    client.force_login(auditor)
    assert listed(client) == {budget.pk, world["other_budget"].pk}
    response = client.get(page(budget))
    assert response.status_code == 200
    html = response.content.decode()
    assert revise_url(budget) not in html and policy_url(budget) not in html
    assert client.get(revise_url(budget)).status_code == 403
    assert client.post(revise_url(budget), revision_form()).status_code == 403
    assert client.post(policy_url(budget), {"reference": "Surat 1"}).status_code == 403
    assert client.post(page(budget), {}).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    budget.refresh_from_db()
    assert (budget.current_amount, budget.spending_allowed) == (1_000_000_000, True)


def test_a_superuser_sees_and_changes_every_agencys_budgets(client, world):
    client.force_login(superuser())
    assert listed(client) == {world["budget"].pk, world["other_budget"].pk}
    assert client.post(revise_url(world["other_budget"]), revision_form(amount_after="150000000")).status_code == 302
    world["other_budget"].refresh_from_db()
    assert world["other_budget"].current_amount == 150_000_000


def test_the_agency_filter_is_for_those_who_see_every_agency(client, auditor, world):
    client.force_login(auditor)
    assert listed(client, f"{LIST}?agency__id__exact={world['regency'].pk}") == {world["other_budget"].pk}
    client.force_login(world["officer"])
    response = client.get(LIST)
    assert "agency__id__exact" not in response.content.decode()


# --- agencies and their staff ---------------------------------------------------------------------------

AGENCIES = "/admin/budgets/agency/"


def test_a_budget_officer_sees_their_own_agency_read_only(client, english, world):
    client.force_login(world["officer"])
    assert listed(client, AGENCIES) == {world["province"].pk}
    response = client.get(f"{AGENCIES}{world['province'].pk}/change/")
    assert response.status_code == 200
    assert "anggaran.provinsi" in text(response) and 'name="name"' not in response.content.decode()
    assert "/admin/auth/user/" not in response.content.decode()
    assert client.get(f"{AGENCIES}{world['regency'].pk}/change/").status_code == 404
    assert client.get(f"{AGENCIES}add/").status_code == 403


def test_an_auditor_sees_every_agency(client, auditor, world):
    client.force_login(auditor)
    assert listed(client, AGENCIES) == {world["province"].pk, world["regency"].pk}
    assert client.post(f"{AGENCIES}{world['province'].pk}/change/", {"name": "X"}).status_code == 403


def test_a_superuser_adds_an_agency_and_assigns_staff_on_the_user_page(client, english, world):
    client.force_login(superuser())
    # "Add agency" makes the agency and its first administrator (budgets.services.agency_onboard;
    # tests/test_create_agency.py); its settings are on its page afterwards.
    response = client.post(f"{AGENCIES}add/", {
        "name": "Diskominfo Kota Uji", "short_name": "Diskominfo Kota Uji", "slug": "kota-uji", "kind": "city",
        "region_code": "31.75", "admin_email": "admin@kota-uji.go.id"})
    assert response.status_code == 302
    city = Agency.objects.get(slug="kota-uji")
    agency_page = client.get(f"{AGENCIES}{city.pk}/change/")
    data = {name: value for name, value in agency_page.context["adminform"].form.initial.items()
            if value is not None and name in agency_page.context["adminform"].form.fields}
    data.update({"proof_days_online": "3", "proof_days_radio": "5", "proof_deadline_reference": "Perwali 12/2026",
                 "staff-TOTAL_FORMS": "1", "staff-INITIAL_FORMS": "1", "staff-MIN_NUM_FORMS": "0",
                 "staff-MAX_NUM_FORMS": "1000", "staff-0-user": str(city.staff.get().user_id),
                 "staff-0-agency": city.pk})
    assert client.post(f"{AGENCIES}{city.pk}/change/", data).status_code == 302
    city.refresh_from_db()
    # Its own proof deadlines (docs/domain.md "Proof deadlines").
    assert (city.proof_days_online, city.proof_days_radio, city.proof_deadline_reference) == (3, 5, "Perwali 12/2026")
    assert "/admin/auth/user/" in agency_page.content.decode()  # where staff are assigned

    person = StaffUserFactory(username="petugas.kota", groups=["Petugas Anggaran"])
    user_page = client.get(f"/admin/auth/user/{person.pk}/change/")
    assert user_page.status_code == 200 and 'name="agency_staff-0-agency"' in user_page.content.decode()
    form = user_page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"username": "petugas.kota", "date_joined_0": "2026-11-26", "date_joined_1": "10:00:00",
                 "is_active": "on", "is_staff": "on", "groups": [g.pk for g in person.groups.all()],
                 "agency_staff-TOTAL_FORMS": "1", "agency_staff-INITIAL_FORMS": "0",
                 "agency_staff-MIN_NUM_FORMS": "0", "agency_staff-MAX_NUM_FORMS": "1",
                 "agency_staff-0-agency": str(city.pk), "agency_staff-0-user": str(person.pk)})
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/auth/user/{person.pk}/change/", data)
    assert response.status_code == 302
    assert AgencyStaff.objects.get(user=person).agency == city
    users = client.get("/admin/auth/user/")
    assert "Diskominfo Kota Uji" in text(users)
    assert "petugas.kota" in text(client.get(f"{AGENCIES}{city.pk}/change/"))

