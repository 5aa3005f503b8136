"""The API against its own schema (issue 12): schemathesis generates requests for every operation of
/api/schema/ and checks each answer: no server error, a documented status, a body and headers that match the
schema. Once as a superuser with a token, once as an anonymous visitor, who must get 401 from every operation
that is not public.

The schema is loaded from the WSGI application (no server), so the requests run in this process, inside the
test's transaction on the real database; one test per operation, so an endpoint added later is covered
without a line here. Data is present (outlets with documents and listings, an application, an agency with a
budget, prices and orders) and path parameters are mostly pinned to real ids taken from the lists, so that
detail pages and domain verbs answer 200 and their bodies are checked too, not only 404s.

The number of examples per operation is bounded (API_SCHEMA_EXAMPLES, 12 by default: the file stays within a
few minutes on two cores); run with more to search harder: API_SCHEMA_EXAMPLES=200 pytest tests/test_api_schema.py.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import zoneinfo
from urllib.parse import urlsplit

import pytest
import schemathesis
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from mediareg.api import tokens
from tests.factories import DocumentFactory, StaffUserFactory

# Slow (two minutes of generated requests): `make test` runs it, `make test-clocks` leaves it out (its dates
# do not depend on the machine's clock).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

WSGI_HOST = "localhost"  # the Host header schemathesis's WSGI client sends
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
ORDINARY_DAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)

# Bounded so that the whole file stays within a few minutes on the 2-core machine. No shrinking: a failure is
# reported with the example that failed (schemathesis prints the request to reproduce it); shrinking would
# replay writes against a database each example has changed.
settings.register_profile(
    "api-schema",
    max_examples=int(os.environ.get("API_SCHEMA_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("api-schema")

# What the issue asks of every answer: no server error, a documented status, content type and headers, a body
# that matches the schema; and auth that is not ignored, 405 for an undeclared method. Not whether the API
# takes or refuses a value by the schema's types alone: a filter or body naming a row that does not exist is
# rightly a 400 though its type is right, and an empty filter (?valid_on=) means "no filter" in django-filter
# though it is not a date; the limits the API does check are tested with the endpoints (page_size:
# tests/test_api_foundation.py).
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]


class InTheTestTransaction:
    """Django's WSGI application, minus what would end the test's transaction: after each request the handler
    closes the database connection (close_old_connections on request_started and request_finished), which
    Django's test client also turns off around each request. The body is read here, so that the response's
    close(), which sends request_finished, runs while the signal is off."""

    def __init__(self):
        self.application = get_wsgi_application()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def load_schema():
    with override_settings(ALLOWED_HOSTS=[WSGI_HOST]):
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", InTheTestTransaction())


schema = load_schema()


def is_public(operation) -> bool:
    """An operation anyone may call: drf-spectacular lists no security requirement ({}) for AllowAny."""
    security = operation.definition.raw.get("security", schema.raw_schema.get("security", []))
    return not security or {} in security


# --- the stack around the requests ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def wsgi_host_allowed(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, WSGI_HOST]


@pytest.fixture(autouse=True)
def on_an_ordinary_day():
    with time_machine.travel(ORDINARY_DAY, tick=True):
        yield


# --- the data ----------------------------------------------------------------------------------------


class ApiData:
    """What exists during the run: a superuser's token, and the real ids to put into path parameters."""

    def __init__(self, key: str):
        self.key = key
        self._ids: dict[tuple[str, bool], dict[str, object]] = {}

    def path_parameters(self, path: str, *, signed_in: bool) -> dict[str, object]:
        """Real values for the path's parameters, from the first row of the list the path starts with, as the
        one who calls sees it (``/api/v1/orders/{id}/pay/``: the first order of ``/api/v1/orders/``): read
        from the row's ``url`` when it has one (``/api/v1/transparency/{agency}/{year}/``), else its field of
        the parameter's name (``id`` for ``{id}`` or ``{pk}``). Empty when the list has no row."""
        cache_key = (path, signed_in)
        if cache_key not in self._ids:
            self._ids[cache_key] = self._discover(path, signed_in)
        return self._ids[cache_key]

    def _discover(self, path: str, signed_in: bool) -> dict[str, object]:
        client = Client(**({"HTTP_AUTHORIZATION": f"Token {self.key}"} if signed_in else {}))
        response = client.get(path[:path.index("{")])
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/json"):
            return {}
        body = response.json()
        rows = body.get("results") if isinstance(body, dict) else body
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None
        if row is None:
            return {}
        names = re.findall(r"\{(\w+)\}", path)
        detail = path[:path.rindex("}") + 1] + "/"  # the row's own address, before any action's part
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(detail)) + "$"
        if isinstance(row.get("url"), str) and (found := re.search(pattern, urlsplit(row["url"]).path)):
            return found.groupdict()
        if len(names) == 1:
            value = row.get(names[0], row.get("id") if names[0] in ("id", "pk") else None)
            if isinstance(value, str | int):
                return {names[0]: value}
        return {}


