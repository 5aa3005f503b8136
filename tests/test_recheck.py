"""Re-checking eligibility: results, history written only on change, point-in-time answers, the
listing following eligibility, and a query count that grows with batches, not outlets."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import lifecycle
from catalog.eligibility import eligibility_on, recheck_outlets
from catalog.models import Eligibility, EligibilityChange, Listing, ListingState, SuspensionCause, Trigger
from partners.models import Document, DocumentKind, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]
DAY = datetime.timedelta(days=1)


def test_eligible_and_ineligible_outlets_get_their_result_and_reasons():
    good, bare = eligible_outlet(), MediaOutletFactory()
    summary = recheck_outlets([good.pk, bare.pk], trigger=Trigger.STAFF)
    assert summary.checked == 2 and summary.changed == 2
    assert Eligibility.objects.get(pk=good.pk).is_eligible
    bare_result = Eligibility.objects.get(pk=bare.pk)
    assert not bare_result.is_eligible
    assert set(bare_result.failing_rule_codes) >= {"press_council", "tax_status", "legal_documents"}
    failing = [o for o in bare_result.outcomes if not o["passed"]]
    assert all(o["reason"]["id"] and o["reason"]["en"] for o in failing)


def test_history_is_written_only_when_the_result_changes():
    outlet = eligible_outlet()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert EligibilityChange.objects.filter(outlet=outlet).count() == 1

    Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Bukan KSWP perusahaan ini")
    summary = recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    assert summary.changed == 1
    latest = EligibilityChange.objects.filter(outlet=outlet).first()
    assert (latest.is_eligible, latest.trigger, latest.failing_codes) == (False, "document_review", ",tax_status,")
    assert len(latest.outcomes) == 8
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert EligibilityChange.objects.filter(outlet=outlet).count() == 2


def test_eligibility_on_a_past_date_comes_from_the_history():
    outlet = eligible_outlet()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    first = EligibilityChange.objects.get(outlet=outlet)
    EligibilityChange.objects.filter(pk=first.pk).update(created_at=timezone.now() - 10 * DAY)
    Document.objects.filter(company=outlet.company, kind=DocumentKind.NIB).delete()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)

    today = timezone.localdate()
    assert eligibility_on(outlet.pk, today - 11 * DAY).eligible is False  # not evaluated yet then
    then = eligibility_on(outlet.pk, today - 5 * DAY)
    assert then.eligible is True and then.trigger == "schedule"
    now = eligibility_on(outlet.pk, today)
    assert now.eligible is False
    assert [o["code"] for o in now.failing] == ["legal_documents"]
    assert "NIB" in now.failing[0]["reason"]["en"]


def test_listed_outlet_is_suspended_when_eligibility_is_lost_and_reinstated_when_it_returns():
    outlet = eligible_outlet()
    reviewer = StaffUserFactory()
    listing = lifecycle.ensure_listing(outlet)
    lifecycle.approve(listing, user=reviewer)
    assert Listing.objects.get(pk=listing.pk).state == ListingState.LISTED

    kswp = Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP)
    kswp.update(review_status=ReviewStatus.REJECTED, rejection_reason="Buram")
    summary = recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    listing.refresh_from_db()
    assert summary.suspended == 1
    assert (listing.state, listing.suspension_cause) == (ListingState.SUSPENDED, SuspensionCause.ELIGIBILITY)
    assert "KSWP" in listing.reason
    transition = listing.transitions.first()
    assert (transition.action, transition.actor_label) == ("auto_suspend", "system:document_review")

    kswp.update(review_status=ReviewStatus.ACCEPTED, rejection_reason="")
    assert recheck_outlets([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW).reinstated == 1
    listing.refresh_from_db()
    assert listing.state == ListingState.LISTED


def test_staff_suspension_is_not_lifted_by_eligibility():
    outlet = eligible_outlet()
    reviewer = StaffUserFactory()
    listing = lifecycle.approve(lifecycle.ensure_listing(outlet), user=reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Pemberitaan bermasalah, sedang diperiksa")
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    listing.refresh_from_db()
    assert (listing.state, listing.suspension_cause) == (ListingState.SUSPENDED, SuspensionCause.STAFF)
    assert not Eligibility.objects.get(pk=outlet.pk).is_eligible


def test_query_count_grows_with_batches_not_outlets():
    outlets = [eligible_outlet() for _ in range(3)]
    recheck_outlets([o.pk for o in outlets], trigger=Trigger.SCHEDULE)  # results exist now
    with CaptureQueriesContext(connection) as few:
        recheck_outlets([o.pk for o in outlets], trigger=Trigger.SCHEDULE)
    outlets += [eligible_outlet() for _ in range(27)]
    recheck_outlets([o.pk for o in outlets], trigger=Trigger.SCHEDULE)
    with CaptureQueriesContext(connection) as many:
        recheck_outlets([o.pk for o in outlets], trigger=Trigger.SCHEDULE)
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as batched:
        recheck_outlets([o.pk for o in outlets], trigger=Trigger.SCHEDULE, batch_size=10)
    assert len(batched) == 3 * (len(few) - 1) + 1  # the same statements per batch; the policy is read once
