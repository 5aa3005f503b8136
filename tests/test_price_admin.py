"""The e-catalog price list in the back office: staff enter prices, approve or reject them, and approved
prices are never edited. Prices are shared by every agency (outlets are), so every officer sees them all."""

import datetime

import pytest
from django.urls import reverse

from budgets.models import PriceItem, PriceStatus, ProductKind
from partners.models import MediaType
from tests.budget_helpers import approved_price, budget_officer, listed_eligible_outlet, make_agency
from tests.factories import MediaOutletFactory, StaffUserFactory
from tests.helpers import messages_of, page_queries, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

LIST = reverse("admin:budgets_priceitem_changelist")
ADD = reverse("admin:budgets_priceitem_add")


def page(item):
    return reverse("admin:budgets_priceitem_change", args=[item.pk])


def decide(item, decision):
    return reverse("admin:budgets_priceitem_decide", args=[item.pk, decision])


def submitted(outlet, **fields):
    from budgets import services

    return services.price_submit(outlet, kind=fields.pop("kind", ProductKind.BANNER),
                                 name=fields.pop("name", "Banner 300x250, satu bulan"),
                                 unit_price=fields.pop("unit_price", 7_500_000),
                                 valid_from=fields.pop("valid_from", datetime.date(2026, 10, 1)), unit="bulan",
                                 **fields)


@pytest.fixture
def officer(client):
    user = budget_officer(make_agency("Dinas Kominfo Banjar"))
    client.force_login(user)
    return user


@pytest.fixture
def outlet():
    return listed_eligible_outlet("Kabar Martapura")


def form_data(outlet, **overrides):
    return {"outlet": outlet.pk, "kind": ProductKind.ADVERTORIAL, "name": "Advertorial 600 kata, 2 foto",
            "unit": "artikel", "unit_price": "5.000.000", "valid_from": "2026-10-01", "valid_until": "", **overrides}


def test_staff_add_a_price_that_waits_for_approval(client, officer, outlet):
    response = client.post(ADD, form_data(outlet))
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = PriceItem.objects.get()
    assert (item.outlet, item.unit_price, item.status, item.source) == (
        outlet, 5_000_000, PriceStatus.SUBMITTED, PriceItem.Source.STAFF)
    assert item.valid_from == datetime.date(2026, 10, 1) and item.valid_until is None


def test_a_price_for_an_outlet_outside_the_e_catalog_is_refused_on_the_form(client, english, officer):
    response = client.post(ADD, form_data(MediaOutletFactory(name="Belum Terdaftar")))
    assert response.status_code == 200
    assert "Only an outlet in the e-catalog has a price list." in text(response)
    assert not PriceItem.objects.exists()


def test_a_price_that_ends_before_it_starts_is_refused_on_the_form(client, english, officer, outlet):
    response = client.post(ADD, form_data(outlet, valid_until="2026-09-01"))
    assert response.status_code == 200
    assert "The price cannot end before it starts." in text(response)
    assert not PriceItem.objects.exists()


def test_the_list_shows_rupiah_status_and_source(client, officer, outlet):
    approved_price(outlet, unit_price=5_000_000, name="Advertorial premium")
    submitted(outlet)
    body = text(client.get(LIST))
    assert "Kabar Martapura" in body and "Advertorial premium" in body
    assert "Rp 5.000.000 / artikel" in body and "Rp 7.500.000 / bulan" in body
    assert "Approved" in body or "Disetujui" in body


def test_list_filters_and_search(client, officer, outlet):
    radio = listed_eligible_outlet("Radio Intan")
    radio.media_type = MediaType.RADIO
    radio.save()
    banner = submitted(outlet)
    spot = approved_price(radio, kind=ProductKind.RADIO_SPOT, name="Spot 60 detik")

    def rows(**params):
        return set(client.get(LIST, params).context["cl"].result_list)

    assert rows() == {banner, spot}
    assert rows(status__exact="submitted") == {banner}
    assert rows(status__exact="approved") == {spot}
    assert rows(kind__exact="radio_spot") == {spot}
    assert rows(outlet__media_type__exact=MediaType.RADIO) == {spot}
    assert rows(q="intan") == {spot}
    assert rows(q="martapura") == {banner}


def test_list_runs_the_same_queries_for_1_and_50_prices(client, officer, outlet):
    approved_price(outlet)
    one, _ = page_queries(client, LIST)
    others = [listed_eligible_outlet() for _ in range(4)]
    for n in range(49):
        submitted(others[n % 4], name=f"Banner {n}")
    fifty, response = page_queries(client, LIST)
    assert len(response.context["cl"].result_list) == 50
    assert one == fifty, f"{one} queries for 1 price, {fifty} for 50"


