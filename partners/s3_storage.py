"""Document files in a private bucket of an S3-compatible store, chosen by STORAGE_URL (docs/storage.md)."""

from __future__ import annotations

import io
import posixpath
import re

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name, get_available_overwrite_name

# A file up to this size is stored with one PUT that the store refuses if the name is taken; a larger one
# (none of the forms takes one: DOCUMENT_MAX_BYTES is 10 MB) goes through boto3's multipart upload after
# a HEAD request has found the name free.
SINGLE_PUT_MAX_BYTES = 32 * 1024 * 1024


class PrivateS3DocumentStorage(S3Storage):
    """Document files in a private bucket of any S3-compatible store (STORAGE_URL, docs/storage.md).

    Objects are written without an ACL, so they keep the bucket's own (private) access, never under an
    existing name, and have no URL: like the folder, they are served only through the permission-checked
    views. A file is read as it arrives (StreamedObject), not first copied whole into memory.
    """

    def __init__(self, **options):
        for option, unsafe in (("default_acl", lambda acl: acl is not None), ("custom_domain", bool),
                               ("querystring_auth", lambda signed: signed is False)):
            if option in options and unsafe(options[option]):
                raise ImproperlyConfigured(f"Document files are private: {option}={options[option]!r} is refused.")
        # No ACL header at all: a bucket with ACLs disabled (the default on AWS) refuses any, and the
        # bucket's own policy keeps objects private. AWS_DEFAULT_ACL in the settings is ignored on purpose.
        options = {**options, "default_acl": None, "custom_domain": None, "querystring_auth": True,
                   "file_overwrite": False}
        # botocore waits 60 s to connect and retries up to five times: a request would outlive gunicorn's
        # 30 s timeout on a store that does not answer. Fail within a request's time instead (docs/storage.md).
        options.setdefault("client_config", Config(
            s3={"addressing_style": options.get("addressing_style")}, connect_timeout=5, read_timeout=20,
            retries={"mode": "standard", "total_max_attempts": 3}))
        super().__init__(**options)

    def get_available_name(self, name, max_length=None):
        # Names are random (partners.models.document_upload_to), and _save takes another name if the store
        # refuses a taken one, so asking the store first would cost a HEAD request per file for nothing:
        # 7 requests for an application, a sixth of its time on the web node (bench/scaleout.py).
        return get_available_overwrite_name(clean_name(name), max_length)

    def _save(self, name, content):
        size = content.size
        if size is None or size > SINGLE_PUT_MAX_BYTES:
            return super()._save(super().get_available_name(name), content)
        content.seek(0)
        body = content.read()
        if isinstance(body, str):
            body = body.encode()
        name = clean_name(name)
        for _attempt in range(5):
            key = self._normalize_name(name)
            try:
                # One request, where boto3's upload manager adds threads and bookkeeping even for a small
                # file; If-None-Match makes the store itself refuse a taken name, with no window between a
                # check and the write.
                self.connection.meta.client.put_object(Bucket=self.bucket_name, Key=key, Body=body,
                                                       IfNoneMatch="*", **self._get_write_parameters(key, content))
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 412:
                    raise
                root, extension = posixpath.splitext(name)
                name = self.get_alternative_name(root, extension)  # taken: never written over
            else:
                return name
        raise FileExistsError(f"No free name for {name} in the document store after 5 attempts.")

    def url(self, name, parameters=None, expire=None, http_method=None):
        # No public or presigned URL is ever handed out; Document.get_download_url() is the way to a file.
        return ""

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"No such document file: {name}") from exc
            raise
        return File(StreamedObject(answer["Body"], answer["ContentLength"]), name=name)

    def bucket_status(self, timeout: float) -> str:
        """"ok", or "error: <kind>": can this node reach the bucket with its credentials? For /healthz
        (mediareg.health): one HEAD request on a client of its own that gives up within ``timeout`` seconds
        and does not retry, where the storage's own client would wait and retry for most of a minute. The
        client is made once per process: a new one costs about 0.1 s of CPU, on every probe of every node."""
        made_for, probe = getattr(self, "_probe", (None, None))
        if made_for != timeout:
            probe = self._create_session().client(
                "s3", region_name=self.region_name, use_ssl=self.use_ssl, endpoint_url=self.endpoint_url,
                verify=self.verify, config=self.client_config.merge(Config(
                    connect_timeout=timeout, read_timeout=timeout,
                    retries={"mode": "standard", "total_max_attempts": 1})))
            self._probe = (timeout, probe)
        try:
            probe.head_bucket(Bucket=self.bucket_name)
        except ClientError as exc:
            return f"error: {exc.response.get('Error', {}).get('Code') or type(exc).__name__}"
        except BotoCoreError as exc:
            return f"error: {type(exc).__name__}"
        return "ok"

    def stored_md5(self, name: str) -> str | None:
        """The object's MD5 when its ETag is one (an upload in one part, not encrypted with a KMS key;
        anything else may not be), so that partners.storage_migration can compare without a download."""
        key = self._normalize_name(clean_name(name))
        try:
            etag = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=key)["ETag"].strip('"')
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise
        return etag if re.fullmatch(r"[0-9a-f]{32}", etag) else None


class StreamedObject(io.RawIOBase):
    """The body of one GET, read as it arrives: its size is known from the answer (FileResponse's
    Content-Length), and the first bytes read are kept, so that reading a file's first bytes to tell its
    type and then seeking back to the start (partners.views._type_by_content) costs no second download.

    Seeking works back into those kept bytes, forward to where the download stands, and to the end
    (how FileResponse measures a file); anywhere else it would need another request, and is refused."""

    KEEP = 64 * 1024

    def __init__(self, body, size: int):
        super().__init__()
        self.size = size
        self._body = body
        self._kept: bytearray | None = bytearray()  # all bytes received so far, until more than KEEP came
        self._received = 0
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence] + offset
        if target in (self._received, self.size) or (self._kept is not None and 0 <= target <= self._received):
            self._position = target
            return target
        raise io.UnsupportedOperation("a streamed document file can only be rewound to bytes already read")

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._position
        if size == 0 or self._position >= self.size:
            return b""
        out = b""
        if self._position < self._received:  # rewound: the kept bytes first
            out = bytes(self._kept[self._position:self._position + size])
            self._position += len(out)
            size -= len(out)
        if size > 0:
            data = self._body.read(size)
            self._received += len(data)
            self._position += len(data)
            if self._kept is not None:
                if self._received <= self.KEEP:
                    self._kept += data
                else:
                    self._kept = None
            out += data
        return out

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()
