"""DOCX reader: body paragraphs and tables in document order, then headers and footers as furniture.

Each non-empty paragraph is one block, split into lines at its soft line breaks. Each table row is
one block of one line: its cells joined by a tab, each merged cell once (horizontally merged cells are
one `w:tc`; a vertically merged continuation cell is empty). A cell's paragraphs and nested tables
are flattened into the cell's text, joined by spaces. Content controls (`w:sdt`) are read through.
Section headers and footers come last, as blocks with `furniture=True`, each distinct text once.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from pipeline.errors import InputError
from pipeline.readers.base import RawBlock, RawDocument
from pipeline.readers.sniff import DOCX

__all__ = ["DocxReader"]

_log = logging.getLogger(__name__)

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC = qn("w:tr"), qn("w:tc")


class DocxReader:
    """Reads Word 2007+ documents with python-docx."""

    media_types: tuple[str, ...] = (DOCX,)

    def read(self, path: Path, data: bytes | None = None) -> RawDocument:
        """Read a DOCX file into blocks in document order.

        Raises:
            InputError: not a readable DOCX, or no text in it.
        """
        source: Any = io.BytesIO(data) if data is not None else str(path)
        try:
            document = Document(source)
        except (zipfile.BadZipFile, PackageNotFoundError) as exc:
            raise InputError(f"{path.name}: corrupt DOCX (not a readable zip archive: {exc})") from exc
        except KeyError as exc:
            raise InputError(f"{path.name}: corrupt DOCX (missing part {exc})") from exc
        except (etree.XMLSyntaxError, ValueError, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise InputError(f"{path.name}: corrupt DOCX ({type(exc).__name__}: {exc})") from exc

        blocks = list(_body_blocks(document.element.body, document))
        if not blocks:
            raise InputError(f"{path.name}: DOCX has no text")
        blocks.extend(_furniture_blocks(document))
        return RawDocument(media_type=DOCX, pages=[], blocks=blocks)


def _body_blocks(container: Any, parent: Any) -> Iterator[RawBlock]:
    """Blocks of a body, header, footer or table cell, in document order."""
    for child in container.iterchildren():
        yield from _element_blocks(child, parent)


def _element_blocks(element: Any, parent: Any) -> Iterator[RawBlock]:
    if element.tag == _P:
        lines = [line for line in Paragraph(element, parent).text.split("\n") if line.strip()]
        if lines:
            yield RawBlock(lines=lines)
    elif element.tag == _TBL:
        for row in element.iterchildren(_TR):
            cells = [_cell_text(tc, parent) for tc in row.iterchildren(_TC)]
            if any(cells):
                yield RawBlock(lines=["\t".join(cells)])
    elif element.tag == _SDT:
        for content in element.iterchildren(_SDT_CONTENT):
            yield from _body_blocks(content, parent)


def _cell_text(tc: Any, parent: Any) -> str:
    """A cell's text on one line: paragraphs, line breaks and nested tables joined by spaces."""
    parts = [" ".join(block.lines) for block in _body_blocks(tc, parent)]
    return " ".join(part.replace("\t", " ") for part in parts)


def _furniture_blocks(document: Any) -> Iterator[RawBlock]:
    seen: set[str] = set()
    for section in document.sections:
        parts = (
            section.header,
            section.first_page_header,
            section.even_page_header,
            section.footer,
            section.first_page_footer,
            section.even_page_footer,
        )
        for part in parts:
            if part.is_linked_to_previous:  # no definition of its own: shown elsewhere already
                continue
            for block in _body_blocks(part._element, part):
                key = "\n".join(block.lines)
                if key not in seen:
                    seen.add(key)
                    yield block.model_copy(update={"furniture": True})
