"""Document files are personal and tax data: only staff with the download permission get them."""

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return DocumentFactory(original_filename="NPWP PT Kabar/../../etc.pdf")


def test_anonymous_is_sent_to_the_login_page(client, document):
    response = client.get(document.get_download_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_gets_403(client, document):
    client.force_login(StaffUserFactory(permissions=["partners.view_document"]))
    assert client.get(document.get_download_url()).status_code == 403


def test_non_staff_user_with_the_permission_is_still_refused(client, document):
    client.force_login(StaffUserFactory(is_staff=False, permissions=["partners.download_document"]))
    assert client.get(document.get_download_url()).status_code == 302


def test_permitted_staff_gets_the_file_as_an_attachment(client, document):
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    response = client.get(document.get_download_url())
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and body == document.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".." not in disposition and "/" not in disposition
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_document_is_404_for_permitted_staff(client):
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    assert client.get(reverse("partners:document-download", args=[999999])).status_code == 404


def test_files_are_not_reachable_under_any_public_url(client, document):
    for url in (f"/media/{document.file.name}", f"/static/{document.file.name}", f"/{document.file.name}"):
        assert client.get(url).status_code == 404
