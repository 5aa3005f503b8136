"""What every endpoint of the API shares (mediareg/api/): token sign-in and the admin page that makes tokens,
the error shape and the request's language, Idempotency-Key on writes, the front page, the schema and the
documentation page (its browser test is tests/test_api_docs_browser.py).

The writes go through a throwaway endpoint built on the real base class (ReadOnlyViewSet) and a real service
(budgets.services.budget_revise), mounted on this module's URLs beside the project's own, and called through
the whole stack (middleware, authentication, permissions, throttling), as an app's endpoint would be.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from budgets import services
from budgets.models import AgencyStaff, Budget, BudgetRevision, RevisionReason
from mediareg.api import tokens
from mediareg.api.idempotency import MAX_KEY_LENGTH
from mediareg.api.views import ReadOnlyViewSet
from mediareg.models import ApiToken, IdempotencyKey
from mediareg.tasks import clear_expired_idempotency_keys
from tests.budget_helpers import budget_officer, make_agency, make_budget
from tests.factories import StaffUserFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.usefixtures("fresh_rate_limit")]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
NOON = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=JAKARTA)


# --- the throwaway endpoint --------------------------------------------------------------------------


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = ["id", "year", "current_amount"]


class RaiseInput(serializers.Serializer):
    increase = serializers.IntegerField()
    reference = serializers.CharField(allow_blank=True)
    proof = serializers.FileField(required=False)


class RaiseOutput(serializers.Serializer):
    revision = serializers.IntegerField()
    current_amount = serializers.IntegerField()
    proof = serializers.DictField(allow_null=True)


class BudgetViewSet(ReadOnlyViewSet):
    """Budgets, and one domain verb: raise the budget by an amount (a revision through the service)."""

    queryset = Budget.objects.order_by("pk")
    serializer_class = BudgetSerializer
    action_permissions = {"raise_amount": ["budgets.add_budgetrevision"], "refuse": ["budgets.view_budget"],
                          "forbid": ["budgets.view_budget"]}
    slow_seconds = 0.0  # the concurrency test slows the write down, so that the two requests overlap

    @extend_schema(request=RaiseInput, responses={201: RaiseOutput})
    @action(detail=True, methods=["post"], url_path="raise")
    def raise_amount(self, request, pk=None):
        data = RaiseInput(data=request.data)
        data.is_valid(raise_exception=True)
        budget = self.get_object()
        time.sleep(self.slow_seconds)
        revision = services.budget_revise(
            budget, amount_after=budget.current_amount + data.validated_data["increase"],
            reason=RevisionReason.AMENDMENT, reference=data.validated_data["reference"],
            revised_on=datetime.date(budget.year, 11, 26), user=request.user)
        proof = data.validated_data.get("proof")
        return Response({"revision": revision.pk, "current_amount": revision.amount_after,
                         "proof": {"name": proof.name, "bytes": proof.size} if proof else None}, status=201)

    @action(detail=False, methods=["post"])
    def refuse(self, request):
        """A model's clean() refusing with a field error and an error about the whole."""
        raise DjangoValidationError({"year": DjangoValidationError("A year has four digits.", code="year"),
                                     "__all__": DjangoValidationError("Nothing may be saved.", code="all")})

    @action(detail=False, methods=["post"])
    def forbid(self, request):
        raise DjangoPermissionDenied


handler404 = "mediareg.api.errors.page_not_found"  # as mediareg.urls says
urlpatterns = [
    path("api/test/budgets/", BudgetViewSet.as_view({"get": "list"}), name="api-test-budget-list"),
    path("api/test/budgets/<int:pk>/", BudgetViewSet.as_view({"get": "retrieve"}), name="api-test-budget-detail"),
    path("api/test/budgets/<int:pk>/raise/", BudgetViewSet.as_view({"post": "raise_amount"}),
         name="api-test-budget-raise"),
    path("api/test/budgets/refuse/", BudgetViewSet.as_view({"post": "refuse"})),
    path("api/test/budgets/forbid/", BudgetViewSet.as_view({"post": "forbid"})),
    # A list under a row of another: its URL needs that row's id, so the front page cannot link it.
    path("api/test/budgets/<int:budget>/revisions/", BudgetViewSet.as_view({"get": "list"}),
         name="api-test-revision-list"),
    path("", include("mediareg.urls")),
]


