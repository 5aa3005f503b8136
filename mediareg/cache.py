"""The shared cache (Redis in production) as the public pages and the open data use it: never the reason a
page fails. A cache that cannot be reached is logged and the value is computed instead."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.core.cache import cache

logger = logging.getLogger(__name__)

# What the Redis cache raises when Redis is down or does not answer (redis-py's errors, socket errors).
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)

T = TypeVar("T")


def cached(key: str, build: Callable[[], T | None], *, seconds: int, what: str) -> T | None:
    """``build()``'s value, from the cache when it was stored less than ``seconds`` ago. The time is stored
    with the value (not only as the entry's expiry), so the age is judged by the clock, which the tests move.
    None is not kept (an unknown row costs the one query that finds nothing each time). ``what`` names the
    value in the log line when the cache is unreachable."""
    now = time.time()
    try:
        hit = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("%s not cached: the cache is unreachable", what, exc_info=True)
        return build()
    if hit is not None and 0 <= now - hit[0] < seconds:
        return hit[1]
    value = build()
    if value is None or seconds <= 0:
        return value
    try:
        cache.set(key, (now, value), seconds)
    except CACHE_ERRORS:
        logger.warning("%s not cached: the cache is unreachable", what, exc_info=True)
    return value
