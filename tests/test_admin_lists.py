"""The back office's lists as staff read them (issue 9, part 2): counts and filters that include the
company's documents, expiring lists sorted by days left, a fixed number of queries at 1 and 50 rows,
and the eligibility panel of the outlet page fresh after the decision that changed it (part 3).

How the lists fit a 1366 px laptop is seen in a real browser: tests/test_admin_lists_browser.py.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.eligibility import recheck_outlets
from catalog.models import Eligibility, EligibilityChange, PendingRecheck, Trigger
from partners import selectors, services
from partners.models import Document, DocumentKind, ReviewStatus
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    PressVerificationFactory,
)
from tests.helpers import page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

OUTLETS = reverse("admin:partners_mediaoutlet_changelist")
COMPANIES = reverse("admin:partners_presscompany_changelist")
DOCUMENTS = reverse("admin:partners_document_changelist")
APPLICATIONS = reverse("admin:catalog_application_changelist")
LISTINGS = reverse("admin:catalog_listing_changelist")
VERIFICATIONS = reverse("admin:partners_pressverification_changelist")
HISTORY = reverse("admin:catalog_eligibilitychange_changelist")


@pytest.fixture
def staff(admin_client):
    """The superuser's client, asking for English pages."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def skf(company, *, days_left: int, **fields):
    """The company's tax clearance letter (SKF), accepted, running out in ``days_left`` days."""
    return DocumentFactory(company=company, kind=DocumentKind.SKF, accepted=True, issue_date=in_days(days_left - 30),
                           expiry_date=in_days(days_left), **fields)


def rows(client, url) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# --- counts and filters of the outlet list include the company's documents -----------------------------


def test_a_companys_expiring_skf_shows_every_outlet_of_the_company(staff):
    company = PressCompanyFactory()
    daily, weekly = MediaOutletFactory(company=company, name="Harian"), MediaOutletFactory(company=company,
                                                                                         name="Mingguan")
    MediaOutletFactory(name="Lain")  # another company, nothing expiring
    skf(company, days_left=7)

    assert rows(staff, f"{OUTLETS}?expiring=30") == [daily, weekly]
    listed = {row.name: row for row in rows(staff, OUTLETS)}
    assert (listed["Harian"].expiring_n, listed["Harian"].expiring_on) == (1, in_days(7))
    assert (listed["Lain"].expiring_n, listed["Lain"].expiring_on) == (0, None)
    page = staff.get(OUTLETS).content.decode()
    assert page.count(">7 days left</span>") == 2


def test_a_companys_unreviewed_document_shows_every_outlet_of_the_company(staff):
    company = PressCompanyFactory()
    daily, weekly = MediaOutletFactory(company=company, name="Harian"), MediaOutletFactory(company=company,
                                                                                         name="Mingguan")
    other = MediaOutletFactory(name="Lain")
    DocumentFactory(company=company)  # the NPWP card, waiting for review
    DocumentFactory(outlet=weekly, kind=DocumentKind.RATE_CARD)  # and the weekly's own rate card
    DocumentFactory(outlet=other, kind=DocumentKind.RATE_CARD, rejected=True)

    assert rows(staff, f"{OUTLETS}?review=pending") == [daily, weekly]
    assert rows(staff, f"{OUTLETS}?review=rejected") == [other]
    counts = {row.name: row.pending_n for row in rows(staff, OUTLETS)}
    assert counts == {"Harian": 1, "Mingguan": 2, "Lain": 0}
    assert ">2 pending</span>" in staff.get(OUTLETS).content.decode()


def test_a_rejected_or_far_off_document_is_not_expiring(staff):
    outlet = MediaOutletFactory()
    skf(outlet.company, days_left=5, review_status=ReviewStatus.REJECTED, reviewed_at=timezone.now(),
        rejection_reason="Buram")
    skf(outlet.company, days_left=31)
    assert rows(staff, f"{OUTLETS}?expiring=30") == []
    assert selectors.outlet_list().get().expiring_n == 0


# --- expiring lists sorted by days left ------------------------------------------------------------------


def test_the_expiring_outlets_come_by_days_left_the_soonest_first(staff):
    twenty, three, ten = (MediaOutletFactory(name=name) for name in ("Awal", "Bintang", "Cahaya"))
    skf(twenty.company, days_left=20)
    skf(three.company, days_left=3)
    DocumentFactory(outlet=ten, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                    issue_date=in_days(-1800), expiry_date=in_days(10))
    skf(ten.company, days_left=25)  # the outlet's soonest counts: its own certificate, in 10 days

    assert rows(staff, f"{OUTLETS}?expiring=30") == [three, ten, twenty]
    assert rows(staff, f"{COMPANIES}?expiring=30") == [three.company, ten.company, twenty.company]
    # Without the filter the list keeps its order (by name), and a column header still sorts.
    assert rows(staff, OUTLETS) == [twenty, three, ten]
    assert rows(staff, f"{OUTLETS}?expiring=30&o=-1") == [ten, three, twenty]


def test_the_expiring_and_expired_documents_come_by_days_left(staff):
    later, soon, past, long_past = (skf(PressCompanyFactory(), days_left=days) for days in (25, 2, -3, -40))
    skf(PressCompanyFactory(), days_left=90)

    assert rows(staff, f"{DOCUMENTS}?expiry=30") == [soon, later]
    assert rows(staff, f"{DOCUMENTS}?expiry=expired") == [long_past, past]
    page = staff.get(f"{DOCUMENTS}?expiry=30").content.decode()
    assert page.index(">2 days left<") < page.index(">25 days left<")


