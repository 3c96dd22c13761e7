"""What a file really is, from its bytes: magic numbers first, then a text check.

`filetype` knows the image and PDF signatures; DOCX is decided here (a zip holding
`word/document.xml`), because `filetype` guesses it from any zip mentioning `word/`.

    >>> sniff(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff("通知".encode("gbk"))
    'text/plain'
"""

from __future__ import annotations

import io
import zipfile

import filetype

from pipeline.readers.text import detect_encoding

__all__ = [
    "DOCX",
    "JPEG",
    "OCTET_STREAM",
    "OLE",
    "PDF",
    "PNG",
    "SUFFIX_MEDIA_TYPES",
    "TEXT",
    "TIFF",
    "ZIP",
    "describe",
    "sniff",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
OCTET_STREAM = "application/octet-stream"

SUFFIX_MEDIA_TYPES: dict[str, str] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".tif": TIFF,
    ".tiff": TIFF,
    ".txt": TEXT,
    ".docx": DOCX,
}

_DESCRIPTIONS = {
    PDF: "PDF",
    DOCX: "DOCX",
    TEXT: "plain text",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    TIFF: "a TIFF image",
    ZIP: "a zip archive without word/document.xml",
    OLE: "an OLE compound file (legacy .doc or an encrypted Office file)",
    OCTET_STREAM: "binary data of unknown type",
}

# PDF readers accept the header anywhere in the first KiB (ISO 32000-1, annex H.3).
_PDF_HEADER_WINDOW = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX_PART = "word/document.xml"


def sniff(data: bytes) -> str:
    """The media type of `data`, judged from the content alone.

    Returns:
        One of the module's media type constants; `OCTET_STREAM` when nothing fits.
    """
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return PDF
    if data.startswith(_ZIP_MAGIC):
        return _sniff_zip(data)
    if data.startswith(_OLE_MAGIC):
        return OLE
    kind = filetype.guess_mime(data[:8192])
    if kind in (PNG, JPEG, TIFF):
        return str(kind)
    if kind is not None:
        return OCTET_STREAM
    return TEXT if detect_encoding(data) is not None else OCTET_STREAM


def describe(media_type: str) -> str:
    """A media type in words, for error messages."""
    return _DESCRIPTIONS.get(media_type, media_type)


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return DOCX if _DOCX_PART in archive.namelist() else ZIP
    except (zipfile.BadZipFile, OSError, ValueError):
        # A damaged zip: the local file headers still name the parts. Call it DOCX when they name
        # the main part, so the DOCX reader reports it as a corrupt DOCX rather than as "some zip".
        return DOCX if _DOCX_PART.encode() in data else ZIP
