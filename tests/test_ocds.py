"""/reports/spend-ledger.ocds.json: the spend ledger as an Open Contracting Data Standard 1.1 release
package (issue 11, item 5). It validates offline against the OCDS 1.1.5 schemas vendored in
tests/data/ocds/, holds one release per order with its budget, award, contract and payment, names
organisations only, and is scoped, filtered and logged like the ledger's CSV."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from budgets import services
from budgets.models import DEFAULT_ACCOUNT_CODE
from mediareg.models import DataAccess
from partners.models import MediaOutlet
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
    publish,
)
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

URL = "/reports/spend-ledger.ocds.json"
SCHEMAS = Path(__file__).parent / "data" / "ocds"
PAID_ON = datetime.date(2026, 10, 1)
LATE_ORDER_DAY = datetime.date(2026, 10, 20)


def package_validator() -> Draft4Validator:
    """The release package schema, its reference to the release schema's address answered by the vendored
    file: a registry without a retriever, so nothing is ever fetched from the network."""
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in (package, release))
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def moments(value, key=""):
    """Every value of the package's date-time fields (the format checker here has no date-time check)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from moments(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from moments(v, key)
    elif key in ("date", "dateSigned", "startDate", "endDate", "publishedDate"):
        yield value


def read_package(response) -> dict:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content).decode("utf-8"))


def by_order(package: dict) -> dict[int, dict]:
    return {int(release["ocid"].rsplit("-", 1)[1]): release for release in package["releases"]}


@pytest.fixture
def ledger():
    """Orders of one agency in every status, with personal data all around them, and one order of another
    agency."""
    agency = make_agency("Dinas Komunikasi Informatika dan Statistik Uji", slug="kominfotik-uji")
    officer = budget_officer(agency, first_name="Siti", last_name="Rahmawati")
    budget = make_budget(agency, year=2026, amount=1_000_000_000)
    outlet = listed_eligible_outlet("Warta Uji")
    MediaOutlet.objects.filter(pk=outlet.pk).update(person_in_charge="Bambang Sutrisno", editor_in_chief="Ratna Dewi",
                                                    email="bambang@warta-uji.example", phone="0812-1111-2222")
    price = approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata dengan 2 foto")
    orders = {
        # Still running (its proof is not due yet), so the outlet may receive the later orders below.
        "committed": place(budget, price, quantity=1, user=officer, description="Wawancara dengan Bambang Sutrisno",
                           service_end=datetime.date(2026, 12, 18)),
        "published": publish(place(budget, price, quantity=2, user=officer)),
        "paid": pay(place(budget, price, quantity=3, user=officer), paid_on=PAID_ON, reference="SP2D-0042/2026"),
        "cancelled": services.order_cancel(place(budget, price, quantity=4, user=officer, order_date=LATE_ORDER_DAY),
                                           reason="Atas permintaan Bambang Sutrisno", user=officer),
    }
    other_agency = make_agency("Diskominfo Kabupaten Lain", slug="diskominfo-lain", kind="regency")
    orders["other"] = place(make_budget(other_agency, year=2026, amount=500_000_000), price, quantity=5)
    return {"agency": agency, "other_agency": other_agency, "officer": officer, "outlet": outlet,
            "budget": budget, **orders}


def test_a_package_with_orders_in_every_status_validates_against_the_ocds_schema(client, auditor, ledger, settings):
    client.force_login(auditor)
    response = client.get(URL)
    assert response["Content-Disposition"] == 'attachment; filename="mediareg-spend-ledger-public-2026-11-26.ocds.json"'
    package = read_package(response)
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
              for error in package_validator().iter_errors(package)]
    assert errors == []
    # RFC 3339 date-times with their offset, as OCDS asks ("format": "date-time").
    found = list(moments(package))
    assert len(found) > 20
    assert all(datetime.datetime.fromisoformat(value).utcoffset() == datetime.timedelta(hours=7) for value in found)
    assert package["version"] == "1.1"
    assert package["uri"] == settings.SITE_URL + URL
    assert package["publisher"] == {"name": "MediaReg"}
    assert {release["contracts"][0]["status"] for release in package["releases"]} == {
        "active", "terminated", "cancelled"}


def test_the_validator_does_find_a_broken_release(auditor, client, ledger):
    """The schema check is a real one: a release without its OCID, or with a status off the closed
    codelist, fails."""
    client.force_login(auditor)
    package = read_package(client.get(URL))
    del package["releases"][0]["ocid"]
    package["releases"][1]["contracts"][0]["status"] = "paid"
    messages = [error.message for error in package_validator().iter_errors(package)]
    assert any("'ocid' is a required property" in message for message in messages)
    assert any("'paid' is not one of" in message for message in messages)


