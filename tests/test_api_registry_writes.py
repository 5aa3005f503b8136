"""The registry's decisions through the API (issue 12; docs/api.md "Registry"): a document's review and an
application's decision call the admin's own services, refusals come back as 400 with the admin's message in
the request's language, an Idempotency-Key makes a retried call do the work once, the audit trail names the
API's user, and only the roles that may decide in the admin may decide here.

Built on the pinned ordinary day (Thursday 26 November 2026, 10:00 in Jakarta)."""

from __future__ import annotations

import pytest

from catalog.eligibility import recheck_outlet
from catalog.models import Application, ListingState
from mediareg.api.tokens import token_create
from mediareg.models import AuditEvent
from partners.models import Document, ReviewStatus
from tests.budget_helpers import budget_officer, make_agency
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import DocumentFactory, MediaOutletFactory, PressCompanyFactory, StaffUserFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

API = "/api/v1/"


def post(client, path, user=None, data=None, *, lang=None, key=None):
    """POST JSON to ``/api/v1/<path>`` as ``user`` with a token, in ``lang``, with an Idempotency-Key."""
    headers = {}
    if user is not None:
        _token, token_key = token_create(user=user, name="tes", created_by=user)
        headers["HTTP_AUTHORIZATION"] = f"Token {token_key}"
    if lang:
        headers["HTTP_ACCEPT_LANGUAGE"] = lang
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(API + path, data or {}, content_type="application/json", **headers)


def updates_of(obj) -> list[AuditEvent]:
    return [e for e in AuditEvent.objects.tracks(obj).order_by("pgh_created_at", "pgh_id") if e.pgh_label == "update"]


@pytest.fixture
def reviewer():
    return StaffUserFactory(username="rina.verifikator", groups=["Verifikator"])


@pytest.fixture
def document():
    return DocumentFactory(outlet=MediaOutletFactory())


def eligible_application():
    outlet = eligible_outlet()
    recheck_outlet(outlet)
    return make_application(outlet)


# --- documents -----------------------------------------------------------------------------------------


def test_accepting_a_document_records_the_decision_in_the_api_users_name(client, reviewer, document):
    response = post(client, f"documents/{document.pk}/accept/", reviewer)
    assert response.status_code == 200
    assert response.json()["review_status"] == "accepted"
    assert response.json()["id"] == document.pk
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.ACCEPTED and document.reviewed_by == reviewer
    (update,) = updates_of(document)
    assert update.pgh_diff["review_status"] == ["pending", "accepted"]
    assert update.pgh_context["user"] == reviewer.pk
    assert update.pgh_context["url"] == f"/api/v1/documents/{document.pk}/accept/"


def test_rejecting_a_document_keeps_the_reason(client, reviewer, document):
    response = post(client, f"documents/{document.pk}/reject/", reviewer, {"reason": "Pindaian buram."})
    assert response.status_code == 200
    assert response.json()["review_status"] == "rejected"
    assert response.json()["rejection_reason"] == "Pindaian buram."
    document.refresh_from_db()
    assert document.rejection_reason == "Pindaian buram." and document.reviewed_by == reviewer
    assert updates_of(document)[-1].pgh_context["user"] == reviewer.pk


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Give the reason for rejecting the document."),
    (None, "Sebutkan alasan penolakan dokumen."),  # Indonesian unless asked otherwise
    ("id", "Sebutkan alasan penolakan dokumen."),
])
def test_a_rejection_without_a_reason_is_refused_with_the_admins_message(client, reviewer, document, lang, message):
    for data in ({}, {"reason": "   "}):
        response = post(client, f"documents/{document.pk}/reject/", reviewer, data, lang=lang)
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": [message]}
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING
    assert updates_of(document) == []


