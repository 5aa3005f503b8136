"""Correct on every day of the year: the demo register walked night by night across the turn of the tax
year, the tax documents' reminders and year-end notice, and the deadlines on the status page.

The walk checks the promise behind catalog.tax_calendar: no night takes an outlet out of the catalog
unless one of its own documents stopped counting that night. What "stopped counting" means is
written out here from the rules as staff know them (a KSWP dated in year Y counts until 31 March of
Y+1; the annual return for Y until 30 April of Y+2; everything else until its expiry date), not
computed by the code under test.
"""

from __future__ import annotations

import datetime
import io
import random
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from catalog.eligibility import recheck_outlets
from catalog.models import (
    Application,
    Eligibility,
    EligibilityPolicy,
    Listing,
    ListingState,
    ListingTransition,
    TaxYearNotice,
    Trigger,
)
from catalog.reminders import send_expiry_reminders, send_tax_year_notices
from catalog.status import upcoming_deadlines
from partners.models import Document, DocumentKind, MediaOutlet, PressVerification, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, MediaOutletFactory

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
D = datetime.date
DAY = datetime.timedelta(days=1)
TAX_RULES = {"tax_status", "annual_tax_return"}


def at(day: datetime.date, hour: int = 1) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), JAKARTA)


# --- the walk ----------------------------------------------------------------------------------------

def last_counting_day(kind, issue_date, expiry_date, tax_year) -> datetime.date | None:
    """The shipped policy's rules, as staff would state them."""
    end = None
    if kind == DocumentKind.KSWP and issue_date:
        end = D(issue_date.year + 1, 3, 31)
    elif kind == DocumentKind.ANNUAL_TAX_RETURN and tax_year:
        end = D(tax_year + 2, 4, 30)
    if expiry_date and (end is None or expiry_date < end):
        end = expiry_date
    return end


def outlets_whose_documents_lapsed(day: datetime.date) -> set[int]:
    """Outlets with an accepted document, or a Dewan Pers certificate, whose last counting day was yesterday."""
    outlets_of = defaultdict(set)
    for outlet_id, company_id in MediaOutlet.objects.values_list("pk", "company_id"):
        outlets_of[company_id].add(outlet_id)
    lapsed = set()
    documents = Document.objects.filter(review_status=ReviewStatus.ACCEPTED).values_list(
        "company_id", "outlet_id", "kind", "issue_date", "expiry_date", "tax_year")
    for company_id, outlet_id, kind, issued, expires, tax_year in documents:
        if last_counting_day(kind, issued, expires, tax_year) == day - DAY:
            lapsed |= {outlet_id} if outlet_id else outlets_of[company_id]
    lapsed |= set(PressVerification.objects.filter(valid_until=day - DAY).values_list("outlet_id", flat=True))
    return lapsed


def failing_rules() -> dict[int, set[str]]:
    return {pk: {code for code in codes.split(",") if code}
            for pk, codes in Eligibility.objects.values_list("pk", "failing_codes")}


def renewals(rng: random.Random) -> dict[datetime.date, list[tuple]]:
    """Most companies obtain their 2027 KSWP and file their 2026 return in time; a few do not."""
    planned = defaultdict(list)
    companies = sorted(set(MediaOutlet.objects.filter(listing__state=ListingState.LISTED)
                           .values_list("company_id", flat=True)))
    for company_id in companies:
        if rng.random() < 0.75:
            planned[D(2027, 1, 2) + rng.randint(0, 77) * DAY].append((company_id, DocumentKind.KSWP, None))
        if rng.random() < 0.75:
            planned[D(2027, 2, 1) + rng.randint(0, 83) * DAY].append((company_id, DocumentKind.ANNUAL_TAX_RETURN, 2026))
    return planned


