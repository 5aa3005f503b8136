"""Agencies and their staff. Superusers add and change agencies and assign a member of staff to one on
the staff member's user page (the "agency" row there); everyone else sees the agencies visible to them
(budgets.selectors.visible_agencies): a budget officer their own, auditors every one."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, count_of, staff_name, without_field

from .. import selectors
from ..models import Agency, AgencyStaff, Budget
from .base import AgencyScopedAdmin


class AgencyStaffInline(ReadOnlyMixin, admin.TabularInline):
    """Who works for the agency. Assigned on each person's user page (AgencyOfUserInline): a person
    works for one agency, and the user page is where superusers manage people."""

    model = AgencyStaff
    extra = 0
    fields = ["member", "username"]
    readonly_fields = fields
    verbose_name = _("staff member")
    verbose_name_plural = _("staff")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").order_by("user__username")

    @admin.display(description=_("name"))
    def member(self, obj):
        name = staff_name(obj.user)
        if self.user_admin and self.user_admin.has_change_permission(self.request, obj.user):
            return format_html('<a href="{}">{}</a>', reverse("admin:auth_user_change", args=[obj.user_id]), name)
        return name

    @admin.display(description=_("user name"))
    def username(self, obj):
        return obj.user.get_username()

    def get_formset(self, request, obj=None, **kwargs):
        # The name links to the user page only for those who may open it (docs/architecture.md "Security").
        self.request = request
        self.user_admin = self.admin_site._registry.get(get_user_model())
        return super().get_formset(request, obj, **kwargs)


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    list_display = ["name", "short_name", "kind", "region_code", "staff_count", "budget_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "region_code", "conflict_handling"]}),
        (_("Proof of publication deadlines (days after the service period ends)"), {
            "fields": ["proof_days_online", ("proof_days_daily_print", "proof_days_weekly_print",
                                             "proof_days_monthly_print", "proof_days_other_print"),
                       ("proof_days_television", "proof_days_radio"), "proof_deadline_reference"],
            "description": _("Fixed on each order when it is placed. A proof filed later needs a reason and a "
                             "second approval; an outlet with an overdue proof gets no new order from the "
                             "agency.")}),
    ]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [AgencyStaffInline]
    change_form_template = "admin/budgets/agency_change_form.html"

    class Media:
        css = {"all": ["budgets/budget_admin.css"]}

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.visible_agencies(request.user)).annotate(
            staff_n=count_of(AgencyStaff, "agency"), budget_n=count_of(Budget, "agency"))

    def agency_id_of(self, obj) -> int:
        return obj.pk

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new agency has no staff yet

    # Agencies are set up by superusers only (no role lists the agency permissions).
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("staff"), ordering="staff_n")
    def staff_count(self, obj):
        return obj.staff_n

    @admin.display(description=_("budgets"), ordering="budget_n")
    def budget_count(self, obj):
        url = reverse("admin:budgets_budget_changelist")
        return format_html('<a href="{}?agency__id__exact={}">{}</a>', url, obj.pk, obj.budget_n)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user_admin = self.admin_site._registry.get(get_user_model())
        context["can_assign_staff"] = bool(user_admin and user_admin.has_change_permission(request))
        return super().render_change_form(request, context, add, change, form_url, obj)


# --- the agency on the user page --------------------------------------------------------------------------


class AgencyOfUserInline(admin.TabularInline):
    """The agency a member of staff works for, on their user page: one at most (AgencyStaff is keyed by
    the user). Removing the row takes the person out of the agency; their budgets stay the agency's."""

    model = AgencyStaff
    fk_name = "user"
    fields = ["agency"]
    max_num = 1
    extra = 1
    verbose_name = _("agency")
    verbose_name_plural = _("agency")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")


User = get_user_model()


class StaffUserAdmin(UserAdmin):
    """Django's user page, with the agency each member of staff works for."""

    inlines = [*UserAdmin.inlines, AgencyOfUserInline]
    list_display = [*UserAdmin.list_display, "agency_name"]
    list_filter = [*UserAdmin.list_filter, "agency_staff__agency"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency_staff__agency")

    def get_fieldsets(self, request, obj=None):
        """Without the password row for those who only see people (auditors): it shows a summary of the
        stored hash and links to the password form, which refuses them."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [(name, {**options, "fields": without_field(options["fields"], "password")})
                for name, options in fieldsets]

    @admin.display(description=_("agency"), ordering="agency_staff__agency__name")
    def agency_name(self, obj):
        staff = getattr(obj, "agency_staff", None)  # None: the person works for no agency
        return staff.agency if staff else "-"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
