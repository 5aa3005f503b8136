from django.contrib import admin

from .models import DeadLetter


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
