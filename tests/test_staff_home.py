"""The staff home on the admin index (issue 9, part 1): what waits for staff and what changed, per
role, each figure linked to the admin list that shows exactly its rows, at a fixed number of queries.

The data is built on the pinned ordinary day (Thursday 26 November 2026, 10:00 in Jakarta)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import lifecycle, selectors
from catalog.admin.home import staff_home_panels
from catalog.models import ListingState, ListingTransition, RecheckRun, Trigger
from mediareg.audit import audit_context
from partners import services
from partners.models import Document, DocumentKind
from tests.catalog_helpers import make_application
from tests.factories import DocumentFactory, MediaOutletFactory, StaffUserFactory, UserFactory
from tests.staff_home_helpers import build_world, days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

HOME = "/admin/"
CATALOG_PANELS = ["home-applications", "home-pending-documents", "home-expiring-documents", "home-listing-changes",
                  "home-objections", "home-recheck"]
# Added by budgets (budgets/home.py) for those who may see media orders.
BUDGET_PANELS = ["home-orders-waiting-proof", "home-proofs-waiting-review", "home-orders-second-approval",
                 "home-proofs-overdue", "home-above-reference"]
# Added by the catalog (catalog/home_connected.py) for those who may see outlets.
CONNECTED_PANELS = ["home-connected-outlets"]
PANELS = [*CATALOG_PANELS, *CONNECTED_PANELS, *BUDGET_PANELS, "home-audit"]


def superuser():
    return UserFactory(username="super", is_staff=True, is_superuser=True)


def member_of(group: str):
    return StaffUserFactory(groups=[group])


ROLE_USERS = {
    "reviewer": lambda: member_of("Verifikator"),
    "budget officer": lambda: member_of("Petugas Anggaran"),
    "auditor": lambda: member_of("Auditor"),
    "superuser": superuser,
}
ROLE_PANELS = {
    "reviewer": [*CATALOG_PANELS, *CONNECTED_PANELS],
    # The registry read-only (mediareg/roles.py), and the orders.
    "budget officer": ["home-pending-documents", "home-expiring-documents", *CONNECTED_PANELS, *BUDGET_PANELS],
    "auditor": PANELS,
    "superuser": PANELS,
}


class Sections(HTMLParser):
    """The links of the staff home, by panel (``<section id=...>``), and the figures' links."""

    def __init__(self, html: str):
        super().__init__()
        self.panels: dict[str, list[str]] = {}
        self.figures: dict[str, list[str]] = {}
        self.current = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id", "").startswith("home-"):
            self.current = attrs["id"]
            self.panels[self.current] = []
            self.figures[self.current] = []
        elif tag == "a" and self.current and attrs.get("href"):
            self.panels[self.current].append(attrs["href"])
            if "home-figure" in (attrs.get("class") or ""):
                self.figures[self.current].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None


