"""Documents: their own pages, with the review actions, and the document rows of company and outlet
pages. Every save goes through partners.services (a replaced file goes back to review)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import (
    ExportSelectedMixin,
    label,
    reason_page,
    return_url,
    staff_name,
    truncated,
    without_field,
)

from .. import services
from ..models import Document, ReviewStatus
from ..selectors import EXPIRY_WARNING_DAYS
from ..uploads import check_document_file
from .base import RegistryAdmin, document_permissions
from .filters import ExpiryFilter
from .search import RegistrySearchMixin

REVIEW_TONES = {ReviewStatus.PENDING: "warn", ReviewStatus.ACCEPTED: "good", ReviewStatus.REJECTED: "bad"}


def review_label(document) -> str:
    """The review decision as a short label; who decided, and the reason of a rejection, on hover."""
    title = ""
    if document.review_status != ReviewStatus.PENDING and document.reviewed_by_id:
        title = gettext("by %(who)s") % {"who": staff_name(document.reviewed_by)}
    if document.review_status == ReviewStatus.REJECTED and document.rejection_reason:
        title = f"{title}: {document.rejection_reason}" if title else document.rejection_reason
    return label(document.get_review_status_display(), REVIEW_TONES.get(document.review_status, "muted"),
                 title=title)


def download_link(document) -> str:
    if not document or not document.pk:
        return "-"
    return format_html('<a href="{}">{}</a>', document.get_download_url(), gettext("Download"))


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["company", "outlet", "kind", "number", "issue_date", "expiry_date", "tax_year", "file"]

    def clean_file(self):
        """A new file is checked here, to say what is wrong beside the field; services.document_save
        stores it with that result."""
        upload = self.cleaned_data.get("file")
        if upload and upload is not getattr(self.instance, "file", None) and hasattr(upload, "content_type"):
            upload.checked = check_document_file(upload)
        return upload


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Shown to the outlet. Say what is wrong and what to send instead."))


def document_actions(document, *, can_review: bool, can_download: bool) -> str:
    """Preview and download links and the accept and reject buttons of a document row."""
    if not document or not document.pk:
        return "-"
    return render_to_string("admin/partners/document_actions.html", {
        "document": document, "can_review": can_review, "can_download": can_download})


class DocumentInlineBase(admin.TabularInline):
    model = Document
    form = DocumentForm
    fields = ["kind", "number", "issue_date", "expiry_date", "tax_year", "file", "review_status", "download"]
    readonly_fields = ["review_status", "download", "review_actions", "file_actions"]
    extra = 0
    show_change_link = True
    _can_review = False

    def get_fields(self, request, obj=None):
        """The file's links, and the review buttons, for the staff who may use them (no link that
        refuses): "file_actions" (preview, download, accept, reject), "review_actions" (accept, reject)
        or the plain download link."""
        allowed = document_permissions(request)
        column = ("file_actions" if allowed["can_download_documents"]
                  else "review_actions" if allowed["can_review_documents"] else None)
        return [column if name == "download" else name for name in super().get_fields(request, obj)
                if name != "download" or column]

    @admin.display(description=_("file"))
    def download(self, obj):
        return download_link(obj)

    @admin.display(description=_("file and review"))
    def file_actions(self, obj):
        return document_actions(obj, can_download=True, can_review=self._can_review)

    @admin.display(description=_("review"))
    def review_actions(self, obj):
        return document_actions(obj, can_download=False, can_review=True)

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request (ModelAdmin.get_inline_instances), so this is the
        # person's own.
        self._can_review = request.user.has_perm("partners.review_document")
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "outlet")


class CompanyDocumentInline(DocumentInlineBase):
    fk_name = "company"
    verbose_name_plural = _("company documents")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(outlet__isnull=True)


class OutletDocumentFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk:
            # An outlet's documents are its company's, also when this page moves the outlet to another
            # company (services.outlet_save moves them): their rows are checked against the outlet as saved.
            form.instance.outlet = self.instance
            form.instance.company_id = self.instance.company_id
        return form


class OutletDocumentInline(DocumentInlineBase):
    fk_name = "outlet"
    formset = OutletDocumentFormSet
    verbose_name_plural = _("outlet documents")


@admin.register(Document)
class DocumentAdmin(ExportSelectedMixin, RegistrySearchMixin, RegistryAdmin):
    form = DocumentForm
    export_report = "documents"  # "Export selected as CSV": metadata only, never the files
    # Key columns only, to fit a 1366 px laptop; the issue date, tax year and reviewer are on the page.
    list_display = ["document_kind", "document_number", "owner", "expiry_state", "review_state", "download"]
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

    def get_ordering(self, request):
        # The expiring and expired documents by days left, the soonest first.
        if request.GET.get(ExpiryFilter.parameter_name) in ExpiryFilter.SORTS_BY_DAYS_LEFT:
            return ["expiry_date", "pk"]
        return super().get_ordering(request)

    @admin.display(description=_("kind"), ordering="kind")
    def document_kind(self, obj):
        return truncated(obj.get_kind_display(), width="l")

    @admin.display(description=_("number"), ordering="number")
    def document_number(self, obj):
        return truncated(obj.number, width="s")

    @admin.display(description=_("outlet or company"), ordering="company__legal_name")
    def owner(self, obj):
        if obj.outlet_id:
            return truncated(obj.outlet.name, width="m", title=f"{obj.outlet.name} ({obj.company.legal_name})")
        return truncated(obj.company.legal_name, width="m")

    @admin.display(description=_("expiry"), ordering="expiry_date")
    def expiry_state(self, obj):
        """The expiry date with a label when it has passed or comes within 30 days."""
        if obj.expiry_date is None:
            return "-"
        today = timezone.localdate()
        date = date_format(obj.expiry_date, "SHORT_DATE_FORMAT")
        if obj.expiry_date < today:
            state = label(gettext("expired"), "bad")
        elif obj.expiry_date <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
            days = (obj.expiry_date - today).days
            state = label(ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days},
                          "bad" if days <= 7 else "warn")
        else:
            return date
        return format_html('<span class="status-stack">{}{}</span>', date, state)

    @admin.display(description=_("review"), ordering="review_status")
    def review_state(self, obj):
        return review_label(obj)

    @admin.display(description=_("file"))
    def download(self, obj):
        return download_link(obj)

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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm("partners.download_document"):
            return fieldsets
        # No link that refuses: without the download permission the page shows the file's name only.
        return [(name, {**options, "fields": without_field(options["fields"], "download")})
                for name, options in fieldsets]

    # the accept and reject buttons of a document's page and of the document rows of other pages --

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/review/<str:decision>/", self.admin_site.admin_view(self.review_view),
                 name="{}_{}_review".format(*info)),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id, decision):
        """Accept or reject one document from a page showing it: the list's action for this document (the
        same checks, reason page, messages and audit trail), then back to the page (``next``)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in ("accept", "reject"):
            raise Http404
        if not self.has_review_permission(request):
            raise PermissionDenied
        document = self.get_object(request, unquote(object_id))
        if document is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        action = self.accept_documents if decision == "accept" else self.reject_documents
        with services.staff_edit(request.user):  # as the list's actions (RegistryAdmin.changelist_view)
            response = action(request, Document.objects.filter(pk=document.pk))
        return response or HttpResponseRedirect(
            return_url(request, reverse("admin:partners_document_change", args=[document.pk])))

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
        return reason_page(
            self, request, form=form, action="reject_documents", title=gettext("Reject documents"),
            button=gettext("Reject"), label_heading=gettext("Document"), standing_heading=gettext("Review"),
            rows=[{"pk": d.pk, "label": d, "standing": d.get_review_status_display()}
                  for d in queryset.select_related("company", "outlet")])
