"""Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY) on every page: the public
form, the status page, the admin and the error pages carry it, and none of them needs an inline script
or style attribute. tests/test_csp_browser.py proves in Chromium that nothing on them is blocked."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.test import Client
from django.urls import path

from catalog import lifecycle
from catalog.models import Application
from mediareg.urls import urlpatterns as site_urlpatterns
from tests.factories import DocumentFactory, MediaOutletFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def server_error(request):
    raise RuntimeError("a bug in a view")


# The project's URLs plus one view that fails, for the 500 page (pytest.mark.urls below).
urlpatterns = [path("test-server-error/", server_error), *site_urlpatterns]


class InlineCode(HTMLParser):
    """Inline scripts and style attributes of a page: what the policy would block."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.found.append(f"<{tag} style={attrs['style']!r}>")
        if any(name.startswith("on") for name in attrs):
            self.found.append(f"<{tag}> with an event handler attribute")
        # A script with a src, or a data block (json_script), runs no inline code.
        self._in_script = tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.fixture
def outlet():
    outlet = MediaOutletFactory()
    DocumentFactory(company=outlet.company)
    return outlet


@pytest.fixture
def application(outlet):
    application = Application.objects.create(
        code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
        applicant_email="redaksi@example.id")
    lifecycle.ensure_listing(outlet)
    return application


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def auditor_client():
    auditor = StaffUserFactory(groups=["Auditor"])
    client = Client()
    client.force_login(auditor)
    return client


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def assert_policy(response):
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    assert InlineCode(response.content.decode()).found == []


@pytest.mark.parametrize("url", ["/apply/", "/admin/login/"])
def test_public_pages_carry_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_policy(response)


def test_the_status_page_carries_the_policy(client, application):
    response = client.get(f"/apply/status/{application.code}/")
    assert response.status_code == 200
    assert_policy(response)


def test_admin_pages_carry_the_policy(superuser_client, outlet, application):
    periodic_task = superuser_client.get("/admin/django_celery_beat/periodictask/").context["cl"].result_list[0]
    for url in ["/admin/", "/admin/partners/mediaoutlet/", f"/admin/partners/mediaoutlet/{outlet.pk}/change/",
                "/admin/partners/document/", "/admin/catalog/application/",
                f"/admin/catalog/application/{application.pk}/change/", "/admin/mediareg/auditevent/",
                f"/admin/django_celery_beat/periodictask/{periodic_task.pk}/change/"]:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)


def test_read_only_lists_carry_the_policy(auditor_client, outlet):
    for url in ["/admin/axes/accesslog/", "/admin/partners/mediaoutlet/",
                f"/admin/partners/mediaoutlet/{outlet.pk}/change/"]:
        response = auditor_client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)


@pytest.mark.urls(__name__)
def test_error_pages_carry_the_policy(client):
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert_policy(not_found)

    csrf_refused = Client(enforce_csrf_checks=True).post("/apply/", {})
    assert csrf_refused.status_code == 403
    assert_policy(csrf_refused)

    client.raise_request_exception = False
    server_error_page = client.get("/test-server-error/")
    assert server_error_page.status_code == 500
    assert_policy(server_error_page)


def test_no_admin_list_needs_djangos_inline_style():
    """Django's change list writes an inline <style> for a ModelAdmin with neither actions_on_top nor
    actions_on_bottom; the policy (style-src 'self') would refuse it, so no ModelAdmin may ask for that."""
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    assert re.search(r"{% if not actions_on_top and not actions_on_bottom %}\s*<style>", template.read_text())
    for model, model_admin in admin.site._registry.items():
        assert model_admin.actions_on_top or model_admin.actions_on_bottom, model.__name__


def test_our_templates_have_no_inline_code():
    root = Path(__file__).resolve().parent.parent / "templates"
    for template in root.rglob("*.html"):
        found = InlineCode(re.sub(r"{%.*?%}|{{.*?}}", "", template.read_text(), flags=re.S)).found
        assert found == [], f"{template.relative_to(root)}: {found}"
