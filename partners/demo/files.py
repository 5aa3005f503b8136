"""Small, valid files built in code, for demo data (seed_demo) and tests (tests/factories.py).

The PDF is a real one-page document (catalog, page tree, one page, Helvetica, a text stream and
a correct cross-reference table) so that viewers open it and content sniffing recognises it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

PDF_CONTENT_TYPE = "application/pdf"
PNG_CONTENT_TYPE = "image/png"


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in the Latin-1 range that the standard Helvetica font covers."""
    escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    escaped = " ".join(escaped.split())  # no line breaks inside a text operator
    return escaped.encode("latin-1", errors="replace")


def pdf_bytes(title: str, lines: Iterable[str] = ()) -> bytes:
    """A minimal valid one-page A4 PDF showing ``title`` and, below it, ``lines``.

    Starts with ``%PDF-1.4`` and ends with ``%%EOF``.
    """
    text = [b"BT /F1 16 Tf 72 770 Td (" + _pdf_text(title) + b") Tj ET"]
    for i, line in enumerate(lines):
        text.append(b"BT /F1 11 Tf 72 %d Td (" % (740 - 16 * i) + _pdf_text(line) + b") Tj ET")
    stream = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF" % (len(objects) + 1, xref_at)
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (0x1F, 0x6F, 0xB2)) -> bytes:
    """A valid PNG of one solid colour (8-bit RGB, no interlace)."""
    row = b"\x00" + bytes(rgb) * width  # filter type 0 for every scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * height))
        + _png_chunk(b"IEND", b"")
    )
