"""Objections (masa sanggah): the list of objections (filter "waiting", soonest deadline first), the
objection's page with its files and the decision buttons (uphold or dismiss, each with a reason page), and
the objections on the outlet's page beside its eligibility history. Decisions go through
catalog.objections, as the list's actions and the buttons alike (the decide_view pattern of applications).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, act_on_each, label, reason_page, return_url, staff_name, truncated
from partners import services
from partners.admin.base import RegistryAdmin

from .. import objections
from ..models import Objection, ObjectionStatus
from .common import ApplicantReasonForm, ReadOnlyInline

OBJECTION_TONES = {ObjectionStatus.WAITING: "warn", ObjectionStatus.UPHELD: "good", ObjectionStatus.DISMISSED: "muted"}


def status_label(objection: Objection) -> str:
    return label(objection.get_status_display(), OBJECTION_TONES.get(objection.status, "muted"))


def days_left_label(objection: Objection, today) -> str:
    """Days left to decide (until the period's end), or how late; "-" once decided."""
    if not objection.is_waiting:
        return "-"
    days = (objection.deadline - today).days
    if days < 0:
        return label(ngettext("%(n)d day late", "%(n)d days late", -days) % {"n": -days}, "bad")
    return label(ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}, "warn" if days <= 1 else "info")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyMixin, RegistryAdmin):
    list_display = ["outlet_name", "decision", "filed_on", "deadline", "days_left", "status_label_column"]
    list_select_related = ["outlet", "transition", "application"]
    list_filter = ["status"]
    search_fields = ["outlet__name", "application__code"]
    search_help_text = _("Outlet name or tracking code")
    ordering = ["deadline", "filed_at"]  # the soonest deadline first: a queue
    actions = ["uphold", "dismiss"]
    fields = ["outlet", "decision", "decision_at", "objected_reason", "application", "filed_at", "opens_on",
              "deadline", "statement", "files_list", "status", "decided_at", "decider", "decision_reason",
              "client_ip", "audit_trail"]
    readonly_fields = fields
    change_form_template = "admin/catalog/objection_change_form.html"

    def has_decide_permission(self, request):
        return request.user.has_perm("catalog.decide_objection")

    # columns and fields ------------------------------------------------------------------------

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("decision objected to"))
    def decision(self, obj):
        return obj.decision_label

    @admin.display(description=_("filed"), ordering="filed_at")
    def filed_on(self, obj):
        return date_format(timezone.localtime(obj.filed_at), "SHORT_DATE_FORMAT")

    @admin.display(description=_("to decide"), ordering="deadline")
    def days_left(self, obj):
        return days_left_label(obj, timezone.localdate())

    @admin.display(description=_("status"), ordering="status")
    def status_label_column(self, obj):
        return status_label(obj)

    @admin.display(description=_("decided by"))
    def decider(self, obj):
        return staff_name(obj.decided_by)

    @admin.display(description=_("files"))
    def files_list(self, obj):
        files = list(obj.files.all())
        if not files:
            return "-"
        return format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("objection-file", args=[f.pk]), f.original_filename or f.file.name) for f in files))

    # the decision buttons of the objection's page ----------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        objection = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "decisions": bool(
            objection and objection.is_waiting and self.has_decide_permission(request))}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("<path:object_id>/decide/<str:decision>/", self.admin_site.admin_view(self.decide_view),
                     name="{}_{}_decide".format(*info)), *super().get_urls()]

    def decide_view(self, request, object_id, decision):
        """Uphold or dismiss from the objection's page: the list's action for this one objection (the same
        reason page, checks, messages, e-mail and audit trail), then back to the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in ("uphold", "dismiss"):
            raise Http404
        if not self.has_decide_permission(request):
            raise PermissionDenied
        objection = self.get_object(request, unquote(object_id))
        if objection is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        queryset = self.get_queryset(request).filter(pk=objection.pk)
        with services.staff_edit(request.user):
            response = getattr(self, decision)(request, queryset)
        return response or HttpResponseRedirect(
            return_url(request, reverse("admin:catalog_objection_change", args=[objection.pk])))

    def _with_reason(self, request, queryset, *, action, title, button, uphold, done):
        form = ApplicantReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            act_on_each(self, request, queryset.select_related("outlet"),
                        lambda o: objections.decide_objection(o, user=request.user, uphold=uphold, reason=reason),
                        done, refusals=(objections.ObjectionRefused, objections.lifecycle.TransitionRefused,
                                        objections.applications.ApplicationRefused), name=lambda o: o.outlet)
            return None
        return reason_page(
            self, request, form=form, action=action, title=title, button=button,
            label_heading=gettext("Objection"), standing_heading=gettext("Status"),
            rows=[{"pk": o.pk, "label": f"{o.outlet}: {o.decision_label}", "standing": o.get_status_display()}
                  for o in queryset.select_related("outlet", "transition")])

    @admin.action(description=_("Uphold: take the decision back (the reason is e-mailed)"), permissions=["decide"])
    def uphold(self, request, queryset):
        return self._with_reason(
            request, queryset, action="uphold", title=gettext("Uphold objections"), button=gettext("Uphold"),
            uphold=True, done=ngettext_lazy("%(n)d objection upheld.", "%(n)d objections upheld.", "n"))

    @admin.action(description=_("Dismiss (the reason is e-mailed)"), permissions=["decide"])
    def dismiss(self, request, queryset):
        return self._with_reason(
            request, queryset, action="dismiss", title=gettext("Dismiss objections"), button=gettext("Dismiss"),
            uphold=False, done=ngettext_lazy("%(n)d objection dismissed.", "%(n)d objections dismissed.", "n"))


class ObjectionInline(ReadOnlyInline):
    """The outlet's objections and their decisions, on its page beside the eligibility history."""

    model = Objection
    fk_name = "outlet"
    template = "admin/edit_inline/tabular.html"
    fields = ["objection_link", "decision_objected", "filed_at", "deadline", "status_text", "decided_at",
              "decider", "decision_reason"]
    readonly_fields = fields
    verbose_name = _("objection")
    verbose_name_plural = _("objections (masa sanggah)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("transition", "decided_by")

    @admin.display(description=_("objection"))
    def objection_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_objection_change", args=[obj.pk]),
                           gettext("open"))

    @admin.display(description=_("decision objected to"))
    def decision_objected(self, obj):
        return obj.decision_label

    @admin.display(description=_("status"))
    def status_text(self, obj):
        return status_label(obj)

    @admin.display(description=_("decided by"))
    def decider(self, obj):
        return staff_name(obj.decided_by)
