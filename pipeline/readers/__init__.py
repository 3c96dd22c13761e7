"""Readers: one small module per input format behind one interface.

`read_document` sniffs what a file really is from its bytes, checks that against the file name,
and hands it to the reader registered for that media type. Every failure is an `InputError` whose
one-line message names the file and the problem.

    >>> from pathlib import Path
    >>> doc = read_document(Path("notice.txt"))  # doctest: +SKIP
    >>> doc.media_type  # doctest: +SKIP
    'text/plain'
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from pipeline.errors import InputError
from pipeline.readers.base import RawBlock, RawDocument, RawPage
from pipeline.readers.docx import DocxReader
from pipeline.readers.image import ImageReader
from pipeline.readers.pdf import PdfReader
from pipeline.readers.sniff import OCTET_STREAM, SUFFIX_MEDIA_TYPES, TEXT, describe, sniff
from pipeline.readers.text import TextReader

__all__ = [
    "MAX_FILE_BYTES",
    "READERS",
    "SUPPORTED_SUFFIXES",
    "RawBlock",
    "RawDocument",
    "RawPage",
    "Reader",
    "read_document",
    "sniff",
]

_log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt", ".docx")
# Larger inputs are refused before they are read into memory.
MAX_FILE_BYTES = 200 * 1024 * 1024


class Reader(Protocol):
    """Reads one family of formats into a `RawDocument`."""

    media_types: tuple[str, ...]

    def read(self, path: Path, data: bytes | None = None) -> RawDocument:
        """Read `path` (or `data`, its bytes when already read); InputError when it cannot."""
        ...


def _registry(*readers: Reader) -> dict[str, Reader]:
    return {media_type: reader for reader in readers for media_type in reader.media_types}


READERS: dict[str, Reader] = _registry(PdfReader(), DocxReader(), TextReader(), ImageReader())


def read_document(path: Path) -> RawDocument:
    """Read a policy document of any supported format into raw blocks in reading order.

    Images and PDF pages without a text layer are read by OCR (`pipeline.ocr`), page by page.

    The content decides the format; a file name whose suffix says otherwise is an error naming
    both. A file without a supported suffix is read by its content.

    Args:
        path: the input file.

    Returns:
        The reader's `RawDocument`.

    Raises:
        InputError: missing, empty, too large, unsupported, mislabelled or unreadable input.

    >>> read_document(Path("missing.pdf"))
    Traceback (most recent call last):
    ...
    pipeline.errors.InputError: missing.pdf: no such file
    """
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{name}: not a regular file")
        if size > MAX_FILE_BYTES:
            raise InputError(f"{name}: file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise InputError(f"{name}: empty file")

    media_type = sniff(data)
    suffix = path.suffix.lower()
    expected = SUFFIX_MEDIA_TYPES.get(suffix)
    if expected is not None and media_type != expected:
        if expected == TEXT and media_type == OCTET_STREAM:
            raise InputError(f"{name}: not text (binary content)")
        raise InputError(
            f"{name}: content is {describe(media_type)}, not {describe(expected)} (file name says {suffix})"
        )
    if expected is None:
        _log.info("%s: suffix %r not known; reading it as %s", name, suffix, media_type)
    reader = READERS.get(media_type)
    if reader is None:
        raise InputError(f"{name}: unsupported content ({describe(media_type)})")
    return reader.read(path, data)
