"""Spend outside the catalog in the back office (budgets/admin/other_spend.py): the add form records through
the service (every refusal with the service's reason, a double submit recorded once), the entry's page with its
evidence and cancel button, the budget page's figures and links, agency scoping, the evidence download."""

import datetime
import html
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import AgencyStaff, Budget, OtherSpend
from mediareg.models import DataAccess
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
from tests.helpers import messages_of, page_queries
from tests.helpers import text as folded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

LIST = reverse("admin:budgets_otherspend_changelist")
ADD = reverse("admin:budgets_otherspend_add")
OVER_BUDGET_EN = ("This spending of Rp 30.000.000 exceeds the budget: Rp 20.000.000 of Rp 50.000.000 remains "
                  "(Rp 30.000.000 is ordered and Rp 0 spent outside the catalog).")


def text(response) -> str:
    return html.unescape(folded(response))


def page(spend):
    return reverse("admin:budgets_otherspend_change", args=[spend.pk])


def evidence_url(spend):
    return reverse("other-spend-evidence", args=[spend.pk])


@pytest.fixture(autouse=True)
def in_english(english):
    """The messages are compared with their English text."""


@pytest.fixture
def agency():
    return make_agency("Dinas Kominfo Banjar", slug="banjar")


@pytest.fixture
def officer(client, agency):
    user = budget_officer(agency, "petugas.banjar")
    client.force_login(user)
    return user


@pytest.fixture
def budget(agency):
    return make_budget(agency, amount=50_000_000)


def form_data(budget, **overrides):
    return {"budget": budget.pk, "kind": "press_gathering", "description": "Jamuan wartawan HUT provinsi",
            "recipient": "PWI Banjar", "outlet": "", "company": "", "amount": "Rp 7.500.000",
            "spent_on": ORDER_DAY.isoformat(), "reference": "SP2D-0099/2026", "evidence_file": evidence(),
            "entry_key": str(uuid.uuid4()), **overrides}


def form_errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_the_add_form_records_the_spend_and_shows_it(client, officer, budget):
    response = client.post(ADD, form_data(budget))
    assert response.status_code == 302, form_errors(response)
    spend = OtherSpend.objects.get()
    assert response.url == page(spend)
    assert (spend.amount, spend.kind, spend.recipient, spend.created_by) == (
        7_500_000, "press_gathering", "PWI Banjar", officer)
    assert messages_of(client.get(response.url)) == [
        "Recorded: Rp 7.500.000 to PWI Banjar. Rp 42.500.000 of Dinas Kominfo Banjar 2026 remains."]
    shown = text(client.get(page(spend)))
    assert "Jamuan wartawan HUT provinsi" in shown and "SP2D-0099/2026" in shown and "kuitansi.pdf" in shown
    assert "Cancel entry" in shown
    assert Budget.objects.get(pk=budget.pk).other_spent_amount == 7_500_000


def test_over_budget_is_refused_on_the_form_with_the_services_reason(client, officer, budget):
    price = approved_price(listed_eligible_outlet("Kabar Martapura"), unit_price=10_000_000)
    place(budget, price, quantity=3, user=officer)
    response = client.post(ADD, form_data(budget, amount="30000000"))
    assert response.status_code == 200
    assert form_errors(response) == OVER_BUDGET_EN
    assert not OtherSpend.objects.exists()


