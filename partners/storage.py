"""Where document files live: a private folder (the embedded default) or a private S3-compatible bucket
(STORAGE_URL; the bucket's storage is in partners.s3_storage, so that a process using the folder never
imports boto3). docs/storage.md explains the choice, the settings and how files are served."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


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


class DocumentStorage(LazyObject):
    """storages["documents"] as configured now. A FileField keeps the storage object it was given when
    its model was defined; this stand-in looks the storage up again whenever STORAGES changes (tests), as
    Django's own default_storage does, so the fields and the views always use one and the same store."""

    def _setup(self):
        self._wrapped = storages["documents"]


documents = DocumentStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        documents._wrapped = empty
