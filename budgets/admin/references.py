"""Reference prices (Standar Harga Satuan) in the back office: each agency's per year, kind of product and tier
of outlet, scoped like budgets; added and changed through budgets.services.reference_price_save, so a refusal
(an upper bound below the price, a second price for the same kind and tier) is the form's error in the service's
words. The budget page lists its year's reference prices."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import (
    ReadOnlyMixin,
    audit_trail_link,
    fieldsets_for,
    without_field,
    without_related_buttons,
)
from mediareg.money import format_rupiah

from .. import selectors, services
from ..models import Budget, ReferencePrice
from ..services import agency_of, may_see_every_agency
from .base import AgencyScopedAdmin
from .prices import RupiahField, ServiceFormMixin


class ReferencePriceForm(ServiceFormMixin, forms.ModelForm):
    reference_price = RupiahField(label=capfirst(_("reference price")), min_value=1,
                                  help_text=_("Whole rupiah per unit, e.g. 2000000 or 2.000.000."))
    upper_bound = RupiahField(label=capfirst(_("upper bound")), min_value=1,
                              help_text=_("The highest unit price approved without a reason; not below the "
                                          "reference price."))

    class Meta:
        model = ReferencePrice
        fields = ["budget", "kind", "tier", "reference_price", "upper_bound", "unit", "source_reference"]

    def place(self, cleaned):
        return services.reference_price_save(
            cleaned["budget"], kind=cleaned["kind"], tier=cleaned["tier"], reference_price=cleaned["reference_price"],
            upper_bound=cleaned["upper_bound"], unit=cleaned.get("unit") or "",
            source_reference=cleaned.get("source_reference") or "", user=self.user,
            instance=self.instance if self.instance.pk else None)


@admin.register(ReferencePrice)
class ReferencePriceAdmin(AgencyScopedAdmin):
    form = ReferencePriceForm
    list_display = ["budget", "kind", "tier", "reference", "bound", "unit", "source_reference"]
    list_select_related = ["budget__agency"]
    list_filter = ["budget__year", "kind", "tier"]
    search_fields = ["source_reference", "budget__agency__name"]
    search_help_text = _("Agency name or regulation")
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["budget", "kind", "tier", "reference_price", "upper_bound", "unit", "source_reference"]}),
        (_("Record"), {"fields": ["audit_trail"]}),
    ]

    def scope(self, request, queryset):
        return queryset.filter(budget__in=selectors.visible_budgets(request.user)).select_related("budget__agency")

    def agency_id_of(self, obj) -> int:
        return obj.budget.agency_id

    def get_list_filter(self, request):
        if may_see_every_agency(request.user):
            return [("budget__agency", admin.RelatedOnlyFieldListFilter), *self.list_filter]
        return self.list_filter

    @admin.display(description=_("reference price"), ordering="reference_price")
    def reference(self, obj):
        return format_rupiah(obj.reference_price)

    @admin.display(description=_("upper bound"), ordering="upper_bound")
    def bound(self, obj):
        return format_rupiah(obj.upper_bound)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the add form: no trail yet
            return [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                    for name, options in self.fieldsets]
        return fieldsets_for(request, self.fieldsets)

    def get_readonly_fields(self, request, obj=None):
        return ["audit_trail"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        without_related_buttons(form, "budget")
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget":
            # Only the budgets of the agency the person acts for: a forged choice is "not one of the choices".
            budgets = Budget.objects.select_related("agency").order_by("agency__name", "-year")
            if not request.user.is_superuser:
                agency = agency_of(request.user)
                budgets = budgets.filter(agency=agency) if agency else budgets.none()
            kwargs["queryset"] = budgets
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Written by services.reference_price_save while the form was validated (ServiceFormMixin)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReferencePriceInline(ReadOnlyMixin, admin.TabularInline):
    """The year's reference prices on the budget page; set on their own page (ReferencePriceAdmin)."""

    model = ReferencePrice
    extra = 0
    fields = ["kind", "tier", "reference", "bound", "unit", "source_reference"]
    readonly_fields = fields
    ordering = ["kind", "tier"]
    verbose_name_plural = _("reference prices (Standar Harga Satuan)")

    @admin.display(description=_("reference price"))
    def reference(self, obj):
        return format_rupiah(obj.reference_price)

    @admin.display(description=_("upper bound"))
    def bound(self, obj):
        return format_rupiah(obj.upper_bound)
