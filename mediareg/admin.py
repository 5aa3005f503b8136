from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from pghistory.admin import EventsAdmin
from pghistory.admin import core as pghistory_admin
from pghistory.admin.core import LabelFilter

from . import periodic
from .admin_helpers import ReadOnlyMixin, staff_name, truncated
from .api import tokens
from .display import MAIL_KINDS, actor_display, language_name, local_datetime, mail_kind_name
from .models import ApiToken, DataAccess, DeadLetter, OutgoingMail
from .reports import Profile
from .third_party import model_name


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Tasks set aside after too many deliveries (mediareg.jobs): for staff to look into, read-only."""

    list_display = ["created_at", "task_name", "task_id", "deliveries", "reason"]
    list_filter = ["task_name"]
    search_fields = ["task_id", "task_name"]
    readonly_fields = ["created_at", "task_name", "task_id", "args", "kwargs", "deliveries", "reason"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The filters of a file in the data access log, in words (mediareg.reports.ReportFilters' fields, and the
# earlier file of a document, partners.views.document_earlier_file).
FILTER_LABELS = {"agency": _("agency"), "year": _("year"), "date_from": _("from"), "date_to": _("to"),
                 "as_of": _("as of"), "ids": _("selected rows"), "earlier_file": _("earlier file")}


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who took what out (mediareg.access): reports, document and proof files. Auditors read it; nobody
    changes or deletes it."""

    list_display = ["created_at", "kind", "what", "person", "file_format", "profile_name", "filter_text", "rows"]
    list_filter = ["kind", "file_format", "profile"]
    search_fields = ["name", "user__username", "actor"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["created_at", "kind", "what", "person", "file_format", "profile_name", "filter_text", "rows"]
    readonly_fields = fields

    # A file's number leads to its document's or order's page (by URL name: this app imports no other).
    PAGES = {DataAccess.Kind.DOCUMENT_DOWNLOAD: "admin:partners_document_change",
             DataAccess.Kind.DOCUMENT_PREVIEW: "admin:partners_document_change",
             DataAccess.Kind.PROOF_DOWNLOAD: "admin:budgets_mediaorder_change",
             DataAccess.Kind.PROOF_PREVIEW: "admin:budgets_mediaorder_change"}

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what"), ordering="name")
    def what(self, obj):
        page = self.PAGES.get(obj.kind)
        if page is None or not obj.name.isdigit():
            return obj.name
        try:
            return format_html('<a href="{}">{}</a>', reverse(page, args=[obj.name]), obj.name)
        except NoReverseMatch:
            return obj.name

    @admin.display(description=_("by"))
    def person(self, obj):
        """The member of staff by name, or the command and the account that ran it, in words."""
        return staff_name(obj.user) if obj.user is not None else actor_display(obj.actor)

    @admin.display(description=_("profile"), ordering="profile")
    def profile_name(self, obj):
        return Profile(obj.profile).label if obj.profile in Profile.values else "-"

    @admin.display(description=_("filters"))
    def filter_text(self, obj):
        parts = []
        for key, value in (obj.filters or {}).items():
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts.append(f"{FILTER_LABELS.get(key, key)}: {shown}")
        return truncated("; ".join(parts), width="l") if parts else "-"


class MailKindFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, mail_kind_name(kind)) for kind in MAIL_KINDS]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The e-mail outbox (mediareg.outbox), read-only: what was sent, what is waiting and why, what failed."""

    list_display = ["created_at", "kind_name", "subject", "recipient_list", "status", "attempts", "last_error",
                    "next_attempt_at", "sent_at", "concerns_link"]
    list_filter = ["status", MailKindFilter]
    list_select_related = ["content_type"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    fields = ["created_at", "kind_name", "concerns_link", "language_name", "recipient_list", "subject", "body",
              "status", "attempts", "last_attempt_at", "last_error", "next_attempt_at", "sent_at"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("e-mail"), ordering="kind")
    def kind_name(self, obj):
        return mail_kind_name(obj.kind)

    @admin.display(description=_("language"))
    def language_name(self, obj):
        return language_name(obj.language)

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.display(description=_("concerns"))
    def concerns_link(self, obj):
        if obj.content_type is None or obj.object_id is None:
            return "-"
        label = f"{obj.content_type.name} {obj.object_id}"
        try:
            url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


# --- login attempts (django-axes; settings "Login throttling") ---------------------------------------

class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A record of what happened: nobody edits or removes it in the admin (OWASP ASVS 16.4.2)."""

    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Failed logins per user name and client address. A pair at the limit is locked out until the
    cool-off passes; an administrator lifts the block by unlocking its row. Auditors only read."""

    show_full_result_count = False
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "unlock" is the one way to remove rows, and says what it does
        return actions

    @admin.action(description=_("Unlock: forget the failed logins of the selected user names and addresses"),
                  permissions=["delete"])
    def unlock(self, request, queryset):
        self.log_deletions(request, queryset)  # who unlocked whom stays in the admin's history
        _total, deleted = queryset.delete()
        count = deleted.get(AccessAttempt._meta.label, 0)
        self.message_user(request, ngettext("%(count)d user name and address unlocked.",
                                            "%(count)d user names and addresses unlocked.", count) % {"count": count},
                          messages.SUCCESS)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyLogAdmin, axes_admin.AccessFailureLogAdmin):
    """Every failed login, kept (up to django-axes' limit per user name) after the attempts are unlocked."""


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyLogAdmin, axes_admin.AccessLogAdmin):
    """Every successful login and logout."""


