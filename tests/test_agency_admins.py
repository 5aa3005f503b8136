"""An agency's administrator (role "Admin Instansi", README "Roles") on a shared instance: on the Users page
only their own agency's staff (never a superuser, never another agency's), adding staff with the agency's
roles only, changing their roles, deactivating them and sending the link again through budgets.services.staff;
their own agency's settings, no other's; their budgets and orders seen, not changed; the shared registry
seen. What they may not do is refused by the services too, whatever a forged form says."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from budgets import services
from budgets.models import Agency, AgencyStaff
from mediareg.models import OutgoingMail
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.factories import StaffUserFactory
from tests.helpers import messages_of, page_queries
from tests.helpers import text as folded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

USERS = reverse("admin:auth_user_changelist")
ADD_USER = reverse("admin:auth_user_add")


def text(response) -> str:
    return html.unescape(folded(response))


def user_page(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def listed(client, url) -> set:
    response = client.get(url)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


@pytest.fixture(autouse=True)
def in_english(english):
    """The messages are compared with their English text (the lead translates them after merging)."""


@pytest.fixture
def world():
    """Banjar, onboarded as create_agency does, with a budget officer, a budget and an order; DKI, an older
    agency, with its own officer, budget and order to the same shared outlet."""
    banjar = services.agency_onboard(name="Diskominfo Kabupaten Banjar", kind="regency", region_code="63.03",
                                     admin_email="admin@banjarkab.go.id", short_name="Diskominfo Banjar")
    dki = make_agency("Kominfotik DKI", slug="dki")
    outlet = listed_eligible_outlet("Kabar Bersama")
    price = approved_price(outlet)
    officer, dki_officer = budget_officer(banjar.agency, "anggaran.banjar"), budget_officer(dki, "anggaran.dki")
    budget, dki_budget = make_budget(banjar.agency), make_budget(dki)
    order, dki_order = place(budget, price, user=officer), place(dki_budget, price, user=dki_officer)
    root = StaffUserFactory(username="root", is_superuser=True)
    AgencyStaff.objects.create(user=root, agency=banjar.agency)  # a superuser working for Banjar stays out of reach
    OutgoingMail.objects.all().delete()
    return {"agency": banjar.agency, "admin": banjar.admin, "officer": officer, "budget": budget, "order": order,
            "outlet": outlet, "dki": dki, "dki_officer": dki_officer, "dki_budget": dki_budget,
            "dki_order": dki_order, "root": root}


def test_the_users_page_lists_only_the_agencys_own_staff(client, world):
    client.force_login(world["admin"])
    assert listed(client, USERS) == {world["admin"].pk, world["officer"].pk}
    assert client.get(user_page(world["dki_officer"])).status_code == 404
    assert client.get(user_page(world["root"])).status_code == 404
    # Nobody's password is typed by the agency's administrator: they send the link.
    assert client.get(reverse("admin:auth_user_password_change", args=[world["officer"].pk])).status_code == 403
    assert 'name="is_superuser"' not in client.get(user_page(world["officer"])).content.decode()


def test_the_users_page_runs_the_same_queries_for_more_staff(client, world):
    client.force_login(world["admin"])
    few, _response = page_queries(client, USERS)
    for n in range(10):
        budget_officer(world["agency"], f"anggaran.banjar.{n}")
    many, response = page_queries(client, USERS)
    assert len(response.context["cl"].result_list) == 12 and many == few


def test_the_admin_adds_a_member_of_staff_who_gets_the_link(client, world):
    client.force_login(world["admin"])
    page = client.get(ADD_USER)
    assert page.status_code == 200 and "Verifikator" not in text(page) and "Auditor" not in text(page)
    response = client.post(ADD_USER, {"email": "ppk@banjarkab.go.id", "name": "Siti Aminah", "roles": ["PPK"]})
    assert response.status_code == 302
    member = get_user_model().objects.get(username="ppk@banjarkab.go.id")
    assert member.agency_staff.agency == world["agency"] and not member.has_usable_password()
    assert list(member.groups.values_list("name", flat=True)) == ["PPK"] and not member.is_superuser
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.recipients) == ("account_invitation", ["ppk@banjarkab.go.id"])
    assert "Diskominfo Banjar" in mail.subject


@pytest.mark.parametrize("roles", [["Verifikator"], ["Auditor"], ["Petugas Anggaran", "Auditor"], []])
def test_roles_outside_the_agencys_list_are_refused(client, world, roles):
    client.force_login(world["admin"])
    before = get_user_model().objects.count()
    response = client.post(ADD_USER, {"email": "x@banjarkab.go.id", "roles": roles})
    assert response.status_code == 200 and get_user_model().objects.count() == before
    with pytest.raises(services.BudgetRefused) as refused:
        services.staff_invite(world["agency"], email="x@banjarkab.go.id", roles=roles, actor=world["admin"])
    assert refused.value.code in {"role_not_allowed", "role_required"}
    assert not OutgoingMail.objects.exists()


def test_the_admin_changes_roles_and_deactivates_but_makes_no_superuser(client, world):
    officer = world["officer"]
    officer.groups.add(Group.objects.get(name="Verifikator"))  # given by a superuser: not theirs to take
    client.force_login(world["admin"])
    response = client.post(user_page(officer), {"roles": ["PPK", "Petugas Anggaran"], "is_active": "on",
                                                "is_superuser": "on", "is_staff": "on",
                                                "groups": [g.pk for g in Group.objects.all()]})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert set(officer.groups.values_list("name", flat=True)) == {"PPK", "Petugas Anggaran", "Verifikator"}
    assert not officer.is_superuser
    assert client.post(user_page(officer), {"roles": ["PPK"]}).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active and set(officer.groups.values_list("name", flat=True)) == {"PPK", "Verifikator"}


def test_the_admin_cannot_lock_themselves_out(client, world):
    admin = world["admin"]
    client.force_login(admin)
    response = client.post(user_page(admin), {"roles": ["Admin Instansi"]})
    assert "You cannot deactivate your own account." in text(response)
    response = client.post(user_page(admin), {"roles": ["PPK"], "is_active": "on"})
    assert "You cannot take the administrator role from yourself" in text(response)
    admin.refresh_from_db()
    assert admin.is_active and list(admin.groups.values_list("name", flat=True)) == ["Admin Instansi"]


def test_the_list_actions_deactivate_and_resend_the_link(client, world):
    officer = world["officer"]
    client.force_login(world["admin"])
    response = client.post(USERS, {"action": "send_link", "_selected_action": [officer.pk]}, follow=True)
    assert "A set-password link is on its way to 1 person." in messages_of(response)
    assert OutgoingMail.objects.get().recipients == [officer.email]
    response = client.post(USERS, {"action": "deactivate", "_selected_action": [officer.pk, world["admin"].pk]},
                           follow=True)
    shown = messages_of(response)
    assert "1 person can no longer log in." in shown and any("your own account" in m for m in shown)
    officer.refresh_from_db()
    assert not officer.is_active
    # Another agency's staff or a superuser, even when forged into the action's selection: not found.
    client.post(USERS, {"action": "deactivate", "_selected_action": [world["dki_officer"].pk, world["root"].pk]})
    assert get_user_model().objects.get(pk=world["dki_officer"].pk).is_active
    assert get_user_model().objects.get(pk=world["root"].pk).is_active


def test_the_services_refuse_other_agencies_and_superusers(world):
    admin = world["admin"]
    for member, code in ((world["dki_officer"], "other_agency"), (world["root"], "superuser")):
        for service in (services.staff_deactivate, services.staff_send_link):
            with pytest.raises(services.BudgetRefused) as refused:
                service(member, actor=admin)
            assert refused.value.code == code
        with pytest.raises(services.BudgetRefused):
            services.staff_set_roles(member, roles=["PPK"], actor=admin)
    with pytest.raises(services.BudgetRefused) as refused:
        services.staff_invite(world["dki"], email="y@dki.go.id", roles=["PPK"], actor=admin)
    assert refused.value.code == "other_agency"
    # A budget officer of the agency is not its administrator.
    with pytest.raises(services.BudgetRefused):
        services.staff_invite(world["agency"], email="y@banjarkab.go.id", roles=["PPK"], actor=world["officer"])


def test_the_admin_changes_their_own_agencys_settings_only(client, world):
    agency, dki = world["agency"], world["dki"]
    client.force_login(world["admin"])
    page = client.get(reverse("admin:budgets_agency_change", args=[agency.pk]))
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert 'name="default_account_code"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    staff = list(agency.staff.order_by("user__username"))
    data.update({"default_account_code": "5.1.02.02.01.0026", "default_price_comparison_factor": "1.20",
                 "proof_days_online": "3", "name": "Nama Lain", "region_code": "31",
                 "staff-TOTAL_FORMS": str(len(staff)), "staff-INITIAL_FORMS": str(len(staff)),
                 "staff-MIN_NUM_FORMS": "0", "staff-MAX_NUM_FORMS": "1000"})
    for n, membership in enumerate(staff):
        data.update({f"staff-{n}-user": membership.user_id, f"staff-{n}-agency": agency.pk})
    assert client.post(reverse("admin:budgets_agency_change", args=[agency.pk]), data).status_code == 302
    agency.refresh_from_db()
    assert (agency.default_account_code, str(agency.default_price_comparison_factor), agency.proof_days_online) == (
        "5.1.02.02.01.0026", "1.20", 3)
    assert (agency.name, agency.region_code) == ("Diskominfo Kabupaten Banjar", "63.03")  # who it is stays
    assert services.budget_create(agency, year=2027, original_amount=1).account_code == "5.1.02.02.01.0026"
    assert listed(client, reverse("admin:budgets_agency_changelist")) == {agency.pk}
    assert client.get(reverse("admin:budgets_agency_change", args=[dki.pk])).status_code == 404
    assert client.post(reverse("admin:budgets_agency_change", args=[dki.pk]), data).status_code == 404
    assert client.get(reverse("admin:budgets_agency_add")).status_code == 403
    assert Agency.objects.get(pk=dki.pk).default_account_code == "5.1.02.02.01.0055"


def test_the_admin_sees_their_budgets_and_orders_not_others_and_changes_none(client, world):
    client.force_login(world["admin"])
    assert listed(client, reverse("admin:budgets_budget_changelist")) == {world["budget"].pk}
    assert listed(client, reverse("admin:budgets_mediaorder_changelist")) == {world["order"].pk}
    assert client.get(reverse("admin:budgets_budget_change", args=[world["budget"].pk])).status_code == 200
    assert client.get(reverse("admin:budgets_budget_change", args=[world["dki_budget"].pk])).status_code == 404
    assert client.get(reverse("admin:budgets_mediaorder_change", args=[world["dki_order"].pk])).status_code == 404
    assert client.get(reverse("admin:budgets_budget_add")).status_code == 403
    assert client.get(reverse("admin:budgets_mediaorder_add")).status_code == 403


def test_the_new_agencys_staff_see_the_shared_registry_and_only_their_own_orders(client, world):
    member = services.staff_invite(world["agency"], email="petugas@banjarkab.go.id", roles=["Petugas Anggaran"],
                                   actor=world["admin"])
    for user in (world["admin"], member):
        client.force_login(user)
        assert world["outlet"].pk in listed(client, reverse("admin:partners_mediaoutlet_changelist"))
        assert listed(client, reverse("admin:budgets_mediaorder_changelist")) == {world["order"].pk}
    # The DKI officer still sees only DKI's, and no Users page at all.
    client.force_login(world["dki_officer"])
    assert listed(client, reverse("admin:budgets_mediaorder_changelist")) == {world["dki_order"].pk}
    assert client.get(USERS).status_code == 403
