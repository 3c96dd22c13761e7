"""Digital PDF reader: pypdfium2 character boxes through `pipeline.layout` into blocks in reading order.

Loose character boxes (`FPDFText_GetLooseCharBox`, what `get_charbox(i, loose=True)` returns) keep
punctuation inside its line; tight boxes push it out (`../shared/FACTS.md`). Their width is the
advance the PDF gives, but their height comes from the font pdfium renders with, which for a font
the PDF does not embed (common in Chinese government PDFs: STSong, SimSun by name only) is a system
font of its choosing: installing fonts-noto-cjk made the boxes of one test PDF 10% taller. So the
em that line grouping measures gaps in is each character's font size on the page (the size set
in the PDF times the scale of its text matrix), which no substitution changes. Characters that pdfium
generates (line ends, guessed spaces) are dropped; the PDF's own spaces only mark word breaks for
`group_char_boxes`, which puts spaces back from them and from the gaps between boxes. Boxes are
turned to a top-left origin relative to the crop box. Pages are read one at a time and every pdfium
object is closed as soon as it is done with.

Pages without a text layer (scans) are rendered with pdfium, one at a time, at the size the OCR
detector works at (the longer side `PageReader.render_side` pixels), and read by OCR; their boxes
are turned back into points, so every page of a mixed PDF shares one unit.

Rotated pages (`/Rotate` 90 or 270) are read in unrotated coordinates; that is a known gap.
"""

from __future__ import annotations

import ctypes
import logging
import re
import struct
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.errors import InputError
from pipeline.layout.reading_order import (
    BBox,
    block_bbox,
    group_blocks,
    group_char_boxes,
    is_furniture,
    reading_order,
)
from pipeline.ocr.prepare import check_pixels
from pipeline.readers.base import RawBlock, RawDocument, RawPage
from pipeline.readers.scan import ScanReader
from pipeline.readers.sniff import PDF

if TYPE_CHECKING:
    pass

__all__ = ["PdfReader", "read_page"]

_log = logging.getLogger(__name__)

_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_EMPTY_PAGE_TREE = re.compile(rb"/Count\s+0(?![0-9])")


class PdfReader(ScanReader):
    """Reads PDFs: the text layer where a page has one, OCR where it has none."""

    media_types: tuple[str, ...] = (PDF,)

    def read(self, path: Path, data: bytes | None = None) -> RawDocument:
        """Read every page's text into blocks in reading order, by OCR for pages without a text layer.

        Raises:
            InputError: encrypted, corrupt or empty PDF.
        """
        if data is None:
            data = path.read_bytes()
        name = path.name
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise _open_error(name, data, exc) from exc
        pages: list[RawPage] = []
        blocks: list[RawBlock] = []
        try:
            if len(document) == 0:
                raise InputError(f"{name}: PDF has no pages")
            count = len(document)
            for index in range(count):
                page, page_blocks = read_page(document, index, name=name)
                if not page_blocks:
                    page, page_blocks = self._ocr_page(document, index, name=name)
                    _log.info("%s: page %d of %d has no text layer; read by OCR", name, index + 1, count)
                pages.append(page)
                blocks.extend(page_blocks)
                if self.on_page:
                    self.on_page(name, index + 1, count)
        finally:
            document.close()
        if not blocks:
            _log.warning("%s: no text found on any page", name)
        return RawDocument(media_type=PDF, pages=pages, blocks=blocks)

    def _ocr_page(
        self, document: pdfium.PdfDocument, index: int, *, name: str
    ) -> tuple[RawPage, list[RawBlock]]:
        """Render one page at the detector's working size and read it by OCR; boxes in points."""
        number = index + 1
        try:
            page = document[index]
            try:
                width, height = page.get_size()
                scale = self.page_reader.render_side / max(width, height, 1.0)
                check_pixels(round(width * scale), round(height * scale), name=name, page=number)
                bitmap = page.render(scale=scale, grayscale=False)
                image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise InputError(
                f"{name}: truncated or corrupt PDF (page {number} cannot be rendered: {exc})"
            ) from exc
        try:
            _, blocks = self.page_reader.read(image, number=number, scale=1.0 / scale)
        finally:
            image.close()
        # The page's own size in points, not the rendered pixels turned back (rounding).
        return RawPage(number=number, width=width, height=height, ocr=True), blocks


def read_page(document: pdfium.PdfDocument, index: int, *, name: str) -> tuple[RawPage, list[RawBlock]]:
    """One page's size and its blocks in reading order (none when the page has no text layer)."""
    number = index + 1
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise InputError(f"{name}: truncated or corrupt PDF (page {number} cannot be loaded: {exc})") from exc
    try:
        left, _, _, top = page.get_bbox()
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            texts, boxes, ems = _chars(textpage, left=left, top=top)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise InputError(f"{name}: truncated or corrupt PDF (page {number}: {exc})") from exc
    finally:
        page.close()
    raw_page = RawPage(number=number, width=width, height=height, ocr=False)
    ordered = reading_order(group_blocks(group_char_boxes(texts, boxes, ems=ems)), width, height)
    blocks = [
        RawBlock(
            lines=[line.text for line in block],
            page=number,
            bbox=block_bbox(block),
            furniture=is_furniture(block, width, height),
        )
        for block in ordered
    ]
    return raw_page, blocks


