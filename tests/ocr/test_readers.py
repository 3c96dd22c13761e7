"""Scans through `read_document` and `zhengce ingest`: images, image-only and mixed PDFs, bad inputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from pipeline.cli import main
from pipeline.normalize.text_repair import repair
from pipeline.ocr.engine import OcrOptions
from pipeline.ocr.evaluate import normalise
from pipeline.ocr.page import PageReader
from pipeline.ocr.synthetic import Fonts
from pipeline.readers.base import RawDocument
from pipeline.readers.image import ImageReader
from pipeline.readers.pdf import PdfReader
from pipeline.run import Pipeline
from tests.ocr.conftest import LEFT, RIGHT, two_column_page
from tests.ocr.test_prepare import png_header_only
from tests.readers.pdf_factory import make_notice_pdf

HEADLINE = "关于支持企业发展的通知"
EXPECTED = normalise(HEADLINE + "".join(LEFT) + "".join(RIGHT), fold_width=True)


def _body(raw: RawDocument) -> str:
    text, _ = repair(raw)
    return normalise(text, fold_width=True)


def test_image_two_columns_read_in_order_with_boxes(
    tmp_path: Path, fonts: Fonts, page_reader: PageReader
) -> None:
    path = tmp_path / "scan.png"
    two_column_page(fonts).save(path)
    raw = ImageReader(page_reader).read(path)
    assert raw.media_type == "image/png"
    assert _body(raw) == EXPECTED
    text, pages = repair(raw)
    assert [(p.number, p.width, p.height, p.ocr) for p in pages] == [(1, 1000, 560, True)]
    for block in pages[0].blocks:
        x0, y0, x1, y1 = block.bbox
        assert 0 <= x0 < x1 <= 1000 and 0 <= y0 < y1 <= 560
        assert text[block.start : block.end].strip()
    # The right column's box lies right of the left column's.
    lefts = [b.bbox[0] for b in pages[0].blocks]
    assert max(lefts) > 500 > min(lefts)


@pytest.mark.parametrize("angle", [90, -90, 180])
def test_image_turned_page_reads_correctly(
    tmp_path: Path, fonts: Fonts, page_reader: PageReader, angle: int
) -> None:
    path = tmp_path / "turned.jpg"
    two_column_page(fonts).rotate(angle, expand=True).save(path, quality=90)
    raw = ImageReader(page_reader).read(path)
    assert _body(raw) == EXPECTED
    page = raw.pages[0]
    # Boxes stay in the coordinates of the image as given.
    assert (page.width, page.height) == ((560, 1000) if angle % 180 else (1000, 560))
    assert all(
        b.bbox is not None and b.bbox[2] <= page.width and b.bbox[3] <= page.height for b in raw.blocks
    )


def test_image_blank_page_gives_an_empty_document(tmp_path: Path, page_reader: PageReader) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGB", (800, 600), "white").save(path)
    raw = ImageReader(page_reader).read(path)
    assert raw.blocks == [] and [p.ocr for p in raw.pages] == [True]
    doc = Pipeline(extractor="patterns").process_raw(raw, name="blank.png", sha256="0" * 64)
    assert doc.text == "" and doc.measures == []


def test_pdf_mixed_ocr_only_the_page_without_text(
    tmp_path: Path, fonts: Fonts, page_reader: PageReader
) -> None:
    digital, scanned, mixed = tmp_path / "digital.pdf", tmp_path / "scanned.pdf", tmp_path / "mixed.pdf"
    make_notice_pdf(digital, ["对上一年度营业收入超过500万元的企业，给予最高200万元奖励。"], title="通知")
    two_column_page(fonts).save(scanned, resolution=150)
    document = pdfium.PdfDocument(digital)
    document.import_pages(pdfium.PdfDocument(scanned))
    document.save(mixed)
    document.close()
    raw = PdfReader(page_reader).read(mixed)
    assert [p.ocr for p in raw.pages] == [False, True]
    second = raw.pages[1]
    assert second.width == pytest.approx(1000 * 72 / 150) and second.height == pytest.approx(560 * 72 / 150)
    scanned_blocks = [b for b in raw.blocks if b.page == 2]
    assert normalise("".join("".join(b.lines) for b in scanned_blocks), fold_width=True) == EXPECTED
    # Boxes of the OCR page are in points, like the text page's.
    assert all(b.bbox is not None and b.bbox[2] <= second.width + 0.01 for b in scanned_blocks)


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * 4096


@pytest.mark.slow
def test_pdf_fifty_image_pages_progress_and_bounded_memory(tmp_path: Path, fonts: Fonts) -> None:
    pages = []
    for number in range(1, 51):
        image = Image.new("L", (600, 300), 255)
        ImageDraw.Draw(image).text((40, 110), f"第{number}页 给予奖励", font=fonts.body(48), fill=0)
        pages.append(image)
    path = tmp_path / "fifty.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=72)
    del pages
    seen: list[tuple[int, int | None]] = []
    memory: dict[int, int] = {}

    def progress(name: str, number: int, count: int | None) -> None:
        seen.append((number, count))
        memory[number] = _rss_bytes()

    # A small detector size keeps this quick; the paging is what is under test.
    reader = PdfReader(PageReader(options=OcrOptions(max_side_len=960)), on_page=progress)
    raw = reader.read(path)
    assert seen == [(n, 50) for n in range(1, 51)]
    assert all(p.ocr for p in raw.pages) and len(raw.pages) == 50
    texts = ["".join(b.lines) for b in raw.blocks]
    assert len(texts) == 50 and all(f"第{n}页" in t for n, t in zip(range(1, 51), texts, strict=True))
    # Pages are rendered, read and released one at a time: no growth with the page count.
    assert memory[50] - memory[10] < 64 * 1024 * 1024


def test_ingest_batch_of_scans_goes_on_past_bad_ones(tmp_path: Path, fonts: Fonts) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    two_column_page(fonts).save(folder / "good.png")
    Image.new("RGB", (640, 480), "white").save(folder / "blank.png")
    (folder / "huge.png").write_bytes(png_header_only(20000, 20000))
    buffer = io.BytesIO()
    two_column_page(fonts).save(buffer, format="JPEG")
    (folder / "cut.jpg").write_bytes(buffer.getvalue()[:3000])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", "--extractor", "patterns", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    records = {Path(r["input"]).name: r for r in map(json.loads, lines)}
    assert {name for name, r in records.items() if r["status"] == "ok"} == {"good.png", "blank.png"}
    assert "huge.png: image too large" in records["huge.png"]["error"]
    assert "cut.jpg: truncated or corrupt image" in records["cut.jpg"]["error"]
    good = json.loads((out / "good.png.json").read_text(encoding="utf-8"))
    assert good["pages"][0]["ocr"] is True and good["measures"]
    assert good["measures"][0]["benefits"][0]["cap"] == 2_000_000
    assert "Traceback" not in result.stderr
