"""The registry's outlet page and list, with the e-catalog: the eligibility result with every rule's
reason, the history of results, the listing's standing, and the listing actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import truncated
from partners.admin.outlets import MediaOutletAdmin
from partners.models import MediaOutlet

from .. import selectors
from ..models import EligibilityPolicy, ListingState, PendingRecheck, SuspensionCause
from ..tiers import Tier, tier_description
from .common import (
    ACTION_LABELS,
    HISTORY_ROWS,
    ReadOnlyInline,
    eligibility_label,
    failing_titles,
    listing_label,
    listing_summary,
    outcome_rows,
    related_row,
    stored_result,
)
from .filters import EligibleFilter, FailingRuleFilter, ListingStateFilter, PendingRecheckFilter, TierFilter
from .history import EligibilityHistoryInline
from .listings import ListingActionsMixin
from .objections import ObjectionInline


class CatalogOutletAdmin(ListingActionsMixin, MediaOutletAdmin):
    """partners' outlet admin with the e-catalog: eligibility, its history and the listing."""

    change_form_template = "admin/catalog/outlet_change_form.html"
    list_display = [*MediaOutletAdmin.list_display, "tier_label", "eligible", "failing_rules", "listing_state"]
    list_select_related = [*MediaOutletAdmin.list_select_related, "eligibility", "listing"]
    list_filter = [*MediaOutletAdmin.list_filter, TierFilter, EligibleFilter, ListingStateFilter, FailingRuleFilter,
                   PendingRecheckFilter]
    readonly_fields = [*MediaOutletAdmin.readonly_fields, "tier_standing", "eligibility_result", "listing_standing"]
    inlines = [*MediaOutletAdmin.inlines, EligibilityHistoryInline, ObjectionInline]
    actions = ["recheck_now", "list_outlets", "suspend_outlets", "delist_outlets", "sanction_outlets",
               "lift_suspensions"]
    list_rows = staticmethod(selectors.outlet_list)
    catalog_fieldset = (_("E-catalog"), {"fields": ["tier_standing", "eligibility_result", "listing_standing"]})
    # The e-catalog panel links to these; staff who may not open them (budget officers) do without it.
    catalog_panel_permissions = ["catalog.view_eligibility", "catalog.view_eligibilitychange", "catalog.view_listing",
                                 "catalog.view_listingtransition"]

    def selected(self, queryset):
        return [(outlet, outlet, related_row(outlet, "listing")) for outlet in queryset.select_related("listing")]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            # Not on the add page: there is no history yet, and the add form must not need its management form.
            inlines = [inline for inline in inlines if not isinstance(inline, ReadOnlyInline)]
        return inlines

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not request.user.has_perms(self.catalog_panel_permissions):
            return fieldsets
        return [fieldsets[0], self.catalog_fieldset, *fieldsets[1:]]

    # list columns -----------------------------------------------------------------------------

    @admin.display(description=_("tier"), ordering="tier")
    def tier_label(self, obj):
        return getattr(obj, "tier", None) or "-"

    @admin.display(description=_("eligible"), ordering="eligibility__is_eligible")
    def eligible(self, obj):
        return eligibility_label(stored_result(obj))

    @admin.display(description=_("failing rules"))
    def failing_rules(self, obj):
        result = stored_result(obj)
        if result is None:
            return "-"
        return truncated(failing_titles(result.failing_codes), width="m")

    @admin.display(description=_("e-catalog"), ordering="listing__state")
    def listing_state(self, obj):
        return listing_label(related_row(obj, "listing"))

    # change page ------------------------------------------------------------------------------

    @admin.display(description=_("tier"))
    def tier_standing(self, obj):
        """The tier today (computed by the list's query, catalog.tiers) and what gives it under the policy."""
        tier = getattr(obj, "tier", None) if obj and obj.pk else None
        if not tier:
            return gettext("No tier: not verified by Dewan Pers and not eligible in the e-catalog.")
        return f"{Tier(tier).label}: {tier_description(tier, EligibilityPolicy.load())}"

    @admin.display(description=_("eligibility"))
    def eligibility_result(self, obj):
        result = stored_result(obj) if obj and obj.pk else None
        context = {"result": result, "rows": outcome_rows(result.outcomes) if result else []}
        if obj and obj.pk:
            context["pending"] = PendingRecheck.objects.filter(outlet=obj).first()
            context["history_url"] = (f"{reverse('admin:catalog_eligibilitychange_changelist')}"
                                      f"?outlet__id__exact={obj.pk}")
        return render_to_string("admin/catalog/eligibility_result.html", context)

    @admin.display(description=_("listing"))
    def listing_standing(self, obj):
        listing = related_row(obj, "listing") if obj and obj.pk else None
        context = {"listing": listing}
        if listing is not None:
            transitions = list(listing.transitions.all()[:HISTORY_ROWS])
            context.update(
                summary=listing_summary(listing),
                transitions=[{"row": t, "action": ACTION_LABELS.get(t.action, t.action)} for t in transitions],
                listing_url=reverse("admin:catalog_listing_change", args=[listing.pk]),
                transitions_url=(f"{reverse('admin:catalog_listingtransition_changelist')}"
                                 f"?listing__id__exact={listing.pk}"),
                suspended_for_eligibility=(listing.state == ListingState.SUSPENDED
                                           and listing.suspension_cause == SuspensionCause.ELIGIBILITY),
            )
        return render_to_string("admin/catalog/listing_standing.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_recheck": self.has_recheck_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    # "re-check now" on the outlet page --------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/recheck/", self.admin_site.admin_view(self.recheck_view),
                 name="{}_{}_recheck".format(*info)),
            *super().get_urls(),
        ]

    def recheck_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_recheck_permission(request):
            raise PermissionDenied
        outlet = self.get_object(request, unquote(object_id))
        if outlet is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self.recheck_and_report(request, [outlet.pk])
        return HttpResponseRedirect(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk]))


admin.site.unregister(MediaOutlet)
admin.site.register(MediaOutlet, CatalogOutletAdmin)
