"""Applications for companies and outlets the registry already knows: found by NPWP or domain, never
changed by an anonymous form (differences become a proposal that a reviewer decides), refused where a
website or NIB belongs to another company, and the rules for delisted and rejected outlets."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    Application,
    CompanyChangeProposal,
    Listing,
    ListingState,
)
from partners.identifiers import format_npwp
from partners.models import (
    KbliCode,
    MediaOutlet,
    OutletDomain,
    PressCompany,
)
from tests.apply_helpers import (
    NPWP16,
    assert_refused_and_nothing_stored,
    error_beside,
    form_data,
    stored_rows,
    summary_of,
    text_of,
)
from tests.catalog_helpers import eligible_outlet, give_company_documents
from tests.factories import (
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    StaffUserFactory,
)
from tests.helpers import messages_of

# Every test: no rate-limit counts from earlier tests, the re-checks and mails a submission queues run
# in-process (as with the embedded defaults), and English pages.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]


# --- reuse of companies and outlets ----------------------------------------------------------------

def test_an_existing_company_is_found_by_its_npwp_in_any_format(submit):
    company = PressCompanyFactory(npwp=NPWP16, nib="", legal_name="PT Kabar Betawi Media", kbli_codes=["58130"])

    for typed in ("013121660091000", "0013121660091000", "01 312 166 0 091 000"):
        response = submit(form_data(npwp=typed, outlet_name=f"Kabar Betawi {len(typed)}",
                                    website=f"https://kabar-{len(typed)}.id"))
        assert response.status_code == 302, typed

    assert PressCompany.objects.count() == 1
    assert set(Application.objects.values_list("company", flat=True)) == {company.pk}
    company.refresh_from_db()
    # Not even an empty NIB is filled in, nor a KBLI code added: each application proposes them to staff.
    assert company.nib == ""
    assert set(company.kbli_codes.values_list("code", flat=True)) == {"58130"}
    for application in Application.objects.all():
        proposed = application.company_changes.proposed
        assert (proposed["nib"], proposed["kbli_codes"]) == ("9120001234567", ["63122"])


def known_company(**fields):
    """The company of form_data() as the registry knows it, with ``fields`` different."""
    values = {"npwp": NPWP16, "legal_name": "PT Kabar Betawi Media", "nib": "9120001234567",
              "address": "Jl. Kramat Raya No. 5", "regency_city": "Jakarta Pusat",
              "email": "sekretariat@kabarbetawi.id", "phone": "(021) 390 1234", "kbli_codes": ["63122"]}
    return PressCompanyFactory(**{**values, **fields})


def company_record(company) -> tuple:
    company.refresh_from_db()
    return (company.legal_name, company.nib, company.address, company.email, company.phone,
            sorted(company.kbli_codes.values_list("code", flat=True)))


def test_an_anonymous_form_never_changes_a_known_company_and_proposes_the_differences(submit):
    company = known_company(email="kantor@kabarbetawi.id", phone="", address="Jl. Lama 1", kbli_codes=["58130"])
    before = company_record(company)

    response = submit(form_data(npwp="013121660091000", company_email="penyerang@example.com",
                                company_phone="021-555", address="Jl. Baru 2",
                                kbli_codes=[KbliCode.objects.get(code="63122").pk]))

    assert response.status_code == 302
    assert company_record(company) == before  # the empty phone too: nothing is filled in
    proposal = CompanyChangeProposal.objects.get()
    assert (proposal.application, proposal.company, proposal.status) == (
        Application.objects.get(), company, CompanyChangeProposal.Status.OPEN)
    assert proposal.proposed == {"address": "Jl. Baru 2", "email": "penyerang@example.com", "phone": "021-555",
                                 "kbli_codes": ["63122"]}
    assert proposal.on_record == {"address": "Jl. Lama 1", "email": "kantor@kabarbetawi.id", "phone": "",
                                  "kbli_codes": ["58130"]}


def test_an_application_that_matches_the_record_proposes_nothing(submit):
    known_company(address="JL. KRAMAT  RAYA No. 5")  # spacing and letter case are no change
    assert submit().status_code == 302
    assert Application.objects.exists() and not CompanyChangeProposal.objects.exists()


@pytest.fixture
def proposal(submit):
    company = known_company(phone="", email="kantor@kabarbetawi.id", kbli_codes=["73100"])  # no press code
    give_company_documents(company)
    outlet = eligible_outlet(company=company, name="Kabar Lama")
    submit(form_data(company_phone="021-555", company_email="penyerang@example.com",
                     kbli_codes=[KbliCode.objects.get(code="63122").pk, KbliCode.objects.get(code="73100").pk]))
    assert outlet.eligibility.failing_rule_codes == ["legal_documents"]
    proposal = CompanyChangeProposal.objects.get()
    assert set(proposal.proposed) == {"phone", "email", "kbli_codes"}
    return proposal, outlet


def application_page(client, proposal):
    return client.get(reverse("admin:catalog_application_change", args=[proposal.application_id]))


def decide_changes(client, proposal, decision, captured, **data):
    url = reverse("admin:catalog_application_company_changes", args=[proposal.application_id, decision])
    with captured(execute=True):
        return client.post(url, data, follow=True)


def test_a_reviewer_applies_the_ticked_changes_and_who_did_it_is_kept(client, reviewer, proposal,
                                                                     django_capture_on_commit_callbacks):
    proposal, outlet = proposal
    page = application_page(client, proposal)
    assert page.status_code == 200
    text = text_of(page)
    assert "Company data typed differently in this application" in text
    assert "Phone - 021-555" in text and "E-mail kantor@kabarbetawi.id penyerang@example.com" in text
    assert "KBLI codes 73100 " in text and "63122 Portal web" in text
    assert 'name="company_change" value="phone"' in page.content.decode()

    done = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks,
                          company_change=["phone", "kbli_codes"])

    assert done.status_code == 200
    assert messages_of(done) == [f"Applied to {proposal.company}: phone, KBLI codes."]
    company = proposal.company
    assert company_record(company)[3:] == ("kantor@kabarbetawi.id", "021-555", ["63122", "73100"])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.applied_fields) == (
        CompanyChangeProposal.Status.APPLIED, reviewer, ["phone", "kbli_codes"])
    assert proposal.decided_at is not None
    # The company's audit trail names the reviewer; its outlets are re-checked (KBLI codes are a rule's fact).
    from mediareg.models import AuditEvent
    assert AuditEvent.objects.filter(pgh_obj_model="partners.PressCompany", pgh_obj_id=str(company.pk),
                                     pgh_label="update", user=reviewer).exists()
    latest = outlet.eligibility_changes.first()
    assert (latest.is_eligible, latest.trigger, latest.actor) == (True, "staff", reviewer.username)
    # Decided is decided; the page says by whom.
    again = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks, company_change=["email"])
    assert messages_of(again) == ["These changes have already been applied or ignored."]
    assert company_record(company)[3] == "kantor@kabarbetawi.id"
    assert f"Applied to the company by {reviewer.username}" in text_of(application_page(client, proposal))


def test_a_reviewer_ignores_the_changes_and_nothing_changes(client, reviewer, proposal,
                                                           django_capture_on_commit_callbacks):
    proposal, _outlet = proposal
    before = company_record(proposal.company)
    nothing = decide_changes(client, proposal, "apply", django_capture_on_commit_callbacks)
    assert messages_of(nothing) == ["Tick at least one change to apply."]

    done = decide_changes(client, proposal, "ignore", django_capture_on_commit_callbacks)

    assert messages_of(done) == ["The company data typed in the application was ignored."]
    assert company_record(proposal.company) == before
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (CompanyChangeProposal.Status.IGNORED, reviewer)


def test_only_staff_who_may_change_companies_decide_on_the_changes(client, proposal,
                                                                   django_capture_on_commit_callbacks):
    proposal, _outlet = proposal
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    before = company_record(proposal.company)

    page = application_page(client, proposal)
    assert page.status_code == 200 and "penyerang@example.com" in page.content.decode()
    assert 'name="company_change"' not in page.content.decode()
    url = reverse("admin:catalog_application_company_changes", args=[proposal.application_id, "apply"])
    assert client.post(url, {"company_change": ["email"]}).status_code == 403
    assert client.get(url).status_code == 405
    assert company_record(proposal.company) == before


def test_an_existing_outlet_is_found_by_its_domain(submit):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi Online")
    OutletDomainFactory(outlet=outlet, domain="kabarbetawi.id", is_primary=True)

    response = submit(form_data(npwp=format_npwp(NPWP16), website="http://KABARBETAWI.ID/"))

    assert response.status_code == 302
    assert MediaOutlet.objects.get() == outlet
    assert Application.objects.get().outlet == outlet
    assert OutletDomain.objects.count() == 1


def test_a_website_of_another_companys_outlet_is_refused_beside_the_website(submit, private_document_storage):
    OutletDomainFactory(domain="kabarbetawi.id", outlet=MediaOutletFactory(name="Kabar Orang Lain"))
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "The website kabarbetawi.id is registered to another company's outlet." in error_beside(response, "website")
    assert "Please choose these files again" in summary_of(response)


def test_an_nib_of_another_company_is_refused_beside_the_nib(submit, private_document_storage):
    PressCompanyFactory(nib="9120001234567")
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "A company with this NIB is already registered." in error_beside(response, "nib")


def test_an_outlet_delisted_under_a_sanction_cannot_apply_again_yet(submit, private_document_storage):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi")
    Listing.objects.create(outlet=outlet, state=ListingState.DELISTED, state_since=timezone.now(),
                           sanction_level=3, sanction_ends_on=timezone.localdate() + datetime.timedelta(days=90))
    before = stored_rows()

    response = submit()

    assert_refused_and_nothing_stored(response, private_document_storage, before)
    assert "Cannot apply again: the outlet's listing is “Delisted”." in summary_of(response)


def test_a_rejected_outlet_applies_again(submit):
    outlet = MediaOutletFactory(company=PressCompanyFactory(npwp=NPWP16), name="Kabar Betawi")
    Listing.objects.create(outlet=outlet, state=ListingState.REJECTED, state_since=timezone.now())

    assert submit().status_code == 302
    assert Listing.objects.get(outlet=outlet).state == ListingState.APPLIED
    assert Application.objects.get().outlet == outlet
