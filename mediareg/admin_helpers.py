"""Building blocks that the back office of every app uses: how staff and the audit trail are shown,
per-row counts that keep list pages at a fixed number of queries, read-only pages, and the page
on which an action asks for its reason."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .display import actor_display
from .reports import Profile, ReportFilters, get_report
from .reports.responses import report_response


def count_of(model, fk: str, **filters):
    """A correlated COUNT subquery: one scalar per row, no join in the outer query."""
    return count_rows(model.objects.filter(**{fk: OuterRef("pk")}, **filters))


def count_rows(queryset):
    """The rows of a queryset that refers to the outer row (``OuterRef``), counted in a correlated
    subquery: one scalar per row, no join or GROUP BY in the outer query."""
    rows = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# Tones of the list labels (mediareg/static/mediareg/admin.css): each label also says its meaning in
# words, so colour never carries it alone.
LABEL_TONES = frozenset({"good", "bad", "warn", "info", "muted"})


def label(text, tone: str = "muted", *, title: str = "") -> str:
    """A short coloured label for a list cell (a status, a count that needs attention), with its text;
    ``title`` is the longer explanation shown on hover."""
    if tone not in LABEL_TONES:
        raise ValueError(f"unknown label tone {tone!r}")
    if title:
        return format_html('<span class="status-label status-{}" title="{}">{}</span>', tone, title, text)
    return format_html('<span class="status-label status-{}">{}</span>', tone, text)


def truncated(text, *, width: str = "m", title: str = "") -> str:
    """A name or text cut to the list column's width with an ellipsis (CSS, so the whole text stays on
    the page for search and copy), the full text on hover. ``width``: s, m or l."""
    text = "" if text is None else str(text)
    if not text:
        return "-"
    return format_html('<span class="truncated truncated-{}" title="{}">{}</span>', width, title or text, text)


def audit_trail_link(obj) -> str:
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


def without_related_buttons(form, *names: str) -> None:
    """No "add", "change" or "delete" beside the choices of ``names`` on this request's form class: a row added
    there would skip its own rules (a price waits for approval, a budget is changed on its own page)."""
    for name in names:
        widget = form.base_fields[name].widget if name in form.base_fields else None
        if widget is not None and hasattr(widget, "can_add_related"):
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False


def fieldsets_for(request, fieldsets, *, file_links: tuple[str, str, str] | None = None) -> list:
    """A record page's fieldsets as ``request.user`` may use them: without the permission to download the file
    (``file_links`` = (permission, the links' field, the name-only field)) the page names the file and links to
    nothing that would refuse; without the permission to view the audit trail, no link to it."""
    fieldsets = list(fieldsets)
    if file_links is not None and not request.user.has_perm(file_links[0]):
        _permission, links, name_only = file_links
        fieldsets = [(name, {**options, "fields": [name_only if field == links else field
                                                   for field in options["fields"]]})
                     for name, options in fieldsets]
    if not request.user.has_perm("mediareg.view_auditevent"):
        fieldsets = [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                     for name, options in fieldsets]
    return fieldsets


class ReadOnlyMixin:
    """Rows written by the system (history, runs, imports, the outbox): staff see them, nobody adds,
    edits or deletes them. For ModelAdmins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def return_url(request, default: str = "") -> str:
    """The page a decision button asked to come back to (``next``, posted or in the query), when it is a
    page of this site; else ``default``. The buttons on a record's page post it, so staff return there."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def act_on_each(model_admin, request, rows, act, done, *, refusals: tuple, name=str) -> int:
    """An admin action on every selected row, through its service: ``act(row)`` for each, one success
    message (``done % {"n": count}``) and one warning per refused row, naming it (``name(row)``) and the
    service's reason. Returns how many succeeded."""
    acted, refused = 0, []
    for row in rows:
        try:
            act(row)
        except refusals as refusal:
            refused.append(f"{name(row)}: {' '.join(refusal.messages)}")
        else:
            acted += 1
    if acted:
        model_admin.message_user(request, done % {"n": acted}, messages.SUCCESS)
    for message in refused:
        model_admin.message_user(request, message, messages.WARNING)
    return acted


def reason_page(model_admin, request, *, form, rows: list[dict], action: str, title: str, button: str,
                label_heading: str, standing_heading: str, refusal_note: str = ""):
    """The intermediate page of an action that needs a reason (templates/admin/reason_action.html): the
    selected rows (``pk``, ``label``, ``standing``, optionally ``note``), the reason form and the button
    that posts the action again with the reason. Asked from a record's page (``next``), it goes back there."""
    return render(request, "admin/reason_action.html", {
        "cancel_url": return_url(request),
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "label_heading": label_heading,
        "standing_heading": standing_heading,
        "refusal_note": refusal_note,
        "rows": rows,
        "action": action,
        "button": button,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })


class ActorNameMixin:
    """Shows who acted in words ("Demo data (system)", "Command seed_demo") instead of the stored actor
    name ("system:seed_demo"): the ``actor`` or ``actor_label`` field is replaced by ``actor_name`` on
    the page; list_display names ``actor_name`` itself. For ModelAdmins and inlines alike."""

    ACTOR_FIELDS = ("actor", "actor_label")

    @admin.display(description=_("by"))
    def actor_name(self, obj):
        stored = getattr(obj, "actor_label", None) or getattr(obj, "actor", "")
        return actor_display(stored if isinstance(stored, str) else "")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [("actor_name" if name in self.ACTOR_FIELDS else name) for name in fields
                if not (name == "actor" and "actor_label" in fields)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "actor_name"]


# --- "Export selected as CSV" (issue 11) ----------------------------------------------------------------

# The selected rows travel as a list of numbers into the report's query and the access log; a larger
# selection ("select all" on a long list) is taken out from /reports/ with filters instead.
EXPORT_SELECTION_LIMIT = 10_000


def export_selected_action(report_name: str):
    """An admin action that takes the selected rows out as the report ``report_name``'s CSV: the same file
    and the same line in the data access log as /reports/<name>.csv (mediareg.reports.responses), limited
    to the selected rows (``ReportFilters.ids``). It writes nothing but that line, so viewing is the only
    permission it asks for, and the report's own permission (``Report.allowed``) besides."""

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_selected_csv(model_admin, request, queryset):
        report = get_report(report_name)
        if report is None or not report.allowed(request.user):
            raise PermissionDenied
        ids = list(queryset.order_by().values_list("pk", flat=True)[:EXPORT_SELECTION_LIMIT + 1])
        if len(ids) > EXPORT_SELECTION_LIMIT:
            model_admin.message_user(request, ngettext(
                "At most %(limit)d row can be exported from a list; take the whole report from the reports page.",
                "At most %(limit)d rows can be exported from a list; take the whole report from the reports page.",
                EXPORT_SELECTION_LIMIT) % {"limit": EXPORT_SELECTION_LIMIT}, messages.WARNING)
            return None
        return report_response(report, ReportFilters(ids=sorted(ids)), request.user, file_format="csv",
                               profile=Profile.FULL, language=get_language() or "id")

    export_selected_csv.report_name = report_name
    return export_selected_csv


class ExportSelectedMixin:
    """Offers "Export selected as CSV" on a list whose report (``export_report``, a report's name) is
    registered and open to the person. Decided per request, not when the class is built: the reports of the
    apps register themselves when Django has started (mediareg.apps), and a report not written yet simply
    offers no action."""

    export_report = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        report = get_report(self.export_report)
        if report is not None and self.has_view_permission(request) and report.allowed(request.user):
            action = export_selected_action(self.export_report)
            actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions
