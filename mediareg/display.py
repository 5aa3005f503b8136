"""Values shown to people in words of their language: who acted (the audit context's actor names),
schedules of the periodic jobs, yes/no. Stored values stay as they are; only their display changes.

The test that every page speaks one language is tests/test_every_page_language.py.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The jobs that name themselves "system:<job>" (mediareg.audit.audit_context callers).
SYSTEM_ACTORS = {
    "": gettext_lazy("System"),
    "seed_demo": gettext_lazy("Demo data (system)"),
    "recheck": gettext_lazy("Eligibility re-check (system)"),
    "recheck_eligibility": gettext_lazy("Eligibility re-check command (system)"),
    "sanctions": gettext_lazy("End of sanction periods (system)"),
    "import_press_council": gettext_lazy("Dewan Pers list import (system)"),
    "import_web_rank": gettext_lazy("Web rank list import (system)"),
}
# Other "system:<name>" actors an app names for itself (catalog: its re-check triggers), filled in by
# the app's ready() through name_system_actors, so that this shared module imports no app.
NAMED_SYSTEM_ACTORS: dict[str, object] = {}
PUBLIC_ACTORS = {
    "application": gettext_lazy("Applicant (public form)"),
    "renewal": gettext_lazy("Outlet (renewal link)"),
    "price_list": gettext_lazy("Outlet (price list page)"),
}


def name_system_actors(names: dict) -> None:
    """An app names its "system:<name>" actors in words (a name → a lazy translated text)."""
    NAMED_SYSTEM_ACTORS.update(names)


def actor_display(actor: str | None) -> str:
    """"system:seed_demo" → "Demo data (system)", "command:shell" → "Command shell"; a user name as it is."""
    if not actor:
        return "-"
    kind, _sep, name = actor.partition(":")
    if kind == "system":
        if name in SYSTEM_ACTORS:
            return str(SYSTEM_ACTORS[name])
        if name.startswith("migration "):
            return _("Database migration %(name)s") % {"name": name.removeprefix("migration ")}
        if name in NAMED_SYSTEM_ACTORS:
            return str(NAMED_SYSTEM_ACTORS[name])
        return _("System job %(name)s") % {"name": name}
    if kind == "command" and name:
        return _("Command %(name)s") % {"name": name}
    if kind == "task" and name:
        return _("Background task %(name)s") % {"name": name.rsplit(".", 1)[-1]}
    if kind == "public" and name:
        return str(PUBLIC_ACTORS.get(name, _("Public page %(name)s") % {"name": name}))
    return actor


# The outbox's e-mails by the template they were written from (mediareg.outbox.queue_mail).
MAIL_KINDS = {
    "application_received": gettext_lazy("Application received (to the applicant)"),
    "application_staff_notice": gettext_lazy("New application (to staff)"),
    "application_decision": gettext_lazy("Decision on an application (to the applicant)"),
    "account_invitation": gettext_lazy("New account with its set-password link (to the member of staff)"),
    "password_reset": gettext_lazy("Forgotten password link (to the member of staff)"),
}


def mail_kind_name(kind: str) -> str:
    return str(MAIL_KINDS.get(kind, kind))


def language_name(code: str) -> str:
    """"id" → "Bahasa Indonesia", "en" → "English" (settings.LANGUAGES, translated)."""
    from django.conf import settings

    return str(dict(settings.LANGUAGES).get(code, code or "-"))


def yes_no_icon(value) -> str:
    """Django's boolean icon with a translated text for screen readers ("Ya", "Tidak", "Tidak diketahui")
    instead of "True"/"False"/"None" (django.contrib.admin.templatetags.admin_list._boolean_icon)."""
    from django.templatetags.static import static

    icon = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: _("Yes"), False: _("No"), None: _("Unknown")}[value]
    return format_html('<img src="{}" alt="{}" title="{}">', static(f"admin/img/icon-{icon}.svg"), text, text)


def local_datetime(value: datetime.datetime | None) -> str:
    """A moment in Asia/Jakarta in the language's format ("2 Des. 2026, 05.10" / "Dec. 2, 2026, 5:10 a.m.")."""
    if value is None:
        return "-"
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def local_date(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


# --- schedules of the periodic jobs in words (django-celery-beat's crontabs) ------------------------
# cron-descriptor, which django-celery-beat uses, has no Indonesian; the schedules MediaReg ships
# (mediareg.periodic) are all "every day at", "every N minutes" or "every hour at", which read well
# in both languages from a few translated sentences. Anything else falls back to cron-descriptor in
# English and to the cron fields, named, in Indonesian.

def _clock(hour: int, minute: int) -> str:
    return _("%(hour)02d:%(minute)02d") % {"hour": hour, "minute": minute}


def describe_crontab(minute: str, hour: str, day_of_month: str = "*", month_of_year: str = "*",
                     day_of_week: str = "*") -> str:
    """"0 1 * * *" → "every day at 01:00" / "setiap hari pukul 01.00"."""
    every_day = day_of_month == "*" and month_of_year == "*"
    if every_day and minute.isdigit() and hour.isdigit():
        if day_of_week == "*":
            return _("every day at %(time)s") % {"time": _clock(int(hour), int(minute))}
        if day_of_week.isdigit() and int(day_of_week) <= 7:
            weekday = WEEKDAYS[(int(day_of_week) - 1) % 7]  # cron counts from Sunday (0 or 7), Django from Monday
            return _("every %(weekday)s at %(time)s") % {"weekday": weekday, "time": _clock(int(hour), int(minute))}
    if every_day and day_of_week == "*" and hour == "*":
        if minute == "*":
            return _("every minute")
        if minute.startswith("*/") and minute[2:].isdigit():
            return _("every %(count)s minutes") % {"count": minute[2:]}
        if minute.isdigit():
            return _("every hour at minute %(minute)s") % {"minute": minute}
    return _("cron schedule: minute %(minute)s, hour %(hour)s, day of month %(day)s, month %(month)s, "
             "day of week %(weekday)s") % {"minute": minute, "hour": hour, "day": day_of_month,
                                           "month": month_of_year, "weekday": day_of_week}


def crontab_in_words(crontab) -> str:
    """A CrontabSchedule in words, with its time zone: "every day at 01:00 (Asia/Jakarta)"."""
    words = describe_crontab(crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year,
                             crontab.day_of_week)
    return f"{words} ({crontab.timezone})"
