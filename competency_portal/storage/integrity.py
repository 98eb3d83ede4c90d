"""Stored bytes are checked against the SHA-256 recorded when they were saved before they are trusted.

An attachment row keeps the SHA-256 of its file. `read` compares the whole; `open` streams, and
holds back the last chunk until everything before it has matched, so a damaged file is never
released whole: the download stops short and the browser reports it failed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator


class StorageError(RuntimeError):
    """A file could not be stored or fetched; the message says what and why."""


class StorageUnavailable(StorageError):
    """The file store did not answer, or refused the portal's credentials."""


class CorruptFile(StorageError):
    """A stored file's bytes do not match the checksum recorded when it was saved."""

    def __init__(self, name: str, why: str):
        super().__init__(f"stored file {name} is damaged or was replaced: {why}; it was not served")
        self.name = name


def verify(name: str, data: bytes, sha256: str | None) -> bytes:
    """`data`, if it matches the expected SHA-256 (hex); CorruptFile otherwise."""
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise CorruptFile(name, "its SHA-256 differs from the one recorded at upload")
    return data


def held_back(name: str, chunks: Iterable[bytes], digest: bytes) -> Iterator[bytes]:
    """The chunks, each released once the next has arrived, the last only if the whole matched `digest`."""
    hashed = hashlib.sha256()
    held = b""
    for chunk in chunks:
        if not chunk:
            continue
        hashed.update(chunk)
        if held:
            yield held
        held = chunk
    if hashed.digest() != digest:
        raise CorruptFile(name, "its SHA-256 differs from the one recorded at upload")
    if held:
        yield held


class ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (what `send_file` streams from)."""

    def __init__(self, chunks: Iterator[bytes], on_close=None):
        super().__init__()
        self._chunks = chunks
        self._buffer = b""
        self._on_close = on_close

    def readable(self) -> bool:
        """Always: this file is for reading."""
        return True

    def readinto(self, buffer) -> int:
        """Fill `buffer` from the next chunk; 0 at the end."""
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def close(self) -> None:
        """Release the underlying stream."""
        if not self.closed and self._on_close is not None:
            self._on_close()
        super().close()
