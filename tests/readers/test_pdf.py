"""Digital PDF reader on generated notices: reading order, furniture, and every way a PDF can fail."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from pipeline.errors import InputError
from pipeline.readers import RawBlock, read_document
from pipeline.readers.sniff import PDF

from .pdf_factory import FONT, Page, Style, make_notice_pdf, make_pdf

HEADLINE = "关于印发《省级中小企业发展专项资金管理办法》的通知"
PARAGRAPHS = [
    f"第{i}条　为贯彻落实省委、省政府关于支持中小企业高质量发展的决策部署，"
    f"对符合条件的企业给予最高{i * 10}万元奖励，所需资金由省级财政安排。" * (1 + i % 3)
    for i in range(1, 13)
]


def _body(blocks: list[RawBlock]) -> str:
    return "".join("".join(b.lines) for b in blocks if not b.furniture)


def test_pdf_single_column_notice_over_pages(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    paragraphs = PARAGRAPHS * 3
    count = make_notice_pdf(path, paragraphs, title=HEADLINE)
    doc = read_document(path)
    assert count > 1
    assert doc.media_type == PDF
    assert [p.number for p in doc.pages] == list(range(1, count + 1))
    assert all(p.width == pytest.approx(595.28, abs=0.01) and not p.ocr for p in doc.pages)
    assert _body(doc.blocks) == (HEADLINE + "".join(paragraphs)).replace("　", "")
    footers = [b for b in doc.blocks if b.furniture]
    assert [b.lines for b in footers] == [[f"- {n} -"] for n in range(1, count + 1)]
    assert [b.page for b in footers] == list(range(1, count + 1))


def test_pdf_blocks_are_paragraphs_with_boxes(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    make_pdf(path, [Page(PARAGRAPHS[:4], headline=HEADLINE)])
    blocks = [b for b in read_document(path).blocks if not b.furniture]
    assert ["".join(b.lines) for b in blocks] == [HEADLINE] + [p.replace("　", "") for p in PARAGRAPHS[:4]]
    for block in blocks:
        assert block.page == 1
        assert block.bbox is not None
        x0, y0, x1, y1 = block.bbox
        assert 0 <= x0 < x1 <= 595.3 and 0 <= y0 < y1 <= 841.9
    tops = [b.bbox[1] for b in blocks if b.bbox]
    assert tops == sorted(tops)  # top-left origin: reading down means growing y


@pytest.mark.parametrize("gutter", [1.2, 2.0, 4.0])
def test_pdf_newspaper_three_columns(tmp_path: Path, gutter: float) -> None:
    path = tmp_path / "paper.pdf"
    page = Page(PARAGRAPHS[:9], headline=HEADLINE, columns=3, header="山西日报 2024年3月1日 第3版")
    make_pdf(path, [page], style=Style(gutter=gutter))
    doc = read_document(path)
    body = [b for b in doc.blocks if not b.furniture]
    assert _body(doc.blocks) == (HEADLINE + "".join(PARAGRAPHS[:9])).replace("　", "")
    assert body[0].lines == [HEADLINE]
    lefts = sorted({round(b.bbox[0]) for b in body[1:] if b.bbox})
    assert len([x for x in lefts if x < 200]) and len([x for x in lefts if x > 380])  # three columns seen
    furniture = [b.lines for b in doc.blocks if b.furniture]
    assert furniture == [["山西日报 2024年3月1日第3版"], ["- 1 -"]]  # no space between CJK characters
    assert doc.blocks[-1].furniture  # the footer comes last


def test_pdf_gaps_measured_in_font_size_times_text_matrix(tmp_path: Path) -> None:
    # Text set at size 1 in a text matrix scaled 10.5 (common in generated PDFs). In a lone row a
    # 2-em gap stays inside the line and a 3.2-em gap splits it (the hard split is 3 em), whatever
    # font pdfium substitutes for the non-embedded STSong-Light: box heights follow that font (with
    # Noto CJK installed they are 1.1 em, and 3.2 em < 3 x 1.1 em), font sizes do not.
    path = tmp_path / "scaled.pdf"
    canvas = Canvas(str(path))
    canvas.setFont(FONT, 1)  # registers the font with the canvas
    for x, y, text in [
        (72, 700, "附件："),
        (72 + 5 * 10.5, 700, "申报表"),
        (72, 600, "标题"),
        (72 + 5.2 * 10.5, 600, "第3版"),
    ]:
        run = canvas.beginText()
        run.setFont(FONT, 1)
        run.setTextTransform(10.5, 0, 0, 10.5, x, y)
        run.textOut(text)
        canvas.drawText(run)
    canvas.showPage()
    canvas.save()
    lines = [line for block in read_document(path).blocks for line in block.lines]
    assert lines == ["附件：申报表", "标题", "第3版"]


def test_pdf_latin_words_keep_their_spaces(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    make_pdf(path, [Page(["依据 GB/T 9704-2012 Layout key elements 执行，补贴100万元。"])])
    assert read_document(path).blocks[0].lines == [
        "依据 GB/T 9704-2012 Layout key elements 执行，补贴100万元。"
    ]


def test_pdf_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    make_pdf(path, [Page(PARAGRAPHS[:1])], encrypt="secret")
    with pytest.raises(InputError, match=r"^notice\.pdf: encrypted PDF \(password required\)$"):
        read_document(path)


def test_pdf_truncated(tmp_path: Path) -> None:
    full = tmp_path / "full.pdf"
    make_pdf(full, [Page(PARAGRAPHS[:3])])
    data = full.read_bytes()
    path = tmp_path / "x.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"^x\.pdf: truncated or corrupt PDF \(.+\)$"):
        read_document(path)


def test_pdf_without_pages(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    document = pdfium.PdfDocument.new()
    document.save(buffer)
    document.close()
    path = tmp_path / "empty.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match=r"^empty\.pdf: PDF has no pages$"):
        read_document(path)


def test_pdf_pages_without_text_layer_go_to_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    canvas = Canvas(str(path))
    canvas.rect(72, 72, 300, 500, fill=1)
    canvas.showPage()
    canvas.rect(100, 100, 50, 50)
    canvas.showPage()
    canvas.save()
    doc = read_document(path)  # shapes only: OCR reads both pages and finds no text
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, True), (2, True)]
    assert doc.blocks == []


def test_pdf_page_without_text_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    make_pdf(path, [Page(PARAGRAPHS[:1]), Page(footer="")], page_numbers=False)
    doc = read_document(path)
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, False), (2, True)]
    assert {b.page for b in doc.blocks} == {1}