def test_one_release_per_order_with_its_budget_award_contract_and_payment(client, auditor, ledger):
    client.force_login(auditor)
    releases = by_order(read_package(client.get(URL)))
    assert set(releases) == {ledger[key].pk for key in ("committed", "published", "paid", "cancelled", "other")}

    paid = releases[ledger["paid"].pk]
    assert paid["ocid"] == f"ocds-mediareg-kominfotik-uji-{ledger['paid'].pk}"
    assert paid["id"].startswith(paid["ocid"] + "-")
    assert (paid["initiationType"], paid["language"]) == ("tender", "id")
    assert paid["tag"] == ["planning", "award", "contract", "implementation"]
    budget = paid["planning"]["budget"]
    assert budget["amount"] == {"amount": 1_000_000_000, "currency": "IDR"}
    assert DEFAULT_ACCOUNT_CODE in budget["description"] and "2026" in budget["description"]
    assert budget["id"] == f"kominfotik-uji-2026-{DEFAULT_ACCOUNT_CODE}"
    assert paid["tender"]["procurementMethod"] == "direct"
    award, contract = paid["awards"][0], paid["contracts"][0]
    assert award["value"] == contract["value"] == {"amount": 30_000_000, "currency": "IDR"}
    assert award["suppliers"] == [{"id": f"outlet-{ledger['outlet'].pk}", "name": "Warta Uji"}]
    assert award["items"][0]["quantity"] == 3
    assert award["items"][0]["unit"]["value"] == {"amount": 10_000_000, "currency": "IDR"}
    assert contract["awardID"] == award["id"]
    assert contract["dateSigned"] == "2026-09-14T00:00:00+07:00"
    assert contract["period"] == {"startDate": "2026-09-14T00:00:00+07:00", "endDate": "2026-09-21T23:59:59+07:00"}
    assert contract["status"] == "terminated"
    assert contract["implementation"]["transactions"] == [{
        "id": "SP2D-0042/2026", "date": "2026-10-01T00:00:00+07:00",
        "value": {"amount": 30_000_000, "currency": "IDR"},
        "payer": {"id": "agency-kominfotik-uji", "name": "Dinas Komunikasi Informatika dan Statistik Uji"},
        "payee": {"id": f"outlet-{ledger['outlet'].pk}", "name": "Warta Uji"}}]
    assert paid["buyer"] == {"id": "agency-kominfotik-uji", "name": "Dinas Komunikasi Informatika dan Statistik Uji"}
    assert [(party["id"], party["roles"]) for party in paid["parties"]] == [
        ("agency-kominfotik-uji", ["buyer", "payer"]), (f"outlet-{ledger['outlet'].pk}", ["supplier", "payee"])]

    committed, published = releases[ledger["committed"].pk], releases[ledger["published"].pk]
    cancelled, other = releases[ledger["cancelled"].pk], releases[ledger["other"].pk]
    for release, status, amount in ((committed, "active", 10_000_000), (published, "active", 20_000_000),
                                    (cancelled, "cancelled", 40_000_000)):
        assert release["contracts"][0]["status"] == status
        assert release["contracts"][0]["value"]["amount"] == amount
        assert "implementation" not in release["contracts"][0]  # no payment, no transaction
        assert release["tag"] == ["planning", "award", "contract"]
        assert [party["roles"] for party in release["parties"]] == [["buyer"], ["supplier"]]
    assert cancelled["awards"][0]["status"] == "cancelled" and committed["awards"][0]["status"] == "active"
    assert cancelled["contracts"][0]["dateSigned"] == "2026-10-20T00:00:00+07:00"
    assert other["ocid"] == f"ocds-mediareg-diskominfo-lain-{ledger['other'].pk}"
    assert other["planning"]["budget"]["amount"]["amount"] == 500_000_000


def test_organisations_only_no_personal_data(client, auditor, ledger):
    client.force_login(auditor)
    body = b"".join(client.get(URL).streaming_content).decode("utf-8")
    company = ledger["outlet"].company
    officer = ledger["officer"]
    for personal in ("Bambang", "Sutrisno", "Ratna Dewi", "bambang@warta-uji.example", "0812-1111-2222",
                     "Siti", "Rahmawati", officer.username, company.npwp, company.email, company.phone,
                     company.legal_name, "Wawancara", "Atas permintaan"):
        assert personal not in body, personal
    parties = [party for release in json.loads(body)["releases"] for party in release["parties"]]
    assert {key for party in parties for key in party} == {"id", "name", "roles"}  # no contact point, no address


