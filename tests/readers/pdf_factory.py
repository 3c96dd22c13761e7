"""Build policy-notice PDFs for tests and benchmarks: Chinese text in N columns, headline, header, footer.

Text is set in reportlab's built-in CID font STSong-Light, which needs no font file and which
pypdfium2 extracts correctly. The PDF does not embed it, as many government PDFs do not embed
theirs: pdfium renders it with a system font of its choosing, whose ascent and descent set the
height of the character boxes (the reader measures gaps in font sizes, so the fonts installed do
not change what it reads). Paragraphs start with a two-character indent and no extra space, as
in Chinese official documents, and flow down column 1, then column 2, and so on.

    >>> from pathlib import Path
    >>> make_pdf(Path("/tmp/x.pdf"), [Page(["第一段。", "第二段。"], headline="通知")])  # doctest: +SKIP
    1
    >>> make_notice_pdf(Path("/tmp/y.pdf"), ["很长的段落。" * 400], title="通知", columns=2)  # doctest: +SKIP
    3
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
_NO_LINE_START = frozenset("，。、；：？！）》」』”’…—")


@dataclass(frozen=True)
class Page:
    """One page: paragraphs flowed into `columns` columns under an optional headline across them."""

    paragraphs: Sequence[str] = ()
    headline: str | None = None
    columns: int = 1
    header: str | None = None
    footer: str | None = None  # None: "- N -" when the PDF has page numbers


@dataclass(frozen=True)
class Style:
    font_size: float = 10.5
    headline_size: float = 18.0
    header_size: float = 9.0
    leading: float = 1.6  # line pitch in font sizes
    indent: int = 2  # first-line indent in characters
    paragraph_gap: float = 0.0  # extra space after a paragraph, in font sizes
    gutter: float = 2.0  # space between columns, in font sizes
    margin: float = 72.0  # points, all four sides
    page_size: tuple[float, float] = field(default=A4)


@dataclass
class _Line:
    text: str
    indent: float
    paragraph_end: bool


def make_pdf(
    path: Path,
    pages: Sequence[Page | str | Sequence[str]],
    *,
    style: Style | None = None,
    page_numbers: bool = True,
    encrypt: str | None = None,
) -> int:
    """Write one PDF page per entry; each page's paragraphs must fit on it.

    Args:
        path: the PDF to write.
        pages: a `Page`, a string (one paragraph) or a list of paragraphs per page.
        style: sizes and spacing.
        page_numbers: put "- N -" in the footer of pages without a footer of their own.
        encrypt: user password; the PDF is encrypted when given.

    Returns:
        The page count.

    Raises:
        ValueError: a page's paragraphs do not fit on it.
    """
    style = style or Style()
    canvas = _canvas(path, style, encrypt)
    for number, entry in enumerate(pages, start=1):
        page = _as_page(entry)
        top = _draw_furniture(canvas, page, number, style, page_numbers)
        top = _draw_headline(canvas, page.headline, top, style)
        queue = _wrap_all(page.paragraphs, _column_width(page.columns, style), style)
        _fill_columns(canvas, queue, page.columns, top, style)
        if queue:
            raise ValueError(
                f"page {number}: {len(queue)} lines do not fit; use make_notice_pdf to flow text"
            )
        canvas.showPage()
    canvas.save()
    return len(pages)


def make_notice_pdf(
    path: Path,
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    columns: int = 1,
    header: str | None = None,
    style: Style | None = None,
    page_numbers: bool = True,
    encrypt: str | None = None,
) -> int:
    """Flow paragraphs over as many pages as they need, the title as headline of the first page.

    Returns:
        The page count.
    """
    style = style or Style()
    canvas = _canvas(path, style, encrypt)
    queue = _wrap_all(paragraphs, _column_width(columns, style), style)
    number = 0
    while queue or number == 0:
        number += 1
        page = Page(headline=title if number == 1 else None, columns=columns, header=header)
        top = _draw_furniture(canvas, page, number, style, page_numbers)
        top = _draw_headline(canvas, page.headline, top, style)
        _fill_columns(canvas, queue, columns, top, style)
        canvas.showPage()
    canvas.save()
    return number


def _canvas(path: Path, style: Style, encrypt: str | None) -> Canvas:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    canvas = Canvas(str(path), pagesize=style.page_size, encrypt=encrypt, invariant=True)
    return canvas


def _as_page(entry: Page | str | Sequence[str]) -> Page:
    if isinstance(entry, Page):
        return entry
    if isinstance(entry, str):
        return Page([entry])
    return Page(list(entry))


def _column_width(columns: int, style: Style) -> float:
    width = style.page_size[0] - 2 * style.margin
    return (width - (columns - 1) * style.gutter * style.font_size) / columns


def _wrap_all(paragraphs: Sequence[str], width: float, style: Style) -> deque[_Line]:
    queue: deque[_Line] = deque()
    for paragraph in paragraphs:
        queue.extend(_wrap(paragraph, width, style))
    return queue


def _wrap(paragraph: str, width: float, style: Style) -> list[_Line]:
    """Break a paragraph into lines by character widths; the first line is indented."""
    size = style.font_size
    lines: list[_Line] = []
    indent = style.indent * size
    current = ""
    for char in paragraph:
        if not current or pdfmetrics.stringWidth(current + char, FONT, size) <= width - indent:
            current += char
            continue
        carried = ""
        if char in _NO_LINE_START and len(current) > 1:
            # Closing punctuation never starts a line (避头点): the character before it moves down
            # with it, so nothing hangs into the gutter. (pdfium also drops a text object made of
            # one such mark in this font.)
            current, carried = current[:-1], current[-1]
        lines.append(_Line(current, indent, False))
        current, indent = carried + char, 0.0
    lines.append(_Line(current, indent, True))
    return lines


def _draw_furniture(canvas: Canvas, page: Page, number: int, style: Style, page_numbers: bool) -> float:
    """Header and footer; returns the y (from the bottom) where the body starts."""
    width, height = style.page_size
    canvas.setFont(FONT, style.header_size)
    if page.header:
        canvas.drawCentredString(width / 2, height - 0.04 * height, page.header)
    footer = page.footer if page.footer is not None else (f"- {number} -" if page_numbers else None)
    if footer:
        canvas.drawCentredString(width / 2, 0.03 * height, footer)
    return height - style.margin


def _draw_headline(canvas: Canvas, headline: str | None, top: float, style: Style) -> float:
    if not headline:
        return top
    canvas.setFont(FONT, style.headline_size)
    canvas.drawCentredString(style.page_size[0] / 2, top - style.headline_size, headline)
    return top - style.headline_size * 2.5


def _fill_columns(canvas: Canvas, queue: deque[_Line], columns: int, top: float, style: Style) -> None:
    """Set lines from the queue down each column in turn until the page or the queue is full."""
    size = style.font_size
    pitch = size * style.leading
    width = _column_width(columns, style)
    canvas.setFont(FONT, size)
    for column in range(columns):
        x = style.margin + column * (width + style.gutter * size)
        y = top - size
        while queue and y >= style.margin:
            line = queue.popleft()
            canvas.drawString(x + line.indent, y, line.text)
            y -= pitch + (style.paragraph_gap * size if line.paragraph_end else 0.0)
