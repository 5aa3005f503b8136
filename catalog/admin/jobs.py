"""What the daily jobs keep, read-only: expiry reminders, year-end tax notices, staff summaries.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import ExpiryReminder, StaffSummary, TaxYearNotice
from .common import ReadOnlyAdmin
from .filters import ReminderSentFilter


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdmin):
    list_display = ["document", "expiry_date", "days_before", "recipients", "created_at", "sent_at"]
    list_select_related = ["document__company", "document__outlet"]
    list_filter = ["days_before", ReminderSentFilter]
    search_fields = ["document__number", "document__company__legal_name", "document__outlet__name"]
    search_help_text = _("Document number, company or outlet name")
    date_hierarchy = "expiry_date"


@admin.register(TaxYearNotice)
class TaxYearNoticeAdmin(ReadOnlyAdmin):
    list_display = ["company", "year", "recipients", "created_at", "sent_at"]
    list_select_related = ["company"]
    list_filter = ["year", ReminderSentFilter]
    search_fields = ["company__legal_name"]
    search_help_text = _("Company name")


@admin.register(StaffSummary)
class StaffSummaryAdmin(ReadOnlyAdmin):
    list_display = ["day", "period_start", "period_end", "outlet_count", "sent_at"]
    date_hierarchy = "day"
