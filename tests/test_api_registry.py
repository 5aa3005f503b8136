"""The registry's API for staff (issue 12; docs/api.md "Registry"): outlets, companies, document metadata,
eligibility history, listings and the application queue. What each role may read, every filter, the search
with an NPWP in any spelling, ordering in cursor pages, and the same number of queries for a page of 1 and of
100 rows.

Built on the pinned ordinary day (Thursday 26 November 2026, 10:00 in Jakarta)."""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from catalog.eligibility import recheck_outlet
from catalog.models import (
    Application,
    Eligibility,
    EligibilityChange,
    Listing,
    ListingState,
    ListingTransition,
    Trigger,
)
from mediareg.api.tokens import token_create
from partners.models import DocumentKind, LegalForm, MediaType, Province
from tests.budget_helpers import budget_officer, make_agency
from tests.catalog_helpers import eligible_outlet, listed_outlet, make_application
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    PressVerificationFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

API = "/api/v1/"
ENDPOINTS = ["outlets", "companies", "documents", "eligibility-history", "listings", "applications"]
# Budget officers see the registry (partners' view permissions), not the catalog's records.
REGISTRY_ENDPOINTS = ["outlets", "companies", "documents"]


def day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def verifikator():
    return StaffUserFactory(groups=["Verifikator"])


def get(client, path, user=None, *, lang=None, **params):
    """GET ``/api/v1/<path>`` as ``user`` (a token, as a program calls it) with ``params``, in ``lang``
    (Accept-Language) when given."""
    headers = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    if user is not None:
        _token, key = token_create(user=user, name="tes", created_by=user)
        headers["HTTP_AUTHORIZATION"] = f"Token {key}"
    response = client.get(API + path, params, **headers)
    return response


def rows(client, path, user, *, lang=None, **params) -> list[dict]:
    response = get(client, path, user, lang=lang, **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(client, path, user, **params) -> list[int]:
    return [row["id"] for row in rows(client, path, user, **params)]


@pytest.fixture
def staff():
    return verifikator()


# --- outlets -------------------------------------------------------------------------------------------


def test_an_outlet_shows_its_registry_facts_eligibility_and_listing(client, staff):
    outlet = eligible_outlet(name="Kabar Nusantara")
    outlet.domains.update(domain="kabarnusantara.id")
    recheck_outlet(outlet)
    Listing.objects.create(outlet=outlet, state=ListingState.LISTED, state_since=timezone.now())
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, issue_date=day(-20),
                    expiry_date=day(10))
    DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)  # pending

    response = get(client, f"outlets/{outlet.pk}/", staff, lang="en")
    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "Kabar Nusantara"
    assert body["media_type"] == "online"
    assert body["company"] == {"id": outlet.company_id, "name": outlet.company.legal_name}
    assert body["province"] == {"code": "31", "name": "DKI Jakarta"}
    assert body["website"] == "kabarnusantara.id"
    assert body["dewan_pers"]["level"] == "factual"
    assert body["documents"] == {"pending": 1, "expiring": 1, "soonest_expiry": day(10).isoformat()}
    assert body["eligibility"]["eligible"] is True
    assert body["eligibility"]["failing_rules"] == []
    assert {rule["code"] for rule in body["eligibility"]["rules"]} >= {"press_council", "npwp", "tax_status"}
    assert all(rule["passed"] and rule["reason"] for rule in body["eligibility"]["rules"])
    assert body["listing"]["state"] == "listed"
    # Staff data, but still no people: names, e-mail and phone of the outlet stay in the admin.
    text = response.content.decode()
    for private in (outlet.person_in_charge, outlet.editor_in_chief, outlet.email, outlet.phone):
        assert private not in text