# --- the same queries at 1 and at 50 rows ----------------------------------------------------------------


def make_outlets(n: int):
    """Outlets with everything their list rows show: a website, a verification, documents of their own
    and their company's (expiring, pending), a result and a listing; and an application each."""
    for i in range(n):
        outlet = MediaOutletFactory()
        OutletDomainFactory(outlet=outlet, is_primary=True)
        PressVerificationFactory(outlet=outlet, factual=i % 2 == 0)
        skf(outlet.company, days_left=i % 30)
        DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
        recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
        make_application(outlet)


@pytest.mark.parametrize("url", [
    OUTLETS, f"{OUTLETS}?expiring=30", f"{OUTLETS}?review=pending", f"{COMPANIES}?expiring=30",
    f"{DOCUMENTS}?expiry=30", APPLICATIONS, LISTINGS, VERIFICATIONS, HISTORY,
], ids=["outlets", "outlets-expiring", "outlets-pending", "companies-expiring", "documents-expiring",
        "applications", "listings", "verifications", "eligibility-history"])
def test_each_list_runs_the_same_queries_for_1_and_50_rows(staff, url):
    make_outlets(1)
    one, response = page_queries(staff, url)
    assert len(response.context["cl"].result_list) >= 1
    make_outlets(49)
    fifty, response = page_queries(staff, url)
    assert len(response.context["cl"].result_list) == 50
    assert one == fifty, f"{url}: {one} queries for 1 row, {fifty} for 50"
    assert fifty <= 12


# --- the cells say what they mean in words, with the full text on hover ----------------------------------


def test_the_outlet_rows_show_labels_with_text_and_truncated_names_with_their_full_text(staff):
    outlet = eligible_outlet(name="Kabar Betawi Harian Pagi Edisi Nusantara Raya")
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    page = staff.get(OUTLETS).content.decode()
    assert ('<span class="truncated truncated-m" title="Kabar Betawi Harian Pagi Edisi Nusantara Raya">'
            in page)
    for text in (">eligible</span>", ">factual</span>", ">not applied</span>"):
        assert text in page
    assert 'class="status-label status-good"' in page


# --- the eligibility panel shows the result of the decision that changed it ------------------------------


def panel_state(client, outlet) -> tuple[str, set[str]]:
    """The outlet page's eligibility panel: its headline, and the rules it shows failing."""
    html = client.get(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk])).content.decode()
    panel = html[html.index('class="catalog-eligibility"'):]
    headline = "Not eligible" if "<strong>Not eligible</strong>" in panel else "Eligible"
    rules = re.findall(r'<tr class="rule-(\w+)">(.*?)</tr>', panel, re.S)
    return headline, {code for code, row in rules if "icon-no.svg" in row}


def test_accepting_a_document_from_the_list_shows_the_new_result_on_the_outlet_page(
        staff, admin_user, django_capture_on_commit_callbacks):
    outlet = eligible_outlet()
    kswp = Document.objects.get(company=outlet.company, kind=DocumentKind.KSWP)
    Document.objects.filter(pk=kswp.pk).update(review_status=ReviewStatus.PENDING, reviewed_by=None,
                                               reviewed_at=None)
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert panel_state(staff, outlet) == ("Not eligible", {"tax_status"})

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(DOCUMENTS, {"action": "accept_documents", "_selected_action": [kswp.pk]})
    assert response.status_code == 302

    # Re-checked at once in the reviewer's name, not left to a worker with "re-check pending".
    assert panel_state(staff, outlet) == ("Eligible", set())
    assert not PendingRecheck.objects.filter(outlet=outlet).exists()
    change = EligibilityChange.objects.filter(outlet=outlet).first()
    assert (change.is_eligible, change.trigger, change.actor) == (True, Trigger.DOCUMENT_REVIEW,
                                                                  admin_user.username)


def test_rejecting_a_company_document_shows_on_every_outlet_page_of_the_company(
        staff, django_capture_on_commit_callbacks):
    outlet = eligible_outlet()
    sister = eligible_outlet(company=outlet.company)
    recheck_outlets([outlet.pk, sister.pk], trigger=Trigger.SCHEDULE)
    kswp = Document.objects.get(company=outlet.company, kind=DocumentKind.KSWP)

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(DOCUMENTS, {"action": "reject_documents", "_selected_action": [kswp.pk], "apply": "1",
                               "reason": "Bukan KSWP perusahaan ini"})

    assert Document.objects.get(pk=kswp.pk).review_status == ReviewStatus.REJECTED
    assert panel_state(staff, outlet) == ("Not eligible", {"tax_status"})
    assert panel_state(staff, sister) == ("Not eligible", {"tax_status"})


def test_a_decision_outside_the_back_office_still_goes_to_a_worker(broker, django_capture_on_commit_callbacks):
    outlet = eligible_outlet()
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    kswp = Document.objects.filter(pk=Document.objects.get(company=outlet.company, kind=DocumentKind.KSWP).pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_reject(kswp, by=None, reason="Buram")
    # Nobody waits for a page: the worker re-checks (the mark backs it up), the result is unchanged so far.
    assert PendingRecheck.objects.filter(outlet=outlet).exists()
    assert [m["task"] for m in broker.messages()] == ["catalog.tasks.recheck_outlets_task"]
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
