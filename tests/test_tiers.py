"""Tiers of outlets (issue 14, item 1): A, B, C computed from the registry and the policy (catalog.tiers), the
same in Python and in SQL, shown on the outlet's admin page and list, on /catalog/ and in /api/v1/catalog/, and
moving when the outlet's Dewan Pers verification changes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Eligibility, EligibilityPolicy
from catalog.selectors import CatalogFilters, outlet_list, public_outlets
from catalog.tiers import Tier, counted_level, tier_annotation, tier_for, tier_on
from partners.models import MediaOutlet, PressVerification, VerificationLevel
from tests.catalog_helpers import listed_outlet
from tests.factories import MediaOutletFactory, PressVerificationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

NONE, ADMIN, FACTUAL = VerificationLevel.NONE, VerificationLevel.ADMINISTRATIVE, VerificationLevel.FACTUAL


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def policy(**fields) -> EligibilityPolicy:
    row = EligibilityPolicy.load()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def make_eligible(outlet, eligible: bool = True):
    now = timezone.now()
    Eligibility.objects.update_or_create(outlet=outlet, defaults={
        "is_eligible": eligible, "changed_at": now, "evaluated_at": now})


# --- the rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "eligible", "tier"), [
    (FACTUAL, True, Tier.A), (FACTUAL, False, Tier.A),
    (ADMIN, True, Tier.B), (ADMIN, False, Tier.B),
    (NONE, True, Tier.C), (NONE, False, None),
])
def test_the_default_tiers_are_kaltims(level, eligible, tier):
    assert tier_for(level, eligible, EligibilityPolicy()) == tier


def test_the_policy_decides_the_levels_and_whether_c_needs_eligibility():
    two_tiers = EligibilityPolicy(tier_a_level=ADMIN, tier_b_level=NONE)
    assert tier_for(FACTUAL, False, two_tiers) == Tier.A
    assert tier_for(ADMIN, False, two_tiers) == Tier.A
    assert tier_for(NONE, False, two_tiers) == Tier.B
    open_c = EligibilityPolicy(tier_c_requires_eligible=False)
    assert tier_for(NONE, False, open_c) == Tier.C


def test_tier_a_must_need_more_than_tier_b():
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        EligibilityPolicy(tier_a_level=ADMIN, tier_b_level=ADMIN).clean()
    with translation.override("en"):
        assert "Tier A needs a higher Dewan Pers verification than tier B." in refused.value.messages
    row = EligibilityPolicy.load()
    row.tier_a_level, row.tier_b_level = NONE, NONE
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_the_verification_that_counts_is_judged_on_the_day():
    day = datetime.date(2026, 11, 26)
    rules = EligibilityPolicy(press_council_grace_days=30)
    valid = datetime.date(2027, 1, 1)
    assert counted_level(FACTUAL, certificate_valid_until=valid, missing_from_list_since=None, policy=rules,
                         day=day) == FACTUAL
    # An expired certificate leaves the administrative verification.
    assert counted_level(FACTUAL, certificate_valid_until=datetime.date(2026, 11, 25), missing_from_list_since=None,
                         policy=rules, day=day) == ADMIN
    # Off the Dewan Pers list: within the grace period it still counts, after it not.
    assert counted_level(ADMIN, certificate_valid_until=None, missing_from_list_since=day - datetime.timedelta(30),
                         policy=rules, day=day) == ADMIN
    assert counted_level(FACTUAL, certificate_valid_until=valid, missing_from_list_since=day - datetime.timedelta(31),
                         policy=rules, day=day) == NONE


def _outlet(level, *, eligible=None, valid_until=None, missing_since=None):
    outlet = MediaOutletFactory()
    if level is not None:
        fields = {"level": level}
        if level == FACTUAL:
            fields.update(certificate_number="1/DP", certificate_date=valid_until - datetime.timedelta(days=5 * 365 - 1)
                          if valid_until else None)
            if not valid_until:
                fields.pop("certificate_number")
        PressVerificationFactory(outlet=outlet, missing_from_list_since=missing_since, **fields)
    if eligible is not None:
        make_eligible(outlet, eligible)
    return outlet


@pytest.mark.parametrize("rules", [{}, {"tier_a_level": ADMIN, "tier_b_level": NONE},
                                   {"tier_c_requires_eligible": False}, {"tier_b_level": NONE}])
def test_the_list_computes_in_sql_what_the_rule_says(rules, django_assert_num_queries):
    today = timezone.localdate()
    if rules:
        policy(**rules)
    cases = [
        _outlet(None), _outlet(None, eligible=True), _outlet(NONE, eligible=False), _outlet(ADMIN),
        _outlet(ADMIN, eligible=True), _outlet(FACTUAL, valid_until=today + datetime.timedelta(days=100)),
        _outlet(FACTUAL, valid_until=today - datetime.timedelta(days=1), eligible=True),
        _outlet(FACTUAL, eligible=False),
        _outlet(FACTUAL, valid_until=today + datetime.timedelta(days=100),
                missing_since=today - datetime.timedelta(10)),
        _outlet(ADMIN, eligible=True, missing_since=today - datetime.timedelta(days=60)),
    ]
    with django_assert_num_queries(1):
        computed = dict(MediaOutlet.objects.annotate(tier=tier_annotation()).values_list("pk", "tier"))
    for outlet in cases:
        assert computed[outlet.pk] == tier_on(outlet.pk, today, eligible=Eligibility.objects.filter(
            outlet=outlet, is_eligible=True).exists()), outlet
    assert set(computed.values()) - {None} <= set(Tier.values)


def test_a_list_costs_no_extra_query_for_the_policy(django_assert_num_queries):
    for _n in range(5):
        _outlet(ADMIN)
    with django_assert_num_queries(1):
        rows = list(outlet_list().values_list("tier", flat=True))
    assert rows == ["B"] * 5


# --- where it is shown, and how it moves --------------------------------------------------------------------


def test_administrative_to_factual_moves_the_outlet_from_b_to_a_on_the_catalog(client, english):
    outlet = listed_outlet("Kabar Mahakam", level=ADMIN)
    cache.clear()
    page = client.get("/catalog/")
    assert re.search(r"Kabar Mahakam.*?catalog-tier\">Tier B<", page.content.decode(), re.S)
    assert [row["name"] for row in public_outlets(CatalogFilters(tier="B"))] == ["Kabar Mahakam"]
    assert not public_outlets(CatalogFilters(tier="A")).exists()

    verification = PressVerification.objects.get(outlet=outlet)
    verification.level = FACTUAL
    verification.certificate_number = "975/DP-Verifikasi/K/IV/2026"
    verification.certificate_date = datetime.date(2026, 4, 1)
    verification.save()
    cache.clear()

    page = client.get("/catalog/")
    assert re.search(r"Kabar Mahakam.*?catalog-tier\">Tier A<", page.content.decode(), re.S)
    assert "Kabar Mahakam" in text(client.get("/catalog/?tier=A"))
    assert "Kabar Mahakam" not in text(client.get("/catalog/?tier=B"))
    assert "Tier A" in text(client.get(f"/catalog/{outlet.pk}/"))


def test_the_catalog_api_gives_and_filters_the_tier(client, django_assert_num_queries):
    factual = listed_outlet("Aceh Kini")
    listed_outlet("Borneo Pos", level=ADMIN)
    cache.clear()
    with django_assert_num_queries(1):
        answer = client.get("/api/v1/catalog/?tier=A").json()
    assert [(row["name"], row["tier"]) for row in answer["results"]] == [("Aceh Kini", "A")]
    assert client.get(f"/api/v1/catalog/{factual.pk}/").json()["tier"] == "A"
    assert [row["tier"] for row in client.get("/api/v1/catalog/?tier=B").json()["results"]] == ["B"]
    assert client.get("/api/v1/catalog/?tier=Z").status_code == 400


def test_the_admin_shows_the_tier_in_the_list_its_filter_and_the_outlet_page(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    a = listed_outlet("Aceh Kini")
    b = listed_outlet("Borneo Pos", level=ADMIN)
    changelist = reverse("admin:partners_mediaoutlet_changelist")
    page = admin_client.get(changelist, {"tier": "B"})
    assert page.status_code == 200
    shown = text(page)
    assert "Borneo Pos" in shown and "Aceh Kini" not in shown
    assert "Aceh Kini" in text(admin_client.get(changelist, {"tier": "A"}))
    page = text(admin_client.get(reverse("admin:partners_mediaoutlet_change", args=[b.pk])))
    assert "Tier B: Dewan Pers: Administratively verified" in page
    assert "Tier A: Dewan Pers: Administratively and factually verified" in text(
        admin_client.get(reverse("admin:partners_mediaoutlet_change", args=[a.pk])))


def test_the_tier_on_a_past_day_reads_the_catalogs_history():
    outlet = _outlet(NONE)
    day = timezone.localdate() - datetime.timedelta(days=3)
    assert tier_on(outlet.pk, day) is None  # never evaluated by then: not eligible
    assert tier_on(outlet.pk, day, eligible=True) == Tier.C


def test_staff_set_the_tiers_in_the_policys_page(admin_client):
    from tests.test_catalog_admin import policy_form

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("admin:catalog_eligibilitypolicy_change", args=[EligibilityPolicy.load().pk])
    response = admin_client.post(url, policy_form(tier_a_level="administrative", tier_b_level="administrative"))
    assert response.status_code == 200
    assert "Tier A needs a higher Dewan Pers verification than tier B." in text(response)
    response = admin_client.post(url, policy_form(tier_a_level="administrative", tier_b_level="none",
                                                  tier_c_requires_eligible=""))
    assert response.status_code == 302
    saved = EligibilityPolicy.load()
    assert (saved.tier_a_level, saved.tier_b_level, saved.tier_c_requires_eligible) == ("administrative", "none",
                                                                                       False)
