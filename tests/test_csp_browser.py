"""The Content-Security-Policy in a real browser: Debian's headless Chromium loads the public form and
the admin pages staff use, and reports no violation; a script injected into the page is refused.

Violations are caught twice: the page's securitypolicyviolation events (recorded by a script added to
every document before it loads) and Chromium's console messages. Skipped like the other browser tests
when Chromium is missing (never under CI); the browser comes from tests/conftest.py and tests/browser.py.
"""

from __future__ import annotations

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tests.browser import csp_complaints, new_page, record_console
from tests.factories import (
    TEST_PASSWORD,
    DocumentFactory,
    MediaOutletFactory,
    OutletDomainFactory,
    PressVerificationFactory,
    UserFactory,
)

# The live server answers from another thread: its data must be committed; the reference data
# (provinces, KBLI codes, roles, periodic jobs) is restored before each test.
pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (event) => window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`));
"""


@pytest.fixture
def page(browser, live_server):
    # Playwright's default window (1280 x 720), in the site's default language.
    page = record_console(new_page(browser, live_server, english=False, width=1280, height=720))
    page.context.add_init_script(RECORD_VIOLATIONS)
    yield page
    page.context.close()


def violations(page) -> list[str]:
    reported = page.evaluate("window.cspViolations")
    return reported + csp_complaints(page)


def visit(page, url: str) -> list[str]:
    page.console_messages.clear()
    response = page.goto(url, wait_until="load")
    assert response.status == 200, url
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")  # the admin's scripts have run
    return violations(page)


def test_the_public_form_and_the_admin_pages_break_no_rule_of_the_policy(page, live_server):
    outlet = MediaOutletFactory()
    OutletDomainFactory(outlet=outlet, is_primary=True)
    PressVerificationFactory(outlet=outlet)
    DocumentFactory(company=outlet.company)
    UserFactory(username="admin-kominfo", is_staff=True, is_superuser=True)
    task = PeriodicTask.objects.filter(crontab__isnull=False).first()
    other_schedule = CrontabSchedule.objects.create(minute="5", hour="4", timezone="Asia/Jakarta")

    assert visit(page, f"{live_server.url}/apply/") == []
    assert visit(page, f"{live_server.url}/admin/login/?next=/admin/") == []

    # Signed in on the login page just checked (not through tests.browser.log_in, which opens it again).
    page.locator("#id_username").fill("admin-kominfo")
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert violations(page) == []

    for path in ["/admin/", "/admin/partners/mediaoutlet/", f"/admin/partners/mediaoutlet/{outlet.pk}/change/",
                 "/admin/partners/document/", "/admin/catalog/application/", "/admin/axes/accessattempt/"]:
        assert visit(page, f"{live_server.url}{path}") == [], path

    # The periodic task page's script, moved out of the package's inline <script>, runs.
    assert visit(page, f"{live_server.url}/admin/django_celery_beat/periodictask/{task.pk}/change/") == []
    assert page.locator(".field-crontab_translation").is_hidden()
    page.locator("#id_crontab").select_option(str(other_schedule.pk))
    assert "Translation: " in page.locator(".field-crontab .help").inner_text()
    assert violations(page) == []


def test_an_injected_inline_script_is_refused_and_reported(page, live_server):
    """The check above could only pass silently if violations went unseen: here one must be seen."""
    visit(page, f"{live_server.url}/apply/")
    ran = page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true;';
        document.body.append(script);
        return window.injected === true;
    }""")
    assert ran is False
    page.wait_for_function("window.cspViolations.length > 0")
    assert violations(page)[0] == "script-src-elem blocked inline"
