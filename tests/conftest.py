import pytest
from django.conf import settings
from django.db import connection


def pytest_configure(config):
    # The suite proves behaviour on the production database; SQLite would hide the audit triggers,
    # trigram indexes and locking. `make test` points DATABASE_URL at PostgreSQL.
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError("The tests need PostgreSQL: run them with `make test` (it sets DATABASE_URL).")


@pytest.fixture(autouse=True)
def private_document_storage(settings, tmp_path):
    """Each test writes uploaded documents into its own temporary folder."""
    root = tmp_path / "documents"
    settings.DOCUMENTS_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": root, "base_url": None}},
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                      "OPTIONS": {"location": root, "base_url": None}},
    }
    return root


@pytest.fixture
def db_vendor():
    return connection.vendor