def test_an_outlet_not_checked_or_not_applied_says_null_and_reasons_come_in_the_requests_language(client, staff):
    unchecked = MediaOutletFactory()
    failing = MediaOutletFactory(name="Tanpa NPWP", company=PressCompanyFactory(npwp=None))
    recheck_outlet(failing)

    body = get(client, f"outlets/{unchecked.pk}/", staff).json()
    assert body["eligibility"] is None and body["listing"] is None and body["website"] is None
    assert body["dewan_pers"] == {"level": "none", "level_label": "Belum terverifikasi",
                                  "certificate_valid_until": None}

    english = get(client, f"outlets/{failing.pk}/", staff, lang="en").json()["eligibility"]
    indonesian = get(client, f"outlets/{failing.pk}/", staff).json()["eligibility"]
    assert english["eligible"] is False and "npwp" in english["failing_rules"]
    npwp_en = next(rule for rule in english["rules"] if rule["code"] == "npwp")
    npwp_id = next(rule for rule in indonesian["rules"] if rule["code"] == "npwp")
    assert npwp_en["passed"] is False and npwp_en["title"] == "Company NPWP"
    assert npwp_id["title"] != npwp_en["title"] and npwp_id["reason"] != npwp_en["reason"]


def test_outlet_filters(client, staff):
    jakarta, banten = Province.objects.get(code="31"), Province.objects.get(code="36")
    radio = MediaOutletFactory(media_type=MediaType.RADIO, company=PressCompanyFactory(province=banten))
    factual = MediaOutletFactory()
    PressVerificationFactory(outlet=factual, factual=True)
    administrative = MediaOutletFactory()
    PressVerificationFactory(outlet=administrative, administrative=True)
    recorded_none = MediaOutletFactory()
    PressVerificationFactory(outlet=recorded_none)
    listed = listed_outlet(company=PressCompanyFactory(province=jakarta))
    suspended = listed_outlet(state=ListingState.SUSPENDED)
    Eligibility.objects.create(outlet=listed, is_eligible=True, outcomes=[{"code": "npwp", "passed": True}],
                               changed_at=timezone.now(), evaluated_at=timezone.now())
    Eligibility.objects.create(outlet=radio, is_eligible=False, failing_codes=",npwp,",
                               outcomes=[{"code": "npwp", "passed": False}], changed_at=timezone.now(),
                               evaluated_at=timezone.now())
    every = {radio.pk, factual.pk, administrative.pk, recorded_none.pk, listed.pk, suspended.pk}

    assert set(ids(client, "outlets/", staff)) == every
    assert ids(client, "outlets/", staff, media_type="radio") == [radio.pk]
    assert ids(client, "outlets/", staff, province="36") == [radio.pk]
    assert radio.pk not in ids(client, "outlets/", staff, province="31")
    assert set(ids(client, "outlets/", staff, dewan_pers="factual")) == {factual.pk, listed.pk, suspended.pk}
    assert ids(client, "outlets/", staff, dewan_pers="administrative") == [administrative.pk]
    # "none": a verification row saying so, or no row at all.
    assert set(ids(client, "outlets/", staff, dewan_pers="none")) == {radio.pk, recorded_none.pk}
    assert ids(client, "outlets/", staff, eligible="true") == [listed.pk]
    assert ids(client, "outlets/", staff, eligible="false") == [radio.pk]
    assert ids(client, "outlets/", staff, listing="listed") == [listed.pk]
    assert ids(client, "outlets/", staff, listing="suspended") == [suspended.pk]
    assert set(ids(client, "outlets/", staff, listing="none")) == every - {listed.pk, suspended.pk}
    assert ids(client, "outlets/", staff, media_type="radio", eligible="false", province="36") == [radio.pk]
    for bad in ({"media_type": "podcast"}, {"dewan_pers": "gold"}, {"listing": "maybe"}, {"eligible": "perhaps"},
                {"document_expiring_within": "x"}, {"document_expiring_within": "-1"}):
        response = get(client, "outlets/", staff, **bad)
        assert response.status_code == 400, bad
        assert list(response.json()) == list(bad)


