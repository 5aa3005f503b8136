"""Decisions where staff look (issue 9, part 3): approve, request changes and reject on the application's
page, accept and reject on the document's page and beside each document row of the outlet, company and
application pages. Each button runs the list's action for that one record (the same checks, reason
page, messages, e-mails and audit trail) and brings staff back to the page they were on; approving an
application whose documents are not all accepted first names them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Application, Listing, ListingState
from mediareg.models import AuditEvent
from partners.models import DocumentKind, ReviewStatus
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import DocumentFactory, MediaOutletFactory, StaffUserFactory
from tests.helpers import messages_of, page_queries, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "eager_tasks", "english")]


def application_page(application) -> str:
    return reverse("admin:catalog_application_change", args=[application.pk])


def decide_url(application, decision: str) -> str:
    return reverse("admin:catalog_application_decide", args=[application.pk, decision])


def review_url(document, decision: str) -> str:
    return reverse("admin:partners_document_review", args=[document.pk, decision])


def outlet_page(outlet) -> str:
    return reverse("admin:partners_mediaoutlet_change", args=[outlet.pk])


def company_page(company) -> str:
    return reverse("admin:partners_presscompany_change", args=[company.pk])


def document_page(document) -> str:
    return reverse("admin:partners_document_change", args=[document.pk])


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the page's button does (its hidden ``next`` included), after-commit work run."""
    def send(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)
    return send


@pytest.fixture
def listed_ready():
    """An application of an eligible outlet whose documents are all accepted."""
    return make_application(eligible_outlet(name="Kabar Layak"), email="redaksi@layak.id")


# --- the application's page ---------------------------------------------------------------------------

def test_the_application_page_shows_the_decision_buttons_only_to_staff_who_decide(client, listed_ready):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    html = client.get(application_page(listed_ready)).content.decode()
    for decision in ("approve", "request_changes", "reject"):
        assert f'formaction="{decide_url(listed_ready, decision)}"' in html
    assert 'form id="application-decision" method="post"' in html and "csrfmiddlewaretoken" in html

    client.force_login(StaffUserFactory(groups=["Auditor"]))
    html = client.get(application_page(listed_ready)).content.decode()
    assert "/decide/" not in html and 'id="application-decision"' not in html
    # The auditor may preview and download, not review.
    assert "Preview" in html and "document-accept" not in html and "/review/" not in html


def test_a_decided_application_offers_no_decision(client, listed_ready):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    Application.objects.filter(pk=listed_ready.pk).update(status=Application.Status.APPROVED)
    assert "/decide/" not in client.get(application_page(listed_ready)).content.decode()


def test_approve_on_the_page_lists_the_outlet_mails_and_returns_to_the_page(client, post, listed_ready,
                                                                            mailoutbox):
    reviewer = StaffUserFactory(groups=["Verifikator"])
    client.force_login(reviewer)
    page = application_page(listed_ready)

    response = post(decide_url(listed_ready, "approve"), {"next": page})

    assert response.status_code == 302 and response["Location"] == page
    assert messages_of(response) == ["1 application approved."]
    listed_ready.refresh_from_db()
    assert (listed_ready.status, listed_ready.decided_by) == (Application.Status.APPROVED, reviewer)
    assert Listing.objects.get(outlet=listed_ready.outlet).state == ListingState.LISTED
    (mail,) = [m for m in mailoutbox if "redaksi@layak.id" in m.to]
    assert f"/apply/status/{listed_ready.code}/" in mail.body
    update = AuditEvent.objects.tracks(listed_ready).filter(pgh_label="update").latest("pgh_id")
    assert update.pgh_diff["status"] == ["submitted", "approved"]
    assert update.pgh_context["user"] == reviewer.pk
    # The page it returns to shows the decision and no more buttons.
    after = client.get(page)
    assert "1 application approved." in after.content.decode() and "/decide/" not in after.content.decode()


