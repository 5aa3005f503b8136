"""Staff sessions end after SESSION_IDLE_MINUTES (30) without a request: the admin then asks to log in
again. Working keeps the session alive; the expiry is enforced by the server, not only the cookie."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.conftest import JAKARTA
from tests.factories import StaffUserFactory
from tests.test_settings import settings_values

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=JAKARTA)
MINUTE = datetime.timedelta(minutes=1)


def asked_to_log_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_after_thirty_idle_minutes_the_admin_asks_to_log_in_again(client):
    with time_machine.travel(MORNING, tick=False) as clock:
        client.force_login(StaffUserFactory())
        assert client.get("/admin/").status_code == 200

        clock.shift(29 * MINUTE)
        assert client.get("/admin/").status_code == 200
        clock.shift(29 * MINUTE)  # an hour after logging in, but never idle for 30 minutes
        assert client.get("/admin/").status_code == 200

        clock.shift(31 * MINUTE)
        assert asked_to_log_in(client.get("/admin/"))
        assert asked_to_log_in(client.get("/admin/partners/mediaoutlet/"))


def test_the_browser_is_told_the_same_limit(client):
    with time_machine.travel(MORNING, tick=False):
        client.force_login(StaffUserFactory())
        response = client.get("/admin/")
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_the_idle_time_comes_from_the_environment():
    assert settings_values("SESSION_COOKIE_AGE", env={"SESSION_IDLE_MINUTES": "10"}) == {"SESSION_COOKIE_AGE": "600"}