def test_outlets_with_a_document_expiring_within_n_days_count_their_companys_documents(client, staff):
    own = MediaOutletFactory(name="Dokumen sendiri")
    DocumentFactory(outlet=own, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, issue_date=day(-1000),
                    expiry_date=day(5))
    by_company = MediaOutletFactory(name="Dokumen perusahaan")
    DocumentFactory(company=by_company.company, kind=DocumentKind.SKF, issue_date=day(-20), expiry_date=day(20))
    sister = MediaOutletFactory(company=by_company.company, name="Saudara")
    today_only = MediaOutletFactory(name="Hari ini")
    DocumentFactory(company=today_only.company, kind=DocumentKind.SKF, issue_date=day(-30), expiry_date=day(0))
    rejected = MediaOutletFactory(name="Ditolak")
    DocumentFactory(company=rejected.company, rejected=True, kind=DocumentKind.SKF, issue_date=day(-20),
                    expiry_date=day(3))
    expired = MediaOutletFactory(name="Kedaluwarsa")
    DocumentFactory(company=expired.company, expired=True)
    MediaOutletFactory(name="Tanpa dokumen")

    assert set(ids(client, "outlets/", staff, document_expiring_within=0)) == {today_only.pk}
    assert set(ids(client, "outlets/", staff, document_expiring_within=5)) == {today_only.pk, own.pk}
    assert set(ids(client, "outlets/", staff, document_expiring_within=19)) == {today_only.pk, own.pk}
    assert set(ids(client, "outlets/", staff, document_expiring_within=20)) == {
        today_only.pk, own.pk, by_company.pk, sister.pk}


def test_the_next_day_counts_from_the_new_today(client, staff, time_machine):
    outlet = MediaOutletFactory()
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, issue_date=day(-20), expiry_date=day(7))
    assert ids(client, "outlets/", staff, document_expiring_within=6) == []
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    assert ids(client, "outlets/", staff, document_expiring_within=6) == [outlet.pk]


@pytest.fixture
def searchable():
    company = PressCompanyFactory(legal_name="PT Warta Selatan", npwp="0013121660091000")  # 01.312.166.0-091.000
    outlet = MediaOutletFactory(company=company, name="Warta Selatan Daring")
    OutletDomainFactory(outlet=outlet, domain="wartaselatan.co.id", is_primary=True)
    other = MediaOutletFactory(name="Suara Utara")
    OutletDomainFactory(outlet=other, domain="suarautara.id", is_primary=True)
    return outlet, other


@pytest.mark.parametrize("term", [
    "0013121660091000",            # as stored: 16 digits
    "013121660091000",             # the legacy 15 digits
    "01.312.166.0-091.000",        # the legacy form as printed
    "0.01.312.166.0-091.000",      # the 16 digits punctuated
    " 01 312 166 0 091 000 ",      # spaces
])
def test_outlets_are_found_by_their_companys_npwp_in_any_format(client, staff, searchable, term):
    outlet, _other = searchable
    assert ids(client, "outlets/", staff, search=term) == [outlet.pk]


@pytest.mark.parametrize("term", ["warta sel", "SELATAN DARING", "wartaselatan.co.id",
                                  "https://www.wartaselatan.co.id/berita/1", "PT Warta"])
def test_outlets_are_found_by_name_domain_or_company_name(client, staff, searchable, term):
    outlet, _other = searchable
    assert ids(client, "outlets/", staff, search=term) == [outlet.pk]


def test_a_search_finds_nothing_for_a_wrong_npwp_and_combines_with_filters(client, staff, searchable):
    outlet, other = searchable
    assert ids(client, "outlets/", staff, search="01.312.166.0-091.001") == []  # another check digit: no NPWP
    assert ids(client, "outlets/", staff, search="suara") == [other.pk]
    assert ids(client, "outlets/", staff, search="warta", media_type="radio") == []
    assert set(ids(client, "outlets/", staff, search="   ")) == {outlet.pk, other.pk}  # blank: no filter


def follow(client, user, path, **params) -> list[int]:
    """Every row of a list, page by page through the cursor links."""
    found, params = [], {k: str(v) for k, v in params.items()}
    while True:
        body = get(client, path, user, **params).json()
        found += [row["id"] for row in body["results"]]
        if not body["next"]:
            return found
        params = {k: v[0] for k, v in parse_qs(urlsplit(body["next"]).query).items()}


def test_outlets_are_sorted_by_name_by_default_and_by_what_is_asked(client, staff):
    names = ["Cahaya", "Antara Kita", "Bintang", "Antara Kita", "Dunia"]
    outlets = [MediaOutletFactory(name=name) for name in names]
    by_name = [o.pk for o in sorted(outlets, key=lambda o: (o.name, o.pk))]

    assert ids(client, "outlets/", staff) == by_name
    assert follow(client, staff, "outlets/", page_size=2) == by_name  # equal names neither skipped nor repeated
    assert follow(client, staff, "outlets/", page_size=1, ordering="-name") == by_name[::-1]
    assert follow(client, staff, "outlets/", page_size=2, ordering="id") == sorted(o.pk for o in outlets)
    assert follow(client, staff, "outlets/", page_size=2, ordering="-created") == sorted(
        (o.pk for o in outlets), reverse=True)
    response = get(client, "outlets/", staff, ordering="company__legal_name", lang="en")
    assert response.status_code == 400
    assert "name, created, id" in response.json()["ordering"][0]


