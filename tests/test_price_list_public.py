"""The outlet's own price list (issue 10, item 3): an outlet in the e-catalog submits its products and unit
prices through its renewal link or its application's status page, without an account; each price waits for
staff approval and cannot be ordered until then."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from budgets import services
from budgets.models import PriceItem, PriceStatus
from catalog.models import Listing, ListingState
from catalog.renewal import renewal_token
from mediareg.models import AuditEvent
from tests.budget_helpers import approved_price, listed_eligible_outlet, make_budget, place
from tests.catalog_helpers import listed_outlet, make_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

VALID = {"kind": "advertorial", "name": "Advertorial 600 kata dengan 2 foto", "unit": "artikel",
         "unit_price": "15.000.000", "valid_from": "2026-12-01", "valid_until": ""}


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def by_link(outlet) -> str:
    return f"/apply/renew/{renewal_token(outlet.pk)}/prices/"


def by_code(application) -> str:
    return f"/apply/status/{application.code}/prices/"


@pytest.fixture
def outlet():
    return listed_eligible_outlet("Kabar Betawi")


# --- submitting, both ways -----------------------------------------------------------------------------


def test_a_price_sent_through_the_renewal_link_waits_for_approval(client, english, outlet):
    url = by_link(outlet)
    page = client.get(url)
    assert page.status_code == 200
    assert "Price list of Kabar Betawi" in text(page) and "No price yet" in text(page)
    response = client.post(url, VALID)
    item = PriceItem.objects.get(outlet=outlet)
    assert response.status_code == 302 and response["Location"] == f"{url}#price-{item.pk}"
    assert (item.kind, item.name, item.unit, item.unit_price) == ("advertorial", VALID["name"], "artikel", 15_000_000)
    assert (item.valid_from, item.valid_until) == (datetime.date(2026, 12, 1), None)
    assert (item.status, item.source) == (PriceStatus.SUBMITTED, PriceItem.Source.OUTLET)
    shown = client.get(response["Location"])
    assert "waits for approval by the office" in text(shown)
    row = text(shown).split("Your prices")[1].split(VALID["name"])[1]
    assert row.startswith(" artikel Rp 15.000.000 from 1 December 2026 Waiting for approval")
    # Who sent it, in the audit trail: the outlet through its page, nobody signed in.
    insert = AuditEvent.objects.tracks(item).order_by("pgh_created_at").first()
    assert insert.pgh_context["actor"] == "public:price_list"


def test_a_price_sent_through_the_status_page(client, english, outlet):
    application = make_application(outlet)
    url = by_code(application)
    assert client.get(url).status_code == 200
    response = client.post(url, {**VALID, "unit_price": "15000000", "valid_until": "2027-06-30"})
    assert response.status_code == 302
    item = PriceItem.objects.get(outlet=outlet)
    assert (item.unit_price, item.valid_until, item.status) == (15_000_000, datetime.date(2027, 6, 30),
                                                                PriceStatus.SUBMITTED)
    assert "1 December 2026 to 30 June 2027" in text(client.get(url))


def test_a_submitted_price_cannot_be_ordered_until_approved(client, english, outlet):
    client.post(by_link(outlet), {**VALID, "valid_from": "2026-09-01"})
    item = PriceItem.objects.get(outlet=outlet)
    budget = make_budget()
    with pytest.raises(services.BudgetRefused) as refused:
        place(budget, item)
    assert refused.value.code == "price_not_approved"
    item = services.price_approve(item, user=None)
    assert place(budget, item).amount == 15_000_000


def test_the_list_shows_each_price_with_its_state_and_a_rejection_reason(client, english, outlet):
    approved_price(outlet, unit_price=7_500_000, name="Banner 300x250")
    services.price_reject(services.price_submit(outlet, kind="video", name="Video 60 detik", unit_price=90_000_000,
                                                valid_from=datetime.date(2026, 1, 1)),
                          user=None, reason="Harga di atas pasar; kirim rincian biaya.")
    approved_price(listed_eligible_outlet("Warta Priangan"), name="Milik outlet lain")
    page = text(client.get(by_link(outlet)))
    assert "Banner 300x250 artikel Rp 7.500.000 from 1 January 2026 Approved" in page
    assert "Video 60 detik item Rp 90.000.000 from 1 January 2026 Rejected Reason: Harga di atas pasar" in page
    assert "Milik outlet lain" not in page


def test_a_suspended_outlet_keeps_its_price_list(client, english, outlet):
    Listing.objects.filter(outlet=outlet).update(state=ListingState.SUSPENDED, suspension_cause="staff")
    assert client.get(by_link(outlet)).status_code == 200
    assert client.post(by_link(outlet), VALID).status_code == 302


# --- the links on the catalog's pages --------------------------------------------------------------------


@pytest.mark.parametrize(("state", "linked"), [(ListingState.LISTED, True), (ListingState.SUSPENDED, True),
                                               (ListingState.UNDER_REVIEW, False), (ListingState.DELISTED, False)])
def test_the_renewal_and_status_pages_link_to_the_price_list_only_in_the_catalog(client, english, state, linked):
    outlet = listed_outlet("Kabar Betawi", state=state)
    application = make_application(outlet)
    renewal = client.get(f"/apply/renew/{renewal_token(outlet.pk)}/").content.decode()
    status = client.get(f"/apply/status/{application.code}/").content.decode()
    assert (f'href="{by_link(outlet)}"' in renewal) is linked
    assert (f'href="{by_code(application)}"' in status) is linked


def test_an_outlet_without_a_listing_gets_no_link(client, english):
    application = make_application(listed_outlet("Kabar Betawi"))
    Listing.objects.filter(outlet=application.outlet).delete()
    assert "/prices/" not in client.get(f"/apply/renew/{renewal_token(application.outlet_id)}/").content.decode()


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [ListingState.APPLIED, ListingState.UNDER_REVIEW, ListingState.DELISTED,
                                   ListingState.REJECTED, ListingState.REVOKED])
def test_an_outlet_not_in_the_catalog_is_refused_both_ways(client, english, state):
    outlet = listed_outlet("Kabar Betawi", state=state)
    for url in (by_link(outlet), by_code(make_application(outlet))):
        page = client.get(url)
        assert page.status_code == 403
        assert "Only an outlet in the e-catalog has a price list." in text(page)
        assert 'name="unit_price"' not in page.content.decode()
        assert client.post(url, VALID).status_code == 403
    assert not PriceItem.objects.exists()


def test_a_bad_or_expired_link_is_refused_as_the_renewal_page_refuses_it(client, english, outlet):
    token = renewal_token(outlet.pk)
    tampered = f"/apply/renew/{token[:-2]}xy/prices/"
    assert client.get(tampered).status_code == 400
    assert "This link is not valid" in text(client.get(tampered))
    assert client.post(tampered, VALID).status_code == 400
    other_salt = f"/apply/renew/{make_application(outlet).code}/prices/"
    assert client.get(other_salt).status_code == 400
    later = timezone.now() + datetime.timedelta(days=settings.RENEWAL_LINK_MAX_AGE_DAYS + 1)
    url = by_link(outlet)
    with time_machine.travel(later, tick=False):
        expired = client.get(url)
        assert expired.status_code == 410 and "This link has expired" in text(expired)
    assert client.get(f"/apply/renew/{renewal_token(10**12)}/prices/").status_code == 404  # no such outlet
    assert not PriceItem.objects.exists()


@pytest.mark.parametrize("code", ["unknown-code", "%00", "' OR 1=1 --", "a" * 40])
def test_an_unknown_code_is_404(client, english, code):
    assert client.get(f"/apply/status/{code}/prices/").status_code == 404
    assert client.post(f"/apply/status/{code}/prices/", VALID).status_code == 404


@pytest.mark.parametrize(("typed", "stored"), [("15.000.000", 15_000_000), ("15000000", 15_000_000),
                                               ("Rp 15.000.000", 15_000_000), ("15 000 000", 15_000_000),
                                               ("  750.000 ", 750_000), ("1", 1)])
def test_prices_are_read_as_people_write_them(client, outlet, typed, stored):
    assert client.post(by_link(outlet), {**VALID, "unit_price": typed}).status_code == 302
    assert PriceItem.objects.get(outlet=outlet).unit_price == stored


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"unit_price": "15.000.000,50"}, "Unit price (rupiah)", "Write the price in whole rupiah, without cents"),
    ({"unit_price": "1500000.5"}, "Unit price (rupiah)", "Write the price in whole rupiah, without cents"),
    ({"unit_price": "15,000,000"}, "Unit price (rupiah)", "Write the price in whole rupiah, without cents"),
    ({"unit_price": "-5.000.000"}, "Unit price (rupiah)", "A price is at least Rp 1."),
    ({"unit_price": "0"}, "Unit price (rupiah)", "A price is at least Rp 1."),
    ({"unit_price": "lima juta"}, "Unit price (rupiah)", "Write the price in whole rupiah, without cents"),
    ({"unit_price": "9" * 20}, "Unit price (rupiah)", "This price is too large"),
    ({"unit_price": ""}, "Unit price (rupiah)", "This field is required."),
    ({"kind": ""}, "Product", "This field is required."),
    ({"kind": "billboard"}, "Product", "Select a valid choice."),
    ({"name": "   "}, "Description", "This field is required."),
    ({"unit": ""}, "Unit", "This field is required."),
    ({"valid_from": ""}, "Valid from", "This field is required."),
    ({"valid_from": "31-31-2026"}, "Valid from", "Enter a valid date."),
    ({"valid_until": "2026-11-30"}, "Valid until", "The price cannot end before it starts."),
])
def test_validation_messages(client, english, outlet, changes, field, message):
    response = client.post(by_link(outlet), {**VALID, **changes})
    assert response.status_code == 400
    summary = text(response).split("Please correct the following")[1]
    assert f"{field}: {message}" in summary
    assert not PriceItem.objects.exists()
    assert 'name="unit_price"' in response.content.decode()  # the form again, with what was typed


def test_the_form_is_protected_against_cross_site_requests(outlet):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(by_link(outlet), VALID).status_code == 403
    page = browser.get(by_link(outlet))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(by_link(outlet), {**VALID, "csrfmiddlewaretoken": token}).status_code == 302
    assert PriceItem.objects.count() == 1


def test_submissions_are_rate_limited_per_address(client, english, outlet, settings):
    settings.APPLY_RATE_LIMIT = 2
    for number in range(2):
        assert client.post(by_link(outlet), {**VALID, "name": f"Produk {number}"}).status_code == 302
    assert client.post(by_link(outlet), {**VALID, "name": "Produk 3"}).status_code == 429
    assert PriceItem.objects.count() == 2


def test_the_pages_are_not_cached_and_speak_indonesian_by_default(client, outlet):
    response = client.get(by_link(outlet))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<html lang="id">' in response.content.decode()


def test_only_get_and_post(client, outlet):
    assert client.put(by_link(outlet)).status_code == 405
