"""The log of who took data out (mediareg.models.DataAccess): reports, document and proof files."""

from __future__ import annotations

import logging

from .models import DataAccess

logger = logging.getLogger(__name__)


def record_access(*, kind: str, name: str, user=None, actor: str = "", file_format: str = "", profile: str = "",
                  filters: dict | None = None, rows: int | None = None) -> DataAccess:
    """One row of the log. For a streamed report, written before the first byte with ``rows`` empty and
    completed by ``finish_access`` when the last row has gone out."""
    entry = DataAccess.objects.create(
        kind=kind, name=str(name)[:100], user=user if getattr(user, "is_authenticated", False) else None,
        actor=actor[:150], file_format=file_format, profile=profile, filters=filters or {}, rows=rows)
    logger.info("data access: %s %s by user=%s actor=%s filters=%s", kind, name,
                getattr(user, "pk", None), actor, filters or {})
    return entry


def finish_access(entry: DataAccess, rows: int) -> None:
    DataAccess.objects.filter(pk=entry.pk).update(rows=rows)