def test_scoped_to_the_agency_of_a_budget_officer_and_filtered_like_the_csv(client, ledger):
    client.force_login(ledger["officer"])
    own = by_order(read_package(client.get(URL)))
    assert set(own) == {ledger[key].pk for key in ("committed", "published", "paid", "cancelled")}
    other_officer = budget_officer(ledger["other_agency"])
    client.force_login(other_officer)
    assert set(by_order(read_package(client.get(URL)))) == {ledger["other"].pk}
    # Asking for another agency gives nothing, not that agency's orders.
    assert read_package(client.get(URL + "?agency=kominfotik-uji"))["releases"] == []

    client.force_login(StaffUserFactory(is_superuser=True))
    assert set(by_order(read_package(client.get(URL + "?agency=diskominfo-lain")))) == {ledger["other"].pk}
    assert read_package(client.get(URL + "?year=2025"))["releases"] == []
    assert len(read_package(client.get(URL + "?year=2026"))["releases"]) == 5
    later = by_order(read_package(client.get(URL + "?date_from=2026-10-01&date_to=2026-10-31")))
    assert set(later) == {ledger["cancelled"].pk}
    assert set(by_order(read_package(client.get(URL + f"?date_to={ORDER_DAY.isoformat()}")))) == {
        ledger[key].pk for key in ("committed", "published", "paid", "other")}


def test_refusals(client, ledger):
    client.force_login(StaffUserFactory(is_superuser=True))
    assert client.get(URL + "?date_from=kemarin").status_code == 400
    assert client.get(URL + "?agency=tidak-ada").status_code == 400
    assert client.post(URL).status_code == 405
    client.force_login(StaffUserFactory())  # staff without the orders' view permission
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page
    assert not DataAccess.objects.exists()


def test_every_package_is_logged_with_its_filters_and_releases(client, auditor, ledger):
    client.force_login(auditor)
    read_package(client.get(URL + "?year=2026&agency=kominfotik-uji"))
    entry = DataAccess.objects.get()
    assert (entry.user, entry.kind, entry.name, entry.file_format, entry.profile, entry.rows) == (
        auditor, "report", "spend-ledger", "ocds", "public", 4)
    assert entry.filters == {"agency": "kominfotik-uji", "year": 2026}


def test_release_ids_stay_while_the_facts_stay_and_change_with_them(client, auditor, ledger, settings):
    client.force_login(auditor)
    first = {pk: release["id"] for pk, release in by_order(read_package(client.get(URL))).items()}
    assert first == {pk: release["id"] for pk, release in by_order(read_package(client.get(URL))).items()}
    pay(ledger["published"], paid_on=PAID_ON)
    after = {pk: release["id"] for pk, release in by_order(read_package(client.get(URL))).items()}
    changed = {pk for pk in first if first[pk] != after[pk]}
    assert changed == {ledger["published"].pk}

    settings.OCDS_OCID_PREFIX = "ocds-a1b2c3"
    ocids = [release["ocid"] for release in read_package(client.get(URL))["releases"]]
    assert all(ocid.startswith("ocds-a1b2c3-") for ocid in ocids)


def _queries(client) -> int:
    client.get(URL)  # warm up the session and content types
    with CaptureQueriesContext(connection) as captured:
        b"".join(client.get(URL).streaming_content)
    return len(captured)


def test_the_same_queries_for_one_order_and_for_many(client, auditor):
    agency = make_agency(slug="kominfotik-banyak")
    budget = make_budget(agency, amount=10_000_000_000)
    price = approved_price(listed_eligible_outlet(), unit_price=1_000_000)
    first = place(budget, price)
    client.force_login(auditor)
    one = _queries(client)
    for n in range(30):
        order = place(budget, price, quantity=1 + n % 3)
        if n % 3 == 0:
            pay(order, paid_on=PAID_ON)
    many = _queries(client)
    assert one == many
    assert len(read_package(client.get(URL))["releases"]) == 31
    assert first.pk in by_order(read_package(client.get(URL)))


def test_the_reports_page_offers_the_ocds_file_with_the_ledger(client, auditor):
    client.force_login(auditor)
    page = client.get("/reports/").content.decode()
    assert f'formaction="{URL}"' in page
