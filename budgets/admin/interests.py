"""The declared-interest register of an agency (docs/domain.md "Owners and conflicts of interest"): its budget
officers record who, among the agency's officials, the DPRD members and others, owns or controls which outlets
or press companies, they or their family. Scoped like budgets (AgencyScopedAdmin); every write is
budgets.services.interest_save, whose refusal is the form's error."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import audit_trail_link, truncated, without_field

from .. import selectors, services
from ..models import Agency, DeclaredInterest
from ..services import BudgetRefused, agency_of, may_see_every_agency
from .base import AgencyScopedAdmin


class DeclaredInterestForm(forms.ModelForm):
    """Saved by services.interest_save while the form is validated, so a refusal is the form's error."""

    user = None

    class Meta:
        model = DeclaredInterest
        fields = ["agency", "person_name", "role", "position", "relation", "outlets", "companies", "declared_on",
                  "reference", "active_until", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "agency" in self.fields:
            self.fields["agency"].queryset = (Agency.objects.all() if self.user is not None
                                              and self.user.is_superuser else selectors.visible_agencies(self.user))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        interest = self.instance
        if "agency" in cleaned:
            interest.agency = cleaned["agency"]
        elif interest.agency_id is None:
            agency = agency_of(self.user)
            if agency is None:
                raise forms.ValidationError(_("You do not work for an agency."))
            interest.agency = agency
        for name in ("person_name", "role", "position", "relation", "declared_on", "reference", "active_until",
                     "note"):
            setattr(interest, name, cleaned.get(name))
        try:
            services.interest_save(interest, outlets=cleaned.get("outlets") or [],
                                   companies=cleaned.get("companies") or [], user=self.user)
        except BudgetRefused as refusal:
            raise forms.ValidationError(refusal.messages) from refusal
        return cleaned

    def _post_clean(self):
        pass  # the service validated and saved the interest


@admin.register(DeclaredInterest)
class DeclaredInterestAdmin(AgencyScopedAdmin):
    form = DeclaredInterestForm
    list_display = ["person", "role", "relation", "agency_name", "interests", "declared_on", "active_until"]
    list_select_related = ["agency"]
    search_fields = ["person_name"]
    autocomplete_fields = ["outlets", "companies"]
    readonly_fields = ["audit_trail"]
    list_per_page = 50

    def scope(self, request, queryset):
        return selectors.visible_interests(request.user, queryset).select_related("agency")

    def agency_id_of(self, obj) -> int:
        return obj.agency_id

    def get_list_filter(self, request):
        if may_see_every_agency(request.user):
            return [("agency", admin.RelatedOnlyFieldListFilter), "role", "relation"]
        return ["role", "relation"]

    def get_fields(self, request, obj=None):
        fields = ["agency", "person_name", ("role", "position"), "relation", "outlets", "companies",
                  ("declared_on", "active_until"), "reference", "note", "audit_trail"]
        if not request.user.is_superuser:
            fields = without_field(fields, "agency")  # an officer records their own agency's
        if obj is None or not request.user.has_perm("mediareg.view_auditevent"):
            fields = without_field(fields, "audit_trail")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("outlets", "companies")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            request.user.is_superuser or agency_of(request.user) is not None)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or services.can_act_for(request.user, obj.agency_id))

    def save_model(self, request, obj, form, change):
        pass  # saved by the form (services.interest_save)

    def save_related(self, request, form, formsets, change):
        pass  # the outlets and companies too

    def delete_model(self, request, obj):
        services.interest_delete(obj, user=request.user)

    @admin.display(description=_("person"), ordering="person_name")
    def person(self, obj):
        return truncated(obj.person_name, width="m")

    @admin.display(description=_("agency"), ordering="agency__name")
    def agency_name(self, obj):
        return truncated(obj.agency, width="s", title=obj.agency.name)

    @admin.display(description=_("outlets and companies"))
    def interests(self, obj):
        names = [o.name for o in obj.outlets.all()] + [c.legal_name for c in obj.companies.all()]
        return truncated(", ".join(names), width="l")

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)
