"""Image reader: PNG, JPEG and (multi-page) TIFF scans through OCR, one page at a time.

Each page is decoded only when its turn comes and released before the next, after its size was
checked against the pixel limit from the header (`pipeline.ocr.prepare.open_pages`); the OCR
models load once per process (`pipeline.ocr.page.default_page_reader`). Progress goes to the log
(INFO, one line per page) and to `on_page` when given.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.ocr.prepare import open_pages
from pipeline.readers.base import RawBlock, RawDocument, RawPage
from pipeline.readers.scan import PageProgress, ScanReader
from pipeline.readers.sniff import JPEG, PNG, TIFF, sniff

if TYPE_CHECKING:
    pass

__all__ = ["ImageReader", "PageProgress"]

_log = logging.getLogger(__name__)


class ImageReader(ScanReader):
    """Reads scanned pages from image files by OCR."""

    media_types: tuple[str, ...] = (PNG, JPEG, TIFF)

    def read(self, path: Path, data: bytes | None = None) -> RawDocument:
        """OCR every page of the image into blocks in reading order.

        Raises:
            InputError: corrupt or truncated image, or a page over the pixel limit.
        """
        if data is None:
            data = path.read_bytes()
        name = path.name
        pages: list[RawPage] = []
        blocks: list[RawBlock] = []
        for number, image in enumerate(open_pages(data, name=name), start=1):
            try:
                page, page_blocks = self.page_reader.read(image, number=number)
            finally:
                image.close()
            pages.append(page)
            blocks.extend(page_blocks)
            _log.info("%s: page %d read by OCR (%d blocks)", name, number, len(page_blocks))
            if self.on_page:
                self.on_page(name, number, None)
        if not blocks:
            _log.warning("%s: no text found on any page", name)
        return RawDocument(media_type=sniff(data[:8192]), pages=pages, blocks=blocks)
