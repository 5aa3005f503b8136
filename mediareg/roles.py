"""Staff roles as Django groups. Missing groups and permissions are added after every migrate;
permissions an administrator removed by hand from an existing group are added back only if they
are listed here, so the list below is the contract of each role."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

VIEW_REGISTRY = [
    "partners.view_presscompany",
    "partners.view_mediaoutlet",
    "partners.view_outletdomain",
    "partners.view_pressverification",
    "partners.view_document",
    "partners.view_province",
    "partners.view_kblicode",
    "partners.view_companyowner",
    "partners.view_companybankaccount",
]
EDIT_REGISTRY = [
    f"partners.{action}_{model}"
    for model in ("presscompany", "mediaoutlet", "outletdomain", "pressverification", "document")
    for action in ("add", "change")
] + [f"partners.{action}_{model}" for model in ("companyowner", "companybankaccount")
     for action in ("add", "change", "delete")]
# Owners' identity numbers (NIK) and bank account numbers in full (personal data, UU 27/2022): the registry's
# own staff, who enter them from the deed and the company's letters; everyone else sees the last four digits.
PRIVATE_NUMBERS = ["partners.view_private_numbers"]

# Every catalog model can be seen; its history rows are written by the system only.
VIEW_CATALOG = [
    f"catalog.view_{model}"
    for model in ("eligibilitypolicy", "eligibility", "eligibilitychange", "recheckrun", "recheckrange", "listing",
                  "listingtransition", "expiryreminder", "staffsummary", "presscouncilimport", "presscouncilentry",
                  "webranklist", "outletwebrank", "application", "registrationwindow", "taxyearnotice",
                  "objection", "objectionfile")
]
# Listings change only through catalog.lifecycle (the admin's actions, catalog.manage_listing), never
# through a form, so no role needs catalog.change_listing. Nobody but superusers changes the
# EligibilityPolicy: no role lists catalog.change_eligibilitypolicy.
MANAGE_CATALOG = ["catalog.manage_listing", "catalog.decide_objection", "catalog.recheck_eligibility",
                  "catalog.add_registrationwindow",
                  "catalog.change_registrationwindow", "catalog.delete_registrationwindow"]

# Budgets, revisions, the price list and orders: every agency's are visible only with
# budgets.view_every_agency (auditors); a budget officer's lists are scoped to their own agency
# (budgets.selectors.visible_*), and the services refuse a change to another agency's (budgets.services.access).
VIEW_BUDGETS = [f"budgets.view_{model}" for model in ("agency", "agencystaff", "budget", "budgetrevision",
                                                        "priceitem", "referenceprice", "mediaorder", "orderflag",
                                                        "otherspend", "declaredinterest")]
MANAGE_BUDGETS = ["budgets.add_budget", "budgets.change_budget", "budgets.add_budgetrevision",
                  "budgets.add_priceitem", "budgets.approve_priceitem",
                  "budgets.add_referenceprice", "budgets.change_referenceprice",
                  "budgets.add_mediaorder", "budgets.change_mediaorder", "budgets.review_proof",
                  "budgets.pay_mediaorder", "budgets.cancel_mediaorder", "budgets.download_proof",
                  "budgets.add_otherspend", "budgets.cancel_otherspend", "budgets.download_spend_evidence",
                  "budgets.add_declaredinterest", "budgets.change_declaredinterest",
                  "budgets.delete_declaredinterest"]

# Login attempts, lockouts and the log of logins (django-axes). Only superusers unlock.
VIEW_LOGINS = ["axes.view_accessattempt", "axes.view_accessfailurelog", "axes.view_accesslog"]

# The periodic jobs and their schedules (django-celery-beat): which job runs when, and when it last ran.
VIEW_SCHEDULES = [f"django_celery_beat.view_{model}" for model in ("periodictask", "crontabschedule",
                                                                    "intervalschedule", "solarschedule",
                                                                    "clockedschedule")]

# What the project itself keeps: the audit trail, tasks set aside, the e-mail outbox, and the log of who
# took data out (reports, document and proof files; mediareg.access).
VIEW_PROJECT = ["mediareg.view_auditevent", "mediareg.view_deadletter", "mediareg.view_outgoingmail",
                "mediareg.view_dataaccess", "mediareg.view_apitoken", "mediareg.view_every_apitoken"]
# Keys for programs calling the API as oneself (mediareg.api.tokens): made and revoked by staff themselves.
OWN_API_TOKENS = ["mediareg.view_apitoken", "mediareg.add_apitoken", "mediareg.change_apitoken"]

# Who has which role: the users with their groups and agency, and each group's permissions. Only
# superusers change them.
VIEW_PEOPLE = ["auth.view_user", "auth.view_group"]

# An agency's administrator (Admin Instansi): its staff and its own settings, nothing of the others'.
# "auth.*_user" opens the Users page, which for them lists only their agency's staff and offers only the
# roles below (budgets.admin.agencies, budgets.services.staff refuse anything else); "change_agency" is
# their own agency's settings only (budgets.admin.base.AgencyScopedAdmin). Budgets are seen, not changed,
# unless the person is also a budget officer.
ADMIN_INSTANSI = "Admin Instansi"
# The roles an agency's administrator gives to its staff (budgets.services.staff).
AGENCY_ROLES = ["Petugas Anggaran", "PPK", ADMIN_INSTANSI]
MANAGE_AGENCY = ["auth.view_user", "auth.add_user", "auth.change_user", "budgets.change_agency"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Kominfo staff who keep the registry, review documents and decide on listings.
    "Verifikator": VIEW_REGISTRY + EDIT_REGISTRY + PRIVATE_NUMBERS + VIEW_CATALOG + MANAGE_CATALOG
    + ["partners.review_document", "partners.download_document", "mediareg.view_outgoingmail"] + OWN_API_TOKENS,
    # The inspectorate and BPK: see everything, change nothing (issue 11). View permission on every model
    # of the admin (tests/test_auditor_role.py fails when a new one is missing here), every agency's
    # budgets and orders, and the document and proof files, each download logged (mediareg.access). No add,
    # change, delete or other action permission: tests/test_auditor_walk.py posts every admin page and
    # action as an auditor and finds nothing written.
    "Auditor": VIEW_REGISTRY + VIEW_CATALOG + VIEW_BUDGETS + VIEW_LOGINS + VIEW_SCHEDULES + VIEW_PROJECT
    + VIEW_PEOPLE + ["budgets.view_every_agency", "budgets.download_proof", "budgets.download_spend_evidence",
                     "partners.download_document"],
    # An agency's budget officer: its budgets, price list and orders; the registry read-only (the public
    # /catalog/ and the order form say which outlets may be ordered from).
    "Petugas Anggaran": VIEW_REGISTRY + VIEW_BUDGETS + MANAGE_BUDGETS + OWN_API_TOKENS,
    # The second pair of eyes on an order an integrity control held (budgets.services.flags): the
    # commitment officer (Pejabat Pembuat Komitmen) of the agency, who never approves their own order.
    "PPK": VIEW_REGISTRY + VIEW_BUDGETS + ["budgets.approve_orderflag", "budgets.download_proof"] + OWN_API_TOKENS,
    ADMIN_INSTANSI: VIEW_REGISTRY + VIEW_BUDGETS + MANAGE_AGENCY,
}


def _permissions(names: list[str]):
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def ensure_roles() -> None:
    for group_name, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(names))


def ensure_roles_after_migrate(sender, **kwargs):
    ensure_roles()
