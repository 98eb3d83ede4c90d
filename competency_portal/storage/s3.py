"""Attachments in an S3-compatible bucket (STORAGE_BACKEND=s3), through boto3.

A file is the object `<S3_PREFIX>files/<name>`, put in one request with its SHA-256
(ChecksumAlgorithm SHA256 and the digest, so the server refuses bytes that arrive different and
keeps the checksum); an upload the server does not confirm with that checksum is refused. Reads ask
for it back (ChecksumMode ENABLED): a file whose server checksum is not the SHA-256 recorded at
upload is refused before any byte is sent, and the bytes themselves are checked as they stream
(`integrity`). Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from the portal's configuration.

Pending until commit: S3 has no lock that dies with its holder, so a marker carries a *lease*. Before
a file saved for a transaction is uploaded, the marker `<S3_PREFIX>pending/<name>` is written; on
commit it is deleted (the file stays), on rollback the file and then the marker are. A process that
dies in between leaves the marker. `sweep` judges only markers older than the lease
(S3_PENDING_LEASE_SECONDS, 15 minutes by default), measured on the S3 server's clock alone (the
marker's LastModified against the Date of the listing), and settles each from the database: a file
an attachment row names is kept, any other deleted. This is safe because a live request cannot be
that old: gunicorn kills a worker whose request runs past its --timeout (30 s by default), and the
marker is written inside the request, so an expired marker's writer is dead and its transaction
ended, and what the database says about it will not change. The lease must stay longer than that
timeout and than any command that saves attachments. The file is uploaded only after its marker
exists and the attachment row is committed only after the file is, so an acknowledged attachment
always has its file and any other file has a marker until a sweep settles it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import secrets
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, FlexibleChecksumError
from sqlalchemy.orm import Session

from competency_portal.storage.integrity import ChunkReader, CorruptFile, StorageError, StorageUnavailable, held_back
from competency_portal.storage.local import NAME, PENDING
from competency_portal.storage.pending import Swept, hold

FILES = "files"
DEFAULT_LEASE_SECONDS = 15 * 60
_CLOCK_SLACK = timedelta(seconds=2)  # S3 times are whole seconds: never judge a marker early by rounding
_CHUNK = 64 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound"}


@functools.lru_cache(maxsize=8)
def _client(pid: int, endpoint_url: str | None, region: str | None):
    # One client per process (boto3 clients are thread-safe, but not to be shared across a fork).
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint_url else None,  # MinIO and most others want paths
        ),
    )


def client(endpoint_url: str | None = None, region: str | None = None):
    """A boto3 S3 client for this process, for AWS (no endpoint) or an S3-compatible server."""
    return _client(os.getpid(), endpoint_url or None, region or None)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


@dataclass
class _Pending:
    """A file uploaded for a transaction that has not ended, and its marker."""

    storage: S3Storage
    name: str

    def settle(self, keep: bool) -> None:
        """Keep or delete the file, then delete the marker (in that order, so a crash leaves the marker)."""
        if not keep:
            self.storage.delete(self.name)
        self.storage.call("delete_object", Key=self.storage.marker_key(self.name))


class S3Storage:
    """Files as objects in one bucket, under an optional key prefix."""

    def __init__(self, s3, bucket: str, prefix: str = "", lease_seconds: int = DEFAULT_LEASE_SECONDS):
        self.s3, self.bucket, self.prefix = s3, bucket, prefix
        self.lease = timedelta(seconds=lease_seconds)

    def key(self, name: str) -> str:
        """The object key of a stored file."""
        if not NAME.match(name):
            raise ValueError("not a stored file name")
        return f"{self.prefix}{FILES}/{name}"

    def marker_key(self, name: str) -> str:
        """The object key of a pending file's marker."""
        if not NAME.match(name):
            raise ValueError("not a stored file name")
        return f"{self.prefix}{PENDING}/{name}"

    def call(self, operation: str, **params) -> dict:
        """One S3 request on the bucket, its failures as FileNotFoundError or StorageUnavailable."""
        try:
            return getattr(self.s3, operation)(Bucket=self.bucket, **params)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _MISSING:
                raise FileNotFoundError(f"no stored file {params.get('Key')}") from None
            message = error.response.get("Error", {}).get("Message", "")
            raise StorageUnavailable(f"S3 bucket {self.bucket} refused {operation}: {code} {message}".strip()) from None
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 bucket {self.bucket} did not answer {operation}: {error}") from None

    def save(self, data: bytes, session: Session | None = None) -> str:
        """Upload bytes with their SHA-256, which the server must confirm; return the generated name.

        With a session, the file is kept only if that session's transaction commits.
        """
        name = secrets.token_hex(16)
        checksum = _b64(hashlib.sha256(data).digest())
        pending = None
        if session is not None:
            marker = {
                "saved_at": datetime.now(timezone.utc).isoformat(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
            }
            self.call(
                "put_object",
                Key=self.marker_key(name),
                Body=json.dumps(marker).encode(),
                ContentType="application/json",
            )
            pending = _Pending(self, name)
        try:
            answer = self.call(
                "put_object",
                Key=self.key(name),
                Body=data,
                ContentType="application/octet-stream",
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
            )
            if answer.get("ChecksumSHA256") != checksum:
                raise StorageError(
                    f"the S3 server did not confirm the SHA-256 of the upload to bucket {self.bucket}; "
                    "the portal needs a server that keeps object checksums (AWS S3, MinIO, Ceph RGW)"
                )
        except BaseException:
            try:
                if pending is not None:
                    pending.settle(keep=False)
                else:
                    self.delete(name)
            except StorageError:
                pass  # the marker (if any) stays for the sweep
            raise
        if pending is not None:
            hold(session, pending)
        return name

    def _get(self, name: str, sha256: str | None) -> tuple[dict, bytes]:
        """The GetObject answer and the digest its bytes must have, checked against the server's checksum."""
        answer = self.call("get_object", Key=self.key(name), ChecksumMode="ENABLED")
        held = answer.get("ChecksumSHA256")
        if sha256 is None and held is None:
            answer["Body"].close()
            raise CorruptFile(name, "the S3 server holds no SHA-256 for it")
        if sha256 is not None and held != _b64(bytes.fromhex(sha256)):
            answer["Body"].close()
            raise CorruptFile(name, "the S3 server holds a different SHA-256 for it than the one recorded at upload")
        return answer, bytes.fromhex(sha256) if sha256 is not None else base64.b64decode(held)

    def read(self, name: str, sha256: str | None = None) -> bytes:
        """The stored bytes, checked against `sha256` (hex) when given and always against the server's."""
        answer, digest = self._get(name, sha256)
        return b"".join(held_back(name, self._chunks(name, answer["Body"]), digest))

    def open(self, name: str, sha256: str | None = None) -> BinaryIO:
        """The stored file as a stream of checked chunks (see `integrity`); the last waits for the check."""
        answer, digest = self._get(name, sha256)
        body = answer["Body"]
        return ChunkReader(held_back(name, self._chunks(name, body), digest), on_close=body.close)

    def _chunks(self, name: str, body) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(_CHUNK)
        except FlexibleChecksumError:
            raise CorruptFile(name, "its bytes differ from the SHA-256 the S3 server holds") from None
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 bucket {self.bucket} stopped sending {name}: {error}") from None
        finally:
            body.close()

    def delete(self, name: str) -> None:
        """Remove a stored file if present."""
        self.call("delete_object", Key=self.key(name))

    def markers(self) -> tuple[datetime, dict[str, datetime]]:
        """The server's time now, and each pending marker's name and when it was written (server time)."""
        found: dict[str, datetime] = {}
        now, token = None, None
        start = f"{self.prefix}{PENDING}/"
        while True:
            page = self.call("list_objects_v2", Prefix=start, **({"ContinuationToken": token} if token else {}))
            if now is None:
                date = page.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
                now = parsedate_to_datetime(date) if date else datetime.now(timezone.utc)
            for entry in page.get("Contents", []):
                name = entry["Key"][len(start) :]
                if NAME.match(name):
                    found[name] = entry["LastModified"]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return now, found

    def sweep(self, referenced: Callable[[list[str]], Iterable[str]]) -> Swept:
        """Settle files whose markers have outlived the lease (their writers are dead; see above).

        `referenced(names)` says which of the names some committed attachment row uses. Younger
        markers are left; `retry_after` says when the last of them may be judged.
        """
        now, markers = self.markers()
        judged_at = {name: written + self.lease + _CLOCK_SLACK for name, written in markers.items()}
        expired = sorted(name for name, when in judged_at.items() if when <= now)
        young = [when - now for when in judged_at.values() if when > now]
        retry_after = max(young).total_seconds() if young else None
        if not expired:
            return Swept(0, 0, retry_after)
        keep = set(referenced(expired)) & set(expired)
        for name in expired:
            _Pending(self, name).settle(keep=name in keep)
        return Swept(len(keep), len(expired) - len(keep), retry_after)
