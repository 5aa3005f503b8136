"""The e-catalog listing lifecycle: every transition, each refused one with a message naming the state,
staff versus automatic suspension, the sanction ladder and its timed ends, reasons and actors."""

import datetime

import pytest
from django.utils import timezone, translation

from catalog import lifecycle
from catalog.eligibility import recheck_outlets
from catalog.models import (
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    Listing,
    ListingState,
    ListingTransition,
    SuspensionCause,
    Trigger,
)
from mediareg.dates import add_months
from partners.models import Document, DocumentKind, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]
DAY = datetime.timedelta(days=1)
S = ListingState


@pytest.fixture
def reviewer():
    return StaffUserFactory(username="rina.verifikator")


def fresh(listing):
    return Listing.objects.get(pk=listing.pk)


def listed_outlet(user):
    outlet = eligible_outlet()
    listing = lifecycle.approve(lifecycle.ensure_listing(outlet, user=user), user=user)
    assert fresh(listing).state == S.LISTED
    return outlet, listing


def reject_kswp(outlet):
    Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Buram, unggah ulang")


def accept_kswp(outlet):
    Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.ACCEPTED, rejection_reason="")


def last_transition(listing) -> ListingTransition:
    return ListingTransition.objects.filter(listing=listing).order_by("-created_at", "-pk").first()


def actions_of(listing) -> list[str]:
    return list(ListingTransition.objects.filter(listing=listing).order_by("created_at", "pk")
                .values_list("action", flat=True))


def eligibility_of(outlet) -> Eligibility:
    return Eligibility.objects.get(pk=outlet.pk)


# --- the way in ----------------------------------------------------------------------------------


def test_a_new_listing_starts_as_applied_and_the_application_is_recorded(reviewer):
    outlet = MediaOutletFactory()
    listing = lifecycle.ensure_listing(outlet, user=reviewer)
    assert (listing.state, listing.sanction_level) == (S.APPLIED, 0)
    transition = last_transition(listing)
    assert (transition.action, transition.from_state, transition.to_state) == ("apply", "", S.APPLIED)
    assert (transition.actor, transition.actor_label) == (reviewer, "rina.verifikator")
    assert lifecycle.ensure_listing(outlet) == listing  # a second call finds it, records nothing
    assert ListingTransition.objects.filter(listing=listing).count() == 1


def test_applied_under_review_listed_each_step_recorded_with_the_actor(reviewer):
    outlet = eligible_outlet()
    listing = lifecycle.ensure_listing(outlet)
    lifecycle.start_review(listing, user=reviewer)
    assert fresh(listing).state == S.UNDER_REVIEW
    listing = lifecycle.approve(listing, user=reviewer)
    assert (listing.state, listing.suspension_cause, listing.reason) == (S.LISTED, "", "")
    rows = list(ListingTransition.objects.filter(listing=listing).order_by("created_at", "pk")
                .values_list("action", "from_state", "to_state", "actor_label"))
    assert rows == [
        ("apply", "", S.APPLIED, "system"),
        ("start_review", S.APPLIED, S.UNDER_REVIEW, "rina.verifikator"),
        ("approve", S.UNDER_REVIEW, S.LISTED, "rina.verifikator"),
    ]
    assert last_transition(listing).actor == reviewer
    assert eligibility_of(outlet).is_eligible  # the approval checked it afresh


def test_approve_is_possible_straight_from_applied(reviewer):
    _outlet, listing = listed_outlet(reviewer)
    assert actions_of(listing) == ["apply", "approve"]


def test_approval_of_an_ineligible_outlet_is_refused_with_the_reasons_and_the_check_is_kept(reviewer):
    outlet = MediaOutletFactory(name="Warta Tanpa Dokumen")
    listing = lifecycle.ensure_listing(outlet)
    with translation.override("en"), pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.approve(listing, user=reviewer)
    message = refused.value.messages[0]
    assert refused.value.code == "not_eligible"
    assert message.startswith("The outlet is not eligible: ")
    assert "Dewan Pers" in message and "KSWP" in message and "NIB" in message
    assert fresh(listing).state == S.APPLIED
    assert actions_of(listing) == ["apply"]
    # The fresh check is not rolled back with the refused approval: staff see why in the result and history.
    result = eligibility_of(outlet)
    assert not result.is_eligible and "press_council" in result.failing_rule_codes
    change = EligibilityChange.objects.get(outlet=outlet)
    assert (change.trigger, change.actor) == (Trigger.STAFF, "rina.verifikator")


