"""An agency's staff, managed by its administrator (role "Admin Instansi", mediareg.roles): add a member
(their e-mail is their user name; they get a set-password link, mediareg.accounts), change their roles among
mediareg.roles.AGENCY_ROLES, deactivate or reactivate them, send the link again. Each function refuses a
person outside the actor's agency, a superuser, and a role the actor may not give; superusers may do all of
it for any agency. Roles outside AGENCY_ROLES that a superuser gave someone stay as they are."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mediareg.accounts import INVITATION, PASSWORD_RESET, queue_set_password_mail
from mediareg.roles import ADMIN_INSTANSI, AGENCY_ROLES, ensure_roles

from ..models import Agency, AgencyStaff
from .access import BudgetRefused, agency_of


def may_manage_staff(actor, agency: Agency | None) -> bool:
    """Superusers for any agency; a holder of the user permissions (Admin Instansi) for their own."""
    if actor is None or actor.is_superuser:
        return True
    own = agency_of(actor)
    return (agency is not None and own is not None and own.pk == agency.pk
            and actor.has_perms(["auth.add_user", "auth.change_user"]))


def staff_invite(agency: Agency, *, email: str, roles: list[str], name: str = "", actor=None):
    """A new member of ``agency``'s staff, named by their e-mail, with ``roles``; the link to set their password
    is e-mailed after commit. Returns the user."""
    _require_manager(actor, agency)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise BudgetRefused(_("The e-mail address is not valid."), code="email_invalid") from exc
    groups = _groups(roles)
    users = get_user_model().objects
    if users.filter(username__iexact=email).exists() or users.filter(email__iexact=email).exists():
        raise BudgetRefused(_("A user with the e-mail %(email)s exists already.") % {"email": email},
                            code="user_exists")
    first, _sep, last = (name or "").strip().partition(" ")
    try:
        with transaction.atomic():
            member = get_user_model()(username=email, email=email, first_name=first[:150],
                                      last_name=last.strip()[:150], is_staff=True)
            member.set_unusable_password()
            member.save()
            AgencyStaff.objects.create(user=member, agency=agency)
            member.groups.add(*groups)
            queue_set_password_mail(member, agency=agency)
    except IntegrityError as exc:
        raise BudgetRefused(_("A user with the e-mail %(email)s exists already.") % {"email": email},
                            code="user_exists") from exc
    return member


def staff_set_roles(member, *, roles: list[str], actor=None):
    """``member``'s roles among AGENCY_ROLES become ``roles``; their other groups stay."""
    agency = _require_member(actor, member)
    groups = _groups(roles)
    if actor is not None and actor.pk == member.pk and ADMIN_INSTANSI not in roles and not actor.is_superuser:
        raise BudgetRefused(_("You cannot take the administrator role from yourself; another administrator of "
                              "the agency can."), code="own_admin_role")
    with transaction.atomic():
        member.groups.remove(*Group.objects.filter(name__in=AGENCY_ROLES).exclude(pk__in=[g.pk for g in groups]))
        member.groups.add(*groups)
    _forget_permissions(member)
    return agency


def staff_deactivate(member, *, actor=None):
    """``member`` can no longer log in; their budgets, orders and history stay."""
    _require_member(actor, member)
    if actor is not None and actor.pk == member.pk:
        raise BudgetRefused(_("You cannot deactivate your own account."), code="own_account")
    if member.is_active:
        member.is_active = False
        member.save(update_fields=["is_active"])
    return member


def staff_reactivate(member, *, actor=None):
    _require_member(actor, member)
    if not member.is_active:
        member.is_active = True
        member.save(update_fields=["is_active"])
    return member


def staff_send_link(member, *, actor=None):
    """E-mail ``member`` a new set-password link (the first one if they never logged in)."""
    agency = _require_member(actor, member)
    if not member.is_active:
        raise BudgetRefused(_("%(name)s is deactivated: reactivate the account first.") % {"name": member},
                            code="inactive")
    if not member.email:
        raise BudgetRefused(_("%(name)s has no e-mail address.") % {"name": member}, code="no_email")
    template = INVITATION if member.last_login is None else PASSWORD_RESET
    return queue_set_password_mail(member, template=template, agency=agency)


# --- checks ----------------------------------------------------------------------------------------------

def _require_manager(actor, agency: Agency) -> None:
    if not may_manage_staff(actor, agency):
        raise BudgetRefused(_("You do not administer this agency, so you cannot manage its staff."),
                            code="other_agency")


def _require_member(actor, member) -> Agency | None:
    """The agency ``member`` works for, after checking that ``actor`` manages it."""
    membership = AgencyStaff.objects.select_related("agency").filter(user_id=member.pk).first()
    agency = membership.agency if membership else None
    if actor is not None and not actor.is_superuser:
        if member.is_superuser:
            raise BudgetRefused(_("Only a superuser changes a superuser."), code="superuser")
        if agency is None or not may_manage_staff(actor, agency):
            raise BudgetRefused(_("This person does not work for your agency."), code="other_agency")
    return agency


def _groups(roles: list[str]) -> list[Group]:
    roles = list(dict.fromkeys(str(role) for role in roles or []))
    refused = [role for role in roles if role not in AGENCY_ROLES]
    if refused:
        raise BudgetRefused(_("An agency's staff may be given only these roles: %(allowed)s.")
                            % {"allowed": ", ".join(AGENCY_ROLES)}, code="role_not_allowed")
    if not roles:
        raise BudgetRefused(_("Give at least one role."), code="role_required")
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) < len(roles):  # a role's group not made yet (before the first migrate's signal ran)
        ensure_roles()
        groups = list(Group.objects.filter(name__in=roles))
    return groups


def _forget_permissions(user) -> None:
    """Django caches a user's permissions on the object; the next check reads them again."""
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