def build_data() -> ApiData:
    """A small registry with something in every list: listed, suspended and applying outlets with documents
    (one expiring, one rejected), eligibility history, an agency with its budget officer, a budget with a
    revision, an approved price, orders placed, published and paid, and spend outside the catalog."""
    from budgets import services
    from budgets.models import RevisionReason
    from catalog.models import ListingState
    from partners.models import DocumentKind
    from tests.budget_helpers import (
        approved_price,
        budget_officer,
        listed_eligible_outlet,
        make_agency,
        make_budget,
        pay,
        place,
        publish,
        record_other_spend,
    )
    from tests.catalog_helpers import eligible_outlet, listed_outlet, make_application

    first = listed_eligible_outlet("Kabar Betawi")
    second = listed_eligible_outlet("Suara Banjar")
    listed_outlet("Radio Kenanga", media_type="radio", state=ListingState.SUSPENDED)
    make_application(eligible_outlet(name="Portal Pemohon"))
    from catalog import applications, objections

    objected = applications.reject_application(make_application(eligible_outlet(name="Portal Keberatan")),
                                               user=None, reason="Akta tidak terbaca.")
    objections.file_objection(objections.application_decision(objected), statement="Akta terlampir.")
    DocumentFactory(outlet=first, kind=DocumentKind.SKF, issue_date=datetime.date(2026, 11, 6),
                    expiry_date=datetime.date(2026, 12, 6), accepted=True)
    DocumentFactory(company=second.company, rejected=True)

    agency = make_agency("Dinas Kominfo Uji Skema")
    officer = budget_officer(agency)
    budget = make_budget(agency, year=2026, amount=2_000_000_000)
    services.budget_revise(budget, amount_after=2_500_000_000, reason=RevisionReason.AMENDMENT,
                           reference="DPPA-2026/01", revised_on=datetime.date(2026, 9, 30), user=officer)
    make_budget(agency, year=2027, amount=1_000_000_000)
    services.reference_price_save(budget, kind="advertorial", tier="A", reference_price=20_000_000,
                                  upper_bound=25_000_000, source_reference="Pergub SHS 2026", user=officer)
    price = approved_price(first, unit_price=15_000_000)
    approved_price(second, unit_price=7_500_000)
    pay(place(budget, price, quantity=2), paid_on=datetime.date(2026, 10, 20))
    publish(place(budget, price))
    place(budget, price, quantity=3)
    record_other_spend(budget, amount=3_600_000, user=officer)
    # An owner and a bank account of a company, and an interest declared to the agency (after the orders).
    from budgets.models import DeclaredInterest
    from partners import services as registry
    from partners.models import CompanyBankAccount, CompanyOwner

    registry.owner_save(CompanyOwner(company=second.company, name="Pemilik Skema", kind="both", share_percent=60,
                                     identity_number="3171024508850003"))
    registry.bank_accounts_save(second.company, saved=[CompanyBankAccount(
        bank_name="Bank DKI", account_number="1010203040506", account_holder=second.company.legal_name)])
    services.interest_save(DeclaredInterest(agency=agency, person_name="Anggota Dewan", role="legislator",
                                            declared_on=datetime.date(2026, 2, 10)), outlets=[second], companies=[],
                           user=officer)

    superuser = StaffUserFactory(username="admin.skema", is_superuser=True)
    return ApiData(tokens.token_create(user=superuser, name="schemathesis", created_by=superuser)[1])


