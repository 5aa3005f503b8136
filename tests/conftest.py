import pytest
from django.conf import settings
from django.db import connection


def pytest_configure(config):
    # The suite proves behaviour on the production database; SQLite would hide the audit triggers,
    # trigram indexes and locking. `make test` points DATABASE_URL at PostgreSQL.
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError("The tests need PostgreSQL: run them with `make test` (it sets DATABASE_URL).")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories create many users; the production hasher costs a quarter of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_document_storage(settings, tmp_path):
    """Each test writes uploaded documents into its own temporary folder."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT


@pytest.fixture
def db_vendor():
    return connection.vendor


@pytest.fixture
def pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.demo_files import pdf_bytes

    return SimpleUploadedFile("akta pendirian.pdf", pdf_bytes("Akta pendirian"), content_type="application/pdf")