def test_an_unknown_document_is_404_and_a_decision_needs_post(client, reviewer, document):
    assert post(client, "documents/999999/accept/", reviewer).status_code == 404
    _token, key = token_create(user=reviewer, name="tes", created_by=reviewer)
    assert client.get(f"{API}documents/{document.pk}/accept/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 405


# --- applications --------------------------------------------------------------------------------------


def test_approving_an_eligible_application_lists_the_outlet(client, reviewer):
    application = eligible_application()
    response = post(client, f"applications/{application.pk}/approve/", reviewer)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED and application.decided_by == reviewer
    assert application.outlet.listing.state == ListingState.LISTED
    transition = application.outlet.listing.transitions.get(to_state=ListingState.LISTED)
    assert transition.actor == reviewer
    assert updates_of(application)[-1].pgh_context["user"] == reviewer.pk


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "This application has already been decided."),
    (None, "Pengajuan ini sudah diputuskan."),
])
def test_a_decided_application_is_refused_in_the_requests_language(client, reviewer, lang, message):
    application = make_application(MediaOutletFactory(), status=Application.Status.REJECTED)
    for path, data in (("approve/", {}), ("reject/", {"reason": "Lagi"}), ("request-changes/", {"reason": "Lagi"})):
        response = post(client, f"applications/{application.pk}/{path}", reviewer, data, lang=lang)
        assert response.status_code == 400, path
        assert response.json() == {"non_field_errors": [message]}
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED and application.decision_reason == "Alasan"


def test_approving_an_outlet_that_is_not_eligible_is_refused_with_the_reasons(client, reviewer):
    application = make_application(MediaOutletFactory(company=PressCompanyFactory(npwp=None)))
    response = post(client, f"applications/{application.pk}/approve/", reviewer, lang="en")
    assert response.status_code == 400
    assert "NPWP" in " ".join(response.json()["non_field_errors"])
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_rejecting_and_requesting_changes_need_a_reason_and_keep_it(client, reviewer):
    rejected, changes = make_application(MediaOutletFactory()), make_application(MediaOutletFactory())

    refused = post(client, f"applications/{rejected.pk}/reject/", reviewer, {"reason": ""}, lang="en")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["Give a reason; it is sent to the applicant."]}
    refused = post(client, f"applications/{changes.pk}/request-changes/", reviewer, {})
    assert refused.json() == {"non_field_errors": ["Sebutkan alasannya; alasan ini akan dikirimkan kepada pemohon."]}

    response = post(client, f"applications/{rejected.pk}/reject/", reviewer, {"reason": "Bukan perusahaan pers."})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Bukan perusahaan pers."
    assert rejected.outlet.listing.__class__.objects.get(pk=rejected.outlet.listing.pk).state == ListingState.REJECTED

    response = post(client, f"applications/{changes.pk}/request-changes/", reviewer, {"reason": "Unggah SKF baru."})
    assert response.status_code == 200
    assert response.json()["status"] == "changes_requested"
    changes.refresh_from_db()
    assert changes.decision_reason == "Unggah SKF baru." and changes.decided_by == reviewer


def test_starting_the_review_once(client, reviewer):
    application = make_application(MediaOutletFactory())
    response = post(client, f"applications/{application.pk}/start-review/", reviewer)
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    application.refresh_from_db()
    assert application.outlet.listing.state == ListingState.UNDER_REVIEW

    again = post(client, f"applications/{application.pk}/start-review/", reviewer, lang="en")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Only a submitted application can go under review."]}


# --- Idempotency-Key ----------------------------------------------------------------------------------


