"""One page image through OCR and layout into raw blocks in reading order.

The engine reads the page; `prepare` turns it upright when it was turned (a second pass, only
then) and measures its skew; the line boxes, levelled, go through the same reading-order module
as the digital PDF path (`pipeline.layout.reading_order`): pieces into lines, lines into blocks,
blocks into reading order by XY-cut, running heads, footers and page numbers marked as furniture.

Every block keeps its box in the coordinates of the image as given (pixels, origin top-left,
after its EXIF orientation), whatever turn or skew the page needed, multiplied by `scale`: 1 for
image files, points per pixel for rendered PDF pages, so a PDF's OCR pages share its units.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from PIL import Image

from pipeline.layout.reading_order import (
    BBox,
    TextBox,
    block_bbox,
    group_blocks,
    group_ocr_lines,
    is_furniture,
    reading_order,
)
from pipeline.ocr.engine import OcrEngine, OcrLine, OcrOptions, create_engine
from pipeline.ocr.prepare import page_turn, rotate_point_back, skew_angle, straighten, to_pixels
from pipeline.readers.base import RawBlock, RawPage

__all__ = ["PageReader", "default_page_reader"]

_log = logging.getLogger(__name__)


class PageReader:
    """OCR of page images into `RawPage` and `RawBlock`s; the engine is built on first use.

    >>> reader = PageReader()  # doctest: +SKIP
    >>> page, blocks = reader.read(Image.open("scan.jpg"), number=1)  # doctest: +SKIP
    """

    def __init__(self, engine: OcrEngine | None = None, *, options: OcrOptions | None = None) -> None:
        self._engine = engine
        self._options = options
        self._lock = threading.Lock()

    @property
    def render_side(self) -> int:
        """Pixels on the longer side of a rendered PDF page: what the detector works at, no more."""
        return (self._options or OcrOptions()).max_side_len

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = create_engine(self._options or OcrOptions.from_env())
        return self._engine

    def read(self, image: Image.Image, *, number: int, scale: float = 1.0) -> tuple[RawPage, list[RawBlock]]:
        """The page's size (in page units) and its blocks in reading order; no blocks for a blank page."""
        pixels = to_pixels(image)
        height, width = pixels.shape[:2]
        lines = self.engine.recognize(pixels)
        turns = page_turn(lines)
        if turns:
            _log.info(
                "page %d is turned; reading it again upright (%d° counter-clockwise)", number, 90 * turns
            )
            upright = np.ascontiguousarray(np.rot90(pixels, turns))
            lines = self.engine.recognize(upright)
            del upright
        del pixels
        page = RawPage(number=number, width=width * scale, height=height * scale, ocr=True)
        if not lines:
            _log.warning("page %d: no text found", number)
            return page, []
        up_width, up_height = (height, width) if turns % 2 else (width, height)
        angle = skew_angle(lines)
        centre = (up_width / 2, up_height / 2)
        level = [_level(line, angle, centre) for line in lines]
        ordered = reading_order(group_blocks(group_ocr_lines(level)), up_width, up_height)
        blocks = []
        for block in ordered:
            x0, y0, x1, y1 = block_bbox(block)
            # Back into the image as given: undo the levelling, then the quarter turns.
            corners = straighten([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], -angle, centre)
            original = [rotate_point_back(x, y, turns, width, height) for x, y in corners]
            bbox: BBox = (
                max(0.0, min(x for x, _ in original)) * scale,
                max(0.0, min(y for _, y in original)) * scale,
                min(float(width), max(x for x, _ in original)) * scale,
                min(float(height), max(y for _, y in original)) * scale,
            )
            blocks.append(
                RawBlock(
                    lines=[line.text for line in block],
                    page=number,
                    bbox=bbox,
                    furniture=is_furniture(block, up_width, up_height),
                )
            )
        return page, blocks


def _level(line: OcrLine, angle: float, centre: tuple[float, float]) -> TextBox:
    """The line's axis-aligned box once the page's skew is taken out."""
    points = straighten(line.quad, angle, centre)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return TextBox(line.text.strip(), (min(xs), min(ys), max(xs), max(ys)))


_default: PageReader | None = None
_default_lock = threading.Lock()


def default_page_reader() -> PageReader:
    """The process's shared page reader, so the OCR models load once per process."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PageReader()
        return _default
