"""Owners, shareholders and bank accounts of press companies, and the outlets of different companies that share
an owner, a bank account, a phone or an address (docs/domain.md "Owners and conflicts of interest"): the
identity number and the account number are private (whole only with the permission, masked elsewhere, never
public); a company's shares never exceed 100 %; connected outlets are shown side by side to staff (the outlet
page, the list of every group, the staff home, the exceptions report) in a fixed number of queries."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from mediareg.api.tokens import token_create
from partners import selectors, services
from partners.models import CompanyBankAccount, CompanyOwner, OwnerKind
from tests.factories import MediaOutletFactory, PressCompanyFactory, StaffUserFactory
from tests.helpers import page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NIK = "3171024508850003"
ACCOUNT = "1230004567891"
CONNECTED = reverse("admin:partners_mediaoutlet_connected")


@pytest.fixture(autouse=True)
def services_in_english():
    """Refusals raised outside a request are compared with their English text too."""
    with translation.override("en"):
        yield


def text(response) -> str:
    """The page's words: tags dropped, white space folded, entities read."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split()).replace(" (", " (")


def company_page(company):
    return reverse("admin:partners_presscompany_change", args=[company.pk])


def outlet_page(outlet):
    return reverse("admin:partners_mediaoutlet_change", args=[outlet.pk])


def owner(company, name="Budi Santoso", *, nik=NIK, share=Decimal(60), kind=OwnerKind.BOTH):
    row = CompanyOwner(company=company, name=name, identity_number=nik, share_percent=share, kind=kind)
    return services.owner_save(row)


def account(company, number=ACCOUNT, bank="Bank BJB"):
    row = CompanyBankAccount(company=company, bank_name=bank, account_number=number, account_holder="Budi Santoso")
    services.bank_accounts_save(company, saved=[row])
    return row


def company_form(client, company) -> dict:
    """The company page's form as the browser would send it back unchanged (its inline rows included)."""
    response = client.get(company_page(company))
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = (
                        [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value))
    return data


# --- owners and their shares ---------------------------------------------------------------------------------


def test_the_shares_of_one_company_never_exceed_100_percent():
    company = PressCompanyFactory(legal_name="PT Kabar Martapura")
    owner(company, share=Decimal(60))
    with pytest.raises(ValidationError) as refused:
        owner(company, "Siti Aminah", nik="", share=Decimal("40.5"))
    assert refused.value.messages == ["The shares of PT Kabar Martapura would sum to 100.5 %; they cannot exceed "
                                      "100 %."]
    owner(company, "Siti Aminah", nik="", share=Decimal(40))
    owner(company, "Pak Direktur", nik="", share=None, kind=OwnerKind.BENEFICIAL_OWNER)
    assert CompanyOwner.objects.filter(company=company).count() == 3
    with pytest.raises(ValidationError) as refused:
        owner(company, "Tanpa Saham", nik="", share=None, kind=OwnerKind.SHAREHOLDER)
    assert "Enter the share of a shareholder." in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        owner(company, "NIK Salah", nik="1234", share=Decimal(0))
    assert "Enter a valid 16-digit NIK." in refused.value.messages


def test_owners_and_accounts_are_added_on_the_company_page_and_shares_over_100_refused_there(client):
    verifikator = StaffUserFactory(groups=["Verifikator"])
    client.force_login(verifikator)
    company = PressCompanyFactory()
    data = company_form(client, company)
    data.update({"owners-TOTAL_FORMS": "2", "owners-0-name": "Budi Santoso", "owners-0-identity_number":
                 "3171 0245 0885 0003", "owners-0-kind": "both", "owners-0-share_percent": "70",
                 "owners-1-name": "Siti Aminah", "owners-1-kind": "shareholder", "owners-1-share_percent": "40",
                 "bank_accounts-TOTAL_FORMS": "1", "bank_accounts-0-bank_name": "Bank BJB",
                 "bank_accounts-0-account_number": "123-000-456 7891", "bank_accounts-0-account_holder": "PT Uji"})
    response = client.post(company_page(company), data)
    assert response.status_code == 200
    assert "would sum to 110 %; they cannot exceed 100 %" in text(response)
    assert not CompanyOwner.objects.exists()

    data["owners-1-share_percent"] = "30"
    response = client.post(company_page(company), data)
    assert response.status_code == 302, text(response)
    assert sorted(CompanyOwner.objects.values_list("name", "identity_number")) == [
        ("Budi Santoso", NIK), ("Siti Aminah", "")]
    assert CompanyBankAccount.objects.get().account_number == ACCOUNT


