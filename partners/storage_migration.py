"""Copy the document files from one store to another under the same names, so that no row changes: from
the folder to the bucket when a deployment moves to object storage, or back (``manage.py
migrate_documents``, docs/storage.md). Resumable and checked: a file the target already holds with the
same size and checksum is left alone, anything else is written again, and every file written is read
back and compared."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files import File
from django.db import models

from .models import document_storage

CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a larger file waits on disk between reading and writing


@dataclass
class MigrationSummary:
    copied: int = 0
    bytes_copied: int = 0
    skipped: int = 0  # already in the target, same size and checksum
    missing: list[str] = field(default_factory=list)  # named by the database, absent from the source
    failed: list[tuple[str, str]] = field(default_factory=list)  # name, why


def document_file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every file field kept in the document store, in every app: documents, proofs of publication, and
    the copies of both in their audit events (which name the earlier files of replaced documents)."""
    store = document_storage()
    return [(model, model_field) for model in apps.get_models() for model_field in model._meta.concrete_fields
            if isinstance(model_field, models.FileField) and model_field.storage is store]


def referenced_files():
    """The names of every file the database refers to in the document store, each once, in name order:
    a query whose rows come from a server-side cursor (``.iterator()``), and whose ``.count()`` is cheap."""
    names = [model._default_manager.order_by().exclude(**{model_field.name: ""})
             .values_list(model_field.name, flat=True) for model, model_field in document_file_fields()]
    first, *others = names
    return first.union(*others).order_by(first.query.values_select[0])


def migrate_document_files(names: Iterator[str], *, source, target, dry_run: bool = False,
                           progress: Callable[[], None] | None = None) -> MigrationSummary:
    """Copy each named file from the ``source`` storage to the ``target`` storage under the same name.
    Nothing is written on a dry run (a file that would be copied is counted as copied)."""
    summary = MigrationSummary()
    for name in names:
        try:
            _migrate_one(name, source, target, dry_run, summary)
        except Exception as exc:  # one file's failure is reported, the others go on
            summary.failed.append((name, f"{type(exc).__name__}: {exc}"))
        if progress:
            progress()
    return summary


def _migrate_one(name: str, source, target, dry_run: bool, summary: MigrationSummary) -> None:
    try:
        handle = source.open(name, "rb")
    except FileNotFoundError:
        summary.missing.append(name)
        return
    with handle, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as copy:
        sha256, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        while chunk := handle.read(CHUNK):  # one read of the source, kept for the write below
            sha256.update(chunk)
            md5.update(chunk)
            size += len(chunk)
            copy.write(chunk)
        held = _size_in(target, name)
        if held == size and _same_content(target, name, sha256.hexdigest(), md5.hexdigest()):
            summary.skipped += 1
            return
        if dry_run:
            summary.copied += 1
            return
        if held is not None:
            target.delete(name)  # a partial or different file: written again
        copy.seek(0)
        stored = target.save(name, File(copy, name=name))
        if stored != name:  # only if another writer created the name in between; never rename a file
            target.delete(stored)
            raise RuntimeError(f"the target stored it as {stored}")
    if _sha256_in(target, name) != sha256.hexdigest():
        raise RuntimeError("the file read back from the target differs (SHA-256) from the source")
    summary.copied += 1
    summary.bytes_copied += size


def _size_in(storage, name: str) -> int | None:
    try:
        return storage.size(name)
    except FileNotFoundError:
        return None


def _same_content(storage, name: str, sha256: str, md5: str) -> bool:
    # A bucket tells a single-part upload's MD5 (its ETag) without a download; otherwise the file is read.
    stored_md5 = getattr(storage, "stored_md5", lambda _name: None)(name)
    if stored_md5 == md5:
        return True
    return _sha256_in(storage, name) == sha256


def _sha256_in(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
