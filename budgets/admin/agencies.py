"""Agencies and their staff. Superusers add agencies (with their first administrator, through
budgets.services.agency_onboard) and assign a member of staff to one on the staff member's user page (the
"agency" row there); an agency's administrator (Admin Instansi) changes their own agency's settings and
manages its staff from the user list (budgets.services.staff); everyone else sees the agencies visible to
them (budgets.selectors.visible_agencies): a budget officer their own, auditors every one."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, count_of, staff_name, without_field
from mediareg.roles import AGENCY_ROLES

from .. import selectors, services
from ..models import Agency, AgencyStaff, Budget
from ..services import BudgetRefused, agency_of, may_see_every_agency
from .base import AgencyScopedAdmin
from .budgets import RefusalOnField


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


class AgencyOnboardForm(RefusalOnField, forms.Form):
    """A new agency and its first administrator. Only checks what was typed: budgets.services.agency_onboard
    creates everything."""

    refusal_fields = {"name_required": "name", "agency_exists": "name", "kind_invalid": "kind",
                      "region_code_invalid": "region_code", "region_code_taken": "region_code",
                      "slug_invalid": "slug", "slug_taken": "slug", "email_invalid": "admin_email",
                      "user_exists": "admin_email"}

    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False,
                                 help_text=_("Shown where space is short, e.g. 'Diskominfo Banjar'."))
    slug = forms.SlugField(label=_("Address name"), max_length=60, required=False,
                           help_text=_("The agency's part of the public transparency page's address. Empty: made "
                                       "from the short name or the name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
    region_code = forms.CharField(
        label=_("Region code (Kemendagri)"), max_length=13,
        help_text=_("31 for a province (DKI Jakarta); 63.03 for a regency (01-70 after the dot); 31.71 for a city "
                    "(71-99 after the dot)."))
    admin_email = forms.EmailField(label=_("Administrator's e-mail"),
                                   help_text=_("Also their user name. They get a link to set their password."))
    admin_name = forms.CharField(label=_("Administrator's name"), max_length=300, required=False)


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    list_display = ["name", "short_name", "kind", "region_code", "staff_count", "budget_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "region_code", "conflict_handling"]}),
        (_("Budget-year defaults"), {
            "fields": ["default_account_code", "default_account_name", "default_price_comparison_factor"],
            "description": _("Every new budget of the agency starts with these; budgets already made keep their "
                             "own.")}),
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

    # Agencies are added and removed by superusers only. An agency's administrator (Admin Instansi:
    # budgets.change_agency) changes their own agency's settings (AgencyScopedAdmin), not who it is.
    IDENTITY = ["name", "short_name", "slug", "kind", "region_code"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else self.IDENTITY

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def add_view(self, request, form_url="", extra_context=None):
        """A new agency and its administrator, by budgets.services.agency_onboard (as create_agency does)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AgencyOnboardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = services.agency_onboard(user=request.user, **form.cleaned_data)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                self.log_addition(request, done.agency, [{"added": {}}])
                self.message_user(request, gettext(
                    "The agency %(agency)s was added. Its administrator %(user)s gets an e-mail with a link to set "
                    "their password.") % {"agency": done.agency, "user": done.admin.get_username()}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:budgets_agency_change", args=[done.agency.pk]))
        return render(request, "admin/budgets/budget_action.html", {
            **self.admin_site.each_context(request), "title": gettext("Add an agency"), "opts": self.opts,
            "form": form, "button": gettext("Add the agency"), "facts": [],
            "cancel_url": reverse("admin:budgets_agency_changelist")})

    @admin.display(description=_("staff"), ordering="staff_n")
    def staff_count(self, obj):
        return obj.staff_n

    @admin.display(description=_("budgets"), ordering="budget_n")
    def budget_count(self, obj):
        url = reverse("admin:budgets_budget_changelist")
        return format_html('<a href="{}?agency__id__exact={}">{}</a>', url, obj.pk, obj.budget_n)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user_admin = self.admin_site._registry.get(get_user_model())
        # The hint about assigning staff on the user page is for superusers' full user admin (the
        # agency's own administrator adds staff from the user list, to their agency).
        context["can_assign_staff"] = bool(user_admin and user_admin.has_change_permission(request)
                                           and not StaffUserAdmin.scoped(request))
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


ROLE_CHOICES = [(role, role) for role in AGENCY_ROLES]


class StaffInviteForm(RefusalOnField, forms.Form):
    """A new member of the agency's staff; budgets.services.staff_invite adds them."""

    refusal_fields = {"email_invalid": "email", "user_exists": "email", "role_not_allowed": "roles",
                      "role_required": "roles"}

    email = forms.EmailField(label=_("E-mail"), help_text=_("Also their user name. They get a link to set their "
                                                            "password."))
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class StaffChangeForm(RefusalOnField, forms.Form):
    """A member's roles and whether they may log in; budgets.services.staff_set_roles and staff_deactivate."""

    refusal_fields = {"role_not_allowed": "roles", "role_required": "roles", "own_admin_role": "roles",
                      "own_account": "is_active"}

    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("Untick to stop them logging in; what they did stays."))