def test_the_evidence_is_required_and_checked_by_its_content(client, officer, budget):
    data = form_data(budget)
    del data["evidence_file"]
    response = client.post(ADD, data)
    assert response.status_code == 200 and "evidence_file" in response.context["adminform"].form.errors
    fake = SimpleUploadedFile("kuitansi.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(ADD, form_data(budget, evidence_file=fake))
    assert response.status_code == 200 and "PDF, JPEG and PNG" in form_errors(response)
    assert not OtherSpend.objects.exists()


def test_a_form_sent_twice_records_once(client, officer, budget):
    data = form_data(budget)
    client.post(ADD, data)
    again = client.post(ADD, {**data, "evidence_file": evidence()}, follow=True)
    assert OtherSpend.objects.count() == 1
    assert "This form had already been sent" in text(again)


def test_the_budget_page_shows_the_figure_the_months_and_the_links(client, officer, budget):
    record_other_spend(budget, amount=4_000_000, spent_on=datetime.date(2026, 3, 9), user=officer)
    shown = client.get(reverse("admin:budgets_budget_change", args=[budget.pk]))
    body = shown.content.decode()
    assert 'id="figure-other"' in body and 'id="budget-record-other-spend"' in body
    assert f"?budget={budget.pk}" in body and f"budget__id__exact={budget.pk}" in body
    assert "Rp 4.000.000" in text(shown)
    assert "Rp 46.000.000" in text(shown)  # remaining: the budget less orders and other spend
    march = re.search(r'<tr id="month-3">(.*?)</tr>', body).group(1)
    assert re.findall(r'<td class="number">([^<]*)</td>', march) == ["-", "-", "-", "Rp 4.000.000"]
    # The add form starts with the budget chosen.
    form = client.get(ADD, {"budget": budget.pk}).context["adminform"].form
    assert str(form.initial["budget"]) == str(budget.pk)


def test_cancel_button_asks_the_reason_and_frees_the_amount(client, officer, budget):
    spend = record_other_spend(budget, amount=9_000_000, user=officer)
    cancel = reverse("admin:budgets_otherspend_cancel", args=[spend.pk])
    assert client.get(cancel).status_code == 405
    asked = client.post(cancel, {"next": page(spend)})
    assert "Cancel spending outside the catalog" in text(asked)
    done = client.post(cancel, {"apply": "1", "reason": "Dicatat dua kali", "action": "cancel_entries",
                                "_selected_action": [spend.pk], "next": page(spend)})
    assert done.status_code == 302
    spend.refresh_from_db()
    assert spend.cancel_reason == "Dicatat dua kali" and spend.cancelled_on is not None
    assert Budget.objects.get(pk=budget.pk).other_spent_amount == 0
    shown = text(client.get(page(spend)))
    assert "Dicatat dua kali" in shown and "Cancel entry" not in shown


def test_another_agencys_staff_neither_see_nor_record(client, officer, budget):
    spend = record_other_spend(budget, user=officer)
    stranger = budget_officer(make_agency("Dinas Kominfo Lain"))
    client.force_login(stranger)
    assert client.get(page(spend)).status_code == 404
    assert client.get(evidence_url(spend)).status_code == 404
    assert str(spend.pk) not in [str(pk) for pk in client.get(LIST).context["cl"].result_list.values_list(
        "pk", flat=True)]
    response = client.post(ADD, form_data(budget))  # a forged choice of another agency's budget
    assert response.status_code == 200 and "budget" in response.context["adminform"].form.errors
    assert OtherSpend.objects.count() == 1
    assert client.post(reverse("admin:budgets_otherspend_cancel", args=[spend.pk]),
                       {"apply": "1", "reason": "x"}).status_code == 404


def test_an_auditor_sees_every_agencys_entries_and_changes_nothing(client, auditor, officer, budget):
    spend = record_other_spend(budget, user=officer)
    client.force_login(auditor)
    assert client.get(page(spend)).status_code == 200
    assert "Cancel entry" not in text(client.get(page(spend)))
    assert client.get(ADD).status_code == 403
    assert client.post(reverse("admin:budgets_otherspend_cancel", args=[spend.pk]),
                       {"apply": "1", "reason": "x"}).status_code == 403
    assert OtherSpend.objects.get().cancelled_on is None


def test_the_evidence_is_downloaded_with_the_permission_and_logged(client, officer, budget):
    spend = record_other_spend(budget, user=officer)
    response = client.get(evidence_url(spend))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store" and response["X-Content-Type-Options"] == "nosniff"
    assert "kuitansi.pdf" in response["Content-Disposition"]
    entry = DataAccess.objects.get()
    assert (entry.kind, entry.name, entry.user) == ("evidence_download", str(spend.pk), officer)
    # Staff without the permission: refused, and the page names the file without a link.
    plain = StaffUserFactory(permissions=["budgets.view_otherspend"])
    AgencyStaff.objects.create(user=plain, agency=budget.agency)
    client.force_login(plain)
    assert client.get(evidence_url(spend)).status_code == 403
    body = client.get(page(spend)).content.decode()
    assert "kuitansi.pdf" in body and evidence_url(spend) not in body
    client.logout()
    assert client.get(evidence_url(spend)).status_code == 302  # to the login page
    assert DataAccess.objects.count() == 1


def test_the_list_costs_the_same_queries_for_1_and_100_entries(client, officer, budget):
    record_other_spend(budget, amount=1_000, user=officer)
    one, _ = page_queries(client, LIST)
    for n in range(99):
        record_other_spend(budget, amount=1_000, user=officer, recipient=f"Penerima {n}")
    hundred, response = page_queries(client, LIST + "?all=")
    assert len(response.context["cl"].result_list) == 100
    assert hundred == one
