"""Staff see no link to a page that refuses them. For each role, the admin is walked from its index:
every /admin/ link there, on each page those lead to, and on each page one level deeper (the record
pages reached from the lists) is followed with GET, and none may answer 403."""

from __future__ import annotations

import datetime
import uuid
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.utils import timezone

from catalog import lifecycle
from catalog.eligibility import recheck_outlets
from catalog.models import Application, RegistrationWindow, Trigger
from mediareg.audit import audit_context
from mediareg.models import DeadLetter
from tests.catalog_helpers import eligible_outlet
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

ROLES = ["Verifikator", "Auditor", "Petugas Anggaran"]
SERVER = "http://testserver"
# Links that change something even on GET, or end the session.
NOT_FOLLOWED = {"/admin/logout/"}


class Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(unescape(href))


def admin_links(page_url: str, response) -> set[str]:
    """The admin pages a page links to, other than itself re-sorted, filtered or paginated (the same
    view, which the visit of the page itself has already answered for)."""
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return set()
    links = set()
    for href in Links(response.content.decode()).hrefs:
        url, _fragment = urldefrag(urljoin(SERVER + page_url, href))
        parts = urlsplit(url)
        if parts.netloc != "testserver" or not parts.path.startswith("/admin/") or parts.path in NOT_FOLLOWED:
            continue
        if parts.path == urlsplit(page_url).path:
            continue
        links.add(url.removeprefix(SERVER))
    return links


def walk(client, depth: int = 3) -> dict[str, int]:
    """Status of every admin page reachable from the index in ``depth`` clicks (GET only)."""
    statuses: dict[str, int] = {}
    frontier = {"/admin/"}
    for _level in range(depth + 1):
        following = set()
        for url in sorted(frontier - statuses.keys()):
            response = client.get(url)
            statuses[url] = response.status_code
            following |= admin_links(url, response)
        frontier = following
    return statuses


@pytest.fixture
def registry():
    """A bit of everything, so that the lists have rows and the rows have pages."""
    today = timezone.localdate()
    outlet = eligible_outlet()
    recheck_outlets([outlet.pk], trigger=Trigger.STAFF)
    lifecycle.ensure_listing(outlet)
    application = Application.objects.create(
        code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
        applicant_email="redaksi@example.id")
    application.documents.set(outlet.company.documents.all())
    decided = Application.objects.create(
        code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
        applicant_email="redaksi@example.id", status=Application.Status.REJECTED, decision_reason="Tidak lengkap",
        decided_by=StaffUserFactory(), decided_at=timezone.now())
    with audit_context(user=decided.decided_by_id, url="/admin/partners/mediaoutlet/"):
        outlet.name = f"{outlet.name} (baru)"
        outlet.save()
    RegistrationWindow.objects.create(opens_on=today, closes_on=today + datetime.timedelta(days=30))
    DeadLetter.objects.create(task_name="catalog.tasks.recheck_outlets_task", task_id=uuid.uuid4().hex,
                              deliveries=8, reason="worker lost")
    return outlet


@pytest.mark.slow  # some hundred pages per role
@pytest.mark.parametrize("role", ROLES)
def test_no_link_in_the_admin_leads_to_a_refusal(client, registry, role):
    client.post("/admin/login/", {"username": "someone", "password": "wrong"})  # a failed login on record
    member = StaffUserFactory(groups=[role])
    client.force_login(member)

    statuses = walk(client)

    refused = sorted(url for url, status in statuses.items() if status == 403)
    assert refused == [], f"{role} is shown links to pages that refuse them: {refused}"
    assert len(statuses) > 10  # the walk went somewhere
    assert f"/admin/partners/mediaoutlet/{registry.pk}/change/" in statuses



def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def member_of(role: str):
    member = StaffUserFactory(groups=[role])
    return member


def test_the_audit_trail_link_is_shown_only_to_those_who_may_open_it(client, registry):
    outlet_page = f"/admin/partners/mediaoutlet/{registry.pk}/change/"
    client.force_login(member_of("Verifikator"))
    assert "/admin/mediareg/auditevent/" not in client.get(outlet_page).content.decode()

    client.force_login(member_of("Auditor"))
    html = client.get(outlet_page).content.decode()
    assert f"/admin/mediareg/auditevent/?obj=partners.mediaoutlet%3A{registry.pk}&amp;method=references" in html


def test_who_reviewed_decided_or_acted_is_named_without_a_link_to_the_users_page(client, registry):
    document = registry.company.documents.exclude(reviewed_by=None).first()
    decided = Application.objects.exclude(decided_by=None).get()
    client.force_login(member_of("Auditor"))

    for url, user in [(f"/admin/partners/document/{document.pk}/change/", document.reviewed_by),
                      (f"/admin/catalog/application/{decided.pk}/change/", decided.decided_by)]:
        response = client.get(url)
        assert user.get_full_name() in page_text(response), url
        assert "/admin/auth/user/" not in response.content.decode(), url

    events = client.get(f"/admin/mediareg/auditevent/?obj=partners.mediaoutlet%3A{registry.pk}&method=references")
    event_pages = [client.get(url) for url in admin_links("/admin/mediareg/auditevent/", events)
                   if "MediaOutletEvent" in url]
    assert any(decided.decided_by.get_full_name() in page_text(page) for page in event_pages)  # the renaming
    assert all("/admin/auth/user/" not in page.content.decode() for page in event_pages)


def test_budget_officers_see_the_registry_without_the_e_catalog_panel(client, registry):
    client.force_login(member_of("Petugas Anggaran"))
    response = client.get(f"/admin/partners/mediaoutlet/{registry.pk}/change/")
    assert response.status_code == 200
    assert "/admin/catalog/" not in response.content.decode()