def test_rejection_needs_a_reason_and_keeps_it(reviewer):
    listing = lifecycle.ensure_listing(MediaOutletFactory())
    for blank in ("", "   "):
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.reject(listing, user=reviewer, reason=blank)
        assert refused.value.code == "reason_required"
    assert fresh(listing).state == S.APPLIED
    lifecycle.start_review(listing, user=reviewer)
    listing = lifecycle.reject(listing, user=reviewer, reason="  Bukan perusahaan pers.  ")
    assert (listing.state, listing.reason) == (S.REJECTED, "Bukan perusahaan pers.")
    transition = last_transition(listing)
    assert (transition.action, transition.from_state, transition.reason) == (
        "reject", S.UNDER_REVIEW, "Bukan perusahaan pers.")


# --- refused transitions -------------------------------------------------------------------------


def listing_in(state, cause="", ends=None, level=0):
    return Listing.objects.create(outlet=MediaOutletFactory(), state=state, suspension_cause=cause,
                                  sanction_ends_on=ends, sanction_level=level, state_since=timezone.now())


LATER = datetime.date.today() + datetime.timedelta(days=100)

REFUSED = [
    # (what is attempted, how the listing stands, the verb in the message)
    ("start_review", dict(state=S.UNDER_REVIEW), "start the review"),
    ("start_review", dict(state=S.LISTED), "start the review"),
    ("approve", dict(state=S.LISTED), "list the outlet"),
    ("approve", dict(state=S.REJECTED), "list the outlet"),
    ("approve", dict(state=S.SUSPENDED, cause=SuspensionCause.ELIGIBILITY), "list the outlet"),
    ("approve", dict(state=S.DELISTED), "list the outlet"),
    ("approve", dict(state=S.REVOKED), "list the outlet"),
    ("reject", dict(state=S.LISTED), "reject the application"),
    ("reject", dict(state=S.REJECTED), "reject the application"),
    ("suspend", dict(state=S.APPLIED), "suspend"),
    ("suspend", dict(state=S.SUSPENDED, cause=SuspensionCause.STAFF), "suspend"),
    ("suspend", dict(state=S.SUSPENDED, cause=SuspensionCause.SANCTION, ends=LATER, level=2), "suspend"),
    ("suspend", dict(state=S.DELISTED), "suspend"),
    ("lift_suspension", dict(state=S.LISTED), "lift the suspension"),
    ("lift_suspension", dict(state=S.SUSPENDED, cause=SuspensionCause.ELIGIBILITY), "lift the suspension"),
    ("lift_suspension", dict(state=S.SUSPENDED, cause=SuspensionCause.SANCTION, ends=LATER, level=2),
     "lift the suspension"),
    ("delist", dict(state=S.APPLIED), "delist"),
    ("delist", dict(state=S.REJECTED), "delist"),
    ("delist", dict(state=S.DELISTED), "delist"),
    ("delist", dict(state=S.REVOKED), "delist"),
    ("sanction", dict(state=S.APPLIED), "give a sanction"),
    ("sanction", dict(state=S.REJECTED), "give a sanction"),
    ("sanction", dict(state=S.DELISTED, level=1), "give a sanction"),
    ("sanction", dict(state=S.REVOKED, level=3), "give a sanction"),
    ("revoke", dict(state=S.APPLIED), "revoke"),
    ("revoke", dict(state=S.REVOKED), "revoke"),
    ("reapply", dict(state=S.LISTED), "apply again"),
    ("reapply", dict(state=S.APPLIED), "apply again"),
    ("reapply", dict(state=S.REVOKED), "apply again"),
    ("reapply", dict(state=S.DELISTED, ends=LATER, level=3), "apply again"),
]


@pytest.mark.parametrize(("attempt", "standing", "verb"), REFUSED,
                         ids=[f"{a}-from-{s['state']}-{s.get('cause', '')}" for a, s, _v in REFUSED])