# --- companies -----------------------------------------------------------------------------------------


def test_a_company_shows_its_identifiers_outlets_and_documents(client, staff):
    company = PressCompanyFactory(legal_name="PT Kabar Nusantara Media", npwp="0013121660091000",
                                  nib="9120001234567")
    MediaOutletFactory(company=company)
    outlet = MediaOutletFactory(company=company)
    DocumentFactory(outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                    issue_date=day(-1000), expiry_date=day(12))
    DocumentFactory(company=company)  # pending

    body = get(client, f"companies/{company.pk}/", staff).json()
    assert body["legal_name"] == "PT Kabar Nusantara Media"
    assert body["legal_form"] == "pt"
    assert body["npwp"] == "0013121660091000"
    assert body["npwp_display"] == "01.312.166.0-091.000"
    assert body["nib"] == "9120001234567"
    assert body["province"] == {"code": "31", "name": "DKI Jakarta"}
    assert body["outlets"] == 2
    assert body["documents"] == {"pending": 1, "expiring": 1, "soonest_expiry": day(12).isoformat()}
    for private in (company.email, company.phone, company.address):
        assert private not in get(client, f"companies/{company.pk}/", staff).content.decode()


@pytest.mark.parametrize("term", ["0013121660091000", "013121660091000", "01.312.166.0-091.000",
                                  "01-312-166-0-091-000", "warta", "9120001234567"])
def test_companies_are_found_by_name_npwp_in_any_format_or_nib(client, staff, term):
    company = PressCompanyFactory(legal_name="PT Warta Selatan", npwp="0013121660091000", nib="9120001234567")
    PressCompanyFactory(legal_name="PT Suara Utara")
    assert ids(client, "companies/", staff, search=term) == [company.pk]


def test_company_filters_and_ordering(client, staff):
    banten = Province.objects.get(code="36")
    yayasan = PressCompanyFactory(legal_name="Yayasan Pers Desa", legal_form=LegalForm.YAYASAN, province=banten)
    pt = PressCompanyFactory(legal_name="PT Angin Barat")
    nowhere = PressCompanyFactory(legal_name="PT Belum Beralamat", province=None)

    assert ids(client, "companies/", staff, legal_form="yayasan") == [yayasan.pk]
    assert ids(client, "companies/", staff, province="36") == [yayasan.pk]
    assert set(ids(client, "companies/", staff, province="31")) == {pt.pk}
    assert ids(client, "companies/", staff) == [pt.pk, nowhere.pk, yayasan.pk]
    assert ids(client, "companies/", staff, ordering="-name") == [yayasan.pk, nowhere.pk, pt.pk]
    assert ids(client, "companies/", staff, ordering="id") == sorted([yayasan.pk, pt.pk, nowhere.pk])
    assert get(client, f"companies/{nowhere.pk}/", staff).json()["province"] is None
    assert get(client, "companies/", staff, legal_form="firma").status_code == 400


# --- documents -----------------------------------------------------------------------------------------


def test_a_document_is_metadata_only(client, staff):
    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, rejected=True,
                               issue_date=day(-1000), expiry_date=day(40), original_filename="sertifikat-asli.pdf")
    response = get(client, f"documents/{document.pk}/", staff)
    body = response.json()
    assert body["kind"] == "press_council_certificate"
    assert body["owner"] == "outlet"
    assert body["outlet"] == {"id": outlet.pk, "name": outlet.name}
    assert body["company"]["id"] == outlet.company_id
    assert body["issue_date"] == day(-1000).isoformat() and body["expiry_date"] == day(40).isoformat()
    assert body["review_status"] == "rejected" and body["rejection_reason"] == document.rejection_reason
    assert body["uploaded_at"]
    assert not {"file", "original_filename", "content_type", "size", "url"} & set(body)
    text = response.content.decode()
    assert document.file.name not in text and "sertifikat-asli" not in text
    company_document = DocumentFactory(company=outlet.company)
    assert get(client, f"documents/{company_document.pk}/", staff).json()["outlet"] is None
    assert get(client, f"documents/{company_document.pk}/", staff).json()["owner"] == "company"


