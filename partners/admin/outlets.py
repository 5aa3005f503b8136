"""Media outlets with their domains and Dewan Pers verification (the catalog extends the outlet page:
catalog.admin.outlets)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import MediaOutlet, MediaType, OutletDomain, PressVerification, VerificationLevel
from .base import RegistryAdmin
from .documents import OutletDocumentInline
from .filters import OutletDocumentReviewFilter, OutletExpiringDocumentsFilter, VerificationLevelFilter
from .search import RegistrySearchMixin


class OutletDomainFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("domain")]
        if getattr(self.instance, "media_type", None) == MediaType.ONLINE and not kept:
            raise ValidationError(_("An online outlet needs at least one website domain."))
        if sum(1 for form in kept if form.cleaned_data.get("is_primary")) > 1:
            raise ValidationError(_("Mark only one domain as primary."))


class OutletDomainInline(admin.TabularInline):
    model = OutletDomain
    formset = OutletDomainFormSet
    extra = 1
    fields = ["domain", "is_primary"]


class PressVerificationInline(admin.StackedInline):
    model = PressVerification
    can_delete = False
    max_num = 1
    fields = [("level", "status_date"), ("certificate_number", "certificate_date", "valid_until"),
              ("source", "checked_at"), "missing_from_list_since", "note"]
    readonly_fields = ["valid_until"]


@admin.register(MediaOutlet)
class MediaOutletAdmin(RegistrySearchMixin, RegistryAdmin):
    list_display = ["name", "company", "media_type", "primary_domain", "verification_level",
                    "verification_valid_until", "pending_documents", "expiring_documents"]
    list_select_related = ["company", "verification"]
    list_filter = ["media_type", "company__province", VerificationLevelFilter,
                   OutletDocumentReviewFilter, OutletExpiringDocumentsFilter]
    search_fields = ["name"]
    search_name_fields = ["name", "company__legal_name"]
    search_company_path = "company__"
    search_domain_path = ""
    autocomplete_fields = ["company"]
    readonly_fields = ["created_at", "updated_at", "audit_trail"]
    fieldsets = [
        (None, {"fields": ["company", "name", "media_type"]}),
        (_("Responsible people"), {"fields": ["person_in_charge", "editor_in_chief",
                                              ("editor_competency", "editor_certificate_no")]}),
        (_("Contacts"), {"fields": [("email", "phone")]}),
        (_("Record"), {"fields": ["created_at", "updated_at", "audit_trail"]}),
    ]
    inlines = [OutletDomainInline, PressVerificationInline, OutletDocumentInline]

    # The rows with their counts (the catalog's outlet page reads its own, with eligibility and listing).
    list_rows = staticmethod(selectors.outlet_list)

    def get_queryset(self, request):
        return self.list_rows(super().get_queryset(request))

    @admin.display(description=_("website"), ordering="primary_domain_name")
    def primary_domain(self, obj):
        return obj.primary_domain_name or "-"

    @admin.display(description=_("Dewan Pers"), ordering="verification__level")
    def verification_level(self, obj):
        verification = getattr(obj, "verification", None)
        return verification.get_level_display() if verification else VerificationLevel.NONE.label

    @admin.display(description=_("certificate valid until"), ordering="verification__valid_until")
    def verification_valid_until(self, obj):
        verification = getattr(obj, "verification", None)
        return verification.valid_until if verification and verification.valid_until else "-"

    @admin.display(description=_("pending documents"), ordering="pending_n")
    def pending_documents(self, obj):
        return obj.pending_n

    @admin.display(description=_("expiring in 30 days"), ordering="expiring_n")
    def expiring_documents(self, obj):
        return obj.expiring_n

    def save_model(self, request, obj, form, change):
        services.outlet_save(obj, changed=form.changed_data if change else None)


@admin.register(PressVerification)
class PressVerificationAdmin(RegistrySearchMixin, RegistryAdmin):
    list_display = ["outlet", "level", "certificate_number", "certificate_date", "valid_until", "source",
                    "checked_at"]
    list_select_related = ["outlet"]
    list_filter = ["level", "source"]
    search_fields = ["certificate_number"]
    search_name_fields = ["outlet__name", "certificate_number"]
    search_company_path = "outlet__company__"
    search_domain_path = "outlet"
    autocomplete_fields = ["outlet"]
    readonly_fields = ["valid_until", "created_at", "updated_at", "audit_trail"]

    def save_model(self, request, obj, form, change):
        services.verification_save(obj)
