from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_safe

from mediareg.access import record_access
from mediareg.models import DataAccess

from .models import Document, document_storage
from .uploads import FORMATS

logger = logging.getLogger(__name__)

# The types a browser may show in place: the upload check's formats (uploads.FORMATS), told by content.
PREVIEW_TYPES = {"application/pdf", "image/jpeg", "image/png"}
# A previewed file is a document of its own: a sandbox (no scripts, no forms, no same-origin access, no
# pop-ups), nothing loaded from anywhere but the file itself, and not framed by another site. Inline
# styles are allowed for the browser's own image page (it centres the picture with them); the file is a
# PDF or an image by its first bytes and sent with nosniff, so no markup of the uploader's is ever read.
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _refuse_unless_permitted(request, pk: int):
    """Staff with the download permission only; None when the request may go on."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("partners.download_document"):
        logger.warning("document download refused: user=%s document=%s", request.user.pk, pk)
        raise PermissionDenied
    return None


def _attachment(handle, original_filename: str, stored_name: str, content_type: str, *,
                inline: bool = False) -> FileResponse:
    # Only the last path component of what the uploader called it, reduced to safe characters.
    given = (original_filename or stored_name).replace("\\", "/").rsplit("/", 1)[-1]
    name = get_valid_filename(given.lstrip(".")) or "document"
    response = FileResponse(handle, as_attachment=not inline, filename=name,
                            content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _open_document(pk: int):
    """The document and its current file, opened; a 404 when either is missing."""
    document = get_object_or_404(Document, pk=pk)
    try:
        return document, document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this document is missing from storage.") from exc


@require_safe
def document_download(request, pk: int):
    """The only way to a document's file: staff with the download permission, never a public URL. Every
    file served is written to the data access log (mediareg.access), which auditors read."""
    refused = _refuse_unless_permitted(request, pk)
    if refused:
        return refused
    document, handle = _open_document(pk)
    logger.info("document downloaded: user=%s document=%s kind=%s", request.user.pk, pk, document.kind)
    record_access(kind=DataAccess.Kind.DOCUMENT_DOWNLOAD, name=document.pk, user=request.user)
    return _attachment(handle, document.original_filename, document.file.name, document.content_type)


@require_safe
def document_earlier_file(request, pk: int, name: str):
    """A file the document had before it was replaced, or before the document was deleted, for the same
    staff as the current file (auditors among them). Only a file that the audit trail records for this
    document is served: the name is looked up in the document's events, never taken as a path."""
    refused = _refuse_unless_permitted(request, pk)
    if refused:
        return refused
    version = (Document.pgh_event_model.objects.filter(pgh_obj_id=pk, file=name).order_by("-pgh_id")
               .values("kind", "original_filename", "content_type").first())
    if version is None:
        raise Http404("The audit trail records no such file for this document.")
    try:
        handle = document_storage().open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404("This earlier file is missing from storage.") from exc
    logger.info("earlier document file downloaded: user=%s document=%s file=%s", request.user.pk, pk, name)
    record_access(kind=DataAccess.Kind.DOCUMENT_DOWNLOAD, name=pk, user=request.user, filters={"earlier_file": name})
    return _attachment(handle, version["original_filename"], name, version["content_type"])


def _type_by_content(handle) -> str:
    """The file's type from its first bytes (the upload check's signatures), never from its name or the
    stored type; an empty string for any other content."""
    head = handle.read(16)
    handle.seek(0)
    return next((content_type for signature, content_type, *_rest in FORMATS if head.startswith(signature)), "")


@require_safe
def document_preview(request, pk: int):
    """A document's PDF or image shown in the browser (inline), for the same staff and through the same
    checks as the download; any other content is downloaded. Logged like a download."""
    refused = _refuse_unless_permitted(request, pk)
    if refused:
        return refused
    document, handle = _open_document(pk)
    content_type = _type_by_content(handle)
    if content_type not in PREVIEW_TYPES:
        logger.info("document downloaded (no preview for its type): user=%s document=%s kind=%s",
                    request.user.pk, pk, document.kind)
        record_access(kind=DataAccess.Kind.DOCUMENT_DOWNLOAD, name=document.pk, user=request.user)
        return _attachment(handle, document.original_filename, document.file.name, "application/octet-stream")
    logger.info("document previewed: user=%s document=%s kind=%s", request.user.pk, pk, document.kind)
    record_access(kind=DataAccess.Kind.DOCUMENT_PREVIEW, name=document.pk, user=request.user)
    response = _attachment(handle, document.original_filename, document.file.name, content_type, inline=True)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response
