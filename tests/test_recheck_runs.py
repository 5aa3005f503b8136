"""The nightly re-check of every outlet runs once per day and trigger, and counts each range once,
however often beat fires or the broker delivers (docs/architecture.md "Jobs"). The fan-out
queues its range tasks on the real broker, where the tests read them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from catalog.models import EligibilityChange, RecheckRange, RecheckRun, Trigger
from catalog.tasks import RANGE_SIZE, recheck_all_outlets, recheck_outlet_range
from partners.models import MediaOutlet
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory

pytestmark = pytest.mark.django_db
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
NIGHT = datetime.datetime(2026, 6, 10, 1, 0, tzinfo=JAKARTA)


@pytest.fixture
def night():
    with time_machine.travel(NIGHT, tick=True):
        yield


@pytest.fixture
def three_ranges(night):
    """Outlets whose ids span three ranges (ids far apart, as after deletions)."""
    first = eligible_outlet()
    MediaOutletFactory(id=first.pk + RANGE_SIZE)
    MediaOutletFactory(id=first.pk + 2 * RANGE_SIZE)
    return first.pk


def range_messages(broker):  # noqa: F811 (the broker fixture's value)
    return sorted(tuple(m["args"][:2]) for m in broker.messages() if m["task"].endswith("recheck_outlet_range"))


def test_a_second_trigger_the_same_day_fans_out_nothing(broker, three_ranges):  # noqa: F811
    first = three_ranges
    assert recheck_all_outlets.apply(task_id="beat-1").result == 3
    queued = range_messages(broker)
    assert queued == [(first, first + RANGE_SIZE - 1), (first + RANGE_SIZE, first + 2 * RANGE_SIZE - 1),
                      (first + 2 * RANGE_SIZE, first + 2 * RANGE_SIZE)]

    # Minutes later, once the first run's lock is gone: a second beat, or "run now" in the admin.
    assert recheck_all_outlets.apply(task_id="beat-2").result == "already ran"
    assert range_messages(broker) == queued
    (run,) = RecheckRun.objects.all()
    assert (run.day, run.trigger, run.batches, run.task_id) == (NIGHT.date(), Trigger.SCHEDULE, 3, "beat-1")

    # Another trigger is its own run; the next night is a new one.
    assert recheck_all_outlets.apply(args=[Trigger.STAFF], task_id="staff-1").result == 3
    with time_machine.travel(NIGHT + datetime.timedelta(days=1), tick=True):
        assert recheck_all_outlets.apply(task_id="beat-3").result == 3
    assert RecheckRun.objects.count() == 3


def test_the_redelivered_fan_out_queues_only_the_ranges_not_done(broker, three_ranges):  # noqa: F811
    first = three_ranges
    recheck_all_outlets.apply(task_id="beat-1")
    run = RecheckRun.objects.get()
    recheck_outlet_range.apply(args=(first, first + RANGE_SIZE - 1, run.pk, Trigger.SCHEDULE))
    broker.purge()

    # The worker died while queueing: the same message comes back.
    assert recheck_all_outlets.apply(task_id="beat-1").result == 2
    assert [low for low, _high in range_messages(broker)] == [first + RANGE_SIZE, first + 2 * RANGE_SIZE]
    assert RecheckRun.objects.count() == 1 and RecheckRange.objects.count() == 3


def test_a_range_delivered_twice_is_counted_once(broker, three_ranges):  # noqa: F811
    first = three_ranges
    recheck_all_outlets.apply(task_id="beat-1")
    run = RecheckRun.objects.get()
    messages = broker.messages()
    assert len(messages) == 3

    for message in [messages[0], *messages]:  # the first range twice: a redelivery after a lost worker
        result = recheck_outlet_range.apply(args=message["args"], task_id=message["id"]).result
        assert result["checked"] == 1

    run.refresh_from_db()
    assert (run.batches, run.batches_done, run.outlets_checked) == (3, 3, MediaOutlet.objects.count())
    assert run.outlets_changed == EligibilityChange.objects.count() == 3  # each outlet's first result
    assert run.finished_at is not None
    counted = RecheckRange.objects.get(run=run, first_id=first)
    assert (counted.outlets_checked, counted.outlets_changed) == (1, 1) and counted.finished_at


def test_the_run_page_shows_its_ranges(admin_client, broker, three_ranges):  # noqa: F811
    recheck_all_outlets.apply(task_id="beat-1")
    run = RecheckRun.objects.get()
    response = admin_client.get(reverse("admin:catalog_recheckrun_change", args=[run.pk]))
    assert response.status_code == 200
    ranges = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is RecheckRange)
    assert len(ranges.formset.forms) == 3