def home_page(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response, Sections(response.content.decode())


# --- the selectors --------------------------------------------------------------------------------


def test_the_panels_read_what_waits_and_what_changed():
    world = build_world(outlets=3)
    home = selectors.staff_home(superuser(), timezone.localdate())

    applications = home["applications"]
    assert applications["counts"] == {"submitted": 1, "under_review": 1} and applications["total"] == 2
    assert [(a.pk, a.days_waiting) for a in applications["oldest"]] == [(world["oldest"].pk, 12),
                                                                       (world["reviewing"].pk, 3)]

    pending = home["pending_documents"]
    assert pending["count"] == 2 and pending["oldest"][0] == world["older_pending"]

    expiring = home["expiring_documents"]
    assert expiring["count"] == 2  # the rejected SKF and the one of 45 days are not counted
    assert expiring["outlets"] == 4  # the company's three outlets and the other company's outlet
    skf, certificate = expiring["soonest"]
    assert (skf, skf.days_left, skf.affected_n) == (world["skf"], 7, 3)
    assert [outlet["name"] for outlet in skf.affected] == ["Kabar Daerah 00", "Kabar Daerah 01", "Kabar Pagi"]
    assert (certificate, certificate.days_left, certificate.affected_n) == (world["certificate"], 20, 1)
    assert certificate.affected == [{"id": world["other"].pk, "name": "Warta Timur"}]

    changes = home["listing_changes"]
    assert (changes["suspended"], changes["reinstated"]) == (1, 1)
    assert [t.action for t in changes["latest"]] == ["auto_reinstate", "auto_suspend"]

    recheck = home["recheck"]
    assert recheck["run"] == world["run"]
    assert recheck["duration"] == datetime.timedelta(minutes=3, seconds=20)
    assert recheck["failed_tasks"] == 1 and recheck["ranges_left"] == 0

    assert home["audit"], "the factories' inserts are in the audit trail"


def test_days_are_counted_from_the_day_asked_for():
    world = build_world()
    later = timezone.localdate() + datetime.timedelta(days=5)
    home = selectors.staff_home(superuser(), later)
    assert home["applications"]["oldest"][0].days_waiting == 17
    assert [d.days_left for d in home["expiring_documents"]["soonest"]] == [2, 15]
    # Five days on, the suspension of two days ago is more than a week old; the reinstatement of
    # yesterday is six days old.
    assert (home["listing_changes"]["suspended"], home["listing_changes"]["reinstated"]) == (0, 1)
    assert world["run"] == home["recheck"]["run"]


def test_an_unfinished_run_says_how_many_ranges_are_left_and_nothing_before_the_first_run():
    assert selectors.last_nightly_recheck() is None
    RecheckRun.objects.create(day=timezone.localdate(), trigger=Trigger.SCHEDULE, started_at=days_ago(0, 1),
                              batches=5, batches_done=2)
    recheck = selectors.last_nightly_recheck(failed_tasks=False)
    assert recheck["duration"] is None and recheck["ranges_left"] == 3 and recheck["failed_tasks"] is None


def test_the_failed_tasks_counted_are_the_nightly_re_checks():
    from catalog.tasks import recheck_all_outlets, recheck_outlet_range

    assert set(selectors.RECHECK_TASK_NAMES) == {recheck_all_outlets.name, recheck_outlet_range.name}


# --- the page, per role ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_sees_its_panels_first_and_only_links_it_may_open(client, english, role):
    build_world()
    response, page = home_page(client, ROLE_USERS[role]())
    assert list(page.panels) == ROLE_PANELS[role]
    html = response.content.decode()
    assert html.index('id="staff-home"') < html.index('class="app-'), "the panels come before the models"
    links = {href for hrefs in page.panels.values() for href in hrefs}
    assert links
    for href in sorted(links):
        assert client.get(href).status_code == 200, href


def test_a_reviewer_sees_no_failed_tasks_nor_audit_trail(client, english):
    build_world()
    response, page = home_page(client, member_of("Verifikator"))
    assert "Failed tasks" not in response.content.decode()
    assert not any("/admin/mediareg/" in href for hrefs in page.panels.values() for href in hrefs)


# Committed one by one: the audit trail's time is the database transaction's (now()), the same for
# every write of a test run inside one transaction.
@pytest.mark.django_db(transaction=True)
def test_an_auditor_sees_the_latest_changes_by_name(client, english):
    world = build_world()
    acting = StaffUserFactory(first_name="Dewi", last_name="Pemeriksa")
    # As a request of hers would (the audit middleware names the signed-in user).
    with audit_context(user=acting.pk, url="/admin/partners/document/"), services.staff_edit(acting):
        services.documents_accept(Document.objects.filter(pk=world["older_pending"].pk), by=acting)
    response, page = home_page(client, member_of("Auditor"))
    audit = response.content.decode().split('id="home-audit"')[1]
    assert "Dewi Pemeriksa" in audit and "Document" in audit and "changed" in audit
    assert "/admin/mediareg/auditevent/" in page.panels["home-audit"]


def test_app_pages_keep_their_plain_list(client, english):
    client.force_login(superuser())
    response = client.get("/admin/catalog/")
    assert response.status_code == 200 and 'id="staff-home"' not in response.content.decode()


# --- the figures' links show their rows -----------------------------------------------------------


def result_count(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["cl"].result_count


def test_every_figure_links_to_its_filtered_rows(client, english):
    build_world(outlets=3)
    user = superuser()
    _response, page = home_page(client, user)
    home = staff_home_panels(user)
    figures = {
        "home-applications": [1, 1],
        "home-pending-documents": [home["pending_documents"]["count"]],
        "home-expiring-documents": [2, 4],
        "home-listing-changes": [1, 1],
    }
    for panel, counts in figures.items():
        assert [result_count(client, href) for href in page.figures[panel]] == counts, panel
    # The expiring documents' list is the selector's rows, the company SKF included.
    rows = client.get(page.figures["home-expiring-documents"][0]).context["cl"].result_list
    assert sorted(d.pk for d in rows) == sorted(d.pk for d in home["expiring_documents"]["soonest"])


def test_the_recheck_links_show_the_run_its_changes_and_its_failed_task(client, english):
    world = build_world()
    user = superuser()
    home = staff_home_panels(user)["recheck"]
    client.force_login(user)
    assert client.get(home["url"]).status_code == 200
    failed = client.get(home["failed_url"]).context["cl"].result_list
    assert [letter.task_id for letter in failed] == ["range-1"]
    runs = client.get(home["runs_url"]).context["cl"].result_list
    assert world["run"] in list(runs)
    assert client.get(home["changed_url"]).status_code == 200


# --- a fixed number of queries --------------------------------------------------------------------

# The index with every panel (the catalog's, the objections, the connected outlets, the budgets' orders, proofs,
# holds, reference prices and quotas): the session, the user and permissions, one to three queries a panel and
# the recent actions (about 24 to 32 by role); a query per row would add fifty.
QUERY_BUDGET = 32


def home_queries(client, user) -> int:
    client.force_login(user)
    client.get(HOME)  # warms up the session and content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["superuser", "auditor", "reviewer"])
def test_the_home_runs_the_same_queries_at_1_and_50_outlets(client, english, django_assert_max_num_queries, role):
    world = build_world(outlets=1)
    user = ROLE_USERS[role]()
    few = home_queries(client, user)
    # 49 more outlets, each with an application, a pending document and a suspension this week.
    for n in range(49):
        outlet = MediaOutletFactory(company=world["company"], name=f"Kabar Tambahan {n:02d}")
        make_application(outlet, days_ago=n % 20)
        DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
        ListingTransition.objects.create(listing=lifecycle.ensure_listing(outlet), created_at=days_ago(n % 5),
                                         action="auto_suspend", from_state=ListingState.LISTED,
                                         to_state=ListingState.SUSPENDED, actor_label="system:schedule")
    many = home_queries(client, user)
    assert many == few
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(HOME)
    assert selectors.applications_waiting(timezone.localdate())["total"] == 2 + 49
