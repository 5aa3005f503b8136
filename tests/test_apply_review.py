"""The review of applications in the admin: approve, reject and request changes with their rules,
permissions and e-mails; the queue's filters and fixed query count; the application page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import renewal
from catalog.models import (
    Application,
    Eligibility,
    Listing,
    ListingState,
)
from tests.apply_helpers import (
    APPLY,
    QUEUE,
    form_data,
    form_files,
)
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    StaffUserFactory,
)
from tests.helpers import messages_of

# Every test: no rate-limit counts from earlier tests, the re-checks and mails a submission queues run
# in-process (as with the embedded defaults), and English pages.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]


# --- review in the admin ---------------------------------------------------------------------------

def run_action(client, action, applications_, captured, **extra):
    with captured(execute=True):
        return client.post(QUEUE, {"action": action, "_selected_action": [a.pk for a in applications_], **extra},
                           follow=True)


def test_approve_is_refused_for_an_ineligible_outlet_with_the_reasons(client, reviewer, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    client.post(APPLY, {**form_data(), **form_files()})  # its after-commit re-check is left out here
    application = Application.objects.get()
    assert not Eligibility.objects.filter(outlet=application.outlet).exists()

    # Its documents wait for review: the action first names them (tests/test_decisions.py), then approves.
    warning = run_action(client, "approve", [application], django_capture_on_commit_callbacks)
    assert "Approve anyway" in warning.content.decode() and messages_of(warning) == []
    response = run_action(client, "approve", [application], django_capture_on_commit_callbacks, confirmed="1")

    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("Kabar Betawi: The outlet is not eligible: ")
    assert "Dewan Pers" in message
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.decided_by is None
    assert Listing.objects.get(outlet=application.outlet).state == ListingState.APPLIED
    assert mailoutbox == []
    # The fresh check the refusal rests on is kept (catalog.lifecycle.approve commits it first).
    assert application.outlet.eligibility_changes.get().trigger == "staff"
    assert Eligibility.objects.get(outlet=application.outlet).is_eligible is False


def test_approve_lists_an_eligible_outlet_and_tells_the_applicant(client, reviewer, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    application = make_application(eligible_outlet(name="Kabar Layak"), email="redaksi@layak.id")

    response = run_action(client, "approve", [application], django_capture_on_commit_callbacks)

    assert messages_of(response) == ["1 application approved."]
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (Application.Status.APPROVED, reviewer)
    assert Listing.objects.get(outlet=application.outlet).state == ListingState.LISTED
    (decision,) = [m for m in mailoutbox if "redaksi@layak.id" in m.to]
    assert "Approved" in decision.subject or "Disetujui" in decision.subject
    assert f"/apply/status/{application.code}/" in decision.body
    # Decided is decided.
    again = run_action(client, "approve", [application], django_capture_on_commit_callbacks)
    assert "This application has already been decided." in messages_of(again)[0]


@pytest.mark.parametrize("action, status, listing_state, renewal_link", [
    ("reject", Application.Status.REJECTED, ListingState.REJECTED, False),
    ("request_changes", Application.Status.CHANGES_REQUESTED, ListingState.APPLIED, True),
])
def test_reject_and_request_changes_need_a_reason_that_is_emailed(client, reviewer, mailoutbox, action, status,
                                                                  listing_state, renewal_link,
                                                                  django_capture_on_commit_callbacks):
    outlet = MediaOutletFactory(name="Kabar Kurang")
    DocumentFactory(company=outlet.company)
    application = make_application(outlet, email="redaksi@kurang.id")

    form = run_action(client, action, [application], django_capture_on_commit_callbacks)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    empty = run_action(client, action, [application], django_capture_on_commit_callbacks, apply="1", reason="  ")
    assert "This field is required." in empty.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and mailoutbox == []

    done = run_action(client, action, [application], django_capture_on_commit_callbacks, apply="1",
                      reason="Akta pendirian belum dilegalisasi.\nKirim ulang.")

    assert done.status_code == 200 and len(messages_of(done)) == 1
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (
        status, "Akta pendirian belum dilegalisasi.\nKirim ulang.")
    assert Listing.objects.get(outlet=outlet).state == listing_state
    (mail,) = mailoutbox
    assert mail.to == sorted({"redaksi@kurang.id", outlet.company.email})
    assert "Akta pendirian belum dilegalisasi." in mail.body
    assert ("/apply/renew/" in mail.body) is renewal_link
    if renewal_link:
        token = re.search(r"/apply/renew/([^/\s]+)/", mail.body).group(1)
        assert renewal.read_renewal_token(token) == outlet.pk
    status_page = client.get(f"/apply/status/{application.code}/")
    assert "Akta pendirian belum dilegalisasi." in status_page.content.decode()


def test_the_decisions_need_the_manage_listing_permission(client, django_capture_on_commit_callbacks):
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    application = make_application(MediaOutletFactory())

    page = client.get(QUEUE)
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    run_action(client, "approve", [application], django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def queue_queries(client, url=QUEUE) -> tuple[int, object]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_the_queue_runs_the_same_queries_for_1_and_20_applications(client, reviewer):
    make_application(DocumentFactory(outlet=MediaOutletFactory(), kind="editorial_box").outlet)
    one, _page = queue_queries(client)
    for _n in range(19):
        outlet = DocumentFactory(outlet=MediaOutletFactory(), kind="editorial_box").outlet
        make_application(outlet, status=Application.Status.APPROVED)
        outlet.applications.update(decided_by=StaffUserFactory())
    twenty, page = queue_queries(client)
    assert len(page.context["cl"].result_list) == 20
    assert twenty == one


def test_the_queue_filters_by_status_and_age(client, reviewer):
    fresh = make_application(MediaOutletFactory(), days_ago=1)
    week_old = make_application(MediaOutletFactory(), days_ago=10)
    month_old = make_application(MediaOutletFactory(), days_ago=40, status=Application.Status.REJECTED)

    def shown(query):
        return set(client.get(QUEUE + query).context["cl"].result_list)

    assert shown("") == {fresh, week_old, month_old}
    assert shown("?status__exact=submitted") == {fresh, week_old}
    assert shown("?status__exact=rejected") == {month_old}
    assert shown("?age=7") == {week_old, month_old}
    assert shown("?age=30") == {month_old}
    assert shown("?age=7&status__exact=submitted") == {week_old}
    assert [a.pk for a in client.get(QUEUE).context["cl"].result_list] == [month_old.pk, week_old.pk, fresh.pk]


def test_the_application_page_shows_its_documents_to_review(client, reviewer, submit):
    submit()
    application = Application.objects.get()
    page = client.get(reverse("admin:catalog_application_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Download") >= 7 and "Accept or reject these documents" in html
