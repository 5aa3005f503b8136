"""The periodic jobs MediaReg ships with, installed into django-celery-beat's tables.

Beat reads its schedule from the database, so administrators see and change it in the admin
(Periodic tasks). Defaults are only created when missing: a deploy or a migration never undoes a
change an administrator made to an existing entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    minute: str
    hour: str
    description: str
    day_of_week: str = "*"


DEFAULT_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        name="recheck-expired-documents",
        task="catalog.tasks.recheck_expired_documents",
        minute="15",
        hour="0",
        description=_("Re-check the outlets whose documents expired yesterday (trigger: document expiry)."),
    ),
    PeriodicJob(
        name="end-timed-sanctions",
        task="catalog.tasks.end_timed_sanctions",
        minute="30",
        hour="0",
        description=_("End sanction periods that are over: suspended outlets are listed again if eligible, "
                       "delisted ones may apply again."),
    ),
    PeriodicJob(
        name="recheck-all-outlets",
        task="catalog.tasks.recheck_all_outlets",
        minute="0",
        hour="1",
        description=_("Re-check the eligibility of every outlet, in batches of outlet ids."),
    ),
    PeriodicJob(
        name="send-expiry-reminders",
        task="catalog.tasks.send_expiry_reminders",
        minute="0",
        hour="7",
        description=_("E-mail outlets 30, 14 and 7 days before a document expires or a KSWP or annual tax return "
                       "stops counting, and the year-end tax notices in December (each e-mail once)."),
    ),
    PeriodicJob(
        name="send-proof-reminders",
        task="budgets.tasks.send_proof_reminders",
        minute="15",
        hour="7",
        description=_("E-mail outlets and their agency's staff the day before a proof of publication is due, and "
                       "once when it is overdue (each e-mail once per order and deadline)."),
    ),
    # After midnight, for the day before: by 06:00 no transaction begun before midnight is still open
    # (30-minute time limit), and the mail is there at the start of the working day.
    PeriodicJob(
        name="send-staff-summary",
        task="catalog.tasks.send_staff_summary",
        minute="0",
        hour="6",
        description=_("E-mail staff the outlets suspended since the previous summary, up to midnight (nothing is "
                       "sent when there were none)."),
    ),
    PeriodicJob(
        name="recheck-pending-outlets",
        task="catalog.tasks.recheck_pending_outlets",
        minute="*/5",
        hour="*",
        description=_("Re-check the outlets whose asked-for re-check did not run (the broker refused or lost it)."),
    ),
    PeriodicJob(
        name="send-pending-mail",
        task="mediareg.tasks.send_pending_mail",
        minute="*/5",
        hour="*",
        description=_("Send the e-mails still waiting in the outbox (broker or mail server was down); "
                       "failed ones are retried with backoff for a week."),
    ),
    PeriodicJob(
        name="clear-expired-sessions",
        task="mediareg.tasks.clear_expired_sessions",
        minute="30",
        hour="3",
        description=_("Remove expired admin sessions from the database every night."),
    ),
    PeriodicJob(
        name="clear-expired-idempotency-keys",
        task="mediareg.tasks.clear_expired_idempotency_keys",
        minute="40",
        hour="3",
        description=_("Forget the API's Idempotency-Keys older than IDEMPOTENCY_KEY_DAYS days."),
    ),
]


def description_in_words(name: str, description: str) -> str:
    """A default job's description in the reader's language while it is the one shipped (the admin
    shows it); a description an administrator wrote is shown as written."""
    shipped = {job.name: job.description for job in DEFAULT_JOBS}
    return gettext(description) if shipped.get(name) == description else description


@transaction.atomic
def ensure_periodic_tasks(jobs: list[PeriodicJob] | None = None) -> int:
    """Create the missing default jobs; return how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for job in jobs or DEFAULT_JOBS:
        if PeriodicTask.objects.filter(name=job.name).exists():
            continue
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=job.minute, hour=job.hour, day_of_week=job.day_of_week,
            day_of_month="*", month_of_year="*", timezone="Asia/Jakarta",
        )
        PeriodicTask.objects.create(name=job.name, task=job.task, crontab=schedule, description=job.description)
        created += 1
    return created


def ensure_periodic_tasks_after_migrate(sender, **kwargs):
    ensure_periodic_tasks()