def test_impossible_transitions_are_refused_with_a_message_naming_the_state(reviewer, attempt, standing, verb):
    listing = listing_in(**standing)
    before = Listing.objects.values().get(pk=listing.pk)
    kwargs = {"user": reviewer}
    if attempt in ("reject", "suspend", "delist", "sanction", "revoke"):
        kwargs["reason"] = "Alasan yang cukup jelas"
    with translation.override("en"), pytest.raises(lifecycle.TransitionRefused) as refused:
        getattr(lifecycle, attempt)(listing, **kwargs)
    with translation.override("en"):
        label = str(ListingState(standing["state"]).label)
    assert refused.value.code == "transition_refused"
    assert refused.value.messages == [f"Cannot {verb}: the outlet's listing is “{label}”."]
    assert Listing.objects.values().get(pk=listing.pk) == before
    assert not ListingTransition.objects.filter(listing=listing).exists()


@pytest.mark.parametrize("attempt", ["reject", "suspend", "delist", "sanction", "revoke"])
def test_decisions_against_an_outlet_need_a_reason(reviewer, attempt):
    _outlet, listing = listed_outlet(reviewer)
    if attempt == "reject":
        listing = lifecycle.ensure_listing(MediaOutletFactory())
    before = Listing.objects.values().get(pk=listing.pk)
    transitions = ListingTransition.objects.count()
    for blank in ("", " \n "):
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            getattr(lifecycle, attempt)(listing, user=reviewer, reason=blank)
        assert refused.value.code == "reason_required"
    assert Listing.objects.values().get(pk=listing.pk) == before
    assert ListingTransition.objects.count() == transitions


# --- suspension: automatic versus staff ----------------------------------------------------------


def test_lost_eligibility_suspends_automatically_and_its_return_reinstates(reviewer):
    outlet, listing = listed_outlet(reviewer)
    reject_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    listing = fresh(listing)
    assert (listing.state, listing.suspension_cause) == (S.SUSPENDED, SuspensionCause.ELIGIBILITY)
    assert "KSWP" in listing.reason
    suspended = last_transition(listing)
    assert (suspended.action, suspended.actor, suspended.actor_label) == (
        "auto_suspend", None, "system:document_review")
    assert suspended.reason == listing.reason

    accept_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    listing = fresh(listing)
    assert (listing.state, listing.suspension_cause, listing.reason) == (S.LISTED, "", "")
    assert (last_transition(listing).action, last_transition(listing).actor_label) == (
        "auto_reinstate", "system:schedule")


def test_the_automatic_suspension_reason_is_stored_in_the_site_language(reviewer):
    outlet, listing = listed_outlet(reviewer)
    reject_kswp(outlet)
    with translation.override("en"):  # a re-check started from an English session
        recheck_outlets([outlet.pk], trigger=Trigger.STAFF)
    failing = [o for o in eligibility_of(outlet).outcomes if not o["passed"]]
    assert fresh(listing).reason == failing[0]["reason"]["id"]


def test_a_staff_suspension_holds_whatever_eligibility_does(reviewer):
    outlet, listing = listed_outlet(reviewer)
    listing = lifecycle.suspend(listing, user=reviewer, reason="Pemberitaan sedang diperiksa")
    assert (listing.state, listing.suspension_cause, listing.reason) == (
        S.SUSPENDED, SuspensionCause.STAFF, "Pemberitaan sedang diperiksa")
    transition = last_transition(listing)
    assert (transition.action, transition.actor, transition.reason) == (
        "suspend", reviewer, "Pemberitaan sedang diperiksa")
    # The result says why the outlet is out: the staff rule fails, nothing else.
    assert eligibility_of(outlet).failing_codes == ",not_suspended_by_staff,"
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert fresh(listing).suspension_cause == SuspensionCause.STAFF


def test_staff_can_take_over_an_automatic_suspension_and_it_then_holds(reviewer):
    outlet, listing = listed_outlet(reviewer)
    reject_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    lifecycle.suspend(listing, user=reviewer, reason="Dokumen palsu dilaporkan")
    accept_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    listing = fresh(listing)
    assert (listing.state, listing.suspension_cause) == (S.SUSPENDED, SuspensionCause.STAFF)


