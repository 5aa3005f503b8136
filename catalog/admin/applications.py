"""The review queue of applications, its decisions with their reason pages, the company data an
applicant typed differently (to apply or ignore), and the registration windows.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, act_on_each, label, reason_page, return_url, staff_name, truncated
from mediareg.display import language_name
from partners import selectors as registry
from partners import services
from partners.admin.base import RegistryAdmin
from partners.models import KbliCode, LegalForm, PressCompany, Province

from .. import applications, company_changes, lifecycle, selectors
from ..applications import ApplicationRefused
from ..models import Application, CompanyChangeProposal, RegistrationWindow
from .common import ApplicantReasonForm
from .filters import ApplicationAgeFilter

APPLICATION_TONES = {
    Application.Status.SUBMITTED: "info",
    Application.Status.UNDER_REVIEW: "info",
    Application.Status.CHANGES_REQUESTED: "warn",
    Application.Status.APPROVED: "good",
    Application.Status.REJECTED: "bad",
}


@admin.register(RegistrationWindow)
class RegistrationWindowAdmin(admin.ModelAdmin):
    """The stages Pemda publish, in order (docs/domain.md "Objection window"): only registration opens
    and closes the public form; the objection days set when a rejection may be objected to."""

    list_display = ["opens_on", "closes_on", "first_list_on", "objection_opens_on", "objection_closes_on",
                    "final_list_on", "note"]
    fieldsets = [
        (_("Registration"), {"fields": ["opens_on", "closes_on"]}),
        (_("First list"), {"fields": ["first_list_on", "first_list_until"]}),
        (_("Objection days (masa sanggah)"), {"fields": ["objection_opens_on", "objection_closes_on"]}),
        (_("Final list"), {"fields": ["final_list_on"]}),
        (None, {"fields": ["note"]}),
    ]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, RegistryAdmin):
    """The review queue. Decisions go through catalog.applications and are e-mailed to the applicant."""

    # Key columns only, to fit a 1366 px laptop; who decided and when are on the page.
    list_display = ["outlet_name", "company_name", "submitted_on", "status_label", "waiting_days",
                    "documents_state"]
    list_select_related = ["outlet", "company", "decided_by"]
    list_filter = ["status", ApplicationAgeFilter]
    search_fields = ["code", "outlet__name", "company__legal_name"]
    search_help_text = _("Tracking code, outlet or company name")
    ordering = ["submitted_at"]  # oldest first: a queue
    actions = ["start_review", "approve", "request_changes", "reject"]
    # The documents, with their review buttons and preview links, follow the fields
    # (application_change_form.html), as the buttons depend on the person's permissions.
    fields = ["code", "status", "outlet", "company", "submitted_at", "applicant_email", "language_name", "client_ip",
              "decider", "decided_at", "decision_reason", "audit_trail"]
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

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("company"), ordering="company__legal_name")
    def company_name(self, obj):
        return truncated(obj.company.legal_name, width="m")

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted_on(self, obj):
        return date_format(timezone.localtime(obj.submitted_at), "SHORT_DATE_FORMAT")

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return label(obj.get_status_display(), APPLICATION_TONES.get(obj.status, "muted"))

    @admin.display(description=_("documents"), ordering="pending_n")
    def documents_state(self, obj):
        """How many documents the application carries, and how many of them wait for review."""
        if not obj.pending_n:
            return str(obj.documents_n)
        return format_html("{} {}", obj.documents_n, label(
            ngettext("%(n)d pending", "%(n)d pending", obj.pending_n) % {"n": obj.pending_n}, "warn"))

    def documents_context(self, request, application) -> dict:
        """The application's documents for its page: each with its preview and download links and its
        accept and reject buttons, for the staff who may use them."""
        documents = list(application.documents.select_related("company", "outlet").order_by("kind", "pk"))
        return {
            "documents": documents,
            "can_review": request.user.has_perm("partners.review_document"),
            "can_download": request.user.has_perm("partners.download_document"),
            "review_list_url": reverse("admin:partners_document_changelist") + "?id__in=" + ",".join(
                str(d.pk) for d in documents),
        }

    # company data typed in the application ------------------------------------------------------

    def has_company_change_permission(self, request):
        return request.user.has_perm("partners.change_presscompany")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        proposal = (CompanyChangeProposal.objects.select_related("decided_by").filter(application=application)
                    .first() if application else None)
        extra_context = {**(extra_context or {}), "company_changes": company_changes_context(
            proposal, can_decide=self.has_company_change_permission(request))}
        if application is not None:
            extra_context.update(self.documents_context(request, application))
            extra_context["decisions"] = (self.has_decide_permission(request)
                                          and application.status not in applications.DECIDED)
            if extra_context["decisions"]:
                # Named beside the buttons too, before anyone clicks "Approve".
                extra_context["not_accepted"] = not_accepted_documents([application])[application.pk]
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/decide/<str:decision>/",
                 self.admin_site.admin_view(self.decide_view), name="{}_{}_decide".format(*info)),
            path("<path:object_id>/company-changes/<str:decision>/",
                 self.admin_site.admin_view(self.company_changes_view), name="{}_{}_company_changes".format(*info)),
            *super().get_urls(),
        ]

    # the decision buttons of the application's page --------------------------------------------

    DECISIONS = ("approve", "request_changes", "reject")

    def decide_view(self, request, object_id, decision):
        """Approve, request changes or reject from the application's page: the list's action for this one
        application (the same checks, reason page, approve warning, messages, e-mail and audit trail),
        then back to the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in self.DECISIONS:
            raise Http404
        if not self.has_decide_permission(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        queryset = self.get_queryset(request).filter(pk=application.pk)
        with services.staff_edit(request.user):  # as the list's actions (RegistryAdmin.changelist_view)
            response = getattr(self, decision)(request, queryset)
        return response or HttpResponseRedirect(
            return_url(request, reverse("admin:catalog_application_change", args=[application.pk])))

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
        act_on_each(self, request, queryset.select_related("outlet"), decision, done,
                    refusals=(ApplicationRefused, lifecycle.TransitionRefused), name=lambda a: a.outlet)

    @admin.action(description=_("Start the review"), permissions=["decide"])
    def start_review(self, request, queryset):
        self._each(request, queryset, lambda a: applications.start_review(a, user=request.user),
                   ngettext_lazy("%(n)d application under review.", "%(n)d applications under review.", "n"))

    @admin.action(description=_("Approve: list the outlet if it is eligible"), permissions=["decide"])
    def approve(self, request, queryset):
        if "confirmed" not in request.POST:
            chosen = list(queryset.select_related("outlet", "company"))
            unaccepted = not_accepted_documents(chosen)
            if any(unaccepted.values()):
                return self.approve_warning(request, chosen, unaccepted)
        self._each(request, queryset, lambda a: applications.approve_application(a, user=request.user),
                   ngettext_lazy("%(n)d application approved.", "%(n)d applications approved.", "n"))

    def approve_warning(self, request, chosen, unaccepted):
        """The step before approving applications whose outlet has documents, its own or its company's,
        that are rejected or not reviewed yet: they are named, and staff approve anyway or go back."""
        return render(request, "admin/catalog/approve_warning.html", {
            **self.admin_site.each_context(request),
            "title": gettext("Approve with documents not accepted?"),
            "opts": self.opts,
            "rows": [{"application": a, "documents": unaccepted[a.pk]} for a in chosen],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": return_url(request),
        })

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


def not_accepted_documents(applications_) -> dict[int, list]:
    """For each application (by id), its outlet's documents, own and company's, not accepted (one query)."""
    found = registry.documents_not_accepted((a.outlet_id, a.company_id) for a in applications_)
    return {a.pk: found[(a.outlet_id, a.company_id)] for a in applications_}


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