def test_approve_warns_and_names_documents_not_accepted(client, post, mailoutbox):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    outlet = eligible_outlet(name="Kabar Ragu")
    DocumentFactory(company=outlet.company, kind=DocumentKind.PKP_LETTER, number="PKP-7",
                    rejected=True, rejection_reason="Cap tidak terbaca.")
    DocumentFactory(outlet=outlet, kind=DocumentKind.RATE_CARD, number="RC-2026")  # pending
    other = DocumentFactory(kind=DocumentKind.RATE_CARD, number="RC-LAIN",  # another outlet's: not named
                            outlet=MediaOutletFactory())
    application = make_application(outlet, email="redaksi@ragu.id")
    page = application_page(application)

    warning = post(decide_url(application, "approve"), {"next": page})

    assert warning.status_code == 200
    shown = text(warning)
    assert "has documents that are not accepted" in shown
    # The page itself names them beside the buttons already.
    beside = text(client.get(page))
    assert "Not accepted yet: VAT registration (PKP) letter or non-PKP statement PKP-7 (rejected), " \
           "Rate card RC-2026 (pending review)" in beside
    assert "VAT registration (PKP) letter or non-PKP statement PKP-7" in shown and "Cap tidak terbaca." in shown
    assert "Rate card RC-2026" in shown and "Pending review" in shown and "Rejected" in shown
    assert other.number not in shown
    html = warning.content.decode()
    assert 'name="confirmed"' in html and f'href="{page}"' in html  # "Go back" returns to the page
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and mailoutbox == []

    # "Approve anyway" posts the form again, with the confirmation, to the same address.
    confirmed = post(decide_url(application, "approve"), {"next": page, "confirmed": "1", "action": "approve",
                                                           "_selected_action": [application.pk]})
    assert confirmed.status_code == 302 and confirmed["Location"] == page
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert [m for m in mailoutbox if "redaksi@ragu.id" in m.to]


def test_a_rejected_document_replaced_by_a_newer_one_is_not_named_again(client, post):
    """The status page and the renewal page add a new document beside the rejected one; the warning
    names the new one while it waits, never the rejected one it replaced."""
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    outlet = eligible_outlet(name="Kabar Ganti")
    DocumentFactory(company=outlet.company, kind=DocumentKind.PKP_LETTER, number="PKP-LAMA",
                    rejected=True, rejection_reason="Cap tidak terbaca.")
    DocumentFactory(outlet=outlet, kind=DocumentKind.RATE_CARD, number="RC-LAMA", rejected=True,
                    rejection_reason="Tidak bertanggal.")
    DocumentFactory(company=outlet.company, kind=DocumentKind.PKP_LETTER, number="PKP-BARU")  # pending
    DocumentFactory(outlet=outlet, kind=DocumentKind.RATE_CARD, number="RC-BARU", accepted=True)
    application = make_application(outlet)

    shown = text(post(decide_url(application, "approve"), {"next": application_page(application)}))

    assert "PKP-BARU" in shown
    assert "PKP-LAMA" not in shown and "RC-LAMA" not in shown and "RC-BARU" not in shown


def test_the_list_action_warns_the_same_way(client, post):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    outlet = eligible_outlet(name="Kabar Antre")
    DocumentFactory(company=outlet.company, kind=DocumentKind.BANK_ACCOUNT_LETTER, number="REK-1")
    application = make_application(outlet)
    queue = reverse("admin:catalog_application_changelist")

    warning = post(queue, {"action": "approve", "_selected_action": [application.pk]})

    assert "Company bank account letter REK-1" in text(warning)
    assert f'href="{queue}"' in warning.content.decode()  # "Go back" to the list
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    approved = post(queue, {"action": "approve", "_selected_action": [application.pk], "confirmed": "1"})
    assert approved.status_code == 302 and messages_of(approved) == ["1 application approved."]
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED


@pytest.mark.parametrize("decision, status, title", [
    ("reject", Application.Status.REJECTED, "Reject applications"),
    ("request_changes", Application.Status.CHANGES_REQUESTED, "Request changes"),
])
def test_reject_and_request_changes_ask_the_reason_and_return_to_the_page(client, post, mailoutbox, decision,
                                                                         status, title):
    reviewer = StaffUserFactory(groups=["Verifikator"])
    client.force_login(reviewer)
    application = make_application(MediaOutletFactory(name="Kabar Kurang"), email="redaksi@kurang.id")
    page = application_page(application)
    url = decide_url(application, decision)

    form = post(url, {"next": page})
    assert form.status_code == 200 and title in text(form)
    html = form.content.decode()
    assert 'name="reason"' in html and f'name="next" value="{page}"' in html and f'href="{page}"' in html
    empty = post(url, {"next": page, "apply": "1", "reason": "  "})
    assert "This field is required." in empty.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and mailoutbox == []

    done = post(url, {"next": page, "apply": "1", "reason": "Akta belum dilegalisasi."})

    assert done.status_code == 302 and done["Location"] == page and len(messages_of(done)) == 1
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        status, "Akta belum dilegalisasi.", reviewer)
    (mail,) = mailoutbox
    assert "Akta belum dilegalisasi." in mail.body
    update = AuditEvent.objects.tracks(application).filter(pgh_label="update").latest("pgh_id")
    assert update.pgh_context["user"] == reviewer.pk


def test_the_decision_buttons_refuse_staff_without_the_permission_and_other_methods(client, post, listed_ready):
    client.force_login(StaffUserFactory(groups=["Auditor"]))
    assert post(decide_url(listed_ready, "approve")).status_code == 403
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    assert client.get(decide_url(listed_ready, "approve")).status_code == 405
    assert post(decide_url(listed_ready, "delete")).status_code == 404
    client.logout()
    assert post(decide_url(listed_ready, "approve")).status_code == 302  # to the login page
    listed_ready.refresh_from_db()
    assert listed_ready.status == Application.Status.SUBMITTED


def test_a_next_address_off_the_site_is_ignored(client, post, listed_ready):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    response = post(decide_url(listed_ready, "approve"), {"next": "https://evil.example/"})
    assert response["Location"] == application_page(listed_ready)


# --- documents --------------------------------------------------------------------------------------

def test_document_rows_offer_preview_and_review_buttons_by_permission(client):
    outlet = MediaOutletFactory()
    outlet_document = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
    company_document = DocumentFactory(company=outlet.company)

    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    for page, document in ((outlet_page(outlet), outlet_document), (company_page(outlet.company), company_document),
                           (document_page(outlet_document), outlet_document)):
        html = client.get(page).content.decode()
        assert f'href="{document.get_preview_url()}"' in html, page
        assert f'formaction="{review_url(document, "accept")}"' in html, page
        assert f'formaction="{review_url(document, "reject")}"' in html, page
        assert f'<input type="hidden" name="next" value="{page}">' in html, page

    client.force_login(StaffUserFactory(groups=["Auditor"]))
    html = client.get(outlet_page(outlet)).content.decode()
    assert f'href="{outlet_document.get_preview_url()}"' in html and "/review/" not in html
    assert 'id="document-review"' not in html

    client.force_login(StaffUserFactory(groups=["Petugas Anggaran"]))  # may neither download nor review
    for page in (outlet_page(outlet), company_page(outlet.company), document_page(outlet_document)):
        html = client.get(page).content.decode()
        assert "/preview/" not in html and "/download/" not in html and "/review/" not in html, page