def test_lifting_a_staff_suspension_lists_an_eligible_outlet_again(reviewer):
    outlet, listing = listed_outlet(reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Diperiksa")
    listing = lifecycle.lift_suspension(listing, user=reviewer, reason="Pemeriksaan selesai")
    assert (listing.state, listing.suspension_cause) == (S.LISTED, "")
    assert eligibility_of(outlet).is_eligible
    transition = last_transition(listing)
    assert (transition.action, transition.from_state, transition.to_state, transition.reason) == (
        "lift_suspension", S.SUSPENDED, S.LISTED, "Pemeriksaan selesai")


def test_lifting_a_staff_suspension_of_an_ineligible_outlet_leaves_it_suspended_for_eligibility(reviewer):
    outlet, listing = listed_outlet(reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Diperiksa")
    reject_kswp(outlet)
    listing = lifecycle.lift_suspension(listing, user=reviewer)
    assert (listing.state, listing.suspension_cause) == (S.SUSPENDED, SuspensionCause.ELIGIBILITY)
    assert "KSWP" in listing.reason
    assert actions_of(listing)[-2:] == ["lift_suspension", "auto_suspend"]
    assert eligibility_of(outlet).failing_codes == ",tax_status,"
    # And it comes back by itself once the document is in order.
    accept_kswp(outlet)
    recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    assert fresh(listing).state == S.LISTED


# --- delisting, revocation, applying again -------------------------------------------------------


@pytest.mark.parametrize("suspended_first", [False, True])
def test_staff_delist_a_listed_or_suspended_outlet(reviewer, suspended_first):
    outlet, listing = listed_outlet(reviewer)
    if suspended_first:
        lifecycle.suspend(listing, user=reviewer, reason="Diperiksa")
    listing = lifecycle.delist(listing, user=reviewer, reason="Berhenti terbit")
    assert (listing.state, listing.suspension_cause, listing.sanction_ends_on, listing.reason) == (
        S.DELISTED, "", None, "Berhenti terbit")
    transition = last_transition(listing)
    assert (transition.action, transition.to_state, transition.actor, transition.reason) == (
        "delist", S.DELISTED, reviewer, "Berhenti terbit")
    assert "not_suspended_by_staff" in eligibility_of(outlet).failing_rule_codes


def test_a_delisted_outlet_applies_again_and_can_be_listed(reviewer):
    outlet, listing = listed_outlet(reviewer)
    lifecycle.delist(listing, user=reviewer, reason="Berhenti terbit")
    listing = lifecycle.reapply(listing, actor="public:application")
    assert listing.state == S.APPLIED
    assert (last_transition(listing).action, last_transition(listing).actor_label) == (
        "reapply", "public:application")
    assert eligibility_of(outlet).is_eligible  # the delisting no longer holds it out
    assert lifecycle.approve(listing, user=reviewer).state == S.LISTED


def test_a_rejected_outlet_applies_again(reviewer):
    listing = lifecycle.ensure_listing(MediaOutletFactory())
    lifecycle.reject(listing, user=reviewer, reason="Belum terverifikasi Dewan Pers")
    assert lifecycle.reapply(listing).state == S.APPLIED


def test_revocation_is_final(reviewer):
    outlet, listing = listed_outlet(reviewer)
    listing = lifecycle.revoke(listing, user=reviewer, reason="Pemalsuan dokumen")
    assert listing.state == S.REVOKED
    assert "not_suspended_by_staff" in eligibility_of(outlet).failing_rule_codes
    for attempt in (lifecycle.reapply, lifecycle.approve):
        with pytest.raises(lifecycle.TransitionRefused):
            attempt(listing, user=reviewer)


# --- the sanction ladder -------------------------------------------------------------------------


def test_the_sanction_ladder_warning_suspension_delisting_revocation(reviewer):
    outlet, listing = listed_outlet(reviewer)
    day = datetime.date(2026, 3, 31)

    listing = lifecycle.sanction(listing, user=reviewer, reason="Harga tidak wajar", today=day)
    assert (listing.state, listing.sanction_level, listing.sanction_ends_on) == (S.LISTED, 1, None)
    warning = last_transition(listing)
    assert (warning.action, warning.from_state, warning.to_state, warning.actor, warning.reason) == (
        "warning_1", S.LISTED, S.LISTED, reviewer, "Harga tidak wajar")

    listing = lifecycle.sanction(listing, user=reviewer, reason="Harga tidak wajar lagi", today=day)
    assert (listing.state, listing.suspension_cause, listing.sanction_level) == (
        S.SUSPENDED, SuspensionCause.SANCTION, 2)
    assert listing.sanction_ends_on == datetime.date(2026, 9, 30)  # six months, clamped to the month's end
    assert last_transition(listing).action == "warning_2_suspension"
    assert "not_suspended_by_staff" in eligibility_of(outlet).failing_rule_codes
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert fresh(listing).suspension_cause == SuspensionCause.SANCTION  # not reinstated by eligibility

    listing = lifecycle.sanction(listing, user=reviewer, reason="Pelanggaran ketiga", today=day)
    assert (listing.state, listing.suspension_cause, listing.sanction_level, listing.sanction_ends_on) == (
        S.DELISTED, "", 3, datetime.date(2027, 3, 31))
    assert last_transition(listing).action == "warning_3_delisting"

    # A further breach while delisted revokes the outlet.
    listing = lifecycle.sanction(listing, user=reviewer, reason="Perbuatan yang dilarang", today=day)
    assert (listing.state, listing.sanction_level, listing.sanction_ends_on) == (S.REVOKED, 3, None)
    assert last_transition(listing).action == "revoke"
    assert actions_of(listing) == ["apply", "approve", "warning_1", "warning_2_suspension",
                                   "warning_3_delisting", "revoke"]


def test_the_sanction_periods_come_from_the_policy(reviewer):
    EligibilityPolicy.objects.filter(pk=EligibilityPolicy.load().pk).update(suspension_months=3,
                                                                            delisting_months=24)
    _outlet, listing = listed_outlet(reviewer)
    day = datetime.date(2026, 1, 15)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP2", today=day)
    assert listing.sanction_ends_on == datetime.date(2026, 4, 15)
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP3", today=day)
    assert listing.sanction_ends_on == datetime.date(2028, 1, 15)


def test_a_fourth_sanction_after_the_delisting_ended_revokes(reviewer):
    _outlet, listing = listed_outlet(reviewer)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=3)
    listing = lifecycle.sanction(listing, user=reviewer, reason="Pelanggaran keempat")
    assert listing.state == S.REVOKED


def test_a_suspension_sanction_ends_by_itself_on_its_end_date(reviewer):
    outlet, listing = listed_outlet(reviewer)
    today = timezone.localdate()
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP2", today=add_months(today, -6))
    ends = listing.sanction_ends_on
    assert ends <= today

    assert lifecycle.end_timed_sanctions(ends - DAY) == 0
    assert fresh(listing).state == S.SUSPENDED
    assert lifecycle.end_timed_sanctions(ends) == 1
    listing = fresh(listing)
    assert (listing.state, listing.suspension_cause, listing.sanction_ends_on, listing.sanction_level) == (
        S.LISTED, "", None, 2)  # the warnings given stay on record
    ended = last_transition(listing)
    assert (ended.action, ended.actor, ended.actor_label) == ("sanction_ended", None, "system:sanctions")
    assert eligibility_of(outlet).is_eligible
    assert lifecycle.end_timed_sanctions(ends) == 0  # idempotent


def test_the_end_of_a_delisting_lets_the_outlet_apply_again_and_never_lists_it_by_itself(reviewer):
    outlet, listing = listed_outlet(reviewer)
    day = datetime.date(2026, 2, 10)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=2)
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP3", today=day)
    ends = listing.sanction_ends_on
    assert (listing.state, ends) == (S.DELISTED, datetime.date(2027, 2, 10))

    assert lifecycle.end_timed_sanctions(ends) == 1
    listing = fresh(listing)
    assert (listing.state, listing.sanction_ends_on, listing.reason) == (S.DELISTED, None, "SP3")
    ended = last_transition(listing)
    assert (ended.action, ended.from_state, ended.to_state, ended.actor_label) == (
        "sanction_ended", S.DELISTED, S.DELISTED, "system:sanctions")
    assert "not_suspended_by_staff" in eligibility_of(outlet).failing_rule_codes  # eligible otherwise
    assert lifecycle.end_timed_sanctions(ends + 400 * DAY) == 0  # nothing left to end: still delisted
    assert fresh(listing).state == S.DELISTED

    listing = lifecycle.reapply(listing, actor="public:application", today=ends)
    assert listing.state == S.APPLIED
    assert lifecycle.approve(listing, user=reviewer).state == S.LISTED  # after a new review only