def test_document_filters(client, staff):
    outlet = MediaOutletFactory()
    sister = MediaOutletFactory(company=outlet.company)
    company_skf = DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, issue_date=day(-20),
                                  expiry_date=day(10))
    own = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
    sisters = DocumentFactory(outlet=sister, kind=DocumentKind.RATE_CARD)
    rejected_soon = DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, rejected=True,
                                    issue_date=day(-20), expiry_date=day(2))
    elsewhere = DocumentFactory(expired=True)

    assert set(ids(client, "documents/", staff, kind="skf")) == {company_skf.pk, rejected_soon.pk, elsewhere.pk}
    assert set(ids(client, "documents/", staff, review_status="pending")) == {own.pk, sisters.pk, elsewhere.pk}
    assert ids(client, "documents/", staff, review_status="rejected") == [rejected_soon.pk]
    assert ids(client, "documents/", staff, expiring_within=10) == [company_skf.pk]  # not the rejected one
    assert ids(client, "documents/", staff, expiring_within=9) == []
    assert set(ids(client, "documents/", staff, outlet=outlet.pk)) == {company_skf.pk, own.pk, rejected_soon.pk}
    assert set(ids(client, "documents/", staff, company=outlet.company_id)) == {
        company_skf.pk, own.pk, sisters.pk, rejected_soon.pk}
    assert ids(client, "documents/", staff, outlet=outlet.pk, kind="editorial_box") == [own.pk]
    assert ids(client, "documents/", staff) == sorted(
        [company_skf.pk, own.pk, sisters.pk, rejected_soon.pk, elsewhere.pk], reverse=True)  # newest first
    assert ids(client, "documents/", staff, ordering="uploaded")[0] == company_skf.pk
    assert get(client, "documents/", staff, kind="passport").status_code == 400
    assert get(client, "documents/", staff, outlet="abc").status_code == 400


# --- eligibility history, listings, applications --------------------------------------------------------


def test_eligibility_history_says_from_and_to_with_the_reasons(client, staff):
    outlet = eligible_outlet()
    recheck_outlet(outlet)  # eligible: the first row
    outlet.company.npwp = None
    outlet.company.save()
    recheck_outlet(outlet)  # not eligible any more
    first, second = EligibilityChange.objects.filter(outlet=outlet).order_by("created_at", "pk")

    changes = rows(client, "eligibility-history/", staff, outlet=outlet.pk, lang="en")
    assert [c["id"] for c in changes] == [second.pk, first.pk]
    newest, oldest = changes
    assert oldest["from_eligible"] is None and oldest["to_eligible"] is True
    assert newest["from_eligible"] is True and newest["to_eligible"] is False
    assert newest["failing_rules"] == ["npwp"]
    assert newest["outlet"] == {"id": outlet.pk, "name": outlet.name}
    assert newest["trigger"] == "staff"
    assert next(r for r in newest["rules"] if r["code"] == "npwp")["passed"] is False


def test_eligibility_history_by_outlet_and_date_range(client, staff):
    outlet, other = MediaOutletFactory(), MediaOutletFactory()

    def change(who, on: datetime.date, hour: int, eligible: bool):
        at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour)))
        return EligibilityChange.objects.create(outlet=who, created_at=at, trigger=Trigger.SCHEDULE,
                                                is_eligible=eligible, outcomes=[])

    early = change(outlet, day(-10), 1, True)
    late_night = change(outlet, day(-5), 23, False)  # 23:00 in Jakarta: still that day
    morning = change(outlet, day(-4), 0, True)
    others = change(other, day(-5), 12, True)

    assert set(ids(client, "eligibility-history/", staff, date_from=day(-5), date_to=day(-5))) == {
        late_night.pk, others.pk}
    assert ids(client, "eligibility-history/", staff, outlet=outlet.pk, date_from=day(-5)) == [morning.pk,
                                                                                                late_night.pk]
    assert ids(client, "eligibility-history/", staff, outlet=outlet.pk, date_to=day(-6)) == [early.pk]
    # "from" is the outlet's previous row, even when the range leaves that row out.
    assert rows(client, "eligibility-history/", staff, outlet=outlet.pk, date_from=day(-4))[0]["from_eligible"] is False
    assert ids(client, "eligibility-history/", staff, outlet=outlet.pk, ordering="time") == [
        early.pk, late_night.pk, morning.pk]
    assert get(client, "eligibility-history/", staff, date_from="kemarin").status_code == 400
    assert len(ids(client, "eligibility-history/", staff, date_from="0001-01-01", date_to="9999-12-31")) == 4


