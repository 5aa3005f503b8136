"""How often the API may be called (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES): per client address for anonymous
use, per user for staff and their programs, counted in the cache (Redis) that every web process shares; over
the rate the answer is 429 with Retry-After.

Two changes to DRF's throttles: the rate is read from the settings on each request (DRF reads it once, when
the class is defined, so a changed setting would not hold), and a cache that cannot be reached lets the
request through with a log line instead of answering 500: the throttle protects the service, it must not be
what takes it down.
"""

from __future__ import annotations

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from mediareg.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)



class _FromSettingsFailingOpen:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("API request not throttled: the cache is unreachable", exc_info=True)
            return True


class AnonymousThrottle(_FromSettingsFailingOpen, AnonRateThrottle):
    """Anonymous requests, per client address (scope ``anon``)."""


class UserThrottle(_FromSettingsFailingOpen, UserRateThrottle):
    """Signed-in people and their tokens, per user (scope ``user``)."""
