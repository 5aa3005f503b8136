"""Bahasa Indonesia first, English one click away."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_indonesian_is_the_default_even_for_an_english_browser(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert "Masuk" in response.content.decode()  # Django's own Indonesian "Log in"


def test_the_language_switch_turns_english_on_and_off(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    response = client.get(reverse("admin:login"))
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()
    client.post(reverse("set_language"), {"language": "id", "next": "/admin/"})
    assert client.get(reverse("admin:login"))["Content-Language"] == "id"


def test_the_switch_is_on_every_admin_page(admin_client):
    for url in (reverse("admin:index"), reverse("admin:partners_presscompany_changelist")):
        html = admin_client.get(url).content.decode()
        assert 'name="language"' in html and 'value="en"' in html


def test_an_unknown_language_cookie_falls_back_to_indonesian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("admin:login"))["Content-Language"] == "id"


def test_outlet_page_renders_with_its_documents(admin_client):
    from tests.factories import DocumentFactory, MediaOutletFactory

    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind="editorial_box")
    response = admin_client.get(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk]))
    assert response.status_code == 200
    assert document.get_download_url() in response.content.decode()
