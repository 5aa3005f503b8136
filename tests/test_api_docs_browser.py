"""The API's documentation page (/api/docs/, Swagger UI) in Debian's headless Chromium: it loads everything
from our own static files, renders every operation of the schema, and breaks no rule of the
Content-Security-Policy and logs no error in the console.

Mounted on tests/test_api_foundation.py's URLs: the project's own plus a throwaway endpoint, so that there
are operations to render whatever endpoints the apps have.
"""

from __future__ import annotations

import pytest

from tests.browser import csp_complaints, new_page, record_console, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.test_api_foundation")]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (event) => window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`));
"""


def test_swagger_ui_renders_every_operation_from_our_own_files(browser, live_server, tmp_path):
    page = record_console(new_page(browser, live_server, english=False, width=1280, height=900))
    page.context.add_init_script(RECORD_VIOLATIONS)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(f"{live_server.url}/api/docs/", wait_until="load")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "MediaReg API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")

    schema = page.request.get(f"{live_server.url}/api/schema/?format=json").json()
    operations = [(method, path) for path, item in schema["paths"].items() for method in item
                  if method in {"get", "post", "put", "patch", "delete"}]
    assert operations
    assert page.locator(".opblock").count() == len(operations)
    assert page.locator(".opblock-summary-path[data-path='/api/test/budgets/{id}/raise/']").count() == 1

    # An operation opens with its parameters and answers, the common error answers among them.
    page.locator(".opblock-post .opblock-summary").first.click()
    page.locator(".opblock-post .responses-table").first.wait_for()
    answers = page.locator(".opblock-post .responses-table").first.inner_text()
    assert "422" in answers and "429" in answers
    screenshot(page, tmp_path, "api-docs.png", full_page=True)

    outside = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert outside == []
    assert page.evaluate("window.cspViolations") + csp_complaints(page) == []
    assert page.console_errors == []
    page.context.close()
