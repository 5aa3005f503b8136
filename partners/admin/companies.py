"""Press companies, and the reference data their pages offer (provinces, KBLI codes)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import truncated

from .. import selectors, services
from ..identifiers import normalize_company_npwp, normalize_nib
from ..models import KbliCode, MediaOutlet, PressCompany, Province
from .base import RegistryAdmin
from .documents import CompanyDocumentInline
from .filters import DocumentReviewFilter, ExpiringDocumentsFilter
from .outlets import documents_labels
from .owners import CompanyBankAccountInline, CompanyOwnerInline
from .search import RegistrySearchMixin


class PressCompanyForm(forms.ModelForm):
    # Wider than the stored 16 digits so that the punctuated legacy form can be typed.
    npwp = forms.CharField(label=_("NPWP"), max_length=30, required=False,
                           help_text=_("15 digits (01.312.166.0-091.000) or 16 digits; stored as 16 digits. "
                                       "Leave empty only if it is not known yet: the outlet cannot be eligible "
                                       "without it."))

    class Meta:
        model = PressCompany
        fields = ["legal_name", "legal_form", "npwp", "nib", "kbli_codes", "address", "province", "regency_city",
                  "postal_code", "email", "phone"]

    def clean_npwp(self):
        if not self.cleaned_data["npwp"].strip():
            return None
        return normalize_company_npwp(self.cleaned_data["npwp"])

    def clean_nib(self):
        nib = self.cleaned_data.get("nib", "")
        nib = normalize_nib(nib) if nib else ""
        try:
            services.company_check_nib(nib, company=self.instance)
        except ValidationError as exc:
            raise ValidationError(exc.error_dict["nib"]) from exc
        return nib


class OutletInline(admin.TabularInline):
    model = MediaOutlet
    fields = ["name", "media_type", "editor_in_chief", "person_in_charge"]
    extra = 0
    show_change_link = True


@admin.register(PressCompany)
class PressCompanyAdmin(RegistrySearchMixin, RegistryAdmin):
    form = PressCompanyForm
    list_display = ["company_name", "legal_form", "npwp_formatted", "province", "outlet_count", "documents_state"]
    list_select_related = ["province"]
    list_filter = ["legal_form", "province", DocumentReviewFilter, ExpiringDocumentsFilter]
    search_fields = ["legal_name"]  # shows the search box; the lookup itself is registry_search
    search_name_fields = ["legal_name"]
    filter_horizontal = ["kbli_codes"]
    readonly_fields = ["created_at", "updated_at", "audit_trail"]
    fieldsets = [
        (None, {"fields": ["legal_name", "legal_form", "npwp", "nib", "kbli_codes"]}),
        (_("Address and contacts"), {"fields": ["address", ("province", "regency_city", "postal_code"),
                                                ("email", "phone")]}),
        (_("Record"), {"fields": ["created_at", "updated_at", "audit_trail"]}),
    ]
    inlines = [OutletInline, CompanyOwnerInline, CompanyBankAccountInline, CompanyDocumentInline]

    def get_queryset(self, request):
        # ModelAdmin.get_queryset with the rows annotated before the ordering, which may sort by them.
        rows = selectors.company_list(self.model._default_manager.get_queryset())
        ordering = self.get_ordering(request)
        return rows.order_by(*ordering) if ordering else rows

    def get_ordering(self, request):
        # "Documents expiring within 30 days": the company whose document runs out first comes first.
        if request.GET.get(ExpiringDocumentsFilter.parameter_name) == ExpiringDocumentsFilter.SORTS_BY_DAYS_LEFT:
            return ["expiring_on", "legal_name"]
        return super().get_ordering(request)

    @admin.display(description=_("legal name"), ordering="legal_name")
    def company_name(self, obj):
        return truncated(obj.legal_name, width="l")

    @admin.display(description=_("NPWP"), ordering="npwp")
    def npwp_formatted(self, obj):
        return obj.npwp_display

    @admin.display(description=_("outlets"), ordering="outlets_n")
    def outlet_count(self, obj):
        return obj.outlets_n

    @admin.display(description=_("documents"), ordering="expiring_on")
    def documents_state(self, obj):
        return documents_labels(obj.pending_n, obj.expiring_n, obj.expiring_on)

    def save_model(self, request, obj, form, change):
        services.company_save(obj, changed=form.changed_data if change else None,
                              kbli_codes=form.cleaned_data["kbli_codes"])

    def save_related(self, request, form, formsets, change):
        # The KBLI codes were saved with the company (services.company_save); the inline rows follow.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(KbliCode)
class KbliCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "is_press"]
    list_filter = ["is_press"]
    search_fields = ["code", "title"]
