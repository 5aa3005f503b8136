"""Media outlets with their domains and Dewan Pers verification (the catalog extends the outlet page:
catalog.admin.outlets)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ExportSelectedMixin, label, truncated

from .. import outlet_sheet, selectors, services
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
class MediaOutletAdmin(ExportSelectedMixin, RegistrySearchMixin, RegistryAdmin):
    # Key columns only, to fit a 1366 px laptop (docs/architecture.md, "Admin lists"); the media type,
    # website and certificate dates are on the outlet's page (and the media type is a filter).
    list_display = ["outlet_name", "company_name", "verification_level", "documents_state"]
    export_report = "outlets"  # "Export selected as CSV" once the report exists (mediareg.admin_helpers)
    list_select_related = ["company", "verification"]
    list_filter = ["media_type", "company__province", VerificationLevelFilter,
                   OutletDocumentReviewFilter, OutletExpiringDocumentsFilter]
    search_fields = ["name"]
    search_name_fields = ["name", "company__legal_name"]
    search_company_path = "company__"
    search_domain_path = ""
    autocomplete_fields = ["company"]
    readonly_fields = ["created_at", "updated_at", "audit_trail", "connected_outlets"]
    fieldsets = [
        (None, {"fields": ["company", "name", ("media_type", "publication_frequency")]}),
        (_("Responsible people"), {"fields": ["person_in_charge", "editor_in_chief",
                                              ("editor_competency", "editor_certificate_no")]}),
        (_("Contacts"), {"fields": [("email", "phone")]}),
        (_("Connected outlets"), {"fields": ["connected_outlets"],
                                  "description": _("Outlets of other companies that share an owner, a bank "
                                                   "account, a phone or an address with this one.")}),
        (_("Record"), {"fields": ["created_at", "updated_at", "audit_trail"]}),
    ]
    inlines = [OutletDomainInline, PressVerificationInline, OutletDocumentInline]

    # The rows with their counts (the catalog's outlet page reads its own, with eligibility and listing).
    list_rows = staticmethod(selectors.outlet_list)

    def get_queryset(self, request):
        # ModelAdmin.get_queryset with the rows annotated before the ordering, which may sort by them.
        rows = self.list_rows(self.model._default_manager.get_queryset())
        ordering = self.get_ordering(request)
        return rows.order_by(*ordering) if ordering else rows

    def get_ordering(self, request):
        # "Documents expiring within 30 days": the outlet whose document runs out first comes first.
        if request.GET.get(OutletExpiringDocumentsFilter.parameter_name) == \
                OutletExpiringDocumentsFilter.SORTS_BY_DAYS_LEFT:
            return ["expiring_on", "name"]
        return super().get_ordering(request)

    @admin.display(description=_("name"), ordering="name")
    def outlet_name(self, obj):
        return truncated(obj.name, width="m")

    @admin.display(description=_("company"), ordering="company__legal_name")
    def company_name(self, obj):
        return truncated(obj.company.legal_name, width="m")

    @admin.display(description=_("Dewan Pers"), ordering="verification__level")
    def verification_level(self, obj):
        return verification_label(getattr(obj, "verification", None))

    @admin.display(description=_("documents"), ordering="expiring_on")
    def documents_state(self, obj):
        return documents_labels(obj.pending_n, obj.expiring_n, obj.expiring_on)

    def save_model(self, request, obj, form, change):
        services.outlet_save(obj, changed=form.changed_data if change else None)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        return [(name, options) for name, options in fieldsets if "connected_outlets" not in options["fields"]]

    @admin.display(description=_("connected outlets"))
    def connected_outlets(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return render_to_string("admin/partners/connected_outlets_section.html", {
            "outlet": obj, "groups": selectors.connected_outlets(outlet_id=obj.pk),
            "all_url": reverse("admin:partners_mediaoutlet_connected")})

    # every group of connected outlets, side by side ------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("connected/", self.admin_site.admin_view(self.connected_view), name="{}_{}_connected".format(*info)),
            path("import-template.<str:kind>", self.admin_site.admin_view(self.import_template_view),
                 name="{}_{}_import_template".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_template_view(self, request, kind):
        """The template of import_outlets (partners.outlet_sheet), for whoever may add outlets."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        if kind not in IMPORT_TEMPLATE_TYPES:
            raise Http404
        response = HttpResponse(outlet_sheet.template_bytes(kind), content_type=IMPORT_TEMPLATE_TYPES[kind])
        response["Content-Disposition"] = f'attachment; filename="template-import-media.{kind}"'
        return response

    def connected_view(self, request):
        """Every group of outlets of two companies or more that share an owner, a bank account, a phone or an
        address (selectors.connected_outlets), the groups spanning most companies first."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = selectors.connected_outlets(limit=CONNECTED_PAGE_GROUPS)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "groups": groups,
                   "title": gettext("Outlets sharing an owner, bank account, phone or address"),
                   "limit": CONNECTED_PAGE_GROUPS, "counts": [(selectors.link_label(kind), n) for kind, n in
                                                 sorted(selectors.connected_groups_count().items())]}
        return TemplateResponse(request, "admin/partners/connected_outlets.html", context)


IMPORT_TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# The connected-outlets page shows at most this many groups (those spanning most companies first).
CONNECTED_PAGE_GROUPS = 200


def verification_label(verification) -> str:
    """The Dewan Pers level as a short label; the full level and the certificate's end on hover."""
    today = timezone.localdate()
    if verification is None or verification.level == VerificationLevel.NONE:
        return label(gettext("not verified"), "muted", title=VerificationLevel.NONE.label)
    full = verification.get_level_display()
    if verification.valid_until:
        full = gettext("%(level)s; certificate valid until %(date)s") % {
            "level": full, "date": date_format(verification.valid_until, "SHORT_DATE_FORMAT")}
    if verification.valid_until and verification.valid_until < today:
        return label(gettext("lapsed"), "bad", title=full)
    if verification.level == VerificationLevel.FACTUAL:
        return label(gettext("factual"), "good", title=full)
    return label(gettext("administrative"), "info", title=full)