def test_accept_beside_a_row_of_the_outlet_page_returns_to_it(client, post):
    reviewer = StaffUserFactory(groups=["Verifikator"])
    client.force_login(reviewer)
    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)

    response = post(review_url(document, "accept"), {"next": outlet_page(outlet)})

    assert response.status_code == 302 and response["Location"] == outlet_page(outlet)
    assert messages_of(response) == ["1 document accepted."]
    document.refresh_from_db()
    assert (document.review_status, document.reviewed_by) == (ReviewStatus.ACCEPTED, reviewer)
    update = AuditEvent.objects.tracks(document).filter(pgh_label="update").latest("pgh_id")
    assert update.pgh_diff["review_status"] == ["pending", "accepted"]
    assert update.pgh_context["user"] == reviewer.pk
    # The row now offers only "Reject".
    html = client.get(outlet_page(outlet)).content.decode()
    assert review_url(document, "accept") not in html and review_url(document, "reject") in html


def test_reject_a_document_asks_the_reason_and_returns_to_the_page_it_came_from(client, post):
    reviewer = StaffUserFactory(groups=["Verifikator"])
    client.force_login(reviewer)
    document = DocumentFactory()
    page = company_page(document.company)
    url = review_url(document, "reject")

    form = post(url, {"next": page})
    assert form.status_code == 200 and "Reject documents" in text(form)
    assert f'name="next" value="{page}"' in form.content.decode()
    empty = post(url, {"next": page, "apply": "1", "reason": ""})
    assert "This field is required." in empty.content.decode()
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING

    done = post(url, {"next": page, "apply": "1", "reason": "Pindaian buram."})

    assert done.status_code == 302 and done["Location"] == page
    assert messages_of(done) == ["1 document rejected."]
    document.refresh_from_db()
    assert (document.review_status, document.rejection_reason, document.reviewed_by) == (
        ReviewStatus.REJECTED, "Pindaian buram.", reviewer)
    update = AuditEvent.objects.tracks(document).filter(pgh_label="update").latest("pgh_id")
    assert update.pgh_diff["rejection_reason"] == ["", "Pindaian buram."]
    assert update.pgh_context["user"] == reviewer.pk


def test_a_document_decision_without_next_returns_to_the_document_page(client, post):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    document = DocumentFactory()
    response = post(review_url(document, "accept"))
    assert response["Location"] == document_page(document)


def test_the_review_buttons_refuse_staff_without_the_permission(client, post):
    document = DocumentFactory()
    client.force_login(StaffUserFactory(groups=["Auditor"]))
    assert post(review_url(document, "accept")).status_code == 403
    assert post(review_url(document, "reject"), {"apply": "1", "reason": "x"}).status_code == 403
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    assert client.get(review_url(document, "accept")).status_code == 405
    assert post(review_url(document, "remove")).status_code == 404
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING


def test_the_application_page_lists_its_documents_with_preview_and_buttons(client, post):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    outlet = MediaOutletFactory()
    documents = DocumentFactory.create_batch(3, company=outlet.company)
    application = make_application(outlet)
    page = application_page(application)

    html = client.get(page).content.decode()
    for document in documents:
        assert f'href="{document.get_preview_url()}"' in html
        assert review_url(document, "accept") in html

    response = post(review_url(documents[0], "accept"), {"next": page})
    assert response["Location"] == page


@pytest.mark.parametrize("page_of", [
    lambda outlet: application_page(make_application(outlet)),
    lambda outlet: outlet_page(outlet),
    lambda outlet: company_page(outlet.company),
], ids=["application", "outlet", "company"])
def test_pages_with_document_rows_run_the_same_queries_for_1_and_8_documents(client, page_of,
                                                                            django_assert_max_num_queries):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))

    def outlet_with(n):
        outlet = MediaOutletFactory()
        DocumentFactory.create_batch(n, company=outlet.company)
        DocumentFactory.create_batch(n, outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
        return outlet

    one, _page = page_queries(client, page_of(outlet_with(1)))
    many = page_of(outlet_with(8))
    client.get(many)
    with django_assert_max_num_queries(one):
        assert client.get(many).status_code == 200
