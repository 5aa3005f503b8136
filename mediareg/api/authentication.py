"""Signing in to the API: the browser session (with CSRF, DRF's SessionAuthentication) or a token sent as
``Authorization: Token <key>`` (mediareg.api.tokens). A token acts as its user, with that user's groups and
permissions; a revoked token, or one whose user is inactive, is refused."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Token” and the key."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid.")) from None
        token = tokens.token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API token is not valid, or it was revoked."))
        tokens.token_used(token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to a request without credentials.
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                # Markdown in Swagger UI: in backticks, or "<key>" would be taken for an HTML tag and vanish.
                "description": str(_("`Token <key>`: a key made by staff in the admin (API tokens)."))}
