import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateDocumentStorage(FileSystemStorage):
    """Document files under settings.DOCUMENTS_ROOT, with no URL: they are served only by
    partners.views.document_download. The folder is read from settings on every use, so a change
    of DOCUMENTS_ROOT (tests, management commands) takes effect without rebuilding the storage."""

    def __init__(self, **kwargs):
        kwargs.pop("location", None)
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return settings.DOCUMENTS_ROOT

    @property
    def location(self):
        return os.path.abspath(settings.DOCUMENTS_ROOT)

    def url(self, name):
        # No public URL exists; Document.get_download_url() is the permission-checked way to a file.
        # Empty rather than an error, so that form widgets simply show no link.
        return ""
