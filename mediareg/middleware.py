from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from . import limits, network, views

API_PREFIX = "/api/"


class ClientAddressMiddleware:
    """REMOTE_ADDR becomes the visitor's address when the request came through one of our reverse
    proxies (settings.TRUSTED_PROXIES, see mediareg.network). First in MIDDLEWARE, so that everything
    after it (the public form's rate limit, the login lockout, the stored applicant address) counts
    the same, real client. From any other peer X-Forwarded-For was written by the client: it is
    dropped, so that nothing can read it by mistake.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        trusted = network.parse_networks(tuple(settings.TRUSTED_PROXIES))
        if not network.is_trusted(network.parse_address(peer), trusted):
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        meta["REMOTE_ADDR"] = network.client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", ""), trusted)
        return self.get_response(request)



class PreferredLanguageMiddleware:
    """Bahasa Indonesia for everyone, English for those who choose it with the language switch.

    Replaces Django's LocaleMiddleware on purpose: that one follows the browser's Accept-Language,
    and many office computers run English browsers, which would make the English interface the
    de-facto default. The choice is kept in Django's language cookie (set by /i18n/setlang/).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith(API_PREFIX):
            # A program says which language it wants in Accept-Language (issue 12); without it, Indonesian.
            chosen = self.accepted(request.headers.get("Accept-Language", "")) or chosen
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


    def accepted(self, header: str) -> str | None:
        """The first of our languages that Accept-Language names ("en-US,en;q=0.9" gives "en")."""
        for tag, _quality in parse_accept_lang_header(header[:255]):
            code = tag.split("-")[0].lower()
            if code in self.supported:
                return code
        return None


class RequestSizeLimitMiddleware:
    """A request declaring a body larger than settings.REQUEST_MAX_BYTES gets the 413 page before
    anything reads it (mediareg.limits), so an oversized upload is never written to disk. After the
    language middleware, so that the page speaks the visitor's language; before CSRF, which reads
    the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if limits.too_large(request.META):
            return views.request_too_large(request)
        return self.get_response(request)
