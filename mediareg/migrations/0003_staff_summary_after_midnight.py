"""The daily staff summary moves from 23:45 (which left 23:45 to midnight out of every summary) to
06:00 for the day before. Only an entry still on the shipped default moves: a schedule or description
an administrator changed stays theirs. New databases get the new default after migrate
(mediareg.periodic)."""

from django.db import migrations
from django.utils import timezone

NAME, TASK = "send-staff-summary", "catalog.tasks.send_staff_summary"
OLD = {"minute": "45", "hour": "23", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
NEW = {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
OLD_DESCRIPTION = "E-mail staff the outlets suspended today (nothing is sent on a day without suspensions)."
NEW_DESCRIPTION = ("E-mail staff the outlets suspended since the previous summary, up to midnight (nothing is "
                   "sent when there were none).")
ZONE = "Asia/Jakarta"


def _move(apps, frm, to, frm_description, to_description):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    entry = PeriodicTask.objects.filter(name=NAME, task=TASK).select_related("crontab").first()
    if entry is None or entry.crontab is None:
        return
    crontab = entry.crontab
    if {key: getattr(crontab, key) for key in frm} != frm or str(crontab.timezone) != ZONE:
        return
    entry.crontab, _created = CrontabSchedule.objects.get_or_create(**to, timezone=ZONE)
    if entry.description == frm_description:
        entry.description = to_description
    entry.save(update_fields=["crontab", "description"])
    # What django-celery-beat's signals do on a save, so that a running beat reloads its schedule.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    _move(apps, OLD, NEW, OLD_DESCRIPTION, NEW_DESCRIPTION)


def backwards(apps, schema_editor):
    _move(apps, NEW, OLD, NEW_DESCRIPTION, OLD_DESCRIPTION)


class Migration(migrations.Migration):

    dependencies = [
        ("mediareg", "0002_dead_letters"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
