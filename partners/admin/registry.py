"""The back office for the registry.

List pages run a fixed number of queries whatever the number of rows: per-row counts are correlated
subqueries (a join with GROUP BY would make the paginator's COUNT scan the join), foreign keys are
selected with the rows, and the unfiltered full count is switched off.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..identifiers import looks_like_npwp, normalize_company_npwp, normalize_domain, normalize_nib
from ..models import (
    Document,
    KbliCode,
    MediaOutlet,
    MediaType,
    OutletDomain,
    PressCompany,
    PressVerification,
    Province,
    ReviewStatus,
    VerificationLevel,
)
from ..uploads import check_document_file

EXPIRY_WARNING_DAYS = 30


def count_of(model, fk: str, **filters):
    """A correlated COUNT subquery: one scalar per row, no join in the outer query."""
    rows = model.objects.filter(**{fk: OuterRef("pk")}, **filters).order_by().values(fk)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))


def audit_trail_link(obj) -> str:
    if not settings.AUDIT_TRAIL_ENABLED:
        return gettext("Not recorded: the audit trail needs PostgreSQL (see README).")
    if not obj or not obj.pk:
        return "-"
    query = urlencode({"obj": f"{obj._meta.label_lower}:{obj.pk}", "method": "references"})
    return format_html('<a href="{}?{}">{}</a>', reverse("admin:mediareg_auditevent_changelist"), query,
                       gettext("Show every change to this record and its parts"))


def staff_name(user) -> str:
    """A member of staff by name. Shown instead of Django's link to the user's page on read-only fields:
    only user administrators may open that page, and nobody should be shown a link that refuses them."""
    if user is None:
        return "-"
    return user.get_full_name() or user.get_username()


def without_field(fields, name: str) -> list:
    """A fieldset's fields without ``name``, also inside rows (tuples); rows left empty are dropped."""
    kept = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            row = tuple(part for part in field if part != name)
            if row:
                kept.append(row)
        elif field != name:
            kept.append(field)
    return kept


class RegistryAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    # A save, a deletion or a bulk action is one staff edit: the eligibility re-checks its writes ask
    # for run once, as soon as its transaction has committed and before the page is answered, so the
    # page the person sees next shows the fresh result (services.staff_edit).

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with services.staff_edit(request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with services.staff_edit(request.user):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        with services.staff_edit(request.user):
            return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the services their own pages use."""
        if formset.model not in (Document, PressVerification):
            super().save_formset(request, form, formset, change)
            if formset.model is OutletDomain and formset.has_changed():
                services.outlet_domains_saved(form.instance)
            elif formset.model is MediaOutlet:
                for outlet_form in formset.forms:
                    if outlet_form.has_changed() and outlet_form.instance.pk:
                        services.outlet_saved(outlet_form.instance, changed=outlet_form.changed_data)
            return
        instances = formset.save(commit=False)
        if formset.deleted_objects:  # documents only: a verification cannot be deleted inline
            services.documents_delete(Document.objects.filter(pk__in=[d.pk for d in formset.deleted_objects]))
        save = services.document_save if formset.model is Document else services.verification_save
        for instance in instances:
            save(instance)
        formset.save_m2m()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm("mediareg.view_auditevent"):
            return fieldsets
        # Reviewers may not open the audit trail, so their pages do not link to it.
        return [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                for name, options in fieldsets]


# --- filters -------------------------------------------------------------------------------------


class ExpiringDocumentsFilter(admin.SimpleListFilter):
    """Rows with an accepted or pending document that runs out within 30 days (Asia/Jakarta dates)."""

    title = _("documents expiring")
    parameter_name = "expiring"
    document_fk = "company"

    def lookups(self, request, model_admin):
        return [("30", _("within 30 days")), ("expired", _("already expired"))]

    def queryset(self, request, queryset):
        documents = Document.objects.filter(**{self.document_fk: OuterRef("pk")}).exclude(
            review_status=ReviewStatus.REJECTED)
        if self.value() == "30":
            return queryset.filter(Exists(documents.expiring_within(EXPIRY_WARNING_DAYS)))
        if self.value() == "expired":
            return queryset.filter(Exists(documents.expired()))
        return queryset


class OutletExpiringDocumentsFilter(ExpiringDocumentsFilter):
    document_fk = "outlet"


class DocumentReviewFilter(admin.SimpleListFilter):
    title = _("document review")
    parameter_name = "review"
    document_fk = "company"

    def lookups(self, request, model_admin):
        return [(ReviewStatus.PENDING, _("has documents pending review")),
                (ReviewStatus.REJECTED, _("has rejected documents"))]

    def queryset(self, request, queryset):
        if self.value() in (ReviewStatus.PENDING, ReviewStatus.REJECTED):
            documents = Document.objects.filter(**{self.document_fk: OuterRef("pk")}, review_status=self.value())
            return queryset.filter(Exists(documents))
        return queryset


class OutletDocumentReviewFilter(DocumentReviewFilter):
    document_fk = "outlet"


class VerificationLevelFilter(admin.SimpleListFilter):
    title = _("Dewan Pers verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [*VerificationLevel.choices, ("lapsed", _("certificate lapsed"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == VerificationLevel.NONE:
            return queryset.filter(Q(verification__isnull=True) | Q(verification__level=value))
        if value in VerificationLevel.values:
            return queryset.filter(verification__level=value)
        if value == "lapsed":
            return queryset.filter(verification__valid_until__lt=timezone.localdate())
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [("30", _("expires within 30 days")), ("expired", _("expired")),
                ("valid", _("not expired")), ("none", _("no expiry date"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        return {
            "30": lambda: queryset.expiring_within(EXPIRY_WARNING_DAYS, today),
            "expired": lambda: queryset.expired(today),
            "valid": lambda: queryset.filter(expiry_date__gte=today),
            "none": lambda: queryset.filter(expiry_date__isnull=True),
        }.get(self.value(), lambda: queryset)()


# --- search --------------------------------------------------------------------------------------


def registry_search(queryset, term: str, *, name_fields: list[str], company_path: str, domain_path: str | None):
    """Names by substring (trigram-indexed in PostgreSQL); NPWP, NIB and domain by exact canonical value,
    so that ``01.312.166.0-091.000`` finds the company stored as ``0013121660091000``.

    Each condition is its own indexed subquery and the page keeps ``pk IN (a UNION b ...)``: PostgreSQL
    then reads a handful of rows, where an OR across joined tables made it test (and join) every row.
    """
    term = term.strip()
    if not term:
        return queryset
    model = queryset.model
    conditions = [_related_match(model, path, "icontains", term) for path in name_fields]
    npwp = looks_like_npwp(term)
    if npwp:
        conditions.append(_related_match(model, f"{company_path}npwp", "exact", npwp))
    digits = term.replace(" ", "")
    if digits.isdigit() and len(digits) == 13:
        conditions.append(_related_match(model, f"{company_path}nib", "exact", digits))
    if domain_path is not None:
        try:
            domain = normalize_domain(term)
        except ValidationError:
            domain = None
        if domain:
            owners = OutletDomain.objects.filter(domain=domain).values("outlet_id")
            conditions.append(Q(**{f"{domain_path or 'pk'}__in": owners}))
    matches = [model._default_manager.filter(condition).values("pk") for condition in conditions]
    return queryset.filter(pk__in=matches[0].union(*matches[1:]))


def _related_match(model, path: str, lookup: str, value) -> Q:
    """``path`` = ``field`` or ``relation__...__field``: a plain lookup on the model's own field, or
    ``relation__in`` a subquery on the related model."""
    relation, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{f"{path}__{lookup}": value})
    related = model._meta.get_field(relation).related_model
    return Q(**{f"{relation}__in": related.objects.filter(_related_match(related, rest, lookup, value)).values("pk")})


class RegistrySearchMixin:
    search_name_fields: list[str] = []
    search_company_path = ""
    search_domain_path: str | None = None
    search_help_text = _("Name, NPWP (any format), NIB or website domain")

    def get_search_results(self, request, queryset, search_term):
        filtered = registry_search(queryset, search_term, name_fields=self.search_name_fields,
                                   company_path=self.search_company_path, domain_path=self.search_domain_path)
        return filtered, False


# --- forms ---------------------------------------------------------------------------------------


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
        return normalize_nib(nib) if nib else ""


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["company", "outlet", "kind", "number", "issue_date", "expiry_date", "tax_year", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload is not getattr(self.instance, "file", None) and hasattr(upload, "content_type"):
            checked = check_document_file(upload)
            # Kept for the model: the stored name is random, its suffix follows the real content.
            upload.name = f"document{checked.extension}"
            self.checked_upload = checked
        return upload

    def _post_clean(self):
        super()._post_clean()
        checked = getattr(self, "checked_upload", None)
        if checked:
            self.instance.original_filename = checked.original_filename
            self.instance.content_type = checked.content_type
            self.instance.size = checked.size


class OutletDomainFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("domain")]
        if getattr(self.instance, "media_type", None) == MediaType.ONLINE and not kept:
            raise ValidationError(_("An online outlet needs at least one website domain."))
        if sum(1 for form in kept if form.cleaned_data.get("is_primary")) > 1:
            raise ValidationError(_("Mark only one domain as primary."))


# --- inlines -------------------------------------------------------------------------------------


class OutletInline(admin.TabularInline):
    model = MediaOutlet
    fields = ["name", "media_type", "editor_in_chief", "person_in_charge"]
    extra = 0
    show_change_link = True


class DocumentInlineBase(admin.TabularInline):
    model = Document
    form = DocumentForm
    fields = ["kind", "number", "issue_date", "expiry_date", "tax_year", "file", "review_status", "download"]
    readonly_fields = ["review_status", "download"]
    extra = 0
    show_change_link = True

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj or not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), gettext("Download"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "outlet")


class CompanyDocumentInline(DocumentInlineBase):
    fk_name = "company"
    verbose_name_plural = _("company documents")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(outlet__isnull=True)


class OutletDocumentInline(DocumentInlineBase):
    fk_name = "outlet"
    verbose_name_plural = _("outlet documents")


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


# --- model admins --------------------------------------------------------------------------------


@admin.register(PressCompany)
class PressCompanyAdmin(RegistrySearchMixin, RegistryAdmin):
    form = PressCompanyForm
    list_display = ["legal_name", "legal_form", "npwp_formatted", "province", "regency_city", "outlet_count",
                    "pending_documents"]
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
    inlines = [OutletInline, CompanyDocumentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            outlets_n=count_of(MediaOutlet, "company"),
            pending_n=count_of(Document, "company", review_status=ReviewStatus.PENDING),
        )

    @admin.display(description=_("NPWP"), ordering="npwp")
    def npwp_formatted(self, obj):
        return obj.npwp_display

    @admin.display(description=_("outlets"), ordering="outlets_n")
    def outlet_count(self, obj):
        return obj.outlets_n

    @admin.display(description=_("pending documents"), ordering="pending_n")
    def pending_documents(self, obj):
        return obj.pending_n

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the KBLI codes are saved here
        services.company_saved(form.instance, changed=form.changed_data)


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

    def get_queryset(self, request):
        today = timezone.localdate()
        primary = OutletDomain.objects.filter(outlet=OuterRef("pk")).order_by("-is_primary", "domain")
        return super().get_queryset(request).annotate(
            primary_domain_name=Subquery(primary.values("domain")[:1]),
            pending_n=count_of(Document, "outlet", review_status=ReviewStatus.PENDING),
            expiring_n=count_of(Document, "outlet", expiry_date__gte=today,
                                expiry_date__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)),
        )

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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.outlet_saved(form.instance, changed=form.changed_data)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Shown to the outlet. Say what is wrong and what to send instead."))


@admin.register(Document)
class DocumentAdmin(RegistrySearchMixin, RegistryAdmin):
    form = DocumentForm
    list_display = ["kind", "number", "company", "outlet", "issue_date", "expiry_date", "expiry_state",
                    "review_status", "reviewed_by", "download"]
    list_select_related = ["company", "outlet", "reviewed_by"]
    list_filter = ["review_status", "kind", ExpiryFilter, "outlet__media_type"]
    search_fields = ["number"]
    search_name_fields = ["number", "company__legal_name", "outlet__name"]
    search_company_path = "company__"
    search_domain_path = "outlet"
    search_help_text = _("Document number, company or outlet name, NPWP (any format) or domain")
    autocomplete_fields = ["company", "outlet"]
    actions = ["accept_documents", "reject_documents"]
    readonly_fields = ["original_filename", "content_type", "size", "download", "earlier_files", "review_status",
                       "reviewer", "reviewed_at", "rejection_reason", "created_at", "updated_at", "audit_trail"]
    fieldsets = [
        (None, {"fields": ["company", "outlet", "kind", "number", ("issue_date", "expiry_date"), "tax_year"]}),
        (_("File"), {"fields": ["file", "download", ("original_filename", "content_type", "size"),
                               "earlier_files"]}),
        (_("Review"), {"fields": [("review_status", "reviewer", "reviewed_at"), "rejection_reason"]}),
        (_("Record"), {"fields": ["created_at", "updated_at", "audit_trail"]}),
    ]

    @admin.display(description=_("reviewed by"))
    def reviewer(self, obj):
        return staff_name(obj.reviewed_by)

    @admin.display(description=_("expiry"))
    def expiry_state(self, obj):
        if obj.expiry_date is None:
            return "-"
        today = timezone.localdate()
        if obj.expiry_date < today:
            return format_html('<strong class="expiry-expired">{}</strong>', gettext("expired"))
        if obj.expiry_date <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
            days = (obj.expiry_date - today).days
            return format_html('<span class="expiry-soon">{}</span>',
                               ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days})
        return gettext("valid")

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj or not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), gettext("Download"))

    @admin.display(description=_("earlier files"))
    def earlier_files(self, obj):
        """Replaced files are kept, for auditors; the audit trail names each replacement."""
        versions = obj.earlier_files() if obj and obj.pk else []
        if not versions:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> ({})</li>', (
            (version["url"], version["original_filename"] or version["name"],
             gettext("from %(since)s, replaced %(replaced)s") % {
                 "since": date_format(timezone.localtime(version["since"]), "DATETIME_FORMAT"),
                 "replaced": date_format(timezone.localtime(version["replaced_at"]), "DATETIME_FORMAT")})
            for version in versions)))

    def save_model(self, request, obj, form, change):
        if not change or form.changed_data:
            services.document_save(obj)

    def delete_model(self, request, obj):
        services.documents_delete(Document.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.documents_delete(queryset)

    def has_review_permission(self, request):
        return request.user.has_perm("partners.review_document")

    @admin.action(description=_("Accept selected documents"), permissions=["review"])
    def accept_documents(self, request, queryset):
        changed = services.documents_accept(queryset, by=request.user)
        self.message_user(request, ngettext("%(n)d document accepted.", "%(n)d documents accepted.", changed)
                          % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Reject selected documents (a reason is required)"), permissions=["review"])
    def reject_documents(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = services.documents_reject(queryset, by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, ngettext("%(n)d document rejected.", "%(n)d documents rejected.", changed)
                              % {"n": changed}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject documents"),
            "opts": self.model._meta,
            "form": form,
            "label_heading": gettext("Document"),
            "standing_heading": gettext("Review"),
            "rows": [{"pk": d.pk, "label": d, "standing": d.get_review_status_display()}
                     for d in queryset.select_related("company", "outlet")],
            "action": "reject_documents",
            "button": gettext("Reject"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/reason_action.html", context)


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


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(KbliCode)
class KbliCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "is_press"]
    list_filter = ["is_press"]
    search_fields = ["code", "title"]

