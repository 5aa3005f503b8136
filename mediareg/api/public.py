"""What the public open data endpoints share (/api/v1/catalog/, /api/v1/transparency/; docs/api.md "Public open
data"): open to everyone, throttled per client address, answers kept in the shared cache.

- Open: ``permission_classes = [AllowAny]``. A signed-in person gets the same answer as anyone (the cache key
  does not name the user).
- Throttled: anonymous requests count against their own scope, ``public`` (REST_FRAMEWORK's
  DEFAULT_THROTTLE_RATES, env API_PUBLIC_RATE), per client address, in the cache (Redis) that every web process
  shares; over the rate the answer is 429 with Retry-After. Signed-in people count against their user rate.
- Cached: an answer (200 only) is kept for API_PUBLIC_CACHE_SECONDS under the path, the language, the host
  and the query parameters the endpoint reads (anything else in the address neither splits the cache nor
  reaches it), plus the endpoint's ``cache_version()``: the transparency figures put a digest of every budget
  there, so a money change shows at once; a listing change shows within API_PUBLIC_CACHE_SECONDS. The throttle
  is checked before the cache, so cached answers count too. With the cache down, answers are computed every
  time and the throttle lets requests through (both logged), never an error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from mediareg.cache import cached

from .throttling import AnonymousThrottle, UserThrottle
from .views import ReadOnlyViewSet

logger = logging.getLogger(__name__)

DEFAULT_RATE = "60/minute"
PAGE_PARAMS = ("cursor", "page_size")


class PublicRateThrottle(AnonymousThrottle):
    """Anonymous requests to the open data, per client address, under their own scope ``public``."""

    scope = "public"

    def get_rate(self):
        return super().get_rate() or DEFAULT_RATE


class SignedInRateThrottle(UserThrottle):
    """Signed-in people at their user rate (anonymous requests are PublicRateThrottle's)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class PublicViewSet(ReadOnlyViewSet):
    """A read-only endpoint of the open data (see the module)."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle, SignedInRateThrottle]

    def cache_version(self) -> str:
        """Part of every cache key: what the answers follow at once. Nothing by default."""
        return ""

    def list(self, request, *args, **kwargs):
        return self.cached(request, functools.partial(super().list, request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return self.cached(request, functools.partial(super().retrieve, request, *args, **kwargs))

    def query_params_read(self) -> list[str]:
        filterset = getattr(self, "filterset_class", None)
        return [*(filterset.base_filters if filterset else ()), *PAGE_PARAMS]

    def cache_key(self, request) -> str:
        query = sorted((name, value) for name in self.query_params_read()
                       for value in request.query_params.getlist(name))
        parts = [request.build_absolute_uri(request.path), translation.get_language() or "", self.action or "",
                 urlencode(query), self.cache_version()]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
        return f"mediareg:api-public:{digest}"

    def cached(self, request, build) -> Response:
        """``build()``'s answer, or the same data from the cache when stored less than API_PUBLIC_CACHE_SECONDS
        ago (mediareg.cache.cached); only a 200's data is kept."""
        built = []

        def data():
            response = build()
            built.append(response)
            return json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.status_code == 200 else None

        value = cached(self.cache_key(request), data, seconds=settings.API_PUBLIC_CACHE_SECONDS,
                       what="public API answer")
        return self.mark_public(built[0] if built else Response(value))

    def mark_public(self, response):
        # The language comes from Accept-Language (or the language cookie: Vary: Cookie comes with the session).
        patch_vary_headers(response, ["Accept-Language"])
        # Browsers and proxies ask again each time: our cache already answers without the database, and a copy
        # kept further away would add its own age to the promise above.
        patch_cache_control(response, no_cache=True)
        return response
