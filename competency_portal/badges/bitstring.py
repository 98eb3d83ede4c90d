"""Bitstring Status List v1.0: a GZIP-compressed bitstring, base64url-encoded with the multibase prefix "u".

Bit 0 is the most significant bit of the first byte; a set bit means the credential at that index
is revoked.
"""

from __future__ import annotations

import base64
import gzip


class StatusListError(ValueError):
    """An encoded list that is not a Bitstring Status List."""


def encode(set_bits: set[int], size: int) -> str:
    """The encodedList for a list of `size` bits with `set_bits` set."""
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise StatusListError(f"Index {index} is outside a list of {size} entries.")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 keeps the same list byte-for-byte the same, so its ETag only changes when it does.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The raw bitstring of an encodedList."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("The list is not multibase base64url (it should start with 'u').")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError("The list cannot be unpacked.") from error


def is_set(bits: bytes, index: int) -> bool:
    """Whether the entry at `index` is set."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"Index {index} is outside a list of {len(bits) * 8} entries.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
