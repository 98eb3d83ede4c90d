"""Reading what is left of a truncated Word or OpenDocument file.

Both are zip archives whose index sits at the end, so a file cut short cannot be opened as a
zip at all. The paragraphs are still there: this finds the main part's local header, inflates
as much of it as survives and parses the broken XML with a recovering parser.
"""

from __future__ import annotations

import re
import struct
import zlib

from lxml import etree

_LOCAL_HEADER = b"PK\x03\x04"


def partial_part(data: bytes, part: str) -> bytes | None:
    """The surviving bytes of one archive member (inflated), or None if it is not there."""
    name = part.encode()
    start = 0
    while (start := data.find(_LOCAL_HEADER, start)) != -1:
        header = data[start : start + 30]
        if len(header) < 30:
            return None
        (method,) = struct.unpack("<H", header[8:10])
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        if data[start + 30 : start + 30 + name_len] == name:
            body = data[start + 30 + name_len + extra_len :]
            if method == 0:
                return body
            inflater = zlib.decompressobj(-15)
            try:
                return inflater.decompress(body)
            except zlib.error:
                return None
        start += 4
    return None


def paragraphs(xml: bytes, paragraph_tag: str, text_tags: tuple[str, ...]) -> list[str]:
    """The text of each paragraph element that survives in a broken XML part."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser=parser)
    if root is None:
        return []
    out = []
    for para in root.iter(f"{{*}}{paragraph_tag}"):
        text = "".join(node.text or "" for node in para.iter() if etree.QName(node).localname in text_tags)
        if text.strip():
            out.append(re.sub(r"\s+", " ", text).strip())
    return out
