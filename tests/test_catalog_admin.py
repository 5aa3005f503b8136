"""The e-catalog in the back office: eligibility and listing on the outlet list and page, the listing
actions with their permissions, the read-only history pages and the single eligibility policy.

Over 500 lines on purpose: each test is a page as staff see it, and they share one set of page readers;
split by page when a new subject (the staff home, decisions on the page) arrives."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from catalog import lifecycle
from catalog.admin.common import listing_summary
from catalog.admin.outlets import CatalogOutletAdmin
from catalog.eligibility import recheck_outlets
from catalog.models import (
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    ExpiryReminder,
    Listing,
    ListingState,
    ListingTransition,
    PressCouncilEntry,
    PressCouncilImport,
    RecheckRun,
    StaffSummary,
    SuspensionCause,
    Trigger,
    WebRankList,
)
from catalog.rules import RULE_TITLES
from mediareg.dates import add_months
from partners.models import Document, DocumentKind, MediaOutlet, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory, OutletDomainFactory, StaffUserFactory
from tests.helpers import messages_of, page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]
S = ListingState
OUTLETS = reverse("admin:partners_mediaoutlet_changelist")
LISTINGS = reverse("admin:catalog_listing_changelist")


def outlet_page(outlet):
    return reverse("admin:partners_mediaoutlet_change", args=[outlet.pk])


def shown(response) -> set:
    return set(response.context["cl"].result_list)


def run_action(client, url, action, objects, **extra):
    return client.post(url, {"action": action, "_selected_action": [obj.pk for obj in objects], **extra})


def reject_kswp(outlet):
    Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Buram")


@pytest.fixture
def verifikator():
    user = StaffUserFactory(username="verifikator.uji", groups=["Verifikator"])
    return user


def listed(outlet, user=None):
    return lifecycle.approve(lifecycle.ensure_listing(outlet), user=user)


# --- the outlet list -----------------------------------------------------------------------------


def make_outlets(n):
    """Outlets in every standing: checked or not, with or without a listing."""
    for i in range(n):
        outlet = MediaOutletFactory()
        OutletDomainFactory(outlet=outlet, is_primary=True)
        if i % 3 != 2:
            recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
        if i % 2 == 0:
            Listing.objects.create(outlet=outlet, state=S.APPLIED if i % 4 else S.REJECTED,
                                   state_since=timezone.now())


def test_outlet_list_shows_eligibility_and_listing_with_the_same_queries_for_1_and_50_outlets(admin_client):
    make_outlets(1)
    one, response = page_queries(admin_client, OUTLETS)
    make_outlets(49)
    fifty, response = page_queries(admin_client, OUTLETS)
    assert MediaOutlet.objects.count() == 50 and len(response.context["cl"].result_list) == 50
    assert one == fifty, f"outlet list: {one} queries for 1 row, {fifty} for 50"
    assert fifty <= 10
    html = response.content.decode()
    for column in ("column-eligible", "column-failing_rules", "column-listing_state"):
        assert column in html
    with translation.override("id"):
        expected = [str(RULE_TITLES["press_council"]), str(S.REJECTED.label), gettext("not applied")]
    assert all(text in html for text in expected), expected


def test_outlet_list_columns_for_one_outlet(admin_client):
    outlet = eligible_outlet(name="Kabar Betawi")
    listing = listed(outlet)
    reject_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    response = admin_client.get(OUTLETS)
    model_admin = admin.site._registry[MediaOutlet]
    row = response.context["cl"].result_list[0]
    assert isinstance(model_admin, CatalogOutletAdmin)
    # Short labels with their text; the longer story on hover (title).
    title = str(RULE_TITLES["tax_status"])
    assert model_admin.eligible(row) == f'<span class="status-label status-bad" title="{title}">tidak layak</span>'
    assert model_admin.failing_rules(row) == f'<span class="truncated truncated-m" title="{title}">{title}</span>'
    summary = listing_summary(Listing.objects.get(pk=listing.pk))
    assert f'title="{summary}"' in model_admin.listing_state(row)
    assert f"({SuspensionCause.ELIGIBILITY.label})" in summary


def test_outlet_filters_eligibility_listing_and_failing_rule(admin_client):
    good = eligible_outlet()
    listed(good)
    suspended = eligible_outlet()
    listed(suspended)
    reject_kswp(suspended)
    bare = MediaOutletFactory()
    unchecked = MediaOutletFactory()
    recheck_outlets([good.pk, suspended.pk, bare.pk], trigger=Trigger.SCHEDULE)
    cases = {
        "eligible=yes": {good},
        "eligible=no": {suspended, bare},
        "eligible=unchecked": {unchecked},
        "listing=listed": {good},
        "listing=suspended": {suspended},
        "listing=none": {bare, unchecked},
        "failing=tax_status": {suspended, bare},
        "failing=press_council": {bare},
        "failing=web_rank": set(),
        "eligible=no&listing=suspended": {suspended},
    }
    for query, expected in cases.items():
        response = admin_client.get(f"{OUTLETS}?{query}")
        assert response.status_code == 200, query
        assert shown(response) == expected, query


# --- the outlet page -----------------------------------------------------------------------------


def test_outlet_page_shows_every_rule_with_its_reason_in_indonesian_then_in_english(client, admin_user):
    client.force_login(admin_user)
    outlet = MediaOutletFactory(name="Warta Tanpa Dokumen")
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    result = Eligibility.objects.get(pk=outlet.pk)
    # Make one reason differ between the languages, whatever the translation catalogue holds today.
    outcomes = result.outcomes
    outcomes[0]["reason"] = {"id": "Belum terverifikasi Dewan Pers.", "en": "Not verified by Dewan Pers."}
    Eligibility.objects.filter(pk=outlet.pk).update(outcomes=outcomes)

    html = client.get(outlet_page(outlet)).content.decode()
    assert "Belum terverifikasi Dewan Pers." in html and "Not verified by Dewan Pers." not in html
    for outcome in outcomes:
        assert escape(outcome["reason"]["id"]) in html
    assert html.count('class="rule-') == 8
    assert f"?outlet__id__exact={outlet.pk}" in html  # the full history

    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    html = client.get(outlet_page(outlet)).content.decode()
    assert "Not verified by Dewan Pers." in html and "Belum terverifikasi Dewan Pers." not in html
    for outcome in outcomes:
        assert escape(outcome["reason"]["en"]) in html
    assert "Dewan Pers verification" in html and "Legal documents and press business code" in html
    assert "Not eligible" in html


def test_outlet_page_shows_the_listing_its_reason_sanction_end_and_transitions(admin_client, admin_user):
    outlet = eligible_outlet()
    listing = listed(outlet, user=admin_user)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    lifecycle.sanction(listing, user=admin_user, reason="Harga iklan tidak wajar")
    listing.refresh_from_db()
    response = admin_client.get(outlet_page(outlet))
    html = response.content.decode()
    assert listing.state == S.SUSPENDED and listing.sanction_ends_on
    assert escape(listing_summary(listing)) in html
    assert "Harga iklan tidak wajar" in html
    assert html.count("Harga iklan tidak wajar") >= 2  # the standing and its transition
    assert f"?listing__id__exact={listing.pk}" in html
    assert reverse("admin:catalog_listing_change", args=[listing.pk]) in html


def test_outlet_page_history_inline_is_newest_first_and_limited(admin_client):
    outlet = MediaOutletFactory()
    now = timezone.now()
    EligibilityChange.objects.bulk_create([
        EligibilityChange(outlet=outlet, created_at=now - datetime.timedelta(days=i), trigger=Trigger.SCHEDULE,
                          is_eligible=bool(i % 2), failing_codes="" if i % 2 else ",tax_status,", outcomes=[])
        for i in range(30)])
    response = admin_client.get(outlet_page(outlet))
    history = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is EligibilityChange)
    rows = [form.instance for form in history.formset.forms]
    assert len(rows) == 20
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)
    assert rows[0].created_at == now
    assert not history.has_add_permission and not history.has_change_permission


def form_data(response) -> dict:
    """What the browser would send back from an admin change page, inlines included."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return {key: value for key, value in data.items() if not hasattr(value, "url")}