# --- helpers ---------------------------------------------------------------------------------------


def token_for(user) -> str:
    return tokens.token_create(user=user, name="program uji", created_by=user)[1]


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def raise_url(budget) -> str:
    return f"/api/test/budgets/{budget.pk}/raise/"


@pytest.fixture
def officer_budget():
    """A budget of Rp 1,000,000,000 and a budget officer of its agency."""
    agency = make_agency()
    return budget_officer(agency), make_budget(agency, amount=1_000_000_000)


@pytest.fixture
def officer(officer_budget):
    return officer_budget[0]


@pytest.fixture
def budget(officer_budget):
    return officer_budget[1]


@pytest.fixture
def officer_key(officer):
    return token_for(officer)


def post_raise(client, budget, key, *, increase=5_000_000, reference="DPA-2026/07", idempotency_key=None,
               **extra):
    headers = auth(key)
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return client.post(raise_url(budget), {"increase": increase, "reference": reference},
                       content_type="application/json", **headers, **extra)


# --- tokens ----------------------------------------------------------------------------------------


def test_a_token_acts_as_its_user_with_that_users_permissions(client, officer, budget, officer_key):
    response = client.get("/api/test/budgets/", **auth(officer_key))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [budget.pk]

    response = post_raise(Client(enforce_csrf_checks=True), budget, officer_key)  # a token needs no CSRF
    assert response.status_code == 201, response.content
    revision = BudgetRevision.objects.get()
    assert (revision.created_by, revision.amount_after) == (officer, 1_005_000_000)

    viewer = UserFactory(permissions=["budgets.view_budget"])
    viewer_key = token_for(viewer)
    assert client.get("/api/test/budgets/", **auth(viewer_key)).status_code == 200
    refused = post_raise(client, budget, viewer_key)
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail"}
    nobody_key = token_for(UserFactory())
    assert client.get("/api/test/budgets/", **auth(nobody_key)).status_code == 403
    assert BudgetRevision.objects.count() == 1


def test_no_credentials_get_401_with_the_way_to_sign_in(client, budget):
    response = client.get("/api/test/budgets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token bukan-kunci-yang-ada", "token bukan-kunci"])
