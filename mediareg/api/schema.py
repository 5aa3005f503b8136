"""The parts of the OpenAPI schema every operation shares (SPECTACULAR_SETTINGS' postprocessing hook): the
error answers of mediareg.api.errors, the Idempotency-Key header on writes and Accept-Language on all."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions

from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import MAX_KEY_LENGTH, KeyReused

WRITE_METHODS = {"post", "put", "patch", "delete"}

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "example": {"detail": "Data tidak ditemukan."},  # DRF's own Indonesian message
    },
    "ValidationError": {
        "type": "object",
        "description": "Each field with its messages; messages about the request as a whole under non_field_errors.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"non_field_errors": ["Pesanan sebesar Rp 17.550.000.000 ini melebihi anggaran: sisa "
                                         "Rp 962.000.000 dari Rp 10.000.000.000 (Rp 9.038.000.000 sudah dipesan)."]},
    },
}


def _error(description: str, schema: str = "Error", exception: exceptions.APIException | None = None) -> dict:
    """An error answer; its example is the message the API really sends (in the schema's language), rather
    than the schema's one example, which would show "not found" under every code."""
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
    if exception is not None:
        content["example"] = {"detail": str(exception.detail)}
    return {"description": description, "content": {"application/json": content}}


def add_common_parts(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = {
                "400": _error(_("The request or a filter is not valid, or the action was refused: the reasons, in "
                                "the request's language."), "ValidationError"),
                "401": _error(_("Not signed in, or the token is not valid."), exception=exceptions.NotAuthenticated()),
                "403": _error(_("Signed in without the permission this needs."),
                              exception=exceptions.PermissionDenied()),
                "404": _error(_("Not found, not visible to you, or the page cursor is not valid."),
                              exception=exceptions.NotFound()),
                "429": _error(_("Too many requests: try again after the seconds in Retry-After."),
                              exception=exceptions.Throttled(wait=30)),
            }
            parameters = operation.setdefault("parameters", [])
            parameters.append({
                "in": "header", "name": "Accept-Language", "required": False,
                "description": _("The language of messages: id (Bahasa Indonesia, the default) or en."),
                "schema": {"type": "string", "example": "en"},
            })
            if method in WRITE_METHODS:
                errors["415"] = _error(_("The body is not JSON, a form or multipart."),
                                       exception=exceptions.UnsupportedMediaType("text/plain"))
                errors["422"] = _error(_("This Idempotency-Key was already used with a different request."),
                                       exception=KeyReused())
                parameters.append({
                    "in": "header", "name": IDEMPOTENCY_HEADER, "required": False,
                    "description": _("Any unique text (a UUID): the same key with the same request is done "
                                     "once and later answered with the first answer."),
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                })
            for code, response in errors.items():
                responses.setdefault(code, response)
    return result