def test_the_outlet_page_still_saves_with_the_read_only_history(admin_client):
    outlet = MediaOutletFactory(name="Nama Lama")
    OutletDomainFactory(outlet=outlet, domain="namalama.id", is_primary=True)
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    response = admin_client.get(outlet_page(outlet))
    data = {**form_data(response), "name": "Nama Baru"}
    response = admin_client.post(outlet_page(outlet), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    outlet.refresh_from_db()
    assert outlet.name == "Nama Baru"
    assert EligibilityChange.objects.filter(outlet=outlet).count() == 1


def test_the_add_page_has_no_catalog_parts(admin_client):
    response = admin_client.get(reverse("admin:partners_mediaoutlet_add"))
    assert response.status_code == 200
    assert not any(f.formset.model is EligibilityChange for f in response.context["inline_admin_formsets"])
    assert "eligibility_result" not in str(response.context["adminform"].form.fields)


# --- actions -------------------------------------------------------------------------------------


def test_recheck_now_action_evaluates_the_selection_at_once(admin_client, admin_user):
    good, bare = eligible_outlet(), MediaOutletFactory()
    response = run_action(admin_client, OUTLETS, "recheck_now", [good, bare])
    assert response.status_code == 302
    assert Eligibility.objects.get(pk=good.pk).is_eligible
    assert not Eligibility.objects.get(pk=bare.pk).is_eligible
    change = EligibilityChange.objects.get(outlet=bare)
    assert (change.trigger, change.actor) == (Trigger.STAFF, admin_user.username)
    with translation.override("id"):
        expected = gettext("Re-checked %(checked)d outlets: %(eligible)d eligible, %(ineligible)d not eligible; "
                           "%(changed)d results changed.") % {"checked": 2, "eligible": 1, "ineligible": 1,
                                                               "changed": 2}
    assert expected in messages_of(response)


def test_recheck_now_button_on_the_outlet_page(admin_client):
    outlet = MediaOutletFactory(name="Warta Sekali Cek")
    url = reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk])
    assert url in admin_client.get(outlet_page(outlet)).content.decode()
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url)
    assert response.status_code == 302 and response["Location"] == outlet_page(outlet)
    assert not Eligibility.objects.get(pk=outlet.pk).is_eligible
    assert any(message.startswith("Warta Sekali Cek") for message in messages_of(response))


