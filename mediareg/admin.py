from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from pghistory.admin import EventsAdmin

from .admin_helpers import ReadOnlyMixin, staff_name
from .models import DeadLetter, OutgoingMail


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


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The e-mail outbox (mediareg.outbox), read-only: what was sent, what is waiting and why, what failed."""

    list_display = ["created_at", "kind", "subject", "recipient_list", "status", "attempts", "last_error",
                    "next_attempt_at", "sent_at", "concerns_link"]
    list_filter = ["status", "kind"]
    list_select_related = ["content_type"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    fields = ["created_at", "kind", "concerns_link", "language", "recipient_list", "subject", "body", "status",
              "attempts", "last_attempt_at", "last_error", "next_attempt_at", "sent_at"]
    readonly_fields = fields
    show_full_result_count = False

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

class AuditEventAdmin(EventsAdmin):
    """django-pghistory's events admin (settings.PGHISTORY_ADMIN_CLASS), with who acted shown by name
    rather than as Django's link to the user's page, which only user administrators may open."""

    readonly_fields = ["acting_user"]

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "acting_user"]
        return ["acting_user" if name == "user" else name for name in fields]

    @admin.display(description=_("user"))
    def acting_user(self, obj):
        return staff_name(obj.user)