# --- a sanction given while staff hold the outlet suspended ----------------------------------------


def staff_suspended_with_second_warning(reviewer, day):
    outlet, listing = listed_outlet(reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Diperiksa Dewan Pers")
    Listing.objects.filter(pk=listing.pk).update(sanction_level=1)
    return outlet, lifecycle.sanction(listing, user=reviewer, reason="SP2: harga tidak wajar", today=day)


def test_a_second_warning_keeps_an_indefinite_staff_suspension_and_runs_its_period_alongside(reviewer):
    day = datetime.date(2026, 3, 31)
    outlet, listing = staff_suspended_with_second_warning(reviewer, day)
    assert (listing.state, listing.suspension_cause, listing.sanction_level, listing.sanction_ends_on,
            listing.reason) == (S.SUSPENDED, SuspensionCause.STAFF, 2, datetime.date(2026, 9, 30),
                                "Diperiksa Dewan Pers")
    warning = last_transition(listing)
    assert (warning.action, warning.from_state, warning.to_state, warning.reason) == (
        "warning_2_suspension", S.SUSPENDED, S.SUSPENDED, "SP2: harga tidak wajar")

    # The sanction period ending does not end the staff suspension.
    assert lifecycle.end_timed_sanctions(datetime.date(2026, 9, 30)) == 1
    listing = fresh(listing)
    assert (listing.state, listing.suspension_cause, listing.sanction_ends_on) == (
        S.SUSPENDED, SuspensionCause.STAFF, None)
    assert last_transition(listing).action == "sanction_ended"
    assert lifecycle.lift_suspension(listing, user=reviewer, today=datetime.date(2026, 10, 1)).state == S.LISTED


def test_lifting_the_staff_suspension_before_the_sanction_period_ends_leaves_the_rest_of_it(reviewer):
    outlet, listing = staff_suspended_with_second_warning(reviewer, datetime.date(2026, 3, 31))
    listing = lifecycle.lift_suspension(listing, user=reviewer, reason="Pemeriksaan selesai",
                                        today=datetime.date(2026, 5, 2))
    assert (listing.state, listing.suspension_cause, listing.sanction_ends_on) == (
        S.SUSPENDED, SuspensionCause.SANCTION, datetime.date(2026, 9, 30))
    assert "not_suspended_by_staff" in eligibility_of(outlet).failing_rule_codes
    assert lifecycle.end_timed_sanctions(datetime.date(2026, 9, 30)) == 1
    assert fresh(listing).state == S.LISTED
    assert actions_of(listing)[-3:] == ["warning_2_suspension", "lift_suspension", "sanction_ended"]


def test_a_third_warning_delists_a_staff_suspended_outlet(reviewer):
    _outlet, listing = staff_suspended_with_second_warning(reviewer, datetime.date(2026, 3, 31))
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP3", today=datetime.date(2026, 4, 1))
    assert (listing.state, listing.suspension_cause, listing.sanction_ends_on) == (
        S.DELISTED, "", datetime.date(2027, 4, 1))


def test_a_staff_delisting_has_no_end_and_is_not_ended_by_the_job(reviewer):
    _outlet, listing = listed_outlet(reviewer)
    lifecycle.delist(listing, user=reviewer, reason="Berhenti terbit")
    assert lifecycle.end_timed_sanctions(timezone.localdate() + 1000 * DAY) == 0
    assert fresh(listing).state == S.DELISTED


def test_reapplying_waits_for_the_end_of_a_delisting_sanction(reviewer):
    _outlet, listing = listed_outlet(reviewer)
    Listing.objects.filter(pk=listing.pk).update(sanction_level=2)
    listing = lifecycle.sanction(listing, user=reviewer, reason="SP3", today=datetime.date(2026, 5, 10))
    ends = listing.sanction_ends_on
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.reapply(listing, today=ends - DAY)
    assert lifecycle.reapply(listing, today=ends).state == S.APPLIED
