"""Nothing saved is lost or half-done because a side job failed: re-checks are queued after commit, a
refused broker never fails a saved write, and what could not be queued is marked for the sweep
(catalog.pending).

The broker is made to fail from outside, by kombu's publish refusing as it does when Redis is down;
everything between the write and the broker is the real code, against PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import datetime
from unittest import mock

import kombu.exceptions
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from catalog import pending
from catalog.models import (
    EligibilityChange,
    PendingRecheck,
    Trigger,
)
from catalog.signals import queue_recheck
from catalog.tasks import recheck_pending_outlets
from mediareg.celery import app as celery_app
from partners.models import Document, DocumentKind, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    StaffUserFactory,
)
from tests.test_apply import text_of

# --- outside failures ------------------------------------------------------------------------------

@contextlib.contextmanager
def broker_refusing():
    """Every publish fails the way kombu fails when Redis is down (after its own connection retries)."""
    refused = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("kombu.messaging.Producer.publish", side_effect=refused) as publish:
        yield publish


@pytest.fixture
def not_eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


def later(minutes: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)


# --- a refused broker after commit ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_failing_enqueue_never_reaches_the_write_that_asked_for_it(not_eager, django_capture_on_commit_callbacks):
    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)

    with broker_refusing(), django_capture_on_commit_callbacks(execute=True):
        from partners.services import documents_accept
        assert documents_accept(Document.objects.filter(pk=document.pk), by=StaffUserFactory()) == 1

    document.refresh_from_db()
    assert document.review_status == ReviewStatus.ACCEPTED
    assert PendingRecheck.objects.get().outlet_id == outlet.pk


# --- marks staff can see ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recheck_that_could_not_be_queued_is_marked_shown_to_staff_and_done_by_the_sweep(
        admin_client, not_eager, django_capture_on_commit_callbacks):
    outlet, other = eligible_outlet(name="Kabar Tertunda"), eligible_outlet(name="Kabar Lain")
    with broker_refusing(), django_capture_on_commit_callbacks(execute=True):
        queue_recheck([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW, actor="rina")

    page = admin_client.get(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk]))  # in Indonesian
    assert "Pemeriksaan ulang tertunda sejak" in text_of(page)
    assert "Pemeriksaan ulang tertunda" not in text_of(admin_client.get(
        reverse("admin:partners_mediaoutlet_change", args=[other.pk])))
    outlets = reverse("admin:partners_mediaoutlet_changelist")
    assert [o.pk for o in admin_client.get(outlets + "?recheck_pending=yes").context["cl"].result_list] == [outlet.pk]
    assert outlet.pk not in {o.pk for o in admin_client.get(outlets + "?recheck_pending=no").context["cl"].result_list}

    with later(minutes=3):
        assert recheck_pending_outlets.apply().result["checked"] == 1

    assert not PendingRecheck.objects.exists()
    change = EligibilityChange.objects.get(outlet=outlet)
    assert (change.trigger, change.actor, change.is_eligible) == (Trigger.DOCUMENT_REVIEW, "rina", True)
    assert not EligibilityChange.objects.filter(outlet=other).exists()


@pytest.mark.django_db
def test_any_recheck_of_the_outlet_clears_its_mark_but_not_a_request_it_has_not_read(admin_client):
    outlet = eligible_outlet()
    pending.mark([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)

    admin_client.post(reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk]))  # "re-check now"
    assert not PendingRecheck.objects.exists()

    pending.mark([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    first = PendingRecheck.objects.get()
    served = pending.read_marks([outlet.pk])        # a re-check reads the marks, then the facts ...
    pending.mark([outlet.pk], trigger=Trigger.STAFF)  # ... while another change commits and asks again
    pending.clear_served(served)
    renewed = PendingRecheck.objects.get()          # kept for the next re-check, still pending since the first
    assert (renewed.trigger, renewed.since) == (Trigger.STAFF, first.since) and renewed.token != first.token
