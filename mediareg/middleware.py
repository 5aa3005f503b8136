from django.conf import settings
from django.utils import translation


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
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
