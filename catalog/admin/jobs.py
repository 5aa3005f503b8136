"""What the daily jobs keep, read-only: expiry reminders, year-end tax notices, staff summaries.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import truncated

from ..models import ExpiryReminder, StaffSummary, TaxYearNotice
from .common import ReadOnlyAdmin
from .filters import ReminderSentFilter


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdmin):
    list_display = ["document_name", "expiry_date", "days_before", "recipient_list", "created_at", "sent_at"]
    list_select_related = ["document__company", "document__outlet"]
    list_filter = ["days_before", ReminderSentFilter]
    search_fields = ["document__number", "document__company__legal_name", "document__outlet__name"]
    search_help_text = _("Document number, company or outlet name")
    date_hierarchy = "expiry_date"

    @admin.display(description=_("document"), ordering="document__kind")
    def document_name(self, obj):
        return truncated(obj.document, width="m")

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return truncated(obj.recipients, width="s")


@admin.register(TaxYearNotice)
class TaxYearNoticeAdmin(ReadOnlyAdmin):
    list_display = ["company_name", "year", "recipient_list", "created_at", "sent_at"]
    list_select_related = ["company"]
    list_filter = ["year", ReminderSentFilter]
    search_fields = ["company__legal_name"]
    search_help_text = _("Company name")

    @admin.display(description=_("company"), ordering="company__legal_name")
    def company_name(self, obj):
        return truncated(obj.company.legal_name, width="m")

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return truncated(obj.recipients, width="m")


@admin.register(StaffSummary)
class StaffSummaryAdmin(ReadOnlyAdmin):
    list_display = ["day", "period_start", "period_end", "outlet_count", "sent_at"]
    date_hierarchy = "day"
