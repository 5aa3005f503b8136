"""The periodic jobs' schedules live in the database (django-celery-beat): shipped defaults are created
after migrate when missing, and a changed default moves only entries nobody changed."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

from mediareg.periodic import DEFAULT_JOBS, ensure_periodic_tasks

pytestmark = pytest.mark.django_db
summary_migration = importlib.import_module("mediareg.migrations.0003_staff_summary_after_midnight")


def staff_summary() -> PeriodicTask:
    return PeriodicTask.objects.select_related("crontab").get(name="send-staff-summary")


def schedule(minute, hour) -> CrontabSchedule:
    return CrontabSchedule.objects.get_or_create(minute=minute, hour=hour, day_of_week="*", day_of_month="*",
                                                 month_of_year="*", timezone="Asia/Jakarta")[0]


def at(task: PeriodicTask) -> tuple[str, str]:
    return task.crontab.minute, task.crontab.hour


def test_a_new_database_gets_the_staff_summary_after_midnight():
    PeriodicTask.objects.all().delete()
    assert ensure_periodic_tasks() == len(DEFAULT_JOBS)
    assert at(staff_summary()) == ("0", "6")


def test_an_entry_on_the_old_shipped_default_moves_after_midnight():
    PeriodicTask.objects.filter(name="send-staff-summary").update(
        crontab=schedule("45", "23"), description=summary_migration.OLD_DESCRIPTION)
    changed_before = PeriodicTasks.last_change()

    summary_migration.forwards(apps, None)

    task = staff_summary()
    assert at(task) == ("0", "6") and str(task.crontab.timezone) == "Asia/Jakarta"
    assert task.description == summary_migration.NEW_DESCRIPTION
    assert PeriodicTasks.last_change() != changed_before  # a running beat reloads its schedule
    summary_migration.backwards(apps, None)
    assert at(staff_summary()) == ("45", "23")


def test_an_entry_an_administrator_changed_stays_theirs():
    PeriodicTask.objects.filter(name="send-staff-summary").update(crontab=schedule("30", "22"),
                                                                  description="Ringkasan malam")
    summary_migration.forwards(apps, None)
    assert (at(staff_summary()), staff_summary().description) == (("30", "22"), "Ringkasan malam")


def test_an_administrators_own_description_is_kept_when_the_schedule_moves():
    PeriodicTask.objects.filter(name="send-staff-summary").update(crontab=schedule("45", "23"),
                                                                  description="Ringkasan untuk kepala dinas")
    summary_migration.forwards(apps, None)
    assert (at(staff_summary()), staff_summary().description) == (("0", "6"), "Ringkasan untuk kepala dinas")