# --- private numbers -----------------------------------------------------------------------------------------


def test_the_identity_and_account_numbers_are_whole_only_for_staff_with_the_permission(client, auditor):
    company = PressCompanyFactory()
    owner(company)
    account(company)
    verifikator = StaffUserFactory(groups=["Verifikator"])
    client.force_login(verifikator)
    page = client.get(company_page(company)).content.decode()
    assert NIK in page and ACCOUNT in page

    client.force_login(auditor)  # may view the company, not the private numbers
    page = text(client.get(company_page(company)))
    assert NIK not in page and ACCOUNT not in page
    assert "••••••••••••0003" in page and "•••••••••7891" in page

    # An editor without the permission sees the last digits; sending the form back keeps the numbers.
    editor = StaffUserFactory(permissions=["partners.view_presscompany", "partners.change_presscompany",
                                           "partners.view_companyowner", "partners.change_companyowner",
                                           "partners.view_companybankaccount", "partners.change_companybankaccount",
                                           "partners.view_mediaoutlet", "partners.view_document"])
    client.force_login(editor)
    response = client.get(company_page(company))
    assert NIK not in response.content.decode() and ACCOUNT not in response.content.decode()
    data = company_form(client, company)
    data["owners-0-position"] = "Direktur"
    response = client.post(company_page(company), data)
    assert response.status_code == 302, text(response)
    stored = CompanyOwner.objects.get()
    assert (stored.identity_number, stored.position) == (NIK, "Direktur")
    assert CompanyBankAccount.objects.get().account_number == ACCOUNT


