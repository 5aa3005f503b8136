"""The visitor's address when the site runs behind reverse proxies (nginx, a load balancer).

The web server (gunicorn) sets REMOTE_ADDR to the other end of the socket; behind a proxy that is the
proxy, for every visitor, so all applicants would share one rate-limit counter and one login-lockout
counter. Each proxy appends the address it received the request from to X-Forwarded-For, but
everything to the left of what our own proxies wrote was sent by the client and can say anything.
So the header counts only when the socket's peer is a proxy we trust (TRUSTED_PROXIES), and it is
read from the right, skipping our proxies: the first address that is not one of them is the visitor.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.5", "172.16.0.0/12")`` as networks; raises ValueError for anything else."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (``203.0.113.7``, ``203.0.113.7:5123``, ``[2001:db8::1]:443``,
    ``2001:db8::1``), or None when it is none (``unknown``, a host name, garbage).
    An IPv4 address seen through an IPv6 socket (``::ffff:203.0.113.7``) is given as IPv4."""
    text = text.strip()
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address | None, trusted: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: str, trusted: Iterable[Network]) -> str:
    """The visitor's address, given the socket's peer, the X-Forwarded-For header and our proxies.

    From an untrusted peer the header is ignored. A malformed entry ends the walk at the last address
    one of our proxies vouched for: what lies beyond it cannot be read reliably.
    """
    trusted = tuple(trusted)
    peer_address = parse_address(peer)
    if not is_trusted(peer_address, trusted):
        return str(peer_address) if peer_address else peer
    client = str(peer_address)
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        address = parse_address(hop)
        if address is None:
            break
        client = str(address)
        if not is_trusted(address, trusted):
            break
    return client


def request_client_address(request) -> str:
    """The client address of a request: REMOTE_ADDR, which mediareg.middleware.ClientAddressMiddleware has
    already corrected behind our proxies. For django-axes (AXES_CLIENT_IP_CALLABLE), so that the login
    lockout never reads X-Forwarded-For by itself."""
    return request.META.get("REMOTE_ADDR", "")
