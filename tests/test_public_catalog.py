"""The public e-catalog at /catalog/ (issue 9, part 6): the listed outlets with their public facts only,
searchable, filterable and paginated, in both languages, with a fixed query count and a short-lived cache."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from catalog import public
from catalog.models import Listing, ListingState, ListingTransition
from catalog.selectors import CatalogFilters, public_catalog, public_outlet
from partners.models import MediaType, VerificationLevel
from tests.catalog_helpers import eligible_outlet, listed_outlet
from tests.conftest import JAKARTA
from tests.factories import DocumentFactory, MediaOutletFactory
from tests.helpers import closed_port


def text(response) -> str:
    """What a reader sees of the page: its text without tags, white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

CATALOG = "/catalog/"


def names_on(response) -> list[str]:
    """The outlets' names in the order the list shows them."""
    return re.findall(r'class="catalog-name"><a href="/catalog/\d+/">([^<]+)</a>', response.content.decode())


# --- what is shown, and to whom ------------------------------------------------------------------


def test_the_catalog_lists_only_listed_outlets_with_their_public_facts(client, english):
    shown = listed_outlet("Kabar Betawi", domain="kabarbetawi.id")
    for state in (ListingState.APPLIED, ListingState.UNDER_REVIEW, ListingState.SUSPENDED, ListingState.DELISTED,
                  ListingState.REJECTED, ListingState.REVOKED):
        listed_outlet(f"Tidak Tampil {state}", state=state)
    MediaOutletFactory(name="Tanpa Listing")

    response = client.get(CATALOG)

    assert response.status_code == 200
    assert names_on(response) == ["Kabar Betawi"]
    page = text(response)
    assert "1 outlet listed" in page
    for fact in ("Kabar Betawi", "Online (siber)", "kabarbetawi.id", "Administratively and factually verified",
                 "DKI Jakarta", "17 August 2026"):
        assert fact in page
    assert f'href="/catalog/{shown.pk}/"' in response.content.decode()


def test_no_personal_data_on_the_list_or_the_outlet_page(client, english):
    """The outlet and its company have people, contacts, an NPWP, an NIB and documents: none of it is shown."""
    outlet = listed_outlet("Warta Priangan", domain="wartapriangan.id", province="32")
    outlet.person_in_charge, outlet.editor_in_chief = "Budi Santoso", "Siti Rahmawati"
    outlet.email, outlet.phone = "redaksi@wartapriangan.id", "0812-1111-2222"
    outlet.save()
    company = outlet.company
    company.email, company.phone = "sekretariat@wartapriangan.id", "(022) 765 4321"
    company.address = "Jl. Asia Afrika 8"
    company.save()
    document = DocumentFactory(company=company, accepted=True)
    secrets = [outlet.person_in_charge, outlet.editor_in_chief, outlet.email, outlet.phone,
               outlet.editor_certificate_no, company.email, company.phone, company.address, company.legal_name,
               company.npwp, company.npwp_display, company.nib, document.number, document.file.name,
               outlet.verification.certificate_number, "rina.verifikator", "@"]

    for url in (CATALOG, f"/catalog/{outlet.pk}/", f"{CATALOG}?q=warta"):
        html = client.get(url).content.decode()
        assert "Warta Priangan" in html and "Jawa Barat" in html
        for secret in secrets:
            assert secret not in html, (url, secret)
        assert "/documents/" not in html


def test_the_outlet_page_shows_the_public_facts_and_its_listing_dates(client, english):
    outlet = listed_outlet("Suara Dewata", domain="suaradewata.id", media_type=MediaType.RADIO, province="51",
                           level=VerificationLevel.ADMINISTRATIVE)
    # Listed in March, suspended, listed again in August: both dates are shown.
    ListingTransition.objects.create(listing=outlet.listing, created_at=datetime.datetime(2026, 3, 2, tzinfo=JAKARTA),
                                     action="approve", from_state="under_review", to_state=ListingState.LISTED,
                                     actor_label="rina.verifikator")

    response = client.get(f"/catalog/{outlet.pk}/")

    assert response.status_code == 200
    page = text(response)
    for fact in ("Suara Dewata", "Radio", "suaradewata.id", "Administratively verified", "Bali",
                 "Listed since 17 August 2026", "First listed 2 March 2026"):
        assert fact in page
    assert 'href="https://suaradewata.id/"' in response.content.decode()


