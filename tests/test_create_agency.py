"""A new agency in one go (README "A new agency"): `manage.py create_agency` and the superusers' "Add agency"
page make the agency with its budget-year defaults, its administrator (Admin Instansi, no password yet) and
the e-mail with the set-password link, through budgets.services.agency_onboard; a refusal leaves nothing
behind. The link sets the password once, and the person logs in with it; "Forgotten your password?" sends
the same kind of link, through the outbox too."""

import html
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from budgets import services
from budgets.models import Agency, AgencyStaff, Budget
from budgets.regions import region_code_problem
from mediareg.models import OutgoingMail
from tests.budget_helpers import make_agency
from tests.factories import StaffUserFactory, UserFactory
from tests.helpers import messages_of
from tests.helpers import text as folded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

SITE = "https://mediareg.banjarkab.go.id"
BANJAR = ["--name", "Dinas Komunikasi dan Informatika Kabupaten Banjar", "--kind", "regency",
          "--region-code", "63.03", "--admin-email", "admin@banjarkab.go.id", "--short-name", "Diskominfo Banjar",
          "--admin-name", "Rina Lestari"]
PASSWORD = "Martapura-2026-kopi"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def text(response) -> str:
    """The page's text, white space folded and entities read (an apostrophe is &#x27; in the HTML)."""
    return html.unescape(folded(response))