def test_a_malformed_header_or_an_unknown_key_gets_401(client, budget, header):
    response = client.get("/api/test/budgets/", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "token" in response.json()["detail"].lower() or "authorization" in response.json()["detail"].lower()


def test_a_revoked_token_gets_401_and_others_of_the_same_user_still_work(client, officer, budget):
    revoked, revoked_key = tokens.token_create(user=officer, name="lama", created_by=officer)
    kept_key = token_for(officer)
    assert tokens.tokens_revoke([revoked]) == 1
    assert tokens.tokens_revoke([revoked]) == 0  # already revoked: the time it was revoked stays
    response = client.get("/api/test/budgets/", **auth(revoked_key), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token is not valid, or it was revoked."}
    assert client.get("/api/test/budgets/", **auth(kept_key)).status_code == 200


def test_the_token_of_an_inactive_user_gets_401(client, officer, budget, officer_key):
    officer.is_active = False
    officer.save()
    assert client.get("/api/test/budgets/", **auth(officer_key)).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(client, officer, budget):
    token, key = tokens.token_create(user=officer, name="sistem keuangan", created_by=officer)
    assert token.last_used_at is None
    with time_machine.travel(NOON, tick=False) as clock:
        assert client.get("/api/test/budgets/", **auth(key)).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == NOON

        clock.shift(datetime.timedelta(seconds=59))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/test/budgets/", **auth(key)).status_code == 200
        assert [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith("UPDATE") and ApiToken._meta.db_table in q["sql"]] == []
        token.refresh_from_db()
        assert token.last_used_at == NOON

        clock.shift(datetime.timedelta(seconds=1))
        assert client.get("/api/test/budgets/", **auth(key)).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == NOON + datetime.timedelta(minutes=1)


# --- the admin page for API tokens ------------------------------------------------------------------

ADD = "/admin/mediareg/apitoken/add/"
LIST = "/admin/mediareg/apitoken/"


def shown_key(response) -> str:
    match = re.search(r'<code id="api-token-key"[^>]*>([^<]+)</code>', response.content.decode())
    assert match, "the key is not on the page"
    return match.group(1)


def test_a_verifikator_makes_a_token_for_themselves_and_sees_its_key_once(client, budget):
    verifikator = StaffUserFactory(groups=["Verifikator"])
    client.force_login(verifikator)
    form = client.get(ADD)
    assert form.status_code == 200
    assert 'name="name"' in form.content.decode()
    assert 'name="user"' not in form.content.decode()  # their own token only

    response = client.post(ADD, {"name": "Skrip rekap harian"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the key must not stay in a cache
    key = shown_key(response)
    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.name) == (verifikator, verifikator, "Skrip rekap harian")
    assert token.digest == tokens.digest_of(key)
    assert token.prefix == key[:tokens.PREFIX_LENGTH]
    assert key not in "".join(str(value) for value in ApiToken.objects.values_list())

    listing = client.get(LIST).content.decode()
    assert token.prefix in listing
    assert key not in listing
    detail = client.get(f"{LIST}{token.pk}/change/").content.decode()
    assert token.prefix in detail
    assert key not in detail and token.digest not in detail

    # The key works, as the Verifikator: the budgets are not theirs to read.
    client.logout()
    assert client.get("/api/test/budgets/", **auth(key)).status_code == 403
    grant = UserFactory(permissions=["budgets.view_budget"])
    assert client.get("/api/test/budgets/", **auth(token_for(grant))).status_code == 200


def test_a_superuser_makes_a_token_for_another_user(client, officer, budget):
    admin_user = StaffUserFactory(is_superuser=True)
    client.force_login(admin_user)
    assert 'name="user"' in client.get(ADD).content.decode()
    response = client.post(ADD, {"name": "Sistem keuangan daerah", "user": officer.pk})
    assert response.status_code == 200
    key = shown_key(response)
    token = ApiToken.objects.get()
    assert (token.user, token.created_by) == (officer, admin_user)
    client.logout()
    assert client.get("/api/test/budgets/", **auth(key)).json()["results"][0]["id"] == budget.pk


def test_the_revoke_action_stops_the_key_at_once(client, officer, budget):
    token, key = tokens.token_create(user=officer, name="lama", created_by=officer)
    other, other_key = tokens.token_create(user=officer, name="baru", created_by=officer)
    assert client.get("/api/test/budgets/", **auth(key)).status_code == 200
    client.force_login(officer)  # a budget officer holds change_apitoken for their own tokens
    response = client.post(LIST, {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    client.logout()
    assert client.get("/api/test/budgets/", **auth(key)).status_code == 401
    assert client.get("/api/test/budgets/", **auth(other_key)).status_code == 200


def test_a_verifikator_sees_and_revokes_only_their_own_tokens(client):
    mine = StaffUserFactory(groups=["Verifikator"])
    colleague = StaffUserFactory(groups=["Verifikator"])
    own, _key = tokens.token_create(user=mine, name="milik saya", created_by=mine)
    theirs, _key = tokens.token_create(user=colleague, name="milik rekan", created_by=colleague)
    client.force_login(mine)
    listing = client.get(LIST).content.decode()
    assert "milik saya" in listing and "milik rekan" not in listing
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code == 302  # "does not exist", back to the index
    client.post(LIST, {"action": "revoke", "_selected_action": [theirs.pk, own.pk]})
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert theirs.revoked_at is None and own.revoked_at is not None


def test_an_auditor_sees_every_token_and_can_neither_add_nor_revoke(client, auditor):
    first = StaffUserFactory(groups=["Verifikator"])
    token, _key = tokens.token_create(user=first, name="milik verifikator", created_by=first)
    client.force_login(auditor)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "milik verifikator" in listing.content.decode()
    assert 'value="revoke"' not in listing.content.decode()
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"name": "diam-diam"}).status_code == 403
    client.post(LIST, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


# --- errors and languages --------------------------------------------------------------------------


def test_a_services_refusal_is_a_400_with_the_admins_message_in_the_requests_language(client, budget, officer_key):
    english = post_raise(client, budget, officer_key, increase=0, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json() == {"non_field_errors": ["The new amount is the budget's current amount; nothing to "
                                                   "revise."]}
    assert english["Content-Language"] == "en"

    indonesian = post_raise(client, budget, officer_key, increase=0)
    assert indonesian.json() == {"non_field_errors": ["Jumlah baru sama dengan anggaran saat ini; tidak ada yang "
                                                      "direvisi."]}
    assert indonesian["Content-Language"] == "id"
    assert BudgetRevision.objects.count() == 0


@pytest.mark.parametrize(("header", "language"), [
    ("en", "en"), ("en-US,en;q=0.9", "en"), ("en-GB", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "en"),
    ("id", "id"), ("id-ID,id;q=0.9,en;q=0.8", "id"), ("fr", "id"), ("xx-YY", "id"), ("*", "id"), ("", "id"),
    (";;,q=x", "id"),
])
def test_accept_language_picks_the_language_and_indonesian_is_the_default(client, budget, officer_key, header,
                                                                           language):
    response = post_raise(client, budget, officer_key, increase=0, HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == language
    message = response.json()["non_field_errors"][0]
    assert message.startswith("The new amount" if language == "en" else "Jumlah baru")


def test_without_accept_language_the_api_follows_the_language_cookie_then_indonesian(client, budget, officer_key):
    client.cookies["django_language"] = "en"
    assert post_raise(client, budget, officer_key, increase=0)["Content-Language"] == "en"
    # The program's header wins over a cookie.
    assert post_raise(client, budget, officer_key, increase=0, HTTP_ACCEPT_LANGUAGE="id")["Content-Language"] == "id"


def test_a_request_that_is_not_valid_gets_its_field_errors(client, budget, officer_key):
    response = client.post(raise_url(budget), {"increase": "banyak"}, content_type="application/json",
                           **auth(officer_key), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"increase": ["A valid integer is required."],
                                "reference": ["This field is required."]}


def test_a_model_validation_error_keeps_its_fields_and_its_whole_request_errors(client, officer_key):
    response = client.post("/api/test/budgets/refuse/", {}, content_type="application/json", **auth(officer_key))
    assert response.status_code == 400
    assert response.json() == {"year": ["A year has four digits."], "non_field_errors": ["Nothing may be saved."]}


def test_not_found_and_forbidden_are_a_detail(client, budget, officer_key):
    missing = client.get("/api/test/budgets/999999/", **auth(officer_key))
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Data tidak ditemukan."}
    missing = client.get("/api/test/budgets/999999/", **auth(officer_key), HTTP_ACCEPT_LANGUAGE="en")
    assert missing.json() == {"detail": "Not found."}
    forbidden = client.post("/api/test/budgets/forbid/", {}, content_type="application/json", **auth(officer_key),
                            HTTP_ACCEPT_LANGUAGE="en")
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "You do not have permission to perform this action."}
    without_permission = client.get("/api/test/budgets/", **auth(token_for(UserFactory())))
    assert without_permission.status_code == 403
    assert list(without_permission.json()) == ["detail"]


def test_an_address_under_api_that_matches_no_endpoint_is_a_json_404(client):
    for url in ("/api/v1/tidak-ada/", "/api/test/budgets/0.5/", "/api/test/budgets/1/raise/x/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/tidak-ada/").json() == {"detail": "Data tidak ditemukan."}
    page = client.get("/halaman-tidak-ada/")  # the rest of the site keeps its page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_answer_is_a_405_whatever_the_key(client, budget, officer_key):
    assert post_raise(client, budget, officer_key, idempotency_key="k-405").status_code == 201
    for method in (client.put, client.patch):  # (DELETE is refused first: the officer may not delete budgets)
        response = method(raise_url(budget), {"increase": 1, "reference": "R"}, content_type="application/json",
                          **auth(officer_key), HTTP_IDEMPOTENCY_KEY="k-405")
        assert response.status_code == 405, method
        assert "Idempotent-Replayed" not in response
    assert IdempotencyKey.objects.count() == 1
    assert BudgetRevision.objects.count() == 1


def test_a_bad_page_cursor_is_a_404_detail(client, budget, officer_key):
    response = client.get("/api/test/budgets/?cursor=bukan-kursor", **auth(officer_key), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_too_many_requests_get_429_with_retry_after(client, budget, officer_key, settings):
    # The rate is read from the settings on each request (mediareg.api.throttling), so changing them holds.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "user": "2/minute"}}
    statuses = [client.get("/api/test/budgets/", **auth(officer_key)).status_code for _ in range(3)]
    last = client.get("/api/test/budgets/", **auth(officer_key), HTTP_ACCEPT_LANGUAGE="en")
    assert statuses == [200, 200, 429]
    assert last.status_code == 429
    assert int(last["Retry-After"]) > 0
    assert last.json()["detail"].startswith("Request was throttled.")


# --- idempotency -----------------------------------------------------------------------------------


def test_the_same_key_and_body_write_once_and_answer_the_same(client, budget, officer_key):
    first = post_raise(client, budget, officer_key, idempotency_key="bayar-7f3a")
    second = post_raise(client, budget, officer_key, idempotency_key="bayar-7f3a")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert BudgetRevision.objects.count() == 1
    budget.refresh_from_db()
    assert budget.current_amount == 1_005_000_000

    # The same body with another key is another write.
    third = post_raise(client, budget, officer_key, idempotency_key="bayar-7f3b")
    assert third.status_code == 201 and "Idempotent-Replayed" not in third
    assert BudgetRevision.objects.count() == 2
    # Without a key, every request is a write of its own.
    post_raise(client, budget, officer_key)
    assert BudgetRevision.objects.count() == 3


def test_the_same_key_with_another_body_or_url_is_refused_with_422(client, officer, budget, officer_key):
    other_budget = make_budget(budget.agency, year=2027)
    assert post_raise(client, budget, officer_key, idempotency_key="k-1").status_code == 201
    other_body = post_raise(client, budget, officer_key, increase=7_000_000, idempotency_key="k-1",
                            HTTP_ACCEPT_LANGUAGE="en")
    assert other_body.status_code == 422
    assert other_body.json() == {"detail": "This Idempotency-Key was already used with a different request."}
    other_url = post_raise(client, other_budget, officer_key, idempotency_key="k-1")
    assert other_url.status_code == 422
    assert set(other_url.json()) == {"detail"}
    assert BudgetRevision.objects.count() == 1


def test_the_order_of_json_keys_does_not_make_another_request(client, budget, officer_key):
    headers = {**auth(officer_key), "HTTP_IDEMPOTENCY_KEY": "urutan"}
    first = client.post(raise_url(budget), '{"increase": 1000, "reference": "R-1"}',
                        content_type="application/json", **headers)
    second = client.post(raise_url(budget), '{"reference": "R-1",  "increase": 1000}',
                         content_type="application/json", **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert BudgetRevision.objects.count() == 1


def test_a_refused_write_is_not_kept_and_may_be_tried_again(client, budget):
    """Refused (400) because the officer did not work for the agency yet: nothing written, the key free."""
    newcomer = StaffUserFactory(groups=["Petugas Anggaran"])
    key = token_for(newcomer)
    refused = post_raise(client, budget, key, idempotency_key="coba-lagi", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["You do not work for this budget's agency, so you cannot "
                                                   "change it."]}
    assert not IdempotencyKey.objects.exists()

    AgencyStaff.objects.create(user=newcomer, agency=budget.agency)
    retried = post_raise(client, budget, key, idempotency_key="coba-lagi")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert BudgetRevision.objects.count() == 1

    # A body refused by the serializer does not hold the key either.
    assert post_raise(client, budget, key, increase="x", idempotency_key="lain").status_code == 400
    assert post_raise(client, budget, key, increase=1, idempotency_key="lain").status_code == 201
    assert BudgetRevision.objects.count() == 2


def test_a_replay_answers_the_first_answer_even_when_a_new_request_would_be_refused(client, budget, officer_key):
    assert post_raise(client, budget, officer_key, idempotency_key="sekali").status_code == 201
    services.budget_set_policy(budget, spending_allowed=False, reference="SK-STOP", user=None)
    Budget.objects.filter(pk=budget.pk).update(current_amount=1)  # whatever changed since, the answer stays
    replay = post_raise(client, budget, officer_key, idempotency_key="sekali")
    assert replay.status_code == 201
    assert replay.json()["current_amount"] == 1_005_000_000


@pytest.mark.parametrize("key", ["", "   ", "x" * (MAX_KEY_LENGTH + 1)])
def test_an_empty_or_too_long_key_is_a_400(client, budget, officer_key, key):
    response = post_raise(client, budget, officer_key, idempotency_key=key, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["An Idempotency-Key has 1 to 255 characters."]}
    assert BudgetRevision.objects.count() == 0


def test_a_key_of_255_characters_is_accepted(client, budget, officer_key):
    assert post_raise(client, budget, officer_key, idempotency_key="k" * MAX_KEY_LENGTH).status_code == 201
    assert post_raise(client, budget, officer_key, idempotency_key="k" * MAX_KEY_LENGTH).status_code == 201
    assert BudgetRevision.objects.count() == 1


def test_keys_belong_to_their_user(client, officer, budget, officer_key):
    colleague = budget_officer(budget.agency)
    colleague_key = token_for(colleague)
    assert post_raise(client, budget, officer_key, idempotency_key="sama").status_code == 201
    second = post_raise(client, budget, colleague_key, idempotency_key="sama")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert list(BudgetRevision.objects.order_by("pk").values_list("created_by", flat=True)) == [officer.pk,
                                                                                                 colleague.pk]


def test_a_read_ignores_the_key(client, budget, officer_key):
    for _ in range(2):
        response = client.get("/api/test/budgets/", **auth(officer_key), HTTP_IDEMPOTENCY_KEY="baca")
        assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert not IdempotencyKey.objects.exists()


def test_multipart_with_a_file_is_replayed_by_its_content_and_name(client, budget, officer_key):
    def send(content: bytes, name: str = "sk-revisi.pdf", reference: str = "SK-9"):
        return client.post(raise_url(budget), {"increase": "1000", "reference": reference,
                                               "proof": SimpleUploadedFile(name, content, "application/pdf")},
                           **auth(officer_key), HTTP_IDEMPOTENCY_KEY="berkas")

    first = send(b"%PDF-1.4 satu")
    assert first.status_code == 201, first.content
    assert first.json()["proof"] == {"name": "sk-revisi.pdf", "bytes": 13}
    again = send(b"%PDF-1.4 satu")
    assert (again.status_code, again["Idempotent-Replayed"], again.json()) == (201, "true", first.json())
    assert send(b"%PDF-1.4 dua!").status_code == 422  # another file under the same key
    assert send(b"%PDF-1.4 satu", name="lain.pdf").status_code == 422
    assert send(b"%PDF-1.4 satu", reference="SK-10").status_code == 422
    assert BudgetRevision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_the_same_key_write_once(officer_budget, monkeypatch):
    """The second waits for the first's key (its INSERT blocks on the uncommitted row), then replays it."""
    officer, budget = officer_budget
    key = token_for(officer)
    monkeypatch.setattr(BudgetViewSet, "slow_seconds", 0.5)
    start = threading.Barrier(2)
    answers = []

    def send():
        try:
            start.wait()
            answers.append(post_raise(Client(), budget, key, idempotency_key="serentak"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(answer.get("Idempotent-Replayed", "") for answer in answers) == ["", "true"]
    assert BudgetRevision.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).current_amount == 1_005_000_000


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_the_same_key_and_different_bodies_write_once(officer_budget, monkeypatch):
    officer, budget = officer_budget
    key = token_for(officer)
    monkeypatch.setattr(BudgetViewSet, "slow_seconds", 0.5)
    start = threading.Barrier(2)
    answers = []

    def send(increase):
        try:
            start.wait()
            answers.append(post_raise(Client(), budget, key, increase=increase, idempotency_key="serentak"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(increase,)) for increase in (1_000, 2_000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [201, 422]
    assert BudgetRevision.objects.count() == 1


def test_the_nightly_job_forgets_old_keys_only(client, budget, officer_key, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 7
    with time_machine.travel(NOON, tick=False) as clock:
        assert post_raise(client, budget, officer_key, idempotency_key="lama").status_code == 201
        clock.shift(datetime.timedelta(days=6))
        assert post_raise(client, budget, officer_key, idempotency_key="baru").status_code == 201
        clock.shift(datetime.timedelta(days=1, seconds=1))
        assert clear_expired_idempotency_keys() == 1
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["baru"]
        assert clear_expired_idempotency_keys() == 0
        # The forgotten key is free again: the same request is a new write; the kept one is still replayed.
        again = post_raise(client, budget, officer_key, idempotency_key="lama")
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
        assert post_raise(client, budget, officer_key, idempotency_key="baru")["Idempotent-Replayed"] == "true"
    assert BudgetRevision.objects.count() == 3


# --- the front page, the schema and the documentation page -------------------------------------------


def test_the_front_page_lists_every_endpoint_and_the_schema_for_anyone(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["endpoints"]["test-budget"] == "http://testserver/api/test/budgets/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["documentation"] == "http://testserver/api/docs/"
    assert "test-revision" not in body["endpoints"]
    for url in body["endpoints"].values():  # each endpoint answers (and checks its own permissions)
        assert client.get(url).status_code in (200, 401), url


def test_the_schema_is_openapi_3_for_anyone(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"Error", "ValidationError"} <= set(schema["components"]["schemas"])
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Token <key>`: kunci yang dibuat petugas di admin (Token API)."}  # Indonesian by default
    write = schema["paths"]["/api/test/budgets/{id}/raise/"]["post"]
    assert {"400", "401", "403", "404", "415", "422", "429"} <= set(write["responses"])
    assert {p["name"] for p in write["parameters"] if p["in"] == "header"} == {"Accept-Language", "Idempotency-Key"}
    examples = {code: write["responses"][code]["content"]["application/json"].get("example")
                for code in ("401", "403", "404", "422")}
    assert examples == {"401": {"detail": "Data autentikasi tidak diberikan."},
                        "403": {"detail": "Anda tidak memiliki izin untuk melakukan tindakan ini."},
                        "404": {"detail": "Data tidak ditemukan."},
                        "422": {"detail": "Idempotency-Key ini sudah digunakan untuk permintaan yang berbeda."}}
    read = schema["paths"]["/api/test/budgets/"]["get"]
    assert {"400", "401", "403", "404", "429"} <= set(read["responses"])
    assert "415" not in read["responses"] and "422" not in read["responses"]
    assert [p["name"] for p in read["parameters"] if p["in"] == "header"] == ["Accept-Language"]
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["paths"]["/api/test/budgets/"]["get"]["responses"]["404"]["content"]["application/json"][
        "example"] == {"detail": "Not found."}
    assert client.get("/api/schema/").status_code == 200  # YAML by default


def test_the_documentation_page_loads_only_our_own_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert "<style" not in page and "<script>" not in page  # nothing inline for the policy to refuse
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    scripts_of_ours = {"/api/docs/?script="}
    for source in set(sources) - scripts_of_ours:  # each a file of our static folders (the sidecar package's)
        assert source.startswith(settings.STATIC_URL), source
        assert finders.find(source.split("?")[0].removeprefix(settings.STATIC_URL)), source
    assert scripts_of_ours <= set(sources)


# --- pages -----------------------------------------------------------------------------------------


def test_pages_follow_the_cursor_and_page_size_is_checked(client, budget, officer_key):
    for year in (2027, 2028):
        make_budget(budget.agency, year=year)
    first = client.get("/api/test/budgets/?page_size=2", **auth(officer_key))
    assert first.status_code == 200
    body = first.json()
    assert (len(body["results"]), body["previous"]) == (2, None)
    second = client.get(body["next"], **auth(officer_key)).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert {row["id"] for row in body["results"] + second["results"]} == set(
        Budget.objects.values_list("pk", flat=True))
    assert len(client.get("/api/test/budgets/?page_size=100", **auth(officer_key)).json()["results"]) == 3
    # An empty cursor is the first page.
    assert client.get("/api/test/budgets/?page_size=2&cursor=", **auth(officer_key)).json() == body
    for wrong in ("0", "101", "-1", "abc", "", "2.5", "１"):
        response = client.get(f"/api/test/budgets/?page_size={wrong}", **auth(officer_key),
                              HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, wrong
        assert response.json() == {"page_size": ["A whole number from 1 to 100."]}


def test_the_schema_gives_the_limits_of_page_size(client):
    parameters = client.get("/api/schema/?format=json").json()["paths"]["/api/test/budgets/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}


def test_a_browser_gets_json_not_a_page_the_content_security_policy_would_break(client):
    """DRF's browsable pages need inline styles the site's policy refuses; Swagger UI (/api/docs/) is the page."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/api/v1/", HTTP_ACCEPT=browser)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "documentation" in response.json()
