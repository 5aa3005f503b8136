"""Third-party apps' values shown in words of the chosen language (docs/architecture.md, "Dates, time,
money and language").

Django's admin, django-celery-beat and django-axes print some values raw: a boolean's icon reads
"True"/"False" to a screen reader, a crontab shows "0 1 * * * (m/h/dM/MY/d)", a login record
"Failed access: user x on 2026-12-02 03:00:00+00:00". Their display methods are replaced here, once at
start-up, by ones that speak the chosen language; nothing stored changes. The words these apps do
translate but not into Indonesian are translated in our catalogue (mediareg/third_party_messages.py
keeps them there).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def speak_the_chosen_language() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.templatetags import admin_list
    from django.contrib.auth.models import Permission
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask

    from .display import crontab_in_words, local_datetime, yes_no_icon

    # Django imports it from this module at each use (admin.utils, admin.helpers), so one assignment serves all.
    admin_list._boolean_icon = yes_no_icon

    # The one label django-celery-beat does not mark for translation (the task list's filter shows it).
    PeriodicTask._meta.get_field("task").verbose_name = gettext_lazy("Task Name")
    CrontabSchedule.__str__ = crontab_in_words
    CrontabSchedule.human_readable = property(crontab_in_words)
    ClockedSchedule.__str__ = lambda self: local_datetime(self.clocked_time)

    def failure_str(self):
        return _("Failed login as %(user)s on %(time)s from %(address)s") % {
            "user": self.username, "time": local_datetime(self.attempt_time), "address": self.ip_address}

    def attempt_str(self):
        return _("Failed logins as %(user)s from %(address)s") % {"user": self.username, "address": self.ip_address}

    def access_str(self):
        return _("Login as %(user)s on %(time)s") % {"user": self.username, "time": local_datetime(self.attempt_time)}

    AccessFailureLog.__str__ = failure_str
    AccessLog.__str__ = access_str
    AccessAttempt.__str__ = attempt_str

    # Django stores permission names in English at migrate time ("Can add document"); the group and user
    # pages list them. Shown translated: the four default ones from the model's translated name, ours
    # through the catalogue (their Meta.permissions names are marked for translation).
    Permission.__str__ = permission_str


DEFAULT_PERMISSIONS = {
    "add": gettext_lazy("Can add %(name)s"),
    "change": gettext_lazy("Can change %(name)s"),
    "delete": gettext_lazy("Can delete %(name)s"),
    "view": gettext_lazy("Can view %(name)s"),
}


# django-pghistory's own models and app, whose names it does not mark for translation.
PGHISTORY_NAMES = {
    "pghistory": gettext_lazy("Audit trail"),
    "pghistory.context": gettext_lazy("audit context"),
    "pghistory.events": gettext_lazy("audit events"),
    "pghistory.middlewareevents": gettext_lazy("audit events of requests"),
}


def app_name(model) -> str:
    return str(PGHISTORY_NAMES.get(model._meta.app_label, model._meta.app_config.verbose_name))


def model_name(model) -> str:
    """A model's name in the reader's language. An audit event model (django-pghistory names them
    "document event" in English) by the model it records; a many-to-many link by its two ends (Django
    names it "PressCompany-KbliCode relationship" in the language active when it was imported)."""
    if model._meta.label_lower in PGHISTORY_NAMES:
        return str(PGHISTORY_NAMES[model._meta.label_lower])
    tracked = getattr(model, "pgh_tracked_model", None)
    if tracked is not None:
        return _("%(model)s event") % {"model": model_name(tracked)}
    if model._meta.auto_created:
        ends = [field.related_model._meta.verbose_name for field in model._meta.fields if field.is_relation]
        return _("link %(first)s – %(second)s") % {"first": ends[0], "second": ends[1]}
    return str(model._meta.verbose_name)


def permission_str(permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return f"{content_type} | {_(permission.name)}"
    action, _sep, codename_model = permission.codename.partition("_")
    if action in DEFAULT_PERMISSIONS and codename_model == content_type.model:
        name = DEFAULT_PERMISSIONS[action] % {"name": model_name(model)}
    else:
        name = _(permission.name)
    return f"{app_name(model)} | {model_name(model)} | {name}"
