"""The largest request any page takes (settings.REQUEST_MAX_BYTES): a larger one is refused with 413
before its body is written anywhere.

Two guards. RequestSizeLimitMiddleware reads the declared Content-Length before anything touches the
body; under WSGI Django never reads more than that length (and reads a body without one as empty), so
this alone keeps an oversized upload off the disk. BodyLimitUploadHandler, first of
FILE_UPLOAD_HANDLERS, counts the bytes actually parsed and stops past the limit, removing what the
handlers after it had written, for any path where the declared length is missing or not to be
believed (another server interface, a future Django that reads chunked bodies).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestBodyTooLarge(RequestDataTooBig):
    """Shown as the 413 page (mediareg.views.bad_request), like Django's own RequestDataTooBig."""


def declared_length(meta) -> int:
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads such a body as empty too


def too_large(meta) -> bool:
    return declared_length(meta) > settings.REQUEST_MAX_BYTES


class BodyLimitUploadHandler(FileUploadHandler):
    """Counts the bytes of uploaded files, whatever length the request declared (the middleware has
    judged that already), and stops the upload once they pass the limit."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REQUEST_MAX_BYTES:
            # The file being received: the handlers after this one may have started writing it. (Files
            # already complete are closed, and so removed, by Django's parser when this raises.)
            for handler in self.request.upload_handlers:
                if handler is not self and getattr(handler, "file", None) is not None:
                    handler.file.close()
            raise RequestBodyTooLarge("The uploaded files are over the request limit.")
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file