def test_list_action_lists_the_eligible_and_reports_the_refused_with_reasons(admin_client, admin_user):
    good = eligible_outlet(name="Kabar Layak")
    bare = MediaOutletFactory(name="Warta Belum Lengkap")
    response = run_action(admin_client, OUTLETS, "list_outlets", [good, bare])
    assert response.status_code == 302
    listing = Listing.objects.get(outlet=good)
    assert listing.state == S.LISTED
    assert list(listing.transitions.order_by("pk").values_list("action", "actor")) == [
        ("apply", admin_user.pk), ("approve", admin_user.pk)]
    # A refused approval leaves no application behind, but keeps the fresh result.
    assert not Listing.objects.filter(outlet=bare).exists()
    assert not Eligibility.objects.get(pk=bare.pk).is_eligible
    texts = messages_of(response)
    refused = [t for t in texts if t.startswith("Warta Belum Lengkap: ")]
    assert len(refused) == 1 and "Dewan Pers" in refused[0] and "KSWP" in refused[0]
    assert any(t.startswith("1 ") for t in texts)


def test_list_action_approves_an_existing_application(admin_client):
    outlet = eligible_outlet()
    listing = lifecycle.ensure_listing(outlet)
    lifecycle.start_review(listing, user=None)
    run_action(admin_client, OUTLETS, "list_outlets", [outlet])
    assert Listing.objects.get(pk=listing.pk).state == S.LISTED


def test_suspend_action_asks_for_a_reason_and_records_it(admin_client, admin_user):
    outlet = eligible_outlet(name="Kabar Ditangguhkan")
    listing = listed(outlet)
    response = run_action(admin_client, OUTLETS, "suspend_outlets", [outlet])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html and "Kabar Ditangguhkan" in html
    assert response.templates[0].name == "admin/reason_action.html"

    response = run_action(admin_client, OUTLETS, "suspend_outlets", [outlet], apply="1", reason="   ")
    assert response.status_code == 200 and response.context["form"].errors
    assert Listing.objects.get(pk=listing.pk).state == S.LISTED

    response = run_action(admin_client, OUTLETS, "suspend_outlets", [outlet], apply="1",
                          reason="Pemberitaan sedang diperiksa Dewan Pers")
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.state, listing.suspension_cause, listing.reason) == (
        S.SUSPENDED, SuspensionCause.STAFF, "Pemberitaan sedang diperiksa Dewan Pers")
    transition = listing.transitions.first()
    assert (transition.action, transition.actor, transition.reason) == (
        "suspend", admin_user, "Pemberitaan sedang diperiksa Dewan Pers")