def _chars(
    textpage: pdfium.PdfTextPage, *, left: float, top: float
) -> tuple[list[str], list[BBox], list[float]]:
    """The page's visible characters, their loose boxes (origin top-left of the crop box) and ems.

    A character's em is its font size times the scale of its matrix (many PDFs set the size 1 and
    scale the text matrix); where that is zero, its box height stands in.

    This is the reader's hot loop, five pdfium calls per character, so it goes around pypdfium2's
    per-call conversions (see `_unprototyped`) and reuses one rectangle and one matrix. pdfium generates only
    spaces and line ends (`CPDF_TextPage::GenerateCharInfo`), and line ends are dropped as controls
    anyway, so only whitespace is checked with `FPDFText_IsGenerated`.
    """
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    unpack_rect, unpack_matrix = _FS_RECTF.unpack_from, _FS_MATRIX.unpack_from
    get_unicode, get_box, is_generated = _GET_UNICODE, _GET_LOOSE_CHAR_BOX, _IS_GENERATED
    get_font_size, get_matrix = _GET_FONT_SIZE, _GET_MATRIX
    visible = _VISIBLE
    texts: list[str] = []
    boxes: list[BBox] = []
    ems: list[float] = []
    for i in range(textpage.count_chars()):
        code = get_unicode(handle, i)
        char = visible.get(code)
        if char is None:
            if code in visible:
                continue
            char = visible[code] = _visible(code)
            if char is None:
                continue
        # Whitespace stays as a box: `group_char_boxes` uses it to mark word breaks, never as text.
        if char.isspace() and is_generated(handle, i) == 1:
            continue
        if not get_box(handle, i, rect_ref):
            raise pdfium.PdfiumError("Failed to get charbox.")
        x0, y1, x1, y0 = unpack_rect(rect)  # left, top, right, bottom: y points up in PDF
        em = 0.0
        if get_matrix(handle, i, matrix_ref):
            a, b, c, d, _, _ = unpack_matrix(matrix)
            em = get_font_size(handle, i) * abs(a * d - b * c) ** 0.5
        texts.append(char)
        boxes.append((x0 - left, top - y1, x1 - left, top - y0))
        ems.append(em if em > 0.0 else y1 - y0)
    return texts, boxes, ems


def _unprototyped(
    function: Any, restype: type[ctypes.c_int | ctypes.c_uint | ctypes.c_double]
) -> Callable[..., Any]:
    """The same C function (a pypdfium2 raw binding, untyped) without argument types.

    ctypes then passes each argument as it comes instead of converting it through the declared
    type, which halves the cost of a call (about 1 us per character here). Callers must pass
    exactly what C expects: the text page as a `c_void_p`, indexes as `int`, pointers via `byref`.
    """
    address = ctypes.cast(function, ctypes.c_void_p).value
    if not address:
        raise ImportError(f"pdfium function {function!r} has no address")
    return ctypes.CFUNCTYPE(restype)(address)


_FS_RECTF = struct.Struct("4f")  # FS_RECTF's fields, all at once: left, top, right, bottom
_FS_MATRIX = struct.Struct("6f")  # FS_MATRIX's fields: a, b, c, d, e, f
_GET_FONT_SIZE = _unprototyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)  # (textpage, index)
_GET_MATRIX = _unprototyped(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)  # (textpage, index, FS_MATRIX*)
_GET_UNICODE = _unprototyped(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)  # (textpage, index)
_IS_GENERATED = _unprototyped(pdfium_c.FPDFText_IsGenerated, ctypes.c_int)  # (textpage, index)
_GET_LOOSE_CHAR_BOX = _unprototyped(
    pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int
)  # (textpage, index, FS_RECTF*)


def _visible(code: int) -> str | None:
    """The character for a pdfium Unicode value, or None for one that carries no text."""
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        return None  # no Unicode mapping, or half a surrogate pair (pdfium reports those singly)
    char = chr(code)
    if char != "\t" and unicodedata.category(char) in ("Cc", "Cf"):
        return None  # line ends, controls and soft hyphens carry no text
    return char


# `_visible` per code point seen so far (a page repeats few distinct characters).
_VISIBLE: dict[int, str | None] = {}


def _open_error(name: str, data: bytes, exc: pdfium.PdfiumError) -> InputError:
    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return InputError(f"{name}: encrypted PDF (password required)")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return InputError(f"{name}: PDF uses an unsupported security handler")
    # pdfium refuses a document whose page tree is empty; tell that apart from damage.
    if _EMPTY_PAGE_TREE.search(data) and not _PAGE_OBJECT.search(data):
        return InputError(f"{name}: PDF has no pages")
    return InputError(f"{name}: truncated or corrupt PDF ({exc})")
