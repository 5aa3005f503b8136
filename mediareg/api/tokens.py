"""API tokens: the one write path for making and revoking them (the admin calls these)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from mediareg.models import ApiToken

# The key is shown once; only its SHA-256 is stored. A random 256-bit key needs no slow hash: nobody can guess
# one from its digest, and the lookup stays one indexed query per request.
KEY_BYTES = 32
PREFIX_LENGTH = 8


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str, created_by) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its key, which is not kept anywhere."""
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=key[:PREFIX_LENGTH], digest=digest_of(key),
                                    created_by=created_by)
    return token, key


def tokens_revoke(tokens) -> int:
    """Revokes the tokens still active; a revoked token is kept (its history says who used it until when)."""
    with transaction.atomic():
        return ApiToken.objects.filter(pk__in=[t.pk for t in tokens], revoked_at__isnull=True).update(
            revoked_at=timezone.now())


def token_for_key(key: str) -> ApiToken | None:
    return (ApiToken.objects.select_related("user").filter(digest=digest_of(key), revoked_at__isnull=True)
            .first())


# Writing "last used" on every request would make every API read a write; once a minute says enough.
LAST_USED_PRECISION_SECONDS = 60


def token_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
