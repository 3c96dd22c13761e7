"""What the readers of scanned pages (images, PDF pages without text) share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.ocr import page as ocr_page

if TYPE_CHECKING:
    from pipeline.ocr.page import PageReader

# Called after each page with the file name, the page number and the page count (None when unknown).
PageProgress = Callable[[str, int, int | None], None]


class ScanReader:
    """A reader that OCRs pages: its page reader (the process's shared one unless given, whose OCR
    models load on first use) and a progress callback."""

    def __init__(self, page_reader: PageReader | None = None, *, on_page: PageProgress | None = None) -> None:
        self._page_reader = page_reader
        self.on_page = on_page

    @property
    def page_reader(self) -> PageReader:
        return self._page_reader or ocr_page.default_page_reader()
