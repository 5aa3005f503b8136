"""Idempotent writes: a write sent again with the same ``Idempotency-Key`` header (a program retrying after
a lost answer) is done once; the repeat gets the first answer again, marked ``Idempotent-Replayed: true``.

How: the view runs in one transaction that first inserts the key (unique per user). A repeat arriving while
the first is still running waits on that insert; once the first commits, the repeat finds the stored answer
and returns it. A write that was refused (an answer of 400 or more) is rolled back with its key, so nothing
was done and the same request may be tried again, e.g. after the budget was revised. The same key with a
different request (another endpoint or another body) is refused with 422. Keys are kept for
IDEMPOTENCY_KEY_DAYS days (mediareg.tasks.clear_expired_idempotency_keys).
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from mediareg.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_key_reused"


class _Replay(Exception):  # noqa: N818 - not an error: carries the stored answer out of initial()
    def __init__(self, stored: IdempotencyKey):
        self.stored = stored


def _canonical(value):
    """The request's data in a form that does not depend on key order or how a body was encoded."""
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict: forms and multipart
        return sorted((key, [_canonical(item) for item in items]) for key, items in value.lists())
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if hasattr(value, "chunks"):  # an uploaded file: its name (kept with the document) and its content
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return value


def request_digest(request) -> str:
    payload = [request.method, request.get_full_path(), _canonical(request.data), _canonical(request.FILES)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, cls=JSONEncoder).encode()).hexdigest()


class IdempotentWritesMixin:
    """For API views: honours ``Idempotency-Key`` on POST, PUT, PATCH and DELETE (see the module)."""

    _idempotency_key_id: int | None = None

    def _wants_idempotency(self, request) -> bool:
        return request.method in WRITES and HEADER.lower() in {name.lower() for name in request.headers}

    def dispatch(self, request, *args, **kwargs):
        if not self._wants_idempotency(request):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if self._idempotency_key_id is not None and response.status_code >= 400:
                transaction.set_rollback(True)  # refused: nothing written, the key is free again
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # signed in, permitted, not throttled
        if self._wants_idempotency(request) and request.user.is_authenticated and self._handles(request):
            self._claim(request)

    def _handles(self, request) -> bool:
        """Does this view answer the method? If not, DRF answers 405 after initial(): a key already used for
        a POST here must not turn that 405 into a 422 or a replay."""
        method = request.method.lower()
        return method in self.http_method_names and hasattr(self, method)

    def _claim(self, request) -> None:
        key = request.headers[HEADER].strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {HEADER: [_("An Idempotency-Key has 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}]})
        digest = request_digest(request)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {IdempotencyKey._meta.db_table} (user_id, key, request_digest, created_at) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
                [request.user.pk, key, digest, timezone.now()])
            row = cursor.fetchone()
        if row:
            self._idempotency_key_id = row[0]
            return
        stored = IdempotencyKey.objects.get(user=request.user, key=key)
        if stored.request_digest != digest:
            raise KeyReused()
        raise _Replay(stored)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return Response(exc.stored.response, status=exc.stored.status_code, headers={REPLAYED_HEADER: "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_key_id is not None and response.status_code < 400:
            data = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
            IdempotencyKey.objects.filter(pk=self._idempotency_key_id).update(status_code=response.status_code,
                                                                              response=data)
        return response