def days_left_text(expiry_date, today) -> str:
    days = (expiry_date - today).days
    if days < 0:
        return gettext("expired")
    if days == 0:
        return gettext("expires today")
    return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def documents_labels(pending_n: int, expiring_n: int, expiring_on) -> str:
    """A row's documents as labels: how many wait for review, and how soon the first expiring one runs
    out (with how many expire within 30 days on hover); "-" when nothing needs attention."""
    labels = []
    if pending_n:
        labels.append(label(ngettext("%(n)d pending", "%(n)d pending", pending_n) % {"n": pending_n}, "warn",
                            title=ngettext("%(n)d document waits for review", "%(n)d documents wait for review",
                                           pending_n) % {"n": pending_n}))
    if expiring_n and expiring_on:
        today = timezone.localdate()
        labels.append(label(days_left_text(expiring_on, today), "bad" if (expiring_on - today).days <= 7 else "warn",
                            title=ngettext("%(n)d document expires within 30 days, the first on %(date)s",
                                           "%(n)d documents expire within 30 days, the first on %(date)s",
                                           expiring_n) % {"n": expiring_n,
                                                          "date": date_format(expiring_on, "SHORT_DATE_FORMAT")}))
    if not labels:
        return "-"
    return format_html('<span class="status-stack">{}</span>', format_html_join("", "{}", ((lb,) for lb in labels)))


@admin.register(PressVerification)
class PressVerificationAdmin(RegistrySearchMixin, RegistryAdmin):
    list_display = ["outlet_name", "level_label", "certificate", "valid_until", "source", "checked_on"]
    list_select_related = ["outlet"]
    list_filter = ["level", "source"]
    search_fields = ["certificate_number"]
    search_name_fields = ["outlet__name", "certificate_number"]
    search_company_path = "outlet__company__"
    search_domain_path = "outlet"
    autocomplete_fields = ["outlet"]
    readonly_fields = ["valid_until", "created_at", "updated_at", "audit_trail"]

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("level"), ordering="level")
    def level_label(self, obj):
        return verification_label(obj)

    @admin.display(description=_("certificate number"), ordering="certificate_number")
    def certificate(self, obj):
        return truncated(obj.certificate_number, width="m")

    @admin.display(description=_("last checked"), ordering="checked_at")
    def checked_on(self, obj):
        return date_format(timezone.localtime(obj.checked_at), "SHORT_DATE_FORMAT") if obj.checked_at else "-"

    def save_model(self, request, obj, form, change):
        services.verification_save(obj)