def test_approve_from_the_list_ends_the_earlier_price_the_day_before(client, officer, outlet):
    old = approved_price(outlet, name="Banner 300x250, satu bulan", kind=ProductKind.BANNER, unit_price=6_000_000)
    new = submitted(outlet)
    response = client.post(LIST, {"action": "approve_prices", "_selected_action": [new.pk]}, follow=True)
    assert "1 price approved." in messages_of(response) or "1 harga disetujui." in messages_of(response)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == PriceStatus.APPROVED and new.reviewed_by == officer
    assert old.valid_until == datetime.date(2026, 9, 30)


def test_approve_button_on_the_items_page(client, officer, outlet):
    item = submitted(outlet)
    assert 'id="price-decision-buttons"' in client.get(page(item)).content.decode()
    response = client.post(decide(item, "approve"))
    assert response.status_code == 302 and response.url == page(item)
    item.refresh_from_db()
    assert item.status == PriceStatus.APPROVED


def test_reject_asks_for_a_reason_then_records_it(client, officer, outlet):
    item = submitted(outlet)
    asked = client.post(decide(item, "reject"))
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    item.refresh_from_db()
    assert item.status == PriceStatus.SUBMITTED
    done = client.post(decide(item, "reject"), {"apply": "1", "reason": "Harga di atas rata-rata pasar."})
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.review_reason) == (PriceStatus.REJECTED, "Harga di atas rata-rata pasar.")


def test_an_approved_price_is_read_only_and_offers_no_decision(client, english, officer, outlet):
    item = approved_price(outlet, unit_price=5_000_000)
    response = client.get(page(item))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in body and 'id="price-decision-buttons"' not in body
    assert "Rp 5.000.000 / artikel" in text(response)
    refused = client.post(page(item), {**form_data(outlet), "unit_price": "1"})
    assert refused.status_code == 403
    item.refresh_from_db()
    assert item.unit_price == 5_000_000
    # Approving again is refused with the service's reason.
    response = client.post(decide(item, "approve"), follow=True)
    assert any("Only a price waiting for approval can be approved." in m for m in messages_of(response))


def test_without_the_approve_permission_there_is_no_decision(client, outlet):
    client.force_login(StaffUserFactory(permissions=["budgets.view_priceitem", "budgets.add_priceitem"]))
    item = submitted(outlet)
    assert 'id="price-decision-buttons"' not in client.get(page(item)).content.decode()
    assert client.post(decide(item, "approve")).status_code == 403
    actions = client.get(LIST).context["cl"].model_admin.get_actions(client.get(LIST).wsgi_request)
    assert "approve_prices" not in actions and "reject_prices" not in actions
    client.post(LIST, {"action": "approve_prices", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.status == PriceStatus.SUBMITTED


def test_an_auditor_sees_the_price_list_and_changes_nothing(client, auditor, outlet):
    client.force_login(auditor)
    item = submitted(outlet)
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(decide(item, "approve")).status_code == 403


def test_every_officer_sees_every_price(client, outlet):
    item = submitted(outlet)
    for agency in (make_agency("Kominfotik DKI"), make_agency("Diskominfo Banjar")):
        client.force_login(budget_officer(agency))
        assert list(client.get(LIST).context["cl"].result_list) == [item]


def test_an_approved_price_leads_to_a_new_price_of_the_same_product(client, officer, outlet):
    item = approved_price(outlet, name="Advertorial 600 kata", unit_price=5_000_000)
    response = client.get(page(item))
    link = response.context["new_price_url"]
    assert link.startswith(ADD) and f'href="{link.replace("&", "&amp;")}"' in response.content.decode()
    form = client.get(link).context["adminform"].form
    assert (form["outlet"].value(), form["kind"].value(), form["name"].value(), form["unit"].value()) == (
        str(outlet.pk), ProductKind.ADVERTORIAL, "Advertorial 600 kata", "artikel")
    client.post(ADD, form_data(outlet, name="Advertorial 600 kata", unit_price="6.000.000", valid_from="2026-12-01"))
    client.post(LIST, {"action": "approve_prices", "_selected_action": [PriceItem.objects.latest("pk").pk]})
    item.refresh_from_db()
    assert item.valid_until == datetime.date(2026, 11, 30)