def test_listings_with_their_transitions_and_filters(client, staff):
    listed = listed_outlet(name="Tercantum")
    suspended = listed_outlet(name="Ditangguhkan", state=ListingState.SUSPENDED)
    listing = listed.listing
    ListingTransition.objects.create(listing=listing, created_at=timezone.now(), action="warning_1",
                                     from_state="listed", to_state="listed", actor_label="rina.verifikator",
                                     reason="Tayangan tidak sesuai pesanan.")

    body = get(client, f"listings/{listing.pk}/", staff).json()
    assert body["outlet"] == {"id": listed.pk, "name": "Tercantum"}
    assert body["state"] == "listed"
    assert [t["action"] for t in body["transitions"]] == ["warning_1", "approve"]
    assert body["transitions"][0]["reason"] == "Tayangan tidak sesuai pesanan."
    assert body["transitions"][0]["by"] == "rina.verifikator"
    assert ids(client, "listings/", staff, state="suspended") == [suspended.listing.pk]
    assert ids(client, "listings/", staff, outlet=listed.pk) == [listing.pk]
    assert ids(client, "listings/", staff) == [suspended.listing.pk, listing.pk]
    assert get(client, "listings/", staff, state="gone").status_code == 400


def test_a_listing_shows_its_latest_twenty_transitions(client, staff):
    listing = listed_outlet().listing
    start = timezone.now() - datetime.timedelta(days=30)
    ListingTransition.objects.bulk_create(
        ListingTransition(listing=listing, created_at=start + datetime.timedelta(hours=n), action="warning_1",
                          from_state="listed", to_state="listed", actor_label="rina", reason=f"ke-{n}")
        for n in range(25))
    transitions = get(client, f"listings/{listing.pk}/", staff).json()["transitions"]
    assert len(transitions) == 20
    assert transitions[0]["reason"] == "ke-24"


def test_the_application_queue_oldest_first_with_filters(client, staff):
    old = make_application(MediaOutletFactory(), days_ago=9)
    new = make_application(MediaOutletFactory(), days_ago=1)
    decided = make_application(MediaOutletFactory(), days_ago=20, status=Application.Status.REJECTED)
    DocumentFactory(company=old.outlet.company)
    old.documents.set(old.outlet.company.documents.all())

    assert ids(client, "applications/", staff) == [decided.pk, old.pk, new.pk]
    assert ids(client, "applications/", staff, status="submitted") == [old.pk, new.pk]
    assert ids(client, "applications/", staff, status="rejected") == [decided.pk]
    assert ids(client, "applications/", staff, outlet=new.outlet_id) == [new.pk]
    assert ids(client, "applications/", staff, ordering="-submitted") == [new.pk, old.pk, decided.pk]
    body = get(client, f"applications/{old.pk}/", staff).json()
    assert body["status"] == "submitted"
    assert body["outlet"] == {"id": old.outlet_id, "name": old.outlet.name}
    assert body["company"] == {"id": old.company_id, "name": old.company.legal_name}
    assert body["documents"] == {"total": 1, "pending": 1}
    assert body["decided_at"] is None
    text = get(client, f"applications/{old.pk}/", staff).content.decode()
    assert old.applicant_email not in text and old.code not in text
    assert get(client, "applications/", staff, status="lost").status_code == 400


# --- the same queries for 1 and 100 rows -------------------------------------------------------------------