def create_agency(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("create_agency", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (Agency.objects.count(), get_user_model().objects.count(), AgencyStaff.objects.count(),
            OutgoingMail.objects.count())


def link_in(mail: OutgoingMail) -> str:
    match = re.search(re.escape(SITE) + r"(/accounts/set-password/[^/\s]+/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match[1]


def set_password(client, path: str, password: str = PASSWORD):
    """Open the e-mailed link as the browser would (Django moves the token out of the address) and post the
    new password twice."""
    page = client.get(path, follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode(), text(page)
    return client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_command_creates_everything_and_the_e_mailed_link_leads_to_a_login(client, english):
    output = create_agency(*BANJAR)
    agency = Agency.objects.get(region_code="63.03")
    assert (agency.name, agency.short_name, agency.slug, agency.kind) == (
        "Dinas Komunikasi dan Informatika Kabupaten Banjar", "Diskominfo Banjar", "diskominfo-banjar", "regency")
    assert (agency.default_account_code, agency.default_price_comparison_factor) == ("5.1.02.02.01.0055",
                                                                                     Decimal("1.50"))
    admin = get_user_model().objects.get(username="admin@banjarkab.go.id")
    assert (admin.email, admin.first_name, admin.last_name) == ("admin@banjarkab.go.id", "Rina", "Lestari")
    assert admin.is_staff and admin.is_active and not admin.is_superuser and not admin.has_usable_password()
    assert list(admin.groups.values_list("name", flat=True)) == ["Admin Instansi"]
    assert admin.agency_staff.agency == agency
    for line in ("Agency created: Dinas Komunikasi dan Informatika Kabupaten Banjar (Regency, region code 63.03",
                 "Administrator: user admin@banjarkab.go.id, role Admin Instansi",
                 "queued for admin@banjarkab.go.id (valid 3 days, links on https://mediareg.banjarkab.go.id)"):
        assert line in output, output

    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.recipients, mail.language) == ("account_invitation", ["admin@banjarkab.go.id"], "id")
    assert mail.object_id == admin.pk
    path = link_in(mail)
    done = set_password(client, path)
    assert done.status_code == 302 and done["Location"] == reverse("set-password-done")
    done_page = client.get(done["Location"])
    assert "Your password is set" in text(done_page)
    # The site's own name on these pages, not Django's "Django site admin".
    assert "<title>Your password is set | MediaReg</title>" in done_page.content.decode()
    assert "Django" not in text(done_page)
    # The link worked once.
    assert "This link no longer works" in text(client.get(path, follow=True))
    login = client.post("/admin/login/", {"username": "admin@banjarkab.go.id", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_link_expires_after_three_days(client, english, ordinary_day):
    create_agency(*BANJAR)
    path = link_in(OutgoingMail.objects.get())
    ordinary_day.shift(3 * 24 * 3600 + 60)
    assert "This link no longer works" in text(client.get(path, follow=True))


@pytest.mark.parametrize(("change", "message"), [
    ({"--region-code": "63.71"}, "A regency's region code is the province's two digits, a dot and 01 to 70"),
    ({"--region-code": "6303"}, "A regency's region code"),
    ({"--kind": "city"}, "A city's region code is the province's two digits, a dot and 71 to 99"),
    ({"--kind": "province", "--region-code": "63.03"}, "A province's region code is two digits"),
    ({"--admin-email": "bukan-alamat"}, "The administrator's e-mail address is not valid."),
])
def test_a_bad_region_code_or_address_is_refused_and_nothing_is_made(change, message):
    args = list(BANJAR)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        create_agency(*args)
    assert refused.value.returncode == 1
    assert counts() == (0, 0, 0, 0)


def test_an_unknown_kind_is_refused():
    args = list(BANJAR)
    args[args.index("--kind") + 1] = "village"
    with pytest.raises(CommandError, match="invalid choice"):
        create_agency(*args)
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--name", "Dinas Komunikasi dan Informatika Kabupaten Banjar", "An agency named Dinas Komunikasi dan "
                                                                    "Informatika Kabupaten Banjar exists already"),
    ("--region-code", "63.03", "The region code 63.03 is already Dinas Komunikasi dan Informatika Kabupaten "
                               "Banjar's"),
    ("--admin-email", "admin@banjarkab.go.id", "A user with the e-mail admin@banjarkab.go.id exists already"),
])
def test_running_it_again_is_refused_and_changes_nothing(option, value, message):
    create_agency(*BANJAR)
    before = counts()
    # Another agency, except for the one thing it shares with the first.
    args = ["--name", "Dinas Kominfo Kota Banjarbaru", "--kind", "city", "--region-code", "63.72",
            "--admin-email", "admin@banjarbarukota.go.id"]
    if option == "--region-code":
        args[args.index("--kind") + 1] = "regency"
    args[args.index(option) + 1] = value
    with pytest.raises(CommandError, match=re.escape(message)):
        create_agency(*args)
    assert counts() == before


def test_an_existing_user_is_not_taken_over():
    UserFactory(username="rina", email="admin@banjarkab.go.id")
    with pytest.raises(CommandError, match="exists already"):
        create_agency(*BANJAR)
    assert (Agency.objects.count(), AgencyStaff.objects.count(), OutgoingMail.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(("kind", "code", "valid"), [
    ("province", "31", True), ("province", "3", False), ("province", "31.01", False), ("province", "09", False),
    ("regency", "63.03", True), ("regency", "63.70", True), ("regency", "63.71", False), ("regency", "63.00", False),
    ("city", "31.71", True), ("city", "63.99", True), ("city", "31.70", False), ("city", "31.7", False),
    ("city", " 31.71 ", True), ("village", "31", False),
])
def test_region_codes(kind, code, valid):
    with translation.override("en"):
        assert (region_code_problem(kind, code) is None) is valid


def test_new_budgets_take_the_agencys_budget_year_defaults():
    agency = make_agency()
    agency.default_account_code, agency.default_account_name = "5.1.02.02.01.0026", "Belanja Jasa Publikasi"
    agency.default_price_comparison_factor = Decimal("1.25")
    agency.save()
    budget = services.budget_create(agency, year=2026, original_amount=1_000_000)
    assert (budget.account_code, budget.account_name, budget.price_comparison_factor) == (
        "5.1.02.02.01.0026", "Belanja Jasa Publikasi", Decimal("1.25"))
    given = services.budget_create(agency, year=2027, original_amount=1_000_000, account_code="5.1.02.99",
                                   account_name="Lain", price_comparison_factor="2.00")
    assert (given.account_code, given.account_name, given.price_comparison_factor) == (
        "5.1.02.99", "Lain", Decimal("2.00"))
    # Changing a default later leaves the budgets already made as they are.
    agency.default_account_code = "5.1.02.02.01.0001"
    agency.save()
    assert Budget.objects.get(pk=budget.pk).account_code == "5.1.02.02.01.0026"


def test_the_defaults_are_in_the_agencys_audit_trail():
    agency = make_agency()
    agency.default_price_comparison_factor = Decimal("2.50")
    agency.save()
    event = agency.events.order_by("-pgh_id").first()
    assert (event.pgh_label, event.default_price_comparison_factor) == ("update", Decimal("2.50"))


def test_a_superuser_adds_an_agency_from_the_admin(client, english):
    client.force_login(StaffUserFactory(is_superuser=True))
    add = reverse("admin:budgets_agency_add")
    page = client.get(add)
    assert page.status_code == 200 and 'name="admin_email"' in page.content.decode()
    refused = client.post(add, {"name": "Diskominfo Kota Uji", "kind": "city", "region_code": "31.05",
                                "admin_email": "admin@kota-uji.go.id"})
    assert refused.status_code == 200 and "A city's region code" in text(refused)
    assert counts() == (0, 1, 0, 0)
    response = client.post(add, {"name": "Diskominfo Kota Uji", "kind": "city", "region_code": "31.75",
                                 "admin_email": "admin@kota-uji.go.id", "admin_name": "Budi"})
    agency = Agency.objects.get(region_code="31.75")
    assert response["Location"] == reverse("admin:budgets_agency_change", args=[agency.pk])
    assert "The agency Diskominfo Kota Uji was added" in messages_of(client.get(response["Location"]))[0]
    assert agency.slug == "diskominfo-kota-uji"
    assert AgencyStaff.objects.get(agency=agency).user.username == "admin@kota-uji.go.id"
    assert OutgoingMail.objects.get().kind == "account_invitation"


def test_only_superusers_add_agencies(client):
    agency = make_agency()
    admin = StaffUserFactory(groups=["Admin Instansi"])
    AgencyStaff.objects.create(user=admin, agency=agency)
    client.force_login(admin)
    assert client.get(reverse("admin:budgets_agency_add")).status_code == 403
    with pytest.raises(services.BudgetRefused):
        services.agency_onboard(name="X", kind="province", region_code="31", admin_email="x@x.id", user=admin)
    assert Agency.objects.count() == 1


def test_forgotten_password_sends_a_link_through_the_outbox(client, english):
    create_agency(*BANJAR)
    OutgoingMail.objects.all().delete()
    login = client.get("/admin/login/")
    assert "Forgotten your password?" in text(login) and reverse("password-reset") in login.content.decode()
    unknown = client.post(reverse("password-reset"), {"email": "siapa@contoh.id"})
    known = client.post(reverse("password-reset"), {"email": "ADMIN@banjarkab.go.id"})
    # The same answer whether the address is known or not.
    assert unknown["Location"] == known["Location"] == reverse("password-reset-done")
    # Asking again at once sends nothing more: the form is public (one e-mail per account in five minutes).
    client.post(reverse("password-reset"), {"email": "admin@banjarkab.go.id"})
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.recipients, mail.language) == ("password_reset", ["admin@banjarkab.go.id"], "en")
    assert set_password(client, link_in(mail)).status_code == 302
    assert client.post("/admin/login/", {"username": "admin@banjarkab.go.id", "password": PASSWORD}).status_code == 302
