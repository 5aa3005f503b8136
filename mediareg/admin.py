from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
class OutgoingMailAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
