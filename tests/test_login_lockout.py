"""Login throttling on the admin (django-axes, settings "Login throttling"): after LOGIN_FAILURE_LIMIT
failures one user name is locked out from one client address for LOGIN_COOLOFF_MINUTES, with a page
that says so; other addresses and other user names are not; superusers see and unlock attempts,
auditors only read them."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import DELETION, LogEntry

from tests.conftest import JAKARTA
from tests.factories import TEST_PASSWORD, StaffUserFactory, UserFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
ATTEMPTS = "/admin/axes/accessattempt/"
OFFICE, HOME = "198.51.100.20", "203.0.113.7"
A_WORKING_MORNING = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=JAKARTA)


@pytest.fixture
def staff():
    return StaffUserFactory(username="rina")


def log_in(client, username: str, password: str, address: str = OFFICE, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(client, times: int, username: str = "rina", address: str = OFFICE, **headers) -> list[int]:
    return [log_in(client, username, "salah-tebak", address, **headers).status_code for _ in range(times)]


def test_twenty_wrong_passwords_then_the_right_one_does_not_log_in(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=30)
    # The fifth failure locks the user name out from this address; the ones after it are refused unread.
    assert fail(client, 20) == [200] * 4 + [429] * 16

    response = log_in(client, "rina", TEST_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_locked_page_is_the_admin_login_page_saying_why_in_the_users_language(client, staff):
    fail(client, 5)
    response = log_in(client, "rina", TEST_PASSWORD)
    page = text(response)
    assert "Terlalu banyak kegagalan masuk dengan nama pengguna ini dari jaringan Anda" in page
    assert "30 menit" in page
    assert 'href="/admin/login/"' in page
    assert "<title>Masuk diblokir | MediaReg</title>" in page  # our admin page, not a bare text

    client.cookies["django_language"] = "en"
    page = text(log_in(client, "rina", TEST_PASSWORD))
    assert "Too many failed logins with this user name from your network." in page
    assert "cannot log in from here for 30 minutes after the last attempt" in page


def test_below_the_limit_the_right_password_still_logs_in(client, staff):
    assert fail(client, 4) == [200] * 4
    assert logged_in(log_in(client, "rina", TEST_PASSWORD))


def test_the_lockout_is_for_the_user_name_and_address_together(client, staff):
    other = StaffUserFactory(username="budi")
    fail(client, 20, username="rina", address=HOME)  # an outsider guessing rina's password

    assert logged_in(log_in(client, "rina", TEST_PASSWORD, address=OFFICE))  # rina, at the office
    client.logout()
    assert logged_in(log_in(client, "budi", TEST_PASSWORD, address=HOME))  # a colleague behind that address
    assert other.pk == int(client.session["_auth_user_id"])


def test_the_lockout_ends_after_the_cool_off(client, staff, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=45)
    with time_machine.travel(A_WORKING_MORNING, tick=False) as clock:
        fail(client, 5)
        clock.shift(datetime.timedelta(minutes=44))
        assert log_in(client, "rina", TEST_PASSWORD).status_code == 429
        clock.shift(datetime.timedelta(minutes=46))  # counted from the last attempt
        assert logged_in(log_in(client, "rina", TEST_PASSWORD))


def test_behind_a_trusted_proxy_the_lockout_is_for_the_real_client(client, staff, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    fail(client, 5, address="10.0.0.5", HTTP_X_FORWARDED_FOR=HOME)

    # The attacker cannot escape by writing another address in front of their own...
    assert log_in(client, "rina", TEST_PASSWORD, address="10.0.0.5",
                  HTTP_X_FORWARDED_FOR=f"192.0.2.1, {HOME}").status_code == 429
    # ...and rina, behind the same proxy at the office, is not locked out.
    assert logged_in(log_in(client, "rina", TEST_PASSWORD, address="10.0.0.5", HTTP_X_FORWARDED_FOR=OFFICE))
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {HOME}


def test_a_spoofed_forwarded_header_does_not_escape_the_lockout(client, staff, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    statuses = [log_in(client, "rina", "salah-tebak", address=HOME,
                       HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


def test_every_failure_is_recorded_and_logged_without_the_password(client, staff, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    fail(client, 3)
    assert logged_in(log_in(client, "rina", TEST_PASSWORD))

    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address, f.locked_out) for f in failures] == [("rina", OFFICE, False)] * 3
    assert AccessLog.objects.get().username == "rina"  # the successful login
    assert len([r for r in caplog.records if "login failure" in r.getMessage()]) == 3
    stored_forms = "".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "salah-tebak" not in stored_forms and "salah-tebak" not in caplog.text


def test_a_superuser_sees_the_attempts_and_unlocks(client, staff):
    fail(client, 5, address=HOME)
    admin_user = UserFactory(username="admin-kominfo", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"

    listing = client.get(ATTEMPTS)
    assert listing.status_code == 200
    assert HOME in text(listing) and "Locked Out" in text(listing)
    attempt = AccessAttempt.objects.get()
    response = client.post(ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]}, follow=True)
    assert "1 user name and address unlocked." in text(response)
    assert not AccessAttempt.objects.exists()
    assert LogEntry.objects.get(action_flag=DELETION).user == admin_user  # who unlocked stays on record

    client.logout()
    assert logged_in(log_in(client, "rina", TEST_PASSWORD, address=HOME))


def test_auditors_read_the_attempts_and_the_log_but_cannot_unlock(client, staff):
    fail(client, 5)
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)

    for url in (ATTEMPTS, "/admin/axes/accessfailurelog/", "/admin/axes/accesslog/"):
        assert client.get(url).status_code == 200, url
    attempt = AccessAttempt.objects.get()
    assert client.get(f"{ATTEMPTS}{attempt.pk}/change/").status_code == 200  # a read-only page
    assert 'value="unlock"' not in client.get(ATTEMPTS).content.decode()
    client.post(ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]})
    assert client.post(f"{ATTEMPTS}{attempt.pk}/delete/").status_code == 403
    assert AccessAttempt.objects.exists()


def test_reviewers_do_not_see_login_attempts(client):
    reviewer = StaffUserFactory(groups=["Verifikator"])
    client.force_login(reviewer)
    assert client.get(ATTEMPTS).status_code == 403