def test_suspend_action_reports_outlets_that_cannot_be_suspended(admin_client):
    never_applied = MediaOutletFactory(name="Belum Mendaftar")
    rejected = MediaOutletFactory(name="Sudah Ditolak")
    Listing.objects.create(outlet=rejected, state=S.REJECTED, state_since=timezone.now())
    response = run_action(admin_client, OUTLETS, "suspend_outlets", [never_applied, rejected], apply="1",
                          reason="Diperiksa")
    assert response.status_code == 302
    texts = messages_of(response)
    assert any(t.startswith("Belum Mendaftar: ") for t in texts)
    with translation.override("id"):
        rejected_label = str(S.REJECTED.label)
    assert any(t.startswith("Sudah Ditolak: ") and f"“{rejected_label}”" in t for t in texts), texts
    assert Listing.objects.get(outlet=rejected).state == S.REJECTED


def test_delist_action_requires_a_reason(admin_client):
    outlet = eligible_outlet()
    listing = listed(outlet)
    response = run_action(admin_client, OUTLETS, "delist_outlets", [outlet], apply="1", reason="")
    assert response.status_code == 200
    assert Listing.objects.get(pk=listing.pk).state == S.LISTED
    response = run_action(admin_client, OUTLETS, "delist_outlets", [outlet], apply="1", reason="Berhenti terbit")
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.state, listing.reason) == (S.DELISTED, "Berhenti terbit")


def test_sanction_action_shows_the_next_step_and_gives_it(admin_client):
    outlet = eligible_outlet(name="Kabar Bersanksi")
    listing = listed(outlet)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    response = run_action(admin_client, OUTLETS, "sanction_outlets", [outlet])
    until = add_months(timezone.localdate(), 6).strftime("%d-%m-%Y")
    with translation.override("id"):
        expected = gettext("second warning: suspended until %(date)s") % {"date": until}
    assert expected in response.content.decode()
    run_action(admin_client, OUTLETS, "sanction_outlets", [outlet], apply="1", reason="SP2: harga tidak wajar")
    listing.refresh_from_db()
    assert (listing.state, listing.suspension_cause, listing.sanction_level) == (
        S.SUSPENDED, SuspensionCause.SANCTION, 2)


def test_the_sanction_page_says_what_a_warning_does_to_a_staff_suspension_and_a_delisting(admin_client):
    held, delisting = eligible_outlet(name="Kabar Ditahan"), eligible_outlet(name="Kabar Dikeluarkan")
    lifecycle.suspend(listed(held), user=None, reason="Diperiksa")
    Listing.objects.filter(outlet=held).update(sanction_level=1)
    Listing.objects.filter(pk=listed(delisting).pk).update(sanction_level=2)
    today = timezone.localdate()
    response = run_action(admin_client, OUTLETS, "sanction_outlets", [held, delisting])
    html = response.content.decode()
    with translation.override("id"):
        assert escape(gettext(
            "second warning: the staff suspension stays; lifted before %(date)s, the outlet stays suspended "
            "until then") % {"date": add_months(today, 6).strftime("%d-%m-%Y")}) in html
        assert escape(gettext(
            "third warning: delisted; it may apply again from %(date)s and is never listed again automatically")
            % {"date": add_months(today, 12).strftime("%d-%m-%Y")}) in html


def test_lifting_a_staff_suspension_during_a_sanction_says_until_when_it_stays_suspended(admin_client):
    outlet = eligible_outlet(name="Kabar SP2")
    listing = listed(outlet)
    lifecycle.suspend(listing, user=None, reason="Diperiksa")
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    lifecycle.sanction(listing, user=None, reason="SP2")
    listing.refresh_from_db()
    with translation.override("id"):
        assert listing_summary(listing) == gettext("%(state)s; a sanction runs until %(date)s") % {
            "state": f"{S.SUSPENDED.label} ({SuspensionCause.STAFF.label})",
            "date": listing.sanction_ends_on.strftime("%d-%m-%Y")}
    response = run_action(admin_client, OUTLETS, "lift_suspensions", [outlet])
    listing.refresh_from_db()
    assert (listing.state, listing.suspension_cause) == (S.SUSPENDED, SuspensionCause.SANCTION)
    until = listing.sanction_ends_on.strftime("%d-%m-%Y")
    assert any(t.startswith("Kabar SP2") and until in t for t in messages_of(response))