@pytest.mark.parametrize("state", [ListingState.APPLIED, ListingState.SUSPENDED, ListingState.DELISTED,
                                   ListingState.REVOKED])
def test_an_outlet_that_is_not_listed_has_no_public_page(client, english, state):
    outlet = listed_outlet("Belum Tampil", state=state)
    response = client.get(f"/catalog/{outlet.pk}/")
    assert response.status_code == 404
    assert "Belum Tampil" not in response.content.decode()
    assert "This outlet is not in the e-catalog" in text(response)


def test_unknown_outlets_are_404(client, english):
    assert client.get("/catalog/999999/").status_code == 404
    assert client.get(f"/catalog/{MediaOutletFactory().pk}/").status_code == 404  # no listing at all
    assert client.get("/catalog/abc/").status_code == 404
    assert client.get("/catalog/99999999999999999999/").status_code == 404  # beyond a bigint


def test_odd_searches_are_answered_not_errors(client, english, several):
    for query in ("x\x00y", "%", "_", "a" * 500, "https://", "[::1]", "kabar\u2028betawi.id"):
        response = client.get(CATALOG, {"q": query, "page": "-1", "province": "\x00"})
        assert response.status_code == 200, query
    assert names_on(client.get(CATALOG, {"q": "%"})) == []


def test_an_outlet_listed_through_the_lifecycle_appears(client, english):
    """The real path: an eligible outlet's application approved by staff (catalog.lifecycle)."""
    from catalog import lifecycle
    from tests.factories import StaffUserFactory

    outlet = eligible_outlet(name="Lintas Nusantara")
    staff = StaffUserFactory(username="rina.verifikator")
    lifecycle.approve(lifecycle.ensure_listing(outlet, user=staff), user=staff)

    assert names_on(client.get(CATALOG)) == ["Lintas Nusantara"]
    page = text(client.get(f"/catalog/{outlet.pk}/"))
    assert f"Listed since {timezone.localdate():%-d} November 2026" in page


# --- search, filters, pagination ------------------------------------------------------------------


@pytest.fixture
def several(db):
    return {
        "kabar": listed_outlet("Kabar Betawi", domain="kabarbetawi.id", province="31"),
        "warta": listed_outlet("Warta Priangan", domain="wartapriangan.id", province="32",
                               media_type=MediaType.PRINT),
        "suara": listed_outlet("Suara Dewata", domain="radiodewata.co.id", province="51", media_type=MediaType.RADIO,
                               level=VerificationLevel.ADMINISTRATIVE),
        "tv": listed_outlet("betawi TV", domain="btv.id", province="31", media_type=MediaType.TELEVISION),
    }


def test_the_list_is_in_name_order_whatever_the_letter_case(client, english, several):
    assert names_on(client.get(CATALOG)) == ["betawi TV", "Kabar Betawi", "Suara Dewata", "Warta Priangan"]


@pytest.mark.parametrize("query, expected", [
    ("betawi", ["betawi TV", "Kabar Betawi"]),          # a part of the name, any letter case
    ("PRIANGAN", ["Warta Priangan"]),
    ("radiodewata", ["Suara Dewata"]),                  # a part of the domain
    ("https://www.radiodewata.co.id/berita/1", ["Suara Dewata"]),  # an address as pasted
    ("tidak ada", []),
])
def test_search_by_name_or_website(client, english, several, query, expected):
    response = client.get(CATALOG, {"q": query})
    assert names_on(response) == expected
    if not expected:
        assert "No listed outlet matches the search" in text(response)