@pytest.fixture(scope="module")
def api_data(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end; each test runs in a savepoint
    of it (pytest-django's), so whatever a test's writes did is undone before the next operation."""
    with django_db_blocker.unblock(), time_machine.travel(ORDINARY_DAY, tick=False), transaction.atomic():
        yield build_data()
        transaction.set_rollback(True)


def pin_path_parameters(case, data: ApiData, *, signed_in: bool) -> None:
    """Real ids for three examples in four; the fourth keeps the generated values (mostly 404s). Never in a
    negative example's path (a value the schema forbids, e.g. 0.5): replaced, it would pass for invalid data
    the API accepted."""
    if not case.path_parameters or (case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)):
        return
    generated = hashlib.sha256(repr(sorted(case.path_parameters.items())).encode()).digest()[0]
    if generated % 4:
        case.path_parameters.update(data.path_parameters(case.operation.path, signed_in=signed_in))


# --- the runs ----------------------------------------------------------------------------------------


@schema.parametrize()
@settings(PROFILE)
def test_as_a_superuser_with_a_token(case, api_data):
    pin_path_parameters(case, api_data, signed_in=True)
    cache.clear()  # no 429 from the run's own pace, and no cached public answer from an earlier example
    case.call_and_validate(headers={"Authorization": f"Token {api_data.key}"}, excluded_checks=EXCLUDED_CHECKS)


@schema.parametrize()
@settings(PROFILE)
def test_as_an_anonymous_visitor(case, api_data):
    pin_path_parameters(case, api_data, signed_in=False)
    if case.headers:
        case.headers.pop("Authorization", None)
    cache.clear()
    response = case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
    if not is_public(case.operation):
        # 401 before anything else is looked at; 404 only for an address that is no endpoint at all (a path
        # parameter the schema forbids, /api/v1/orders/0.5/): there is nothing there to protect.
        allowed = {401, 404} if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH) else {401}
        assert response.status_code in allowed, f"{case.operation.label} answered {response.status_code} to anonymous"


def detail_reads() -> list:
    operations = (result.ok() for result in schema.get_all_operations())
    return [operation for operation in operations if operation.method.upper() == "GET" and "{" in operation.path]


@pytest.mark.parametrize("operation", detail_reads(), ids=lambda operation: operation.label)
def test_every_detail_answers_200_for_a_real_row(operation, api_data):
    """Not left to chance: each row's page, with the id of the first row of its list, as the superuser and
    (when public) as anyone; the body is checked against the schema."""
    for signed_in in (True, False) if is_public(operation) else (True,):
        values = api_data.path_parameters(operation.path, signed_in=signed_in)
        assert values, f"no row in the list of {operation.path}: give build_data() one"
        case = operation.Case(path_parameters=values)
        headers = {"Authorization": f"Token {api_data.key}"} if signed_in else {}
        cache.clear()
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
        assert response.status_code == 200, (operation.label, values, signed_in)


def test_the_schema_validates_without_warnings(tmp_path):
    """drf-spectacular's own check: every endpoint, serializer and filter described, the result valid
    OpenAPI 3 (what Swagger UI and generated clients read)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_there_is_an_operation_of_every_list_on_the_front_page(client):
    """The parametrized runs above cover what the schema lists; the schema must list what the API serves."""
    endpoints = client.get("/api/v1/").json()["endpoints"]
    paths = set(schema.raw_schema["paths"])
    missing = [url for url in endpoints.values() if url.removeprefix("http://testserver") not in paths]
    assert missing == []
