"""The client's address behind reverse proxies (TRUSTED_PROXIES, mediareg.network): X-Forwarded-For
counts only when a trusted proxy sent the request, and then gives the real visitor, so that the
public form's rate limit counts each visitor and nobody can pose as someone else."""

from __future__ import annotations

import pytest

from mediareg.network import client_address, parse_networks

pytestmark = pytest.mark.django_db

APPLY = "/apply/"
PROXIES = parse_networks(("10.0.0.5", "172.16.0.0/12", "2001:db8:ff::/48"))


@pytest.mark.parametrize("peer, forwarded_for, client", [
    # Reached directly: the header is the client's own word and counts for nothing.
    ("198.51.100.7", "203.0.113.9", "198.51.100.7"),
    ("198.51.100.7", "10.0.0.5, 172.16.0.1", "198.51.100.7"),
    # Through our proxy: the address it appended, whatever the client wrote before it.
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
    ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
    ("10.0.0.5", "10.0.0.5, 203.0.113.9", "203.0.113.9"),  # a client posing as our proxy
    # Through a chain of our proxies (load balancer, then nginx): skipped from the right.
    ("10.0.0.5", "203.0.113.9, 172.16.4.2", "203.0.113.9"),
    ("10.0.0.5", "1.2.3.4, 203.0.113.9, 172.20.0.3, 172.16.4.2", "203.0.113.9"),
    # Only our proxies in the chain: the farthest one is the client (an internal caller).
    ("10.0.0.5", "172.16.4.2", "172.16.4.2"),
    # Malformed: the walk stops at the last address one of our proxies vouched for.
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", "unknown", "10.0.0.5"),
    ("10.0.0.5", "203.0.113.9, not-an-address", "10.0.0.5"),
    ("10.0.0.5", "203.0.113.9,, 172.16.4.2", "172.16.4.2"),
    ("10.0.0.5", "203.0.113.9, <script>", "10.0.0.5"),
    # The forms proxies write: ports, IPv6 in brackets, IPv4 through an IPv6 socket.
    ("10.0.0.5", "203.0.113.9:51234", "203.0.113.9"),
    ("10.0.0.5", "[2001:db8:1::7]:443", "2001:db8:1::7"),
    ("2001:db8:ff::1", "2001:db8:1::7, 2001:db8:ff::2", "2001:db8:1::7"),
    ("::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9"),
    ("::ffff:198.51.100.7", "203.0.113.9", "198.51.100.7"),
])
def test_the_client_address(peer, forwarded_for, client):
    assert client_address(peer, forwarded_for, PROXIES) == client


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("10.0.0.5", "203.0.113.9", parse_networks(())) == "10.0.0.5"


def post_until_refused(client, limit: int, **headers) -> list[int]:
    return [client.post(APPLY, {}, **headers).status_code for _attempt in range(limit + 1)]


def test_a_spoofed_header_from_a_direct_visitor_does_not_escape_the_rate_limit(client, settings, fresh_rate_limit):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.APPLY_RATE_LIMIT = 2
    statuses = [client.post(APPLY, {}, REMOTE_ADDR="198.51.100.7",
                            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}").status_code for attempt in range(3)]
    assert statuses == [400, 400, 429]  # one visitor, whatever the header says


def test_behind_a_trusted_proxy_the_rate_limit_counts_each_real_visitor(client, settings, fresh_rate_limit):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "172.16.0.0/12"]
    settings.APPLY_RATE_LIMIT = 2
    through_proxies = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 172.16.4.2"}
    assert post_until_refused(client, 2, **through_proxies) == [400, 400, 429]

    # Another visitor through the same proxies has a counter of their own...
    other = {**through_proxies, "HTTP_X_FORWARDED_FOR": "203.0.113.10, 172.16.4.2"}
    assert client.post(APPLY, {}, **other).status_code == 400
    # ...and the first cannot escape theirs by writing another address in front of it.
    spoofed = {**through_proxies, "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9, 172.16.4.2"}
    assert client.post(APPLY, {}, **spoofed).status_code == 429


def test_without_trusted_proxies_everyone_behind_one_proxy_shares_its_counter(client, settings, fresh_rate_limit):
    # What TRUSTED_PROXIES is for: left empty, the proxy's address is all the site sees.
    settings.TRUSTED_PROXIES = []
    settings.APPLY_RATE_LIMIT = 2
    statuses = [client.post(APPLY, {}, REMOTE_ADDR="10.0.0.5",
                            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}").status_code for attempt in range(3)]
    assert statuses == [400, 400, 429]


def test_a_bad_trusted_proxies_setting_stops_the_start():
    from tests.test_settings import SETUP_ONLY, run_python

    result = run_python(*SETUP_ONLY, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings",
                                          "TRUSTED_PROXIES": "10.0.0.5, nginx.internal"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx.internal' is not an IP address or network." in result.stderr