def test_lift_action_lists_again_or_reports_why_not(admin_client):
    fine, lapsed = eligible_outlet(name="Kabar Baik"), eligible_outlet(name="Kabar Kedaluwarsa")
    for outlet in (fine, lapsed):
        lifecycle.suspend(listed(outlet), user=None, reason="Diperiksa")
    reject_kswp(lapsed)
    response = run_action(admin_client, OUTLETS, "lift_suspensions", [fine, lapsed])
    assert Listing.objects.get(outlet=fine).state == S.LISTED
    assert (Listing.objects.get(outlet=lapsed).suspension_cause) == SuspensionCause.ELIGIBILITY
    assert any(t.startswith("Kabar Kedaluwarsa") and "KSWP" in t for t in messages_of(response))


def test_listing_admin_runs_the_application_steps(admin_client, admin_user):
    outlet = MediaOutletFactory()
    listing = lifecycle.ensure_listing(outlet)
    run_action(admin_client, LISTINGS, "start_review", [listing])
    assert Listing.objects.get(pk=listing.pk).state == S.UNDER_REVIEW
    response = run_action(admin_client, LISTINGS, "reject_applications", [listing], apply="1",
                          reason="Belum terverifikasi")
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.state, listing.reason) == (S.REJECTED, "Belum terverifikasi")
    response = admin_client.get(reverse("admin:catalog_listing_change", args=[listing.pk]))
    assert response.status_code == 200 and "Belum terverifikasi" in response.content.decode()
    assert not response.context["has_change_permission"]


# --- permissions ---------------------------------------------------------------------------------


LISTING_ACTIONS = {"recheck_now", "list_outlets", "suspend_outlets", "delist_outlets", "sanction_outlets",
                   "lift_suspensions"}


def offered_actions(client, url) -> set:
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["action_form"]
    return {name for name, _label in form.fields["action"].choices} if form else set()


def test_staff_without_the_catalog_permissions_cannot_run_the_actions(client):
    editor = StaffUserFactory(permissions=["partners.view_mediaoutlet", "partners.change_mediaoutlet",
                                           "catalog.view_listing"])
    client.force_login(editor)
    outlet = eligible_outlet()
    listing = listed(outlet)
    assert not offered_actions(client, OUTLETS) & LISTING_ACTIONS
    reject_kswp(outlet)  # a re-check would now change the result and suspend the listing
    run_action(client, OUTLETS, "suspend_outlets", [outlet], apply="1", reason="Coba-coba")
    run_action(client, OUTLETS, "recheck_now", [outlet])
    assert Listing.objects.get(pk=listing.pk).state == S.LISTED
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
    assert client.post(reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk])).status_code == 403
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
    html = client.get(outlet_page(outlet)).content.decode()
    assert reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk]) not in html


def test_the_auditor_sees_everything_and_changes_nothing(client, auditor):
    client.force_login(auditor)
    outlet = eligible_outlet()
    listing = listed(outlet)
    assert not offered_actions(client, OUTLETS) & LISTING_ACTIONS
    assert not offered_actions(client, LISTINGS)
    assert client.get(outlet_page(outlet)).status_code == 200
    for name in ("listing", "listingtransition", "eligibilitychange", "recheckrun", "expiryreminder",
                 "staffsummary", "presscouncilimport", "presscouncilentry", "webranklist"):
        assert client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:catalog_listing_change", args=[listing.pk])).status_code == 200
    policy_page = client.get(reverse("admin:catalog_eligibilitypolicy_changelist"), follow=True)
    assert policy_page.status_code == 200 and not policy_page.context["has_change_permission"]

    run_action(client, OUTLETS, "delist_outlets", [outlet], apply="1", reason="Coba-coba")
    run_action(client, LISTINGS, "delist_outlets", [listing], apply="1", reason="Coba-coba")
    assert Listing.objects.get(pk=listing.pk).state == S.LISTED
    assert client.post(reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk])).status_code == 403
    policy = EligibilityPolicy.load()
    response = client.post(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]),
                           policy_form(web_rank_rule_enabled="on"))
    assert response.status_code == 403
    assert not EligibilityPolicy.load().web_rank_rule_enabled


