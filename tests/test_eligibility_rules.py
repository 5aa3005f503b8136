"""Each eligibility rule at its boundaries. The rules are pure functions of an outlet's facts, the
policy and the date, so these tests need no database."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from catalog.models import EligibilityPolicy, KswpWindow
from catalog.rules import DocumentFact, OutletFacts, evaluate, render_reason
from partners.models import DocumentKind, LegalForm, MediaType, ReviewStatus, VerificationLevel

TODAY = datetime.date(2026, 11, 26)
DAY = datetime.timedelta(days=1)
ACCEPTED, PENDING, REJECTED = ReviewStatus.ACCEPTED, ReviewStatus.PENDING, ReviewStatus.REJECTED


def doc(kind, status=ACCEPTED, issue=TODAY - 100 * DAY, expiry=None, tax_year=None):
    return DocumentFact(kind, status, issue, expiry, tax_year)


def complete_documents():
    return [
        doc(DocumentKind.DEED), doc(DocumentKind.LAW_MINISTRY_APPROVAL), doc(DocumentKind.NIB),
        doc(DocumentKind.KSWP, issue=datetime.date(2026, 3, 2)),
        doc(DocumentKind.ANNUAL_TAX_RETURN, tax_year=2025),
    ]


def eligible_facts(**changes) -> OutletFacts:
    values = dict(outlet_id=1, media_type=MediaType.ONLINE, legal_form=LegalForm.PT, npwp="0013121660091000",
                  has_press_kbli=True, verification_level=VerificationLevel.FACTUAL,
                  certificate_valid_until=TODAY + 400 * DAY, company_documents=complete_documents())
    values.update(changes)
    return OutletFacts(**values)


def policy(**changes) -> EligibilityPolicy:
    return EligibilityPolicy(**changes)  # unsaved: the defaults an administrator starts with


def result(facts, pol=None, today=TODAY) -> dict:
    return {o.code: o for o in evaluate(facts, pol or policy(), today)}


def failing(facts, pol=None, today=TODAY) -> set[str]:
    return {code for code, o in result(facts, pol, today).items() if not o.passed}


def reason(facts, code, language="en", pol=None, today=TODAY) -> str:
    o = result(facts, pol, today)[code]
    return render_reason(o.message, dict(o.params))[language]


def without(kind, documents=None):
    return [d for d in (documents or complete_documents()) if d.kind != kind]


def test_a_complete_outlet_passes_every_rule():
    assert failing(eligible_facts()) == set()


@pytest.mark.parametrize(("level", "minimum", "passes"), [
    (VerificationLevel.NONE, VerificationLevel.FACTUAL, False),
    (VerificationLevel.ADMINISTRATIVE, VerificationLevel.FACTUAL, False),
    (VerificationLevel.FACTUAL, VerificationLevel.FACTUAL, True),
    (VerificationLevel.NONE, VerificationLevel.ADMINISTRATIVE, False),
    (VerificationLevel.ADMINISTRATIVE, VerificationLevel.ADMINISTRATIVE, True),
    (VerificationLevel.FACTUAL, VerificationLevel.ADMINISTRATIVE, True),
    (VerificationLevel.NONE, VerificationLevel.NONE, True),
])
def test_each_verification_level_against_the_configured_minimum(level, minimum, passes):
    facts = eligible_facts(verification_level=level)
    assert ("press_council" not in failing(facts, policy(min_verification_level=minimum))) is passes


def test_certificate_valid_through_today_but_not_yesterday():
    assert "press_council" not in failing(eligible_facts(certificate_valid_until=TODAY))
    lapsed = eligible_facts(certificate_valid_until=TODAY - DAY)
    assert "press_council" in failing(lapsed)
    assert reason(lapsed, "press_council") == "The Dewan Pers certificate expired on 25 November 2026."
    assert reason(lapsed, "press_council", "id") == "Sertifikat Dewan Pers kedaluwarsa pada 25 November 2026."


def test_lapsed_certificate_still_counts_as_administrative_verification():
    lapsed = eligible_facts(certificate_valid_until=TODAY - 10 * DAY)
    assert "press_council" not in failing(lapsed, policy(min_verification_level=VerificationLevel.ADMINISTRATIVE))


def test_missing_from_the_dewan_pers_list_fails_only_after_the_grace_period():
    since = TODAY - 30 * DAY
    assert "press_council" not in failing(eligible_facts(missing_from_list_since=since))
    assert "press_council" in failing(eligible_facts(missing_from_list_since=since - DAY))
    assert "press_council" not in failing(eligible_facts(missing_from_list_since=since - DAY),
                                          policy(press_council_grace_days=60))


@pytest.mark.parametrize(("npwp", "passes"), [
    ("0013121660091000", True), (None, False), ("0013121661091000", False), ("3171014101900001", False)])
def test_company_npwp(npwp, passes):
    assert ("npwp" not in failing(eligible_facts(npwp=npwp))) is passes


@pytest.mark.parametrize(("form", "passes"), [
    (LegalForm.PT, True), (LegalForm.YAYASAN, True), (LegalForm.KOPERASI, True),
    (LegalForm.PT_PERORANGAN, False), (LegalForm.CV, False), (LegalForm.OTHER, False)])
def test_legal_form(form, passes):
    assert ("legal_form" not in failing(eligible_facts(legal_form=form))) is passes


def test_kswp_of_this_fiscal_year_counts_and_last_years_does_not():
    docs = without(DocumentKind.KSWP)
    assert "tax_status" not in failing(eligible_facts(company_documents=docs + [
        doc(DocumentKind.KSWP, issue=datetime.date(2026, 1, 1))]))
    last_year = eligible_facts(company_documents=docs + [doc(DocumentKind.KSWP, issue=datetime.date(2025, 12, 31))])
    assert "tax_status" in failing(last_year)
    assert "31 December 2025" in reason(last_year, "tax_status")
    assert "tax_status" not in failing(last_year, policy(kswp_window=KswpWindow.DAYS, kswp_window_days=365))


@pytest.mark.parametrize(("state", "words"), [
    (PENDING, "is still pending review"), (REJECTED, "was rejected"), (None, "is missing")])
def test_missing_pending_and_rejected_tax_documents_are_told_apart(state, words):
    docs = without(DocumentKind.KSWP) + ([doc(DocumentKind.KSWP, status=state, issue=TODAY)] if state else [])
    facts = eligible_facts(company_documents=docs)
    assert "tax_status" in failing(facts)
    assert reason(facts, "tax_status").endswith(words + ".")


def test_skf_counts_for_one_month_from_issue():
    docs = without(DocumentKind.KSWP)
    issued = datetime.date(2026, 10, 26)
    valid = eligible_facts(company_documents=docs + [doc(DocumentKind.SKF, issue=issued,
                                                         expiry=datetime.date(2026, 11, 26))])
    assert "tax_status" not in failing(valid)  # expires today: still valid today
    assert "tax_status" in failing(valid, today=TODAY + DAY)  # tomorrow it has expired
    expired = eligible_facts(company_documents=docs + [doc(DocumentKind.SKF, issue=issued,
                                                           expiry=datetime.date(2026, 11, 25))])
    assert "tax_status" in failing(expired)
    assert reason(expired, "tax_status").endswith("has expired.")


def test_annual_tax_return_for_the_previous_year_and_its_switch():
    docs = without(DocumentKind.ANNUAL_TAX_RETURN)
    old = eligible_facts(company_documents=docs + [doc(DocumentKind.ANNUAL_TAX_RETURN, tax_year=2024)])
    assert "annual_tax_return" in failing(old)
    assert "annual_tax_return" not in failing(old, policy(require_annual_tax_return=False))
    assert "annual_tax_return" in failing(eligible_facts(company_documents=docs + [
        doc(DocumentKind.ANNUAL_TAX_RETURN, tax_year=2025, status=REJECTED)]))


# --- the tax calendar: correct on every day of the year ----------------------------------------------

D = datetime.date


@pytest.mark.parametrize(("today", "kswp_dated", "counts"), [
    (D(2026, 12, 31), D(2026, 1, 5), True),
    (D(2027, 1, 1), D(2026, 1, 5), True),  # the new year does not cut anyone off
    (D(2027, 3, 31), D(2026, 12, 30), True),  # last day of the grace period
    (D(2027, 4, 1), D(2026, 12, 30), False),  # the day after: last year's KSWP no longer counts
    (D(2027, 4, 1), D(2027, 1, 2), True),
    (D(2027, 1, 1), D(2025, 12, 31), False),  # two years back never counts
    (D(2028, 3, 31), D(2027, 6, 1), True),  # a leap year changes nothing
])
def test_last_years_kswp_counts_until_the_grace_date(today, kswp_dated, counts):
    facts = eligible_facts(company_documents=without(DocumentKind.KSWP) + [doc(DocumentKind.KSWP, issue=kswp_dated)],
                           certificate_valid_until=today + 400 * DAY)
    assert ("tax_status" not in failing(facts, today=today)) is counts


def test_the_kswp_grace_date_comes_from_the_policy_and_the_reason_says_until_when():
    facts = eligible_facts(company_documents=without(DocumentKind.KSWP) + [doc(DocumentKind.KSWP, issue=D(2026, 5, 1))])
    short_grace = policy(kswp_grace_month=2, kswp_grace_day=28)
    assert "tax_status" not in failing(facts, short_grace, today=D(2027, 2, 28))
    assert "tax_status" in failing(facts, short_grace, today=D(2027, 3, 1))
    assert reason(facts, today=D(2027, 1, 10), code="tax_status") == (
        "Tax status confirmed (KSWP of 1 May 2026, counts until 31 March 2027).")
    assert reason(facts, today=D(2027, 4, 1), code="tax_status") == (
        "The latest accepted KSWP is of 1 May 2026 and counted until 31 March 2027; a KSWP dated from 1 January "
        "2027 or an SKF not older than 1 month(s) is needed.")
    assert "31 Maret 2027" in reason(facts, today=D(2027, 1, 10), code="tax_status", language="id")


@pytest.mark.parametrize(("today", "tax_year", "counts"), [
    (D(2026, 12, 31), 2025, True),
    (D(2027, 1, 1), 2025, True),  # the 2026 return cannot exist yet: 2025 still counts
    (D(2027, 4, 30), 2025, True),  # the filing deadline itself
    (D(2027, 5, 1), 2025, False),  # the deadline has passed: the 2026 return is required
    (D(2027, 5, 1), 2026, True),
    (D(2027, 1, 1), 2026, True),  # a return filed early always counts
    (D(2026, 12, 31), 2024, False),
    (D(2026, 4, 30), 2024, True),
])
def test_the_annual_tax_return_required_is_the_latest_whose_deadline_has_passed(today, tax_year, counts):
    facts = eligible_facts(company_documents=without(DocumentKind.ANNUAL_TAX_RETURN) + [
        doc(DocumentKind.ANNUAL_TAX_RETURN, tax_year=tax_year)])
    assert ("annual_tax_return" not in failing(facts, today=today)) is counts


def test_the_filing_deadline_comes_from_the_policy():
    facts = eligible_facts(company_documents=without(DocumentKind.ANNUAL_TAX_RETURN) + [
        doc(DocumentKind.ANNUAL_TAX_RETURN, tax_year=2025)])
    end_of_march = policy(tax_return_deadline_month=3, tax_return_deadline_day=31)
    assert "annual_tax_return" not in failing(facts, end_of_march, today=D(2027, 3, 31))
    assert "annual_tax_return" in failing(facts, end_of_march, today=D(2027, 4, 1))
    assert reason(facts, "annual_tax_return", today=D(2027, 4, 1), pol=end_of_march) == (
        "The annual tax return (SPT Tahunan) for 2026 is missing.")


def test_a_company_that_renews_on_time_is_never_out_of_the_catalog_on_any_day_of_three_years():
    """The promise behind the tax calendar: whoever obtains each year's KSWP by mid-March and files each
    return by mid-April passes both tax rules on every single day, 1 January and 31 December included."""
    documents = []
    for year in range(2025, 2029):
        documents.append(doc(DocumentKind.KSWP, issue=D(year, 3, 15)))
        documents.append(doc(DocumentKind.ANNUAL_TAX_RETURN, issue=D(year, 4, 15), tax_year=year - 1))
    day, failures = D(2026, 1, 1), []
    while day <= D(2028, 12, 31):
        on_hand = [d for d in documents if d.issue_date <= day]
        facts = eligible_facts(company_documents=without(DocumentKind.KSWP, without(DocumentKind.ANNUAL_TAX_RETURN))
                               + on_hand, certificate_valid_until=day + 400 * DAY)
        failures += [(day, code) for code in failing(facts, today=day)]
        day += DAY
    assert failures == []


@pytest.mark.parametrize(("month", "day", "valid"), [(2, 28, True), (2, 29, False), (4, 31, False), (12, 31, True)])
def test_a_tax_calendar_day_must_exist_in_every_year(month, day, valid):
    pol = policy(kswp_grace_month=month, kswp_grace_day=day)
    if valid:
        pol.clean()
    else:
        with pytest.raises(ValidationError) as refused:
            pol.clean()
        assert "kswp_grace_day" in refused.value.message_dict


def test_legal_documents_name_each_missing_piece():
    facts = eligible_facts(company_documents=without(DocumentKind.NIB), has_press_kbli=False)
    assert "legal_documents" in failing(facts)
    text = reason(facts, "legal_documents")
    assert "Business ID (NIB) is missing" in text and "press business code" in text
    assert "NIB" in reason(facts, "legal_documents", "id")


def test_an_expired_deed_counts_as_missing():
    docs = without(DocumentKind.DEED) + [doc(DocumentKind.DEED, expiry=TODAY - DAY)]
    assert "legal_documents" in failing(eligible_facts(company_documents=docs))


def test_web_rank_rule_is_off_by_default_and_only_for_online_media():
    unranked = eligible_facts(web_rank=None, web_rank_list="LJL44 (2026-11-01)")
    assert "web_rank" not in failing(unranked)
    on = policy(web_rank_rule_enabled=True, web_rank_threshold=500_000)
    assert "web_rank" in failing(unranked, on)
    assert "web_rank" not in failing(eligible_facts(web_rank=500_000, web_rank_list="LJL44"), on)
    assert "web_rank" in failing(eligible_facts(web_rank=500_001, web_rank_list="LJL44"), on)
    assert "web_rank" not in failing(eligible_facts(media_type=MediaType.RADIO), on)


def test_staff_suspension_fails_the_outlet():
    assert failing(eligible_facts(suspended_by_staff=True)) == {"not_suspended_by_staff"}
