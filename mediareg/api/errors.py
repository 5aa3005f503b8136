"""One error shape for the whole API (documented in the schema, mediareg.api.schema):

- 400: ``{"field": ["message", ...], "non_field_errors": ["message", ...]}``, DRF's shape for a serializer's
  errors, and the same for a refusal by a service (Django's ValidationError, whose messages are the ones the
  admin shows, translated into the request's language);
- every other error: ``{"detail": "message"}``, also for an address under /api/ that matches no endpoint
  (page_not_found, the project's handler404), where Django would answer with the site's HTML page.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:  # a model's clean() names its errors "__all__"
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(detail.pop(NON_FIELD_ERRORS))
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, exceptions.ParseError):
        # A body that is not valid JSON is a 400 too: in the 400's one shape, as a message about the whole request.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc.detail)]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


API_PREFIX = "/api/"


def page_not_found(request, exception):
    """The 404 of an address no URL pattern matches (settings' handler404): JSON under /api/, as the API's
    own 404s are (a program asking for /api/v1/outlets/abc/ reads a body it can parse); the site's page
    elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