def test_the_verifikator_decides_listings_but_not_the_policy(client, verifikator):
    client.force_login(verifikator)
    outlet = eligible_outlet()
    assert offered_actions(client, OUTLETS) >= LISTING_ACTIONS
    run_action(client, OUTLETS, "list_outlets", [outlet])
    listing = Listing.objects.get(outlet=outlet)
    assert listing.state == S.LISTED and listing.transitions.first().actor == verifikator
    assert client.post(reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk])).status_code == 302
    policy = EligibilityPolicy.load()
    response = client.post(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]),
                           policy_form(web_rank_rule_enabled="on"))
    assert response.status_code == 403
    assert not verifikator.has_perm("catalog.change_eligibilitypolicy")


# --- the eligibility policy ----------------------------------------------------------------------


def policy_form(**overrides):
    data = {
        "min_verification_level": "factual", "press_council_grace_days": "30", "kswp_window": "fiscal_year",
        "kswp_window_days": "365", "skf_max_age_months": "1", "require_annual_tax_return": "on",
        "web_rank_threshold": "1000000", "suspension_months": "6", "delisting_months": "12",
        "objection_days": "3", "reminder_days": "30,14,7", "staff_summary_emails": "",
        "kswp_grace_month": "3", "kswp_grace_day": "31", "tax_return_deadline_month": "4",
        "tax_return_deadline_day": "30", "tax_notice_month": "12", "tax_notice_day": "1",
        "tier_a_level": "factual", "tier_b_level": "administrative", "tier_c_requires_eligible": "on",
    }
    data.update(overrides)
    return data


def test_the_tax_calendar_days_are_set_in_the_policy_and_must_exist_every_year(admin_client):
    policy = EligibilityPolicy.load()
    url = reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk])
    refused = admin_client.post(url, policy_form(tax_return_deadline_month="4", tax_return_deadline_day="31"))
    assert refused.status_code == 200
    assert "tax_return_deadline_day" in refused.context["adminform"].form.errors
    accepted = admin_client.post(url, policy_form(kswp_grace_month="2", kswp_grace_day="28"))
    assert accepted.status_code == 302
    policy.refresh_from_db()
    assert (policy.kswp_grace_month, policy.kswp_grace_day) == (2, 28)


def test_the_policy_is_a_single_page_that_cannot_be_added_or_deleted(admin_client):
    EligibilityPolicy.objects.all().delete()
    response = admin_client.get(reverse("admin:catalog_eligibilitypolicy_changelist"))
    policy = EligibilityPolicy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk])
    assert admin_client.get(response["Location"]).status_code == 200
    assert admin_client.get(reverse("admin:catalog_eligibilitypolicy_add")).status_code == 403
    assert admin_client.post(reverse("admin:catalog_eligibilitypolicy_delete", args=[policy.pk]),
                             {"post": "yes"}).status_code == 403
    assert EligibilityPolicy.objects.count() == 1


def test_a_policy_change_takes_effect_on_the_next_recheck(admin_client):
    outlet = eligible_outlet()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
    policy = EligibilityPolicy.load()
    response = admin_client.post(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]),
                                 policy_form(web_rank_rule_enabled="on"))
    assert response.status_code == 302, response.context and response.context["errors"]
    with translation.override("id"):
        expected = gettext("The policy applies from the next re-check: tonight's, or “Re-check eligibility now” on "
                           "selected outlets.")
    assert expected in messages_of(response)
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible  # not until it is re-checked
    run_action(admin_client, OUTLETS, "recheck_now", [outlet])
    result = Eligibility.objects.get(pk=outlet.pk)
    assert (result.is_eligible, result.failing_codes) == (False, ",web_rank,")


def test_a_malformed_policy_value_is_explained_beside_the_field(admin_client):
    policy = EligibilityPolicy.load()
    response = admin_client.post(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]),
                                 policy_form(reminder_days="30,tiga"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reminder_days"]
    assert EligibilityPolicy.load().reminder_days == "30,14,7"


# --- the other catalog pages ---------------------------------------------------------------------


CATALOG_MODELS = [Listing, ListingTransition, EligibilityChange, RecheckRun, EligibilityPolicy, ExpiryReminder,
                  StaffSummary, PressCouncilImport, PressCouncilEntry, WebRankList]


def test_every_catalog_admin_skips_the_full_count_and_selects_shown_foreign_keys():
    for model in CATALOG_MODELS:
        model_admin = admin.site._registry[model]
        assert model_admin.show_full_result_count is False, model
    for model in (Listing, ListingTransition, EligibilityChange, ExpiryReminder, PressCouncilEntry):
        assert admin.site._registry[model].list_select_related, model


def make_history(n):
    for _ in range(n):
        outlet = MediaOutletFactory()
        listing = lifecycle.ensure_listing(outlet)
        lifecycle.reject(listing, user=None, reason="Belum lengkap")
        recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)


