"""A new agency on the instance, in one go (README "A new agency"): the agency with its budget-year defaults,
its first administrator (a user named by their e-mail, without a usable password), their membership of the
agency and the "Admin Instansi" role, and the e-mail with the link to set the password (mediareg.accounts),
sent after commit. Everything or nothing: a refusal leaves no agency, no user and no e-mail behind.
Callers: the command create_agency and the superusers' "Add agency" page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from mediareg.roles import ADMIN_INSTANSI

from ..models import Agency
from ..regions import normalise_region_code, region_code_problem
from .access import BudgetRefused
from .staff import staff_invite


@dataclass
class Onboarded:
    agency: Agency
    admin: object  # the administrator's user
    link_sent_to: str


def agency_onboard(*, name: str, kind: str, region_code: str, admin_email: str, short_name: str = "",
                   slug: str = "", admin_name: str = "", default_account_code: str = "",
                   default_account_name: str = "", default_price_comparison_factor=None,
                   user=None) -> Onboarded:
    """Create the agency and its first administrator; ``user`` is the superuser doing it (None: a command)."""
    if user is not None and not user.is_superuser:
        raise BudgetRefused(_("Only a superuser adds an agency."), code="not_superuser")
    name, short_name, admin_email = (name or "").strip(), (short_name or "").strip(), (admin_email or "").strip()
    region_code = normalise_region_code(region_code)
    if not name:
        raise BudgetRefused(_("Give the agency's name."), code="name_required")
    if kind not in Agency.Kind.values:
        raise BudgetRefused(_("The kind of agency is province, regency or city."), code="kind_invalid")
    problem = region_code_problem(kind, region_code)
    if problem:
        raise BudgetRefused(problem, code="region_code_invalid")
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise BudgetRefused(_("The administrator's e-mail address is not valid."), code="email_invalid") from exc
    slug = slugify(slug or short_name or name)[:60].strip("-")
    if not slug:
        raise BudgetRefused(_("Give the agency an address name (letters, digits and dashes)."), code="slug_invalid")
    _refuse_existing(name=name, region_code=region_code, slug=slug, email=admin_email)
    agency = Agency(name=name, short_name=short_name, slug=slug, kind=kind, region_code=region_code)
    if default_account_code:
        agency.default_account_code = default_account_code.strip()
    if default_account_name:
        agency.default_account_name = default_account_name.strip()
    if default_price_comparison_factor not in (None, ""):
        agency.default_price_comparison_factor = Decimal(str(default_price_comparison_factor))
    try:
        agency.full_clean()
    except ValidationError as exc:
        raise BudgetRefused("; ".join(exc.messages), code="agency_invalid") from exc
    try:
        with transaction.atomic():
            agency.save()
            # The administrator is the agency's first member of staff, added as every later one is; a refusal
            # there (the address taken meanwhile) takes the agency back with it.
            admin = staff_invite(agency, email=admin_email, roles=[ADMIN_INSTANSI], name=admin_name)
    except IntegrityError as exc:  # another run made the same agency in between
        _refuse_existing(name=name, region_code=region_code, slug=slug, email=admin_email)
        raise BudgetRefused(_("The agency or its administrator exists already."), code="exists") from exc
    return Onboarded(agency=agency, admin=admin, link_sent_to=admin_email)


def _refuse_existing(*, name: str, region_code: str, slug: str, email: str) -> None:
    existing = Agency.objects.filter(name__iexact=name).first()
    if existing:
        raise BudgetRefused(_("An agency named %(name)s exists already; nothing was changed.")
                            % {"name": existing.name}, code="agency_exists")
    existing = Agency.objects.filter(region_code=region_code).first() if region_code else None
    if existing:
        raise BudgetRefused(_("The region code %(code)s is already %(agency)s's; nothing was changed.")
                            % {"code": region_code, "agency": existing.name}, code="region_code_taken")
    if Agency.objects.filter(slug=slug).exists():
        raise BudgetRefused(_("The address name %(slug)s is already another agency's; give another one.")
                            % {"slug": slug}, code="slug_taken")
    users = get_user_model().objects
    if users.filter(username__iexact=email).exists() or users.filter(email__iexact=email).exists():
        raise BudgetRefused(_("A user with the e-mail %(email)s exists already; nothing was changed.")
                            % {"email": email}, code="user_exists")
