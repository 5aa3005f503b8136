"""The eligibility policy: one row, changed by superusers only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.admin.base import RegistryAdmin

from ..models import EligibilityPolicy


@admin.register(EligibilityPolicy)
class EligibilityPolicyAdmin(RegistryAdmin):
    """One policy row: the list page opens it, it cannot be added twice or deleted. Only superusers
    change it (no role is given catalog.change_eligibilitypolicy)."""

    fieldsets = [
        (_("Dewan Pers"), {"fields": ["min_verification_level", "press_council_grace_days"]}),
        (_("Tiers of outlets"), {"fields": ["tier_a_level", "tier_b_level", "tier_c_requires_eligible"]}),
        (_("Tax status"), {"fields": [("kswp_window", "kswp_window_days"), ("kswp_grace_month", "kswp_grace_day"),
                                      "skf_max_age_months", "require_annual_tax_return",
                                      ("tax_return_deadline_month", "tax_return_deadline_day")]}),
        (_("Web traffic rank"), {"fields": ["web_rank_rule_enabled", "web_rank_threshold"]}),
        (_("Sanctions"), {"fields": ["suspension_months", "delisting_months"]}),
        (_("Objections"), {"fields": ["objection_days"]}),
        (_("Reminders"), {"fields": ["reminder_days", ("tax_notice_month", "tax_notice_day"),
                                     "staff_summary_emails"]}),
        (_("Record"), {"fields": ["updated_at", "audit_trail"]}),
    ]
    readonly_fields = ["updated_at", "audit_trail"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EligibilityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = EligibilityPolicy.load()
        return HttpResponseRedirect(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.message_user(request, gettext(
            "The policy applies from the next re-check: tonight's, or “Re-check eligibility now” on selected "
            "outlets."), messages.INFO)
