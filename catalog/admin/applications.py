"""The review queue of applications, its decisions with their reason pages, the company data an
applicant typed differently (to apply or ignore), and the registration windows.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, reason_page, staff_name
from mediareg.display import language_name
from partners import services
from partners.admin.base import RegistryAdmin
from partners.models import KbliCode, LegalForm, PressCompany, Province

from .. import applications, company_changes, lifecycle, selectors
from ..applications import ApplicationRefused
from ..models import Application, CompanyChangeProposal, RegistrationWindow
from .common import ApplicantReasonForm
from .filters import ApplicationAgeFilter


@admin.register(RegistrationWindow)
class RegistrationWindowAdmin(admin.ModelAdmin):
    list_display = ["opens_on", "closes_on", "note"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, RegistryAdmin):
    """The review queue. Decisions go through catalog.applications and are e-mailed to the applicant."""

    list_display = ["submitted_at", "outlet", "company", "status", "waiting_days", "document_count",
                    "pending_documents", "decided_by"]
    list_select_related = ["outlet", "company", "decided_by"]
    list_filter = ["status", ApplicationAgeFilter]
    search_fields = ["code", "outlet__name", "company__legal_name"]
    search_help_text = _("Tracking code, outlet or company name")
    ordering = ["submitted_at"]  # oldest first: a queue
    actions = ["start_review", "approve", "request_changes", "reject"]
    fields = ["code", "status", "outlet", "company", "submitted_at", "applicant_email", "language_name", "client_ip",
              "documents_panel", "decider", "decided_at", "decision_reason", "audit_trail"]
    readonly_fields = fields
    # Adds the company data the applicant typed differently, to apply or ignore (below the fields).
    change_form_template = "admin/catalog/application_change_form.html"

    @admin.display(description=_("language"))
    def language_name(self, obj):
        return language_name(obj.language)

    @admin.display(description=_("decided by"))
    def decider(self, obj):
        return staff_name(obj.decided_by)

    def get_queryset(self, request):
        return selectors.application_queue(super().get_queryset(request))

    def has_decide_permission(self, request):
        return request.user.has_perm("catalog.manage_listing")

    @admin.display(description=_("waiting (days)"), ordering="submitted_at")
    def waiting_days(self, obj):
        end = obj.decided_at or timezone.now()
        return (end - obj.submitted_at).days

    @admin.display(description=_("documents"), ordering="documents_n")
    def document_count(self, obj):
        return obj.documents_n

    @admin.display(description=_("pending documents"), ordering="pending_n")
    def pending_documents(self, obj):
        return obj.pending_n

    @admin.display(description=_("documents"))
    def documents_panel(self, obj):
        documents = list(obj.documents.order_by("kind"))
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">{}</a></td></tr>", (
            (d.get_kind_display(), d.get_review_status_display(), d.rejection_reason, d.get_download_url(),
             gettext("Download")) for d in documents))
        review_url = reverse("admin:partners_document_changelist") + "?id__in=" + ",".join(
            str(d.pk) for d in documents)
        return format_html('<table>{}</table><p><a class="button" href="{}">{}</a></p>', rows, review_url,
                           gettext("Accept or reject these documents"))

    # company data typed in the application ------------------------------------------------------

    def has_company_change_permission(self, request):
        return request.user.has_perm("partners.change_presscompany")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        proposal = (CompanyChangeProposal.objects.select_related("decided_by").filter(application=application)
                    .first() if application else None)
        extra_context = {**(extra_context or {}), "company_changes": company_changes_context(
            proposal, can_decide=self.has_company_change_permission(request))}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/company-changes/<str:decision>/",
                 self.admin_site.admin_view(self.company_changes_view), name="{}_{}_company_changes".format(*info)),
            *super().get_urls(),
        ]

    def company_changes_view(self, request, object_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in ("apply", "ignore"):
            raise Http404
        if not self.has_company_change_permission(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        proposal = get_object_or_404(CompanyChangeProposal, application=application)
        # A staff edit of the company, like its own page: re-checked at once, in the person's name.
        with services.staff_edit(request.user):
            return self._decide_company_changes(request, application, proposal, decision)

    def _decide_company_changes(self, request, application, proposal, decision):
        try:
            if decision == "apply":
                applied = company_changes.apply_changes(
                    proposal, user=request.user, fields=request.POST.getlist("company_change"))
                self.message_user(request, gettext("Applied to %(company)s: %(fields)s.") % {
                    "company": application.company, "fields": ", ".join(
                        str(proposed_field_label(field)) for field in applied)}, messages.SUCCESS)
            else:
                company_changes.ignore_changes(proposal, user=request.user)
                self.message_user(request, gettext("The company data typed in the application was ignored."),
                                  messages.SUCCESS)
        except company_changes.ChangesRefused as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:catalog_application_change", args=[application.pk]))

    def _each(self, request, queryset, decision, done):
        decided, refused = 0, []
        for application in queryset.select_related("outlet"):
            try:
                decision(application)
            except (ApplicationRefused, lifecycle.TransitionRefused) as exc:
                refused.append(f"{application.outlet}: {' '.join(exc.messages)}")
            else:
                decided += 1
        if decided:
            self.message_user(request, done % {"n": decided}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Start the review"), permissions=["decide"])
    def start_review(self, request, queryset):
        self._each(request, queryset, lambda a: applications.start_review(a, user=request.user),
                   ngettext_lazy("%(n)d application under review.", "%(n)d applications under review.", "n"))

    @admin.action(description=_("Approve: list the outlet if it is eligible"), permissions=["decide"])
    def approve(self, request, queryset):
        self._each(request, queryset, lambda a: applications.approve_application(a, user=request.user),
                   ngettext_lazy("%(n)d application approved.", "%(n)d applications approved.", "n"))

    def _with_reason(self, request, queryset, action, title, button, decision, done):
        form = ApplicantReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda a: decision(a, reason), done)
            return None
        return reason_page(
            self, request, form=form, action=action, title=title, button=button,
            label_heading=gettext("Application"), standing_heading=gettext("Status"),
            rows=[{"pk": a.pk, "label": a.outlet, "standing": a.get_status_display()}
                  for a in queryset.select_related("outlet")])

    @admin.action(description=_("Request changes (the reason is e-mailed)"), permissions=["decide"])
    def request_changes(self, request, queryset):
        return self._with_reason(
            request, queryset, "request_changes", gettext("Request changes"), gettext("Send the request"),
            lambda a, reason: applications.request_changes(a, user=request.user, reason=reason),
            ngettext_lazy("%(n)d applicant asked for changes.", "%(n)d applicants asked for changes.", "n"))

    @admin.action(description=_("Reject (the reason is e-mailed)"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._with_reason(
            request, queryset, "reject", gettext("Reject applications"), gettext("Reject"),
            lambda a, reason: applications.reject_application(a, user=request.user, reason=reason),
            ngettext_lazy("%(n)d application rejected.", "%(n)d applications rejected.", "n"))


def proposed_field_label(field: str) -> str:
    return PressCompany._meta.get_field(field).verbose_name


def _proposal_value(field: str, value, provinces: dict, kbli: dict) -> str:
    if value in (None, "", []):
        return "-"
    if field == "province":
        return provinces.get(value, str(value))
    if field == "legal_form":
        return str(LegalForm(value).label) if value in LegalForm.values else value
    if field == "kbli_codes":
        return ", ".join(f"{code} {kbli.get(code, '')}".strip() for code in value)
    return str(value)


def company_changes_context(proposal: CompanyChangeProposal | None, *, can_decide: bool) -> dict | None:
    """The rows of the proposal (field, on record now, typed), for the application's page; two queries
    for the labels of provinces and KBLI codes, whatever the number of rows."""
    if proposal is None:
        return None
    company = PressCompany.objects.get(pk=proposal.company_id)
    record = company_changes.company_values(company)
    provinces = dict(Province.objects.values_list("pk", "name"))
    codes = {*record["kbli_codes"], *proposal.proposed.get("kbli_codes", [])}
    kbli = dict(KbliCode.objects.filter(code__in=codes).values_list("code", "title"))
    rows = [{"field": field, "label": proposed_field_label(field),
             "on_record": _proposal_value(field, record[field], provinces, kbli),
             "typed": _proposal_value(field, typed, provinces, kbli),
             "applied": field in proposal.applied_fields}
            for field, typed in proposal.proposed.items()]
    is_open = proposal.status == CompanyChangeProposal.Status.OPEN
    return {"proposal": proposal, "rows": rows, "company": company, "is_open": is_open,
            "can_decide": can_decide and is_open}