@pytest.mark.parametrize("model", [Listing, ListingTransition, EligibilityChange])
def test_catalog_lists_run_the_same_queries_for_1_and_30_rows(admin_client, model):
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
    make_history(1)
    one, _response = page_queries(admin_client, url)
    make_history(29)
    thirty, response = page_queries(admin_client, url)
    assert len(response.context["cl"].result_list) >= 30
    assert one == thirty, f"{model.__name__}: {one} queries for 1 row, {thirty} for 30"


def test_history_list_filters_by_outlet_trigger_and_failing_rule(admin_client):
    good, bare = eligible_outlet(), MediaOutletFactory()
    recheck_outlets([good.pk], trigger=Trigger.SCHEDULE)
    recheck_outlets([bare.pk], trigger=Trigger.IMPORT)
    url = reverse("admin:catalog_eligibilitychange_changelist")
    assert {c.outlet for c in shown(admin_client.get(f"{url}?outlet__id__exact={bare.pk}"))} == {bare}
    assert {c.outlet for c in shown(admin_client.get(f"{url}?trigger=import"))} == {bare}
    assert {c.outlet for c in shown(admin_client.get(f"{url}?failing=press_council"))} == {bare}
    assert {c.outlet for c in shown(admin_client.get(f"{url}?is_eligible__exact=1"))} == {good}
    assert {c.outlet for c in shown(admin_client.get(url, {"q": bare.name}))} == {bare}
    change = EligibilityChange.objects.get(outlet=bare)
    response = admin_client.get(reverse("admin:catalog_eligibilitychange_change", args=[change.pk]))
    assert response.status_code == 200 and html_has_reasons(response, change)


def html_has_reasons(response, change) -> bool:
    html = response.content.decode()
    return all(escape(o["reason"]["id"]) in html for o in change.outcomes)


def test_listing_list_search_and_filters(admin_client):
    kept, dropped = eligible_outlet(name="Kabar Tetap"), eligible_outlet(name="Warta Dicabut")
    listed(kept)
    lifecycle.delist(listed(dropped), user=None, reason="Berhenti terbit")
    assert {lst.outlet for lst in shown(admin_client.get(LISTINGS, {"q": "dicabut"}))} == {dropped}
    assert {lst.outlet for lst in shown(admin_client.get(f"{LISTINGS}?state__exact=listed"))} == {kept}
    assert admin_client.get(reverse("admin:catalog_listing_add")).status_code == 403


def test_read_only_pages_render_with_rows(admin_client):
    outlet = MediaOutletFactory()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    source = PressCouncilImport.objects.create(list_date=timezone.localdate(), file_name="dewan-pers.csv",
                                               sha256="0" * 64, rows_read=2, rows_matched=1, rows_skipped=1)
    PressCouncilEntry.objects.create(source=source, line_number=2, data={"nama": "x"}, outcome="matched",
                                     outlet=outlet)
    PressCouncilEntry.objects.create(source=source, line_number=3, data={"nama": ""}, outcome="skipped",
                                     problem="Nama media kosong")
    WebRankList.objects.create(list_id="LJL44", list_date=timezone.localdate(), rows_read=10)
    RecheckRun.objects.create(started_at=timezone.now(), trigger=Trigger.SCHEDULE)
    StaffSummary.objects.create(day=timezone.localdate(), outlet_count=3)
    from tests.factories import DocumentFactory

    ExpiryReminder.objects.create(document=DocumentFactory(expiring_soon=True), expiry_date=timezone.localdate(),
                                  days_before=7)
    for model in CATALOG_MODELS:
        response = admin_client.get(reverse(f"admin:catalog_{model._meta.model_name}_changelist"), follow=True)
        assert response.status_code == 200, model
    response = admin_client.get(reverse("admin:catalog_presscouncilimport_change", args=[source.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Nama media kosong" in html
    assert html.index("Nama media kosong") < html.index(outlet.name)  # the unusable rows first
    assert f"?source__id__exact={source.pk}" in html
    assert admin_client.get(reverse("admin:catalog_recheckrun_add")).status_code == 403
