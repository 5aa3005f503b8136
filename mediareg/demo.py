"""The demo register that `manage.py seed_demo` loads: the registry's demo (partners.demo), on top of
it the e-catalog's (catalog.demo), and on top of that the budgets' (budgets.demo: agencies, budgets,
price lists and orders), with the demo logins. The project is where the apps meet: the registry's plan
dates its tax documents by the catalog's tax calendar, handed to it here, so that the registry never
imports the catalog.

Demo logins (admin, verifikator, auditor, the budget officers anggaran for Kominfotik DKI and
anggaran.banjar for Diskominfo Banjar, their second approvers ppk and ppk.banjar, and admin.banjar, Diskominfo
Banjar's administrator (Admin Instansi); the password is the user name) exist only with DEBUG on.
Every step writes only what is missing, so a second run adds nothing. The audit trail names ACTOR.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from budgets.demo import BudgetsDemoResult, seed_budgets_demo
from budgets.models import Agency, AgencyStaff
from catalog.demo import seed_catalog_demo
from catalog.models import EligibilityPolicy, ListingState
from catalog.tax_calendar import TaxCalendar
from partners.demo import plan as registry_plan
from partners.demo.owners import seed_owners, shared_owner_companies
from partners.demo.plan import CompanySpec
from partners.demo.seeder import Seeder, check_npwps
from partners.models import Document, MediaOutlet, PressCompany
from partners.services import registry_edit

from .audit import audit_context
from .roles import ensure_roles

ACTOR = "system:seed_demo"

# (user name, which is also the password; group; superuser)
DEMO_USERS = [
    ("admin", None, True),
    ("verifikator", "Verifikator", False),
    ("auditor", "Auditor", False),
    ("anggaran", "Petugas Anggaran", False),
    ("anggaran.banjar", "Petugas Anggaran", False),
    ("ppk", "PPK", False),
    ("ppk.banjar", "PPK", False),
    ("admin.banjar", "Admin Instansi", False),
]
# The agency (budgets.demo.AGENCIES, by slug) each demo budget officer works for.
DEMO_OFFICERS = {"kominfotik-dki": "anggaran", "diskominfo-banjar": "anggaran.banjar"}
# The second approver of held orders (budgets.services.flags) of each demo agency.
DEMO_APPROVERS = {"kominfotik-dki": "ppk", "diskominfo-banjar": "ppk.banjar"}
# The administrator (Admin Instansi: its staff and settings) of the demo's second agency.
DEMO_ADMINS = {"diskominfo-banjar": "admin.banjar"}


class PlanBuilder(registry_plan.PlanBuilder):
    """The registry's demo plan on the tax calendar of the shipped eligibility policy (KSWP grace date,
    return filing deadline), whatever an administrator has changed since."""

    def __init__(self, today: datetime.date, seed: int = registry_plan.RANDOM_SEED):
        super().__init__(today, TaxCalendar(EligibilityPolicy()), seed=seed)


@dataclass
class DemoResult:
    plan: list[CompanySpec]
    created: dict[str, int]  # registry rows created, by kind
    documents: int  # the demo companies' documents, created now or before
    new_users: list[str]
    listings: dict[str, int]  # new e-catalog listings, by state
    budgets: BudgetsDemoResult
    approvers: dict[str, str] = field(default_factory=dict)  # user name: agency, of the demo PPKs
    admins: dict[str, str] = field(default_factory=dict)  # user name: agency, of the demo agency administrators


def seed_demo(*, with_users: bool, today: datetime.date | None = None) -> DemoResult:
    """Write the demo register where it is missing, then its e-catalog part, then its budgets."""
    today = today or timezone.localdate()
    plan = PlanBuilder(today).build()
    check_npwps(plan)
    seeder = None
    try:
        # The audit trail names the job. Every outlet is re-checked below (seed_catalog_demo), so the
        # registry edit asks for no re-check of its own.
        with transaction.atomic(), registry_edit(actor=ACTOR, announce=False):
            new_users = ensure_demo_users() if with_users else []
            seeder = Seeder(reviewer=get_user_model().objects.filter(username="verifikator").first())
            seeder.apply(plan)
    except BaseException:
        if seeder is not None:
            seeder.discard_new_files()
        raise
    documents = Document.objects.filter(company__npwp__in=[spec.npwp for spec in plan]).count()
    with audit_context(actor=ACTOR):
        listings = seed_catalog_demo(actor=ACTOR)
    with transaction.atomic(), registry_edit(actor=ACTOR, announce=False):
        owners = seed_owners(list(PressCompany.objects.filter(npwp__in=[spec.npwp for spec in plan]).order_by("pk")),
                             shared=connected_pair())
    officers = {}
    if with_users:
        users = get_user_model().objects.in_bulk(DEMO_OFFICERS.values(), field_name="username")
        officers = {slug: users[name] for slug, name in DEMO_OFFICERS.items() if name in users}
    # A context of its own: one entered around the catalog's part ends up naming whoever that part's
    # listing decisions name ("system"), since nested audit contexts share and update one set of metadata.
    with audit_context(actor=ACTOR):
        budgets = seed_budgets_demo(today=today, actor=ACTOR, officers=officers)
        approvers = demo_approvers() if with_users else {}
        admins = demo_members(DEMO_ADMINS) if with_users else {}
    return DemoResult(plan=plan, created={**seeder.created, "owners and accounts": owners}, documents=documents,
                      new_users=new_users, listings=listings, budgets=budgets, approvers=approvers,
                      admins=admins)


def demo_approvers() -> dict[str, str]:
    """Each demo PPK works for its demo agency (one that already works for another agency stays there)."""
    return demo_members(DEMO_APPROVERS)


def demo_members(logins: dict[str, str]) -> dict[str, str]:
    """Each demo login of ``logins`` (agency slug: user name) works for its agency, unless it already works for
    another. Returns user name: agency of those that do."""
    users = get_user_model().objects.in_bulk(logins.values(), field_name="username")
    agencies = Agency.objects.in_bulk(logins.keys(), field_name="slug")
    approvers = {}
    for slug, name in logins.items():
        if name in users and slug in agencies:
            membership, _created = AgencyStaff.objects.get_or_create(user=users[name],
                                                                    defaults={"agency": agencies[slug]})
            if membership.agency_id == agencies[slug].pk:
                approvers[name] = str(agencies[slug])
    return approvers


def connected_pair() -> tuple[PressCompany, PressCompany] | None:
    """The companies of the first two listed demo outlets (by id) of different companies: they share a
    beneficial owner and a bank account (partners.demo.owners), so an order of either is one the register
    connects. None once the demo has its shared owner (a second run keeps the first run's pair)."""
    if shared_owner_companies():
        return None
    companies = []
    for company in (MediaOutlet.objects.filter(listing__state=ListingState.LISTED).order_by("pk")
                    .values_list("company", flat=True)):
        if company not in companies:
            companies.append(company)
        if len(companies) == 2:
            found = PressCompany.objects.in_bulk(companies)
            return found[companies[0]], found[companies[1]]
    return None


def ensure_demo_users() -> list[str]:
    """The demo logins with their roles; returns the user names created now."""
    ensure_roles()
    user_model = get_user_model()
    created = []
    for username, group_name, superuser in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            # The password is set only when the account is created; an existing one keeps its own.
            user = user_model(username=username, email=f"{username}@example.com", is_staff=True,
                              is_superuser=superuser)
            user.set_password(username)
            user.save()
            created.append(username)
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
    return created