@pytest.mark.slow
@pytest.mark.django_db
def test_no_night_from_15_december_to_15_may_suspends_an_outlet_whose_own_documents_did_not_lapse(settings):
    settings.DEBUG = True  # seed_demo's demo logins
    with time_machine.travel(at(D(2026, 12, 15), 9), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    listed_at_start = Listing.objects.filter(state=ListingState.LISTED).count()
    assert listed_at_start >= 10
    planned = renewals(random.Random(2027))
    outlet_ids = list(MediaOutlet.objects.values_list("pk", flat=True))
    suspended_on, new_failures_on = {}, {}

    day = D(2026, 12, 16)
    while day <= D(2027, 5, 15):
        with time_machine.travel(at(day), tick=False):
            for company_id, kind, tax_year in planned.get(day, []):
                DocumentFactory(company_id=company_id, kind=kind, issue_date=day, tax_year=tax_year, accepted=True)
            before = failing_rules()
            recheck_outlets(outlet_ids, trigger=Trigger.SCHEDULE, today=day)
            after = failing_rules()
        suspended_on[day] = set(ListingTransition.objects.filter(
            action="auto_suspend", created_at__gte=at(day, 0), created_at__lt=at(day + DAY, 0),
        ).values_list("listing__outlet_id", flat=True))
        new_failures_on[day] = {(pk, code) for pk, codes in after.items() for code in codes - before.get(pk, set())}
        lapsed = outlets_whose_documents_lapsed(day)
        assert suspended_on[day] <= lapsed, (day, suspended_on[day] - lapsed)
        assert {pk for pk, _code in new_failures_on[day]} <= lapsed, (day, new_failures_on[day])
        day += DAY

    # The turn of the year changes nothing for the tax rules.
    for day in (D(2026, 12, 31), D(2027, 1, 1)):
        assert not {code for _pk, code in new_failures_on[day]} & TAX_RULES, day
    # Last year's KSWP counts through 31 March; on 1 April those who did not renew (and hold no current
    # SKF) lose the tax-status rule, and only they.
    assert not {code for _pk, code in new_failures_on[D(2027, 3, 31)]} & TAX_RULES
    assert ("tax_status" in {code for _pk, code in new_failures_on[D(2027, 4, 1)]})
    # The 2025 return counts through 30 April; on 1 May the 2026 return is required.
    assert "annual_tax_return" not in {code for _pk, code in new_failures_on[D(2027, 4, 30)]}
    assert "annual_tax_return" in {code for _pk, code in new_failures_on[D(2027, 5, 1)]}
    renewed_both = {company_id for company_id, kinds in _renewed_kinds(planned).items() if len(kinds) == 2}
    still_listed = set(Listing.objects.filter(state=ListingState.LISTED).values_list("outlet__company_id", flat=True))
    assert still_listed, "some outlets stay listed through to May"
    assert still_listed <= renewed_both | _companies_on_skf()
    assert sum(len(outlets) for outlets in suspended_on.values()) < listed_at_start


def _renewed_kinds(planned) -> dict[int, set]:
    kinds = defaultdict(set)
    for entries in planned.values():
        for company_id, kind, _tax_year in entries:
            kinds[company_id].add(kind)
    return kinds


def _companies_on_skf() -> set[int]:
    return set(Document.objects.filter(kind=DocumentKind.SKF, review_status=ReviewStatus.ACCEPTED,
                                       expiry_date__gte=D(2027, 5, 15)).values_list("company_id", flat=True))


# --- reminders that a KSWP or a return stops counting -------------------------------------------------

@pytest.mark.django_db
def test_the_owner_is_reminded_before_last_years_kswp_and_the_old_return_stop_counting(mailoutbox):
    with time_machine.travel(at(D(2027, 1, 10), 9), tick=False):
        outlet = eligible_outlet()
    company = outlet.company
    kswp = company.documents.get(kind=DocumentKind.KSWP)
    kswp.issue_date = D(2026, 6, 1)
    kswp.save()
    tax_return = company.documents.get(kind=DocumentKind.ANNUAL_TAX_RETURN)
    tax_return.tax_year = 2025
    tax_return.save()

    summary = send_expiry_reminders(D(2027, 3, 1))  # 30 days before 31 March
    assert summary.sent == 1
    (message,) = mailoutbox
    assert "KSWP" in message.subject and "tidak dihitung lagi dalam 30 hari" in message.subject
    assert "31 Maret 2027" in message.body and "KSWP yang\nbertanggal tahun 2027" in message.body
    assert "Counts to: 31 March 2027" in message.body

    mailoutbox.clear()
    # The job did not run for a month: the KSWP's last (7-day) reminder and the return's first (30-day).
    assert send_expiry_reminders(D(2027, 3, 31)).sent == 2
    kswp_last = next(m for m in mailoutbox if "KSWP" in m.subject)
    assert "tidak dihitung lagi hari ini" in kswp_last.subject
    spt = next(m for m in mailoutbox if "tahun pajak 2026" in m.body)
    assert "30 April 2027" in spt.body and "tidak dihitung lagi dalam 30 hari" in spt.subject
    assert send_expiry_reminders(D(2027, 4, 16)).sent == 1  # the return's 14-day reminder


@pytest.mark.django_db
def test_a_renewed_kswp_silences_the_reminder(mailoutbox):
    with time_machine.travel(at(D(2027, 1, 10), 9), tick=False):
        outlet = eligible_outlet()
    outlet.company.documents.filter(kind=DocumentKind.KSWP).update(issue_date=D(2026, 6, 1))
    DocumentFactory(company=outlet.company, kind=DocumentKind.KSWP, issue_date=D(2027, 2, 10), accepted=True)
    send_expiry_reminders(D(2027, 3, 1))
    assert not [m for m in mailoutbox if "KSWP" in m.subject]


@pytest.mark.django_db
def test_the_document_expiry_job_rechecks_outlets_whose_kswp_stopped_counting_yesterday():
    from catalog.tasks import recheck_expired_documents

    with time_machine.travel(at(D(2027, 1, 10), 9), tick=False):
        outlet = eligible_outlet()
        outlet.company.documents.filter(kind=DocumentKind.KSWP).update(issue_date=D(2026, 6, 1))
        recheck_outlets([outlet.pk], trigger=Trigger.STAFF)
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
    with time_machine.travel(at(D(2027, 4, 1), 0), tick=False):
        summary = recheck_expired_documents.apply(kwargs={"day": "2027-04-01"}).get()
    assert summary["changed"] == 1
    eligibility = Eligibility.objects.get(pk=outlet.pk)
    assert eligibility.failing_rule_codes == ["tax_status"]
    assert eligibility.outlet.eligibility_changes.first().trigger == Trigger.DOCUMENT_EXPIRY


# --- the year-end notice --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_in_december_each_company_in_the_catalog_is_told_once_what_the_new_tax_year_needs(mailoutbox):
    with time_machine.travel(at(D(2026, 11, 20), 9), tick=False):
        listed = eligible_outlet(email="redaksi@kabar.example")
        Listing.objects.create(outlet=listed, state=ListingState.LISTED, state_since=at(D(2026, 11, 20)))
        outside = MediaOutletFactory()  # no listing, no application: not told
    assert send_tax_year_notices(D(2026, 11, 30)).year is None  # not yet
    summary = send_tax_year_notices(D(2026, 12, 1))
    assert (summary.year, summary.sent) == (2027, 1)
    (message,) = mailoutbox
    assert sorted(message.to) == sorted({listed.company.email, "redaksi@kabar.example"})
    assert "Tahun pajak 2027" in message.subject
    assert "KSWP bertanggal 2026 masih dihitung sampai 31 Maret 2027" in message.body
    assert "SPT Tahunan tahun pajak 2026 wajib dilaporkan paling lambat 30 April 2027" in message.body
    assert "a KSWP dated 2026 still counts until 31 March 2027" in message.body
    assert send_tax_year_notices(D(2026, 12, 2)).sent == 0  # once
    assert send_tax_year_notices(D(2027, 1, 2)).year is None
    assert TaxYearNotice.objects.filter(company=outside.company).count() == 0


@pytest.mark.django_db
def test_the_notice_day_comes_from_the_policy(mailoutbox):
    policy = EligibilityPolicy.load()
    policy.tax_notice_month, policy.tax_notice_day = 12, 15
    policy.save()
    with time_machine.travel(at(D(2026, 11, 20), 9), tick=False):
        outlet = eligible_outlet()
        Listing.objects.create(outlet=outlet, state=ListingState.APPLIED, state_since=at(D(2026, 11, 20)))
    assert send_tax_year_notices(D(2026, 12, 14)).year is None
    assert send_tax_year_notices(D(2026, 12, 31)).sent == 1


# --- the status page says by when ------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_status_page_says_by_when_the_next_kswp_and_return_are_needed(client):
    with time_machine.travel(at(D(2026, 12, 20), 9), tick=False):
        outlet = eligible_outlet()
        application = Application.objects.create(code="kode-uji", submission_key="uji", company=outlet.company,
                                                 outlet=outlet, applicant_email="redaksi@kabar.example")
        page = client.get(f"/apply/status/{application.code}/").content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(f"/apply/status/{application.code}/").content.decode()
    assert "Agar tetap tercantum dalam e-katalog" in page
    assert "31 Maret 2027" in page and "30 April 2027" in page
    assert "31 March 2027</strong>: Your KSWP of 1 January 2026 counts until 31 March 2027: send a KSWP dated 2027" \
        in english
    assert "30 April 2027</strong>: Your annual tax return for 2025 counts until 30 April 2027: the return for " \
        "2026 is due by then" in english


@pytest.mark.django_db
def test_deadlines_list_documents_expiring_within_three_months_in_date_order():
    with time_machine.travel(at(D(2026, 12, 20), 9), tick=False):
        outlet = eligible_outlet()
        DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, issue_date=D(2026, 12, 1),
                        expiry_date=D(2027, 1, 1), accepted=True)
        DocumentFactory(company=outlet.company, kind=DocumentKind.BANK_ACCOUNT_LETTER, issue_date=D(2026, 1, 1),
                        expiry_date=D(2028, 1, 1), accepted=True)  # far away: not listed
        days = [deadline.day for deadline in upcoming_deadlines(outlet)]
    assert days == [D(2027, 1, 1), D(2027, 3, 31), D(2027, 4, 30)]