# --- the audit trail ---------------------------------------------------------------------------------

EVENT_LABELS = {
    "insert": _("added"),
    "update": _("changed"),
    "delete": _("deleted"),
    "snapshot": _("saved"),
    "kbli.add": _("business code added"),  # a company's KBLI codes (partners.models, CompanyKbliEvent)
    "kbli.remove": _("business code removed"),
}


class EventLabelFilter(LabelFilter):
    title = _("event")

    def lookups(self, request, model_admin):
        return [(label, EVENT_LABELS.get(label, label)) for label, _name in super().lookups(request, model_admin)]


class EventModelFilter(pghistory_admin.EventModelFilter):
    title = _("record type")

    def lookups(self, request, model_admin):
        return sorted(((label, tracked_model_name(label)) for label, _name in super().lookups(request, model_admin)),
                      key=lambda pair: str(pair[1]))


def tracked_model(label: str):
    """The model an event model (or a pgh_obj_model label) is about: partners.DocumentEvent → Document."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return getattr(model, "pgh_tracked_model", model)


def tracked_model_name(label: str) -> str:
    model = tracked_model(label)
    return model_name(model) if model is not None else label


def value_in_words(field, value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    choices = dict(getattr(field, "flatchoices", None) or [])
    return str(choices.get(value, value))


def field_lines(model, values: dict, changed: bool) -> str:
    """"verbose name: old → new" (a change) or "verbose name: value" (the data), one per line."""
    rows = []
    for name, value in values.items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name.removesuffix("_id"))
            except FieldDoesNotExist:
                continue  # a column the page does not show (e.g. a trigger's bookkeeping)
        label = capfirst(field.verbose_name) if field is not None else name
        if changed:
            shown = f"{value_in_words(field, value[0])} → {value_in_words(field, value[1])}"
        else:
            shown = value_in_words(field, value)
        rows.append((label, shown))
    return format_html_join(mark_safe("<br>"), "{}: {}", rows) or "-"


class AuditEventAdmin(EventsAdmin):
    """django-pghistory's events admin (settings.PGHISTORY_ADMIN_CLASS), in words of the chosen language:
    what happened ("changed"), to which kind of record, the changed fields by their names with old and
    new values, and who acted by name (a job as words, mediareg.display.actor_display) rather than as
    Django's link to the user's page, which only user administrators may open. pghistory's own columns
    carry English help texts and raw JSON."""

    SHOWN = {"pgh_created_at": "event_time", "pgh_label": "event_label", "pgh_obj_model": "record_type",
             "pgh_obj_id": "record_number", "pgh_diff": "changes", "user": "acting_user", "actor": "actor_name"}
    fields = ["event_time", "event_label", "record_type", "record_number", "changes", "data", "acting_user",
              "actor_name", "url", "document_file"]
    readonly_fields = fields

    def get_list_display(self, request):
        return [self.SHOWN.get(name, name) for name in super().get_list_display(request)]

    def get_list_filter(self, request):
        replaced = {LabelFilter: EventLabelFilter, pghistory_admin.EventModelFilter: EventModelFilter}
        return [replaced.get(cls, cls) for cls in super().get_list_filter(request)]

    def get_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("time"), ordering="pgh_created_at")
    def event_time(self, obj):
        return local_datetime(obj.pgh_created_at)

    @admin.display(description=_("event"))
    def event_label(self, obj):
        return EVENT_LABELS.get(obj.pgh_label, obj.pgh_label)

    @admin.display(description=_("record type"))
    def record_type(self, obj):
        return tracked_model_name(obj.pgh_obj_model)

    @admin.display(description=_("record number"))
    def record_number(self, obj):
        return obj.pgh_obj_id

    @admin.display(description=_("changes"))
    def changes(self, obj):
        return field_lines(tracked_model(obj.pgh_obj_model), obj.pgh_diff or {}, changed=True)

    @admin.display(description=_("recorded values"))
    def data(self, obj):
        return field_lines(tracked_model(obj.pgh_obj_model), obj.pgh_data or {}, changed=False)

    @admin.display(description=_("user"))
    def acting_user(self, obj):
        return staff_name(obj.user)

    @admin.display(description=_("job or command"))
    def actor_name(self, obj):
        return actor_display(obj.actor)


# --- periodic tasks (django-celery-beat), schedules and descriptions in words -------------------------

admin.site.unregister(PeriodicTask)
admin.site.unregister(CrontabSchedule)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    """django-celery-beat's page, with the schedule in words ("every day at 01:00", mediareg.display)
    in one column instead of its "scheduler" and interval columns, and what a default job does in the
    reader's language (its stored description is English, and stays editable)."""

    list_display = ["name", "enabled", "schedule", "about", "last_run_at", "total_run_count", "one_off"]
    list_select_related = ["crontab", "interval", "solar", "clocked"]
    readonly_fields = ["last_run_at", "crontab_translation", "about"]

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": [*options["fields"], "about"]}), *rest]

    # django-celery-beat's actions name no permission, so Django offers them to anyone who may see the
    # list: an auditor could switch jobs off or run them. They change the jobs, so they ask for "change".
    @admin.action(description=beat_admin.PeriodicTaskAdmin.enable_tasks.short_description, permissions=["change"])
    def enable_tasks(self, request, queryset):
        return super().enable_tasks(request, queryset)

    @admin.action(description=beat_admin.PeriodicTaskAdmin.disable_tasks.short_description, permissions=["change"])
    def disable_tasks(self, request, queryset):
        return super().disable_tasks(request, queryset)

    @admin.action(description=beat_admin.PeriodicTaskAdmin.toggle_tasks.short_description, permissions=["change"])
    def toggle_tasks(self, request, queryset):
        return super().toggle_tasks(request, queryset)

    @admin.action(description=beat_admin.PeriodicTaskAdmin.run_tasks.short_description, permissions=["change"])
    def run_tasks(self, request, queryset):
        return super().run_tasks(request, queryset)

    @admin.display(description=_("schedule"))
    def schedule(self, obj):
        return str(obj.crontab or obj.interval or obj.solar or obj.clocked or "-")

    @admin.display(description=_("schedule in words"))
    def crontab_translation(self, obj):
        return str(obj.crontab) if obj.crontab else "-"

    @admin.display(description=_("what it does"))
    def about(self, obj):
        return periodic.description_in_words(obj.name, obj.description)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    list_display = ["in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week"]
    fields = ["in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"]
    readonly_fields = ["in_words"]

    @admin.display(description=_("schedule in words"))
    def in_words(self, obj):
        return str(obj)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys for programs calling the API (mediareg.api.tokens). Staff make their own; superusers and holders
    of "manage every API token" make and revoke anyone's, and auditors see them all. The key is shown once,
    on the page after it was made; a token is revoked, never edited or deleted, so its history stays."""

    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    show_full_result_count = False
    actions = ["revoke"]
    readonly_fields = ["name", "user", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    @staticmethod
    def sees_every_token(user) -> bool:
        return user.has_perm("mediareg.manage_every_apitoken") or user.has_perm("mediareg.view_every_apitoken")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.sees_every_token(request.user):
            return queryset
        return queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.readonly_fields
        if request.user.has_perm("mediareg.manage_every_apitoken"):
            return ["name", "user"]
        return ["name"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return super().has_change_permission(request)

    @admin.display(description=_("state"))
    def state(self, token):
        return _("revoked") if token.revoked_at else _("active")

    def save_model(self, request, obj, form, change):
        user = form.cleaned_data.get("user") or request.user
        token, key = tokens.token_create(user=user, name=form.cleaned_data["name"], created_by=request.user)
        obj.pk, obj.prefix, obj._key = token.pk, token.prefix, key

    def save_related(self, request, form, formsets, change):
        pass  # no related rows; token_create wrote everything

    def response_add(self, request, obj, post_url_continue=None):
        token = ApiToken.objects.select_related("user").get(pk=obj.pk)
        response = TemplateResponse(request, "admin/mediareg/apitoken_created.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("API token created"),
            "token": token, "key": obj._key, "list_url": reverse("admin:mediareg_apitoken_changelist")})
        response["Cache-Control"] = "no-store"  # the key must not stay in a cache
        return response

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        if not request.user.has_perm("mediareg.manage_every_apitoken"):
            queryset = queryset.filter(user=request.user)
        revoked = tokens.tokens_revoke(list(queryset))
        self.message_user(request, ngettext("%(count)d token revoked: programs using it are refused from now on.",
                                            "%(count)d tokens revoked: programs using them are refused from now on.",
                                            revoked) % {"count": revoked}, messages.SUCCESS)