def test_the_api_masks_the_numbers_unless_permitted(client, auditor):
    company = PressCompanyFactory()
    owner(company)
    account(company)

    def read(user, url):
        _token, key = token_create(user=user, name="Uji", created_by=user)
        response = client.get(url, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200, response.content
        return response.json()["results"]

    assert read(auditor, "/api/v1/owners/")[0]["identity_number"] == "••••••••••••0003"
    assert read(auditor, "/api/v1/bank-accounts/")[0]["account_number"] == "•••••••••7891"
    verifikator = StaffUserFactory(groups=["Verifikator"])
    assert read(verifikator, "/api/v1/owners/")[0]["identity_number"] == NIK
    assert read(verifikator, "/api/v1/bank-accounts/")[0]["account_number"] == ACCOUNT


def test_the_numbers_and_the_owners_are_never_public(client):
    from tests.catalog_helpers import listed_outlet

    outlet = listed_outlet()
    owner(outlet.company, "Budi Santoso")
    account(outlet.company)
    client.logout()
    for url in (reverse("catalog"), reverse("catalog-outlet", args=[outlet.pk]), "/api/v1/catalog/",
                f"/api/v1/catalog/{outlet.pk}/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert outlet.name in body, url
        assert NIK not in body and ACCOUNT not in body and "Budi Santoso" not in body, url
    assert client.get("/api/v1/owners/").status_code in (401, 403)


# --- connected outlets ---------------------------------------------------------------------------------------


@pytest.fixture
def sharing_an_account():
    """Two outlets of different companies paid into one account; a third outlet of the first company."""
    first = MediaOutletFactory(name="Kabar Purwakarta", company=PressCompanyFactory(legal_name="PT Kabar Satu"))
    second = MediaOutletFactory(name="Warta Purwakarta", company=PressCompanyFactory(legal_name="CV Warta Dua"))
    sibling = MediaOutletFactory(name="Kabar Purwakarta TV", company=first.company)
    account(first.company, "1230004567891")
    account(second.company, "123.000.456.7891", bank="BJB")
    return first, second, sibling


def test_two_outlets_sharing_a_bank_account_are_shown_together(client, auditor, sharing_an_account):
    first, second, sibling = sharing_an_account
    alone = MediaOutletFactory(name="Suara Sendiri")
    client.force_login(auditor)
    page = text(client.get(outlet_page(second)))
    section = page[page.index("Connected outlets"):]
    assert "Bank account" in section and "Kabar Purwakarta (PT Kabar Satu)" in section
    assert "Kabar Purwakarta TV (PT Kabar Satu)" in section
    assert ACCOUNT not in page and "7891" in section

    page = text(client.get(outlet_page(alone)))
    assert "No outlet of another company shares an owner, a bank account, a phone or an address" in page

    listing = text(client.get(CONNECTED))
    row = listing[listing.index("Bank account"):]
    for name in ("Kabar Purwakarta (PT Kabar Satu)", "Warta Purwakarta (CV Warta Dua)",
                 "Kabar Purwakarta TV (PT Kabar Satu)"):
        assert name in row
    assert "Suara Sendiri" not in listing


def test_owners_phones_and_addresses_are_matched_as_normalised():
    a = MediaOutletFactory(phone="+62 812-1111-2222", company=PressCompanyFactory(address="Jl. Veteran No. 12, "
                                                                                      "Purwakarta"))
    b = MediaOutletFactory(phone="0812 1111 2222", company=PressCompanyFactory(address="JL VETERAN NO 12 "
                                                                                     "PURWAKARTA"))
    c = MediaOutletFactory(company=PressCompanyFactory())
    d = MediaOutletFactory(company=PressCompanyFactory())
    owner(a.company, "H. Dedi  Mulyana", nik="", share=Decimal(50))
    owner(c.company, "h. dedi mulyana", nik="", share=Decimal(50))
    owner(d.company, "Someone Else", nik=NIK, share=Decimal(50))
    owner(b.company, "Different Name", nik=NIK, share=Decimal(50))  # the same NIK under another name
    groups = {(g.kind, tuple(sorted(o.pk for o in g.outlets))) for g in selectors.connected_outlets()}
    assert groups == {("phone", tuple(sorted((a.pk, b.pk)))), ("address", tuple(sorted((a.pk, b.pk)))),
                      ("owner", tuple(sorted((a.pk, c.pk)))), ("owner", tuple(sorted((b.pk, d.pk))))}
    assert {g.kind for g in selectors.connected_outlets(outlet_id=c.pk)} == {"owner"}
    assert selectors.connected_groups_count() == {"phone": 1, "address": 1, "owner": 2}


def test_outlets_of_one_company_alone_are_not_a_group():
    company = PressCompanyFactory()
    MediaOutletFactory(company=company, phone="0812 9999 0000")
    MediaOutletFactory(company=company, phone="0812 9999 0000")
    account(company)
    assert selectors.connected_outlets() == []


def test_the_pages_the_panel_and_the_report_read_a_fixed_number_of_queries(client, auditor,
                                                                           django_assert_max_num_queries):
    from catalog.home_connected import staff_home_panels

    def build(n):
        for i in range(n):
            pair = [MediaOutletFactory(company=PressCompanyFactory()) for _ in range(2)]
            for outlet in pair:
                account(outlet.company, f"99{n}{i:04d}0000")
        return pair[0]

    client.force_login(auditor)
    assert auditor.has_perm("partners.view_mediaoutlet")  # the permissions are cached on the user
    outlet = build(1)
    one_page, _ = page_queries(client, CONNECTED)
    one_outlet, _ = page_queries(client, outlet_page(outlet))
    with django_assert_max_num_queries(3):
        staff_home_panels(auditor, None)
    outlet = build(8)
    many_page, response = page_queries(client, CONNECTED)
    assert text(response).count("Bank account") >= 9
    assert many_page == one_page
    assert page_queries(client, outlet_page(outlet))[0] == one_outlet
    with django_assert_max_num_queries(3):
        panel = staff_home_panels(auditor, None)[0]
    assert panel["count"] == 9 and len(panel["rows"]) == 5


def test_the_staff_home_and_the_exceptions_report_show_connected_outlets(client, auditor, sharing_an_account):
    first, second, _sibling = sharing_an_account
    client.force_login(auditor)
    home = text(client.get(reverse("admin:index")))
    assert "Connected outlets" in home and "Warta Purwakarta" in home
    client.cookies["django_language"] = "en"
    response = client.get("/reports/exceptions.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body.split("\n", 1)[1])))
    found = {r["name"]: r["detail"] for r in rows if r["check (code)"] == "outlets_connected"}
    assert found["Warta Purwakarta"] == ("Shares its bank account with: Kabar Purwakarta (PT Kabar Satu); Kabar "
                                         "Purwakarta TV (PT Kabar Satu).")
    assert "Kabar Purwakarta" in found
    assert "7891" not in body