def test_the_same_key_and_body_reject_a_document_once(client, reviewer, document):
    path, data = f"documents/{document.pk}/reject/", {"reason": "Pindaian buram."}
    first = post(client, path, reviewer, data, key="tolak-1")
    second = post(client, path, reviewer, data, key="tolak-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert len(updates_of(document)) == 1

    other = post(client, path, reviewer, {"reason": "Alasan lain."}, key="tolak-1")
    assert other.status_code == 422
    document.refresh_from_db()
    assert document.rejection_reason == "Pindaian buram."


def test_a_retried_approval_is_answered_with_the_first_answer(client, reviewer):
    application = eligible_application()
    path = f"applications/{application.pk}/approve/"
    first = post(client, path, reviewer, key="setujui-7")
    second = post(client, path, reviewer, key="setujui-7")
    assert first.status_code == second.status_code == 200, first.content
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    # Without the key the same call is a second decision, which the service refuses.
    assert post(client, path, reviewer).status_code == 400
    assert post(client, f"documents/{application.documents.first().pk}/accept/", reviewer,
                key="setujui-7").status_code == 422  # the key names another request


def test_a_refused_write_frees_its_key(client, reviewer, document):
    path = f"documents/{document.pk}/reject/"
    assert post(client, path, reviewer, {"reason": ""}, key="kunci").status_code == 400
    assert post(client, path, reviewer, {"reason": ""}, key="kunci").status_code == 400  # not replayed
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING


# --- who may decide --------------------------------------------------------------------------------------


@pytest.fixture
def decisions(document):
    """Every write of the registry's API, each with a body that would succeed."""
    application = make_application(MediaOutletFactory())
    return [
        (f"documents/{document.pk}/accept/", {}),
        (f"documents/{document.pk}/reject/", {"reason": "Buram."}),
        (f"applications/{application.pk}/start-review/", {}),
        (f"applications/{application.pk}/approve/", {}),
        (f"applications/{application.pk}/request-changes/", {"reason": "Unggah ulang."}),
        (f"applications/{application.pk}/reject/", {"reason": "Bukan pers."}),
    ]


def statuses(client, user, decisions) -> list[int]:
    return [post(client, path, user, data).status_code for path, data in decisions]


def nothing_decided(document) -> bool:
    document.refresh_from_db()
    return (document.review_status == ReviewStatus.PENDING
            and not Application.objects.exclude(status=Application.Status.SUBMITTED).exists())


def test_anonymous_callers_get_401_on_every_write(client, decisions, document):
    assert statuses(client, None, decisions) == [401] * len(decisions)
    assert nothing_decided(document)


def test_auditors_read_but_every_write_is_403(client, auditor, decisions, document):
    assert statuses(client, auditor, decisions) == [403] * len(decisions)
    assert nothing_decided(document)


def test_budget_officers_of_this_and_another_agency_get_403_on_registry_writes(client, decisions, document):
    for officer in (budget_officer(make_agency()), budget_officer(make_agency())):
        assert statuses(client, officer, decisions) == [403] * len(decisions)
    assert nothing_decided(document)


def test_signed_in_users_without_the_admins_permission_get_403(client, decisions, document):
    viewer = UserFactory(permissions=["partners.view_document", "catalog.view_application"])
    assert statuses(client, viewer, decisions) == [403] * len(decisions)
    # The permission to review documents opens the document decisions only.
    document_reviewer = UserFactory(permissions=["partners.review_document"])
    assert statuses(client, document_reviewer, decisions[2:]) == [403] * 4
    assert post(client, decisions[0][0], document_reviewer).status_code == 200
    # Deciding on applications is the admin's "manage listings" permission, nothing about documents.
    decider = UserFactory(permissions=["catalog.manage_listing"])
    assert statuses(client, decider, decisions[:2]) == [403, 403]
    assert post(client, decisions[2][0], decider).status_code == 200


def test_reviewers_and_superusers_decide(client, reviewer, decisions, document):
    assert post(client, decisions[0][0], reviewer).status_code == 200
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert post(client, decisions[1][0], superuser, decisions[1][1]).status_code == 200
    assert post(client, decisions[2][0], superuser).status_code == 200
    assert post(client, decisions[4][0], reviewer, decisions[4][1]).status_code == 200
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.REJECTED and document.reviewed_by == superuser


def test_a_document_decision_is_re_checked_at_once_after_commit(client, reviewer, django_capture_on_commit_callbacks):
    """As in the admin (staff_edit): the outlet's result is fresh when the answer comes."""
    outlet = eligible_outlet()
    recheck_outlet(outlet)
    skf = Document.objects.filter(company=outlet.company, kind="kswp").get()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, f"documents/{skf.pk}/reject/", reviewer, {"reason": "Palsu."}).status_code == 200
    outlet.eligibility.refresh_from_db()
    assert outlet.eligibility.is_eligible is False
    assert ",tax_status," in outlet.eligibility.failing_codes
