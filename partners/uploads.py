"""Checks on uploaded document files: decided by content, never by the browser's type.

Only PDF, JPEG and PNG are accepted (OWASP ASVS 5.2.2): the first bytes must be one of those
formats, the file name's extension must agree with them, PDFs must be complete and images must
open and stay within a sane pixel count. The applicant's file name is kept as metadata only; the
stored name is random (models.document_upload_to).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel scan is already far more than a document needs

FORMATS = [
    # signature, content type, stored extension, extensions a person may give it, label
    (b"%PDF-", "application/pdf", ".pdf", {".pdf"}, "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg", {".jpg", ".jpeg"}, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png", {".png"}, "PNG"),
]


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    original_filename: str


def check_document_file(upload, max_bytes: int | None = None) -> CheckedUpload:
    """Raise ValidationError unless ``upload`` is a sound PDF, JPEG or PNG within the size limit."""
    max_bytes = max_bytes or settings.DOCUMENT_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    detected = next((fmt for fmt in FORMATS if head.startswith(fmt[0])), None)
    if detected is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted; this file is none of them."),
                              code="file_type")
    _signature, content_type, extension, given_extensions, label = detected
    name = PurePath(upload.name or "").name
    given = PurePath(name).suffix.lower()
    if given and given not in given_extensions:
        raise ValidationError(
            _("This file is a %(kind)s but its name ends in %(extension)s; save it under its real type and "
              "choose it again."),
            code="extension_mismatch", params={"kind": label, "extension": given},
        )
    if content_type == "application/pdf":
        _check_pdf(upload)
    else:
        _check_image(upload)
    return CheckedUpload(content_type, extension, upload.size, name[-255:])


def _check_pdf(upload) -> None:
    # A complete PDF ends with %%EOF (possibly followed by a little whitespace).
    upload.seek(max(upload.size - 1024, 0))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise ValidationError(_("This PDF is damaged or incomplete."), code="pdf_damaged")


def _check_image(upload) -> None:
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("This image is too large (%(w)d × %(h)d pixels)."), code="image_too_large",
                                      params={"w": width, "h": height})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This image is damaged or incomplete."), code="image_damaged") from exc
    finally:
        upload.seek(0)
