"""Plain text reader: the encoding is detected from the content, never guessed from the file name.

Order of trust: a byte order mark; strict UTF-8; the Chinese legacy encodings (GB18030, a superset of
GBK and GB2312, which many government sites still serve, and Big5); then charset-normalizer for
anything else. Every candidate must also decode to plausible text (no control characters, no
unassigned or private-use code points), which is what rejects binary data.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from pipeline.errors import InputError
from pipeline.readers.base import RawBlock, RawDocument

__all__ = ["MEDIA_TYPE", "TextReader", "decode_text", "detect_encoding"]

_log = logging.getLogger(__name__)

MEDIA_TYPE = "text/plain"

# Longest BOM first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Whitespace controls that text files legitimately hold; \x1a is the DOS end-of-file mark.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")
# Share of implausible characters (controls, unassigned, private use, U+FFFD) a text may hold.
_MAX_BAD_SHARE = 0.01
# Share of the non-ASCII characters of a GB18030 text that GB2312 (6,763 common hanzi and symbols)
# holds: about all of them in real Chinese text, about half in random bytes above 0x7f.
_MIN_GB2312_SHARE = 0.9
# Share of ASCII characters required of a text in an encoding other than UTF and Chinese ones.
_MIN_ASCII_SHARE = 0.8
# The single-byte code pages accepted beyond UTF and the Chinese encodings. EBCDIC pages are not:
# they map bytes above 0x7f to ASCII letters, so random bytes pass as text.
_WESTERN_CODECS = ("ascii", "latin", "iso8859", "cp125", "windows_125")


def detect_encoding(data: bytes) -> str | None:
    """The codec that decodes `data` to plausible text, or None when it is not text.

    >>> detect_encoding("关于印发通知".encode("gbk"))
    'gb18030'
    >>> detect_encoding(bytes(range(256))) is None
    True
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec if _decodes_plausibly(data, codec) else None
    if _decodes_plausibly(data, "utf-8"):
        return "utf-8"
    chinese = [codec for codec in ("gb18030", "big5") if _decodes_plausibly(data, codec)]
    if "gb18030" in chinese and not _mostly_gb2312(data.decode("gb18030")):
        chinese.remove("gb18030")
    if len(chinese) == 1:
        return chinese[0]
    if len(chinese) == 2:
        # Short texts decode both ways; charset-normalizer's coherence check tells them apart.
        best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        return "big5" if best is not None and best.encoding in ("big5", "cp950") else "gb18030"
    # Anything else must be mostly ASCII (a Latin-1 or Windows-1252 note, say): random bytes above
    # 0x7f decode as "text" in most single-byte code pages, so more cannot be told from noise.
    best = from_bytes(data).best()
    if best is None:
        return None
    codec = best.encoding
    if not codec.startswith(_WESTERN_CODECS) or not _decodes_plausibly(data, codec):
        return None
    text = data.decode(codec)
    return codec if sum(ch.isascii() for ch in text) >= _MIN_ASCII_SHARE * len(text) else None


def decode_text(data: bytes, *, name: str) -> str:
    """Decode text bytes with the detected encoding; InputError when they are not text."""
    codec = detect_encoding(data)
    if codec is None:
        raise InputError(f"{name}: not text (binary content)")
    _log.debug("%s: decoded as %s", name, codec)
    return data.decode(codec)


def _decodes_plausibly(data: bytes, codec: str) -> bool:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return _plausible(text)


def _plausible(text: str) -> bool:
    bad = 0
    allowed = int(len(text) * _MAX_BAD_SHARE)
    for ch in text:
        if ch < " " or ch == "\x7f" or ch >= "\x80":  # plain printable ASCII needs no look-up
            if ch in _ALLOWED_CONTROLS:
                continue
            if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
                bad += 1
                if bad > allowed:
                    return False
    return True


def _mostly_gb2312(text: str) -> bool:
    wide = [ch for ch in text if not ch.isascii()]
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= _MIN_GB2312_SHARE * len(wide)


def split_blocks(text: str) -> list[RawBlock]:
    """Blank-line separated groups of lines; lines are kept as they are, blank lines dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[RawBlock] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            lines.append(line)
        elif lines:
            blocks.append(RawBlock(lines=lines))
            lines = []
    if lines:
        blocks.append(RawBlock(lines=lines))
    return blocks


class TextReader:
    """Reads `text/plain` files."""

    media_types: tuple[str, ...] = (MEDIA_TYPE,)

    def read(self, path: Path, data: bytes | None = None) -> RawDocument:
        """Read a text file into blank-line separated blocks.

        Raises:
            InputError: the content is not text, or only whitespace.
        """
        if data is None:
            data = path.read_bytes()
        text = decode_text(data, name=path.name)
        blocks = split_blocks(text)
        if not blocks:
            raise InputError(f"{path.name}: empty file (only whitespace)")
        return RawDocument(media_type=MEDIA_TYPE, pages=[], blocks=blocks)
