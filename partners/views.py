from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_safe

from .models import Document

logger = logging.getLogger(__name__)


@require_safe
def document_download(request, pk: int):
    """The only way to a document's file: staff with the download permission, never a public URL."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("partners.download_document"):
        logger.warning("document download refused: user=%s document=%s", request.user.pk, pk)
        raise PermissionDenied
    document = get_object_or_404(Document, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this document is missing from storage.") from exc
    logger.info("document downloaded: user=%s document=%s kind=%s", request.user.pk, pk, document.kind)
    # Only the last path component of what the uploader called it, reduced to safe characters.
    given = (document.original_filename or document.file.name).replace("\\", "/").rsplit("/", 1)[-1]
    name = get_valid_filename(given.lstrip(".")) or "document"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=document.content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