class StaffUserAdmin(UserAdmin):
    """Django's user page, with the agency each member of staff works for.

    Superusers (and auditors, who only read) have it whole. An agency's administrator (Admin Instansi) gets
    their own agency's staff only, superusers left out: adding a member, changing their roles among
    mediareg.roles.AGENCY_ROLES, deactivating them and sending the set-password link again, each through
    budgets.services.staff, never the superuser, staff or permission flags, nor another's password."""

    inlines = [*UserAdmin.inlines, AgencyOfUserInline]
    list_display = [*UserAdmin.list_display, "agency_name"]
    list_filter = [*UserAdmin.list_filter, "agency_staff__agency"]
    actions = ["send_link", "deactivate"]

    @staticmethod
    def scoped(request) -> bool:
        """Does the person see only their own agency's staff?"""
        return not request.user.is_superuser and not may_see_every_agency(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("agency_staff__agency")
        if not self.scoped(request):
            return queryset
        agency = agency_of(request.user)
        if agency is None:
            return queryset.none()
        return queryset.filter(agency_staff__agency=agency, is_superuser=False)

    def get_list_filter(self, request):
        return ["is_active", "groups"] if self.scoped(request) else self.list_filter

    def get_inlines(self, request, obj):
        return [] if self.scoped(request) else super().get_inlines(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (not self.scoped(request)
                                                        or agency_of(request.user) is not None)

    def has_delete_permission(self, request, obj=None):
        # Staff are deactivated, not deleted, by their agency: their budgets and orders name them.
        return super().has_delete_permission(request, obj) and not self.scoped(request)

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

    # --- an agency administrator's pages ------------------------------------------------------------------

    def staff_page(self, request, form, *, title, button, member=None, facts=()):
        return render(request, "admin/budgets/budget_action.html", {
            **self.admin_site.each_context(request), "title": title, "opts": self.opts, "original": member,
            "form": form, "button": button, "facts": list(facts),
            "cancel_url": reverse("admin:auth_user_changelist")})

    def add_view(self, request, form_url="", extra_context=None):
        if not self.scoped(request):
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        agency = agency_of(request.user)
        form = StaffInviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                member = services.staff_invite(agency, actor=request.user, **form.cleaned_data)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                self.log_addition(request, member, [{"added": {}}])
                self.message_user(request, gettext("%(user)s was added to %(agency)s and gets an e-mail with a link "
                                                   "to set their password.")
                                  % {"user": member.get_username(), "agency": agency}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:auth_user_changelist"))
        return self.staff_page(request, form, title=gettext("Add a member of staff"), button=gettext("Add"),
                               facts=[(_("agency"), agency)])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.scoped(request):
            return super().change_view(request, object_id, form_url, extra_context)
        member = self.get_object(request, unquote(object_id))
        if member is None:  # another agency's, a superuser, or nobody: not even named
            raise Http404
        if not self.has_change_permission(request, member):
            return super().change_view(request, object_id, form_url, extra_context)
        current = list(member.groups.filter(name__in=AGENCY_ROLES).values_list("name", flat=True))
        form = StaffChangeForm(request.POST or None, initial={"roles": current, "is_active": member.is_active})
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.staff_set_roles(member, roles=form.cleaned_data["roles"], actor=request.user)
                    if form.cleaned_data["is_active"] and not member.is_active:
                        services.staff_reactivate(member, actor=request.user)
                    elif not form.cleaned_data["is_active"] and member.is_active:
                        services.staff_deactivate(member, actor=request.user)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                self.log_change(request, member, [{"changed": {"fields": ["roles", "is_active"]}}])
                self.message_user(request, gettext("%(user)s was changed.") % {"user": member.get_username()},
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:auth_user_changelist"))
        return self.staff_page(request, form, title=staff_name(member), button=gettext("Save"), member=member,
                               facts=[(_("user name"), member.get_username()), (_("e-mail"), member.email or "-"),
                                      (_("agency"), self.agency_name(member))])

    def user_change_password(self, request, id, form_url=""):
        # An agency's administrator sends the set-password link; only superusers type someone's password.
        if self.scoped(request) and str(request.user.pk) != str(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Send the set-password link again"), permissions=["change"])
    def send_link(self, request, queryset):
        self._each(request, queryset, services.staff_send_link,
                   lambda n: ngettext("A set-password link is on its way to %(count)d person.",
                                      "Set-password links are on their way to %(count)d people.", n))

    @admin.action(description=_("Deactivate the selected staff"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._each(request, queryset, services.staff_deactivate,
                   lambda n: ngettext("%(count)d person can no longer log in.",
                                      "%(count)d people can no longer log in.", n))

    def _each(self, request, queryset, service, done_message):
        done = 0
        for member in queryset:
            try:
                with transaction.atomic():
                    service(member, actor=request.user)
            except BudgetRefused as refusal:
                self.message_user(request, f"{member.get_username()}: {' '.join(refusal.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