@pytest.mark.parametrize("filters, expected", [
    ({"media_type": "print"}, ["Warta Priangan"]),
    ({"province": "31"}, ["betawi TV", "Kabar Betawi"]),
    ({"level": "administrative"}, ["Suara Dewata"]),
    ({"level": "factual", "province": "31", "media_type": "online"}, ["Kabar Betawi"]),
    ({"q": "betawi", "media_type": "television"}, ["betawi TV"]),
    ({"media_type": "carrier-pigeon", "province": "99"}, ["betawi TV", "Kabar Betawi", "Suara Dewata",
                                                         "Warta Priangan"]),  # unknown values are ignored
])
def test_filters(client, english, several, filters, expected):
    response = client.get(CATALOG, filters)
    assert names_on(response) == expected
    html = response.content.decode()
    for name, value in filters.items():  # the form shows what was asked for
        if name != "q" and value in {"print", "31", "administrative", "factual", "online", "television"}:
            assert f'<option value="{value}" selected>' in html


def test_an_outlet_without_verification_row_counts_as_not_verified(client, english):
    listed_outlet("Tanpa Verifikasi", level=None)
    assert names_on(client.get(CATALOG, {"level": "none"})) == ["Tanpa Verifikasi"]
    assert "Not verified" in text(client.get(CATALOG))


def test_pagination_is_stable_and_keeps_the_filters(client, english, monkeypatch):
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    for number in range(5):
        listed_outlet(f"Portal {number}", province="32")
    listed_outlet("Portal Lain", province="31")  # filtered out

    seen = []
    url = f"{CATALOG}?province=32"
    while url:
        response = client.get(url)
        seen += names_on(response)
        html = response.content.decode()
        next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0] if 'rel="next"' in html else ""
        url = CATALOG + next_link.replace("&amp;", "&") if next_link else ""
        if next_link:
            assert "province=32" in next_link
    assert seen == [f"Portal {number}" for number in range(5)]
    assert "Page 3 of 3" in text(client.get(CATALOG, {"province": "32", "page": "3"}))
    # A page past the end or not a number shows the last or the first page, never an error.
    assert names_on(client.get(CATALOG, {"province": "32", "page": "99"})) == ["Portal 4"]
    assert names_on(client.get(CATALOG, {"province": "32", "page": "x"})) == ["Portal 0", "Portal 1"]


def test_an_empty_catalog_says_so(client, english):
    response = client.get(CATALOG)
    assert response.status_code == 200
    assert "No outlet is listed in the e-catalog yet" in text(response)


# --- languages -------------------------------------------------------------------------------------


def test_indonesian_by_default_and_english_on_request(client, several):
    indonesian = client.get(CATALOG)
    assert '<html lang="id">' in indonesian.content.decode()
    page = text(indonesian)
    for word in ("17 Agustus 2026", "Terverifikasi administratif dan faktual", "Siber (daring)", "Televisi",
                 "Provinsi"):
        assert word in page
    assert "August" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(CATALOG)
    assert '<html lang="en">' in english.content.decode()
    page = text(english)
    for word in ("17 August 2026", "Administratively and factually verified", "Online (siber)", "Television"):
        assert word in page
    assert "Agustus" not in page


def test_the_outlet_page_in_both_languages(client, several):
    url = f"/catalog/{several['kabar'].pk}/"
    assert "17 Agustus 2026" in text(client.get(url))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "17 August 2026" in text(client.get(url))


def test_the_language_switch_keeps_the_search(client, several):
    html = client.get(CATALOG, {"q": "betawi", "province": "31"}).content.decode()
    assert 'name="next" type="hidden" value="/catalog/?q=betawi&amp;province=31"' in html


def test_the_form_and_the_home_page_link_to_the_catalog(client, english):
    for url in ("/apply/", "/"):
        response = client.get(url, follow=True)
        assert 'href="/catalog/"' in response.content.decode()


# --- query counts and the cache ------------------------------------------------------------------


def catalog_queries(client, url) -> int:
    public_cache_clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def public_cache_clear():
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_runs_a_fixed_number_of_queries(client, english, count, django_assert_max_num_queries,
                                                 monkeypatch):
    """The provinces for the filter, the count and the page: 3, with one outlet or fifty on the page."""
    monkeypatch.setattr(public, "PAGE_SIZE", 50)
    for number in range(count):
        listed_outlet(f"Portal {number:02d}")
    with django_assert_max_num_queries(3):
        response = client.get(CATALOG)
    assert len(names_on(response)) == count
    assert catalog_queries(client, CATALOG) == 3
    assert catalog_queries(client, f"{CATALOG}?q=portal&province=31&level=factual&media_type=online") == 3


@pytest.mark.parametrize("count", [1, 50])
def test_the_selector_runs_two_queries_whatever_the_page_size(count, django_assert_max_num_queries):
    for number in range(count):
        listed_outlet(f"Portal {number:02d}")
    for per_page in (1, 20, 50):
        with django_assert_max_num_queries(2):
            page = public_catalog(CatalogFilters(), per_page=per_page)
            assert len(page.object_list) == min(count, per_page)
    with django_assert_max_num_queries(1):
        assert public_outlet(page.object_list[0].pk).name == "Portal 00"


def test_a_cached_page_runs_no_query(client, english, several, django_assert_num_queries):
    client.get(CATALOG, {"q": "betawi"})
    client.get(f"/catalog/{several['kabar'].pk}/")
    with django_assert_num_queries(0):
        assert names_on(client.get(CATALOG, {"q": "betawi"})) == ["betawi TV", "Kabar Betawi"]
        assert client.get(f"/catalog/{several['kabar'].pk}/").status_code == 200


def test_the_cache_is_kept_per_language_and_query(client, several):
    indonesian = text(client.get(CATALOG))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert text(client.get(CATALOG)) != indonesian
    assert "17 August 2026" in text(client.get(CATALOG))
    assert names_on(client.get(CATALOG, {"q": "warta"})) == ["Warta Priangan"]
    # Parameters that do not decide the page neither split the cache nor end up in a cached page.
    html = client.get(CATALOG, {"q": "warta", "utm_source": "<tamu>"}).content.decode()
    assert "utm_source" not in html.split('name="next"')[1].split("</form>")[1]


def test_a_newly_listed_outlet_appears_within_the_cache_lifetime(client, english, several):
    assert len(names_on(client.get(CATALOG))) == 4
    newcomer = listed_outlet("Aceh Kini", province="11")
    assert "Aceh Kini" not in names_on(client.get(CATALOG))  # the cached list, for a while
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=public.CACHE_SECONDS + 1), tick=False):
        assert names_on(client.get(CATALOG))[0] == "Aceh Kini"
        assert client.get(f"/catalog/{newcomer.pk}/").status_code == 200


def test_a_suspended_outlet_leaves_within_the_cache_lifetime(client, english, several):
    kabar = several["kabar"]
    assert client.get(f"/catalog/{kabar.pk}/").status_code == 200
    Listing.objects.filter(outlet=kabar).update(state=ListingState.SUSPENDED, suspension_cause="staff")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=public.CACHE_SECONDS + 1), tick=False):
        assert client.get(f"/catalog/{kabar.pk}/").status_code == 404
        assert "Kabar Betawi" not in names_on(client.get(CATALOG))


def test_pages_are_private_to_the_visitor(client, english, several):
    """The header's language form carries the visitor's CSRF token: no shared cache may keep the page."""
    for url in (CATALOG, f"/catalog/{several['kabar'].pk}/"):
        response = client.get(url)
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


def test_the_catalog_works_with_the_cache_down(client, english, several, caplog):
    """Redis refusing connections: the pages are rendered every time and the outage logged, never an error."""
    redis_down = override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                       "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}})
    with redis_down:
        response = client.get(CATALOG)
        assert response.status_code == 200 and len(names_on(response)) == 4
        assert client.get(f"/catalog/{several['kabar'].pk}/").status_code == 200
    assert "catalog page not cached: the cache is unreachable" in caplog.text


def test_only_get_and_head(client):
    assert client.post(CATALOG).status_code == 405