def hundred_and_one_of_each():
    company = PressCompanyFactory()
    outlets = [MediaOutletFactory(company=company) for _ in range(101)]
    now = timezone.now()
    for outlet in outlets:
        OutletDomainFactory(outlet=outlet, is_primary=True)
        PressVerificationFactory(outlet=outlet, factual=True)
    Eligibility.objects.bulk_create(Eligibility(outlet=o, is_eligible=False, failing_codes=",npwp,",
                                                outcomes=[{"code": "npwp", "passed": False,
                                                           "reason": {"id": "Tidak ada", "en": "None"}}],
                                                changed_at=now, evaluated_at=now) for o in outlets)
    EligibilityChange.objects.bulk_create(EligibilityChange(outlet=o, created_at=now, trigger=Trigger.SCHEDULE,
                                                            is_eligible=False, outcomes=[]) for o in outlets)
    listings = Listing.objects.bulk_create(Listing(outlet=o, state=ListingState.LISTED, state_since=now)
                                           for o in outlets)
    ListingTransition.objects.bulk_create(ListingTransition(listing=listing, created_at=now, action="approve",
                                                            to_state="listed", actor_label="rina")
                                          for listing in listings)
    for outlet in outlets[:3]:
        DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
    DocumentFactory.create_batch(98, company=company, kind=DocumentKind.SKF, issue_date=day(-20),
                                 expiry_date=day(10))
    PressCompanyFactory.create_batch(100, province=Province.objects.get(code="36"))
    Application.objects.bulk_create(
        Application(code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=company, outlet=o,
                    applicant_email="redaksi@example.id") for o in outlets)


# Signed in with a session: the session, the user, the user's and the groups' permissions, the page, and the
# session's idle timer saved (a savepoint, the update, its release); the listings' transitions are one more (a
# sliced prefetch for the whole page).
QUERIES = {path: 8 for path in ENDPOINTS} | {"listings": 9}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_page_of_1_and_of_100_rows_run_the_same_queries(client, path, django_assert_num_queries):
    hundred_and_one_of_each()
    client.force_login(verifikator())
    for size in (1, 100):
        with django_assert_num_queries(QUERIES[path]):
            response = client.get(API + path + "/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        assert response.json()["next"]


# --- who may read what ---------------------------------------------------------------------------------


@pytest.fixture
def one_of_each():
    outlet = listed_outlet()
    recheck_outlet(outlet)
    DocumentFactory(company=outlet.company)
    application = make_application(outlet)
    return {"outlets": outlet.pk, "companies": outlet.company_id, "documents": outlet.company.documents.first().pk,
            "eligibility-history": EligibilityChange.objects.get(outlet=outlet).pk,
            "listings": outlet.listing.pk, "applications": application.pk}


def readable(client, user, one_of_each) -> dict[str, tuple[int, int]]:
    """For each endpoint: the status of its list and of one row, as ``user`` (None: anonymous)."""
    return {path: (get(client, f"{path}/", user).status_code,
                   get(client, f"{path}/{one_of_each[path]}/", user).status_code) for path in ENDPOINTS}


def test_anonymous_visitors_get_401_everywhere(client, one_of_each):
    assert readable(client, None, one_of_each) == {path: (401, 401) for path in ENDPOINTS}


def test_a_signed_in_user_without_permissions_gets_403(client, one_of_each):
    assert readable(client, UserFactory(is_staff=True), one_of_each) == {path: (403, 403) for path in ENDPOINTS}


@pytest.mark.parametrize("group", ["Verifikator", "Auditor"])
def test_reviewers_and_auditors_read_everything(client, one_of_each, group):
    assert readable(client, StaffUserFactory(groups=[group]), one_of_each) == {path: (200, 200) for path in ENDPOINTS}


def test_a_superuser_reads_everything(client, one_of_each):
    user = UserFactory(is_staff=True, is_superuser=True)
    assert readable(client, user, one_of_each) == {path: (200, 200) for path in ENDPOINTS}


def test_budget_officers_of_any_agency_read_the_registry_not_the_catalogs_records(client, one_of_each):
    """The registry is shared by every agency (outlets register once), so an agency scopes none of it; the
    catalog's records (history, listings, applications) are the reviewers' and auditors', as in the admin."""
    expected = {path: (200, 200) if path in REGISTRY_ENDPOINTS else (403, 403) for path in ENDPOINTS}
    this, other = make_agency(), make_agency()
    assert readable(client, budget_officer(this), one_of_each) == expected
    assert readable(client, budget_officer(other), one_of_each) == expected
