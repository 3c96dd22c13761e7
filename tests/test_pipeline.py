"""End to end: the same notice as text, Word and digital PDF (1 to 3 columns) yields the same measures."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from pipeline.document import PolicyDocument
from pipeline.run import Pipeline
from tests.readers.pdf_factory import make_notice_pdf
from tests.shared_data import SEED_TEXT

SAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "samples" / "sample_notice.txt"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _terms(doc: PolicyDocument) -> list[tuple[object, ...]]:
    """What an applicant is told: each measure's numeric conditions and benefits."""
    return [
        (
            tuple((c.metric, c.op, c.value, c.unit) for c in m.conditions if c.value is not None),
            tuple(b.model_dump(exclude={"start", "end"}).items() for b in m.benefits).__repr__(),
        )
        for m in doc.measures
    ]


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_pipeline_pdf_columns_read_like_the_text(pipeline: Pipeline, tmp_path: Path, columns: int) -> None:
    paragraphs = SAMPLE.read_text(encoding="utf-8").splitlines()
    pdf = tmp_path / "notice.pdf"
    pages = make_notice_pdf(
        pdf, paragraphs[1:], title=paragraphs[0], columns=columns, header="明湖市人民政府公报"
    )
    from_pdf = pipeline.process_path(pdf)
    from_text = pipeline.process_path(SAMPLE)
    assert from_pdf.source.pages == pages and from_pdf.source.media_type == "application/pdf"
    assert len(from_text.measures) >= 15
    assert _terms(from_pdf) == _terms(from_text)
    assert "明湖市人民政府公报" not in from_pdf.text, "page headers are furniture, not body text"


def test_pipeline_pdf_blocks_map_offsets_to_boxes(pipeline: Pipeline, tmp_path: Path) -> None:
    paragraphs = SAMPLE.read_text(encoding="utf-8").splitlines()
    pdf = tmp_path / "notice.pdf"
    make_notice_pdf(pdf, paragraphs, columns=2)
    doc = pipeline.process_path(pdf)
    blocks = [(page, b) for page in doc.pages for b in page.blocks]
    assert blocks
    for page, block in blocks:
        x0, y0, x1, y1 = block.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    # Every measure's evidence lies in some block of some page.
    for m in doc.measures:
        assert any(b.start <= m.benefits[0].start < b.end for _, b in blocks)


def test_pipeline_docx_reads_like_the_text(pipeline: Pipeline, tmp_path: Path) -> None:
    document = docx.Document()
    for paragraph in SAMPLE.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(paragraph)
    path = tmp_path / "notice.docx"
    document.save(str(path))
    assert _terms(pipeline.process_path(path)) == _terms(pipeline.process_path(SAMPLE))


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="../shared/seed is not beside this checkout")
def test_pipeline_seed_as_three_column_pdf(pipeline: Pipeline, tmp_path: Path) -> None:
    from_text = pipeline.process_path(SEED_TEXT)
    pdf = tmp_path / "seed.pdf"
    make_notice_pdf(pdf, from_text.text.splitlines(), columns=3)
    assert _terms(pipeline.process_path(pdf)) == _terms(from_text)


def test_pipeline_pipe_yields_documents_in_input_order(pipeline: Pipeline, tmp_path: Path) -> None:
    paths = []
    for n in (300, 700, 500):
        path = tmp_path / f"n{n}.txt"
        path.write_text(f"对营业收入超过{n}万元的企业，给予最高50万元奖励。", encoding="utf-8")
        paths.append(path)
    docs = list(pipeline.pipe(paths))
    assert [d.source.name for d in docs] == ["n300.txt", "n700.txt", "n500.txt"]
    assert [d.measures[0].conditions[0].value for d in docs] == [3e6, 7e6, 5e6]
