"""DOCX reader: paragraphs and tables in document order, furniture last, corrupt input rejected."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from pipeline.errors import InputError
from pipeline.readers import read_document
from pipeline.readers.sniff import DOCX


def _notice(path: Path) -> Path:
    document = Document()
    document.add_heading("关于印发《专项资金管理办法》的通知", level=1)
    document.add_paragraph("各市、县人民政府：")
    document.add_paragraph("")  # empty paragraphs are dropped
    table = document.add_table(rows=3, cols=3)
    values_by_row = [["类别", "标准", "上限"], ["国家级", "50万元", ""], ["省级", "30万元", ""]]
    for row, values in zip(table.rows, values_by_row, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    table.cell(1, 2).merge(table.cell(2, 2)).text = "100万元"  # vertical merge
    merged = table.cell(0, 1).merge(table.cell(0, 2))  # horizontal merge
    merged.text = "标准及上限"
    run = document.add_paragraph("第一行").add_run()
    run.add_break()
    run.add_text("第二行")
    document.add_paragraph("特此通知。")
    document.sections[0].header.paragraphs[0].text = "山西省人民政府办公厅"
    document.sections[0].footer.paragraphs[0].text = "- 1 -"
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    doc = read_document(_notice(tmp_path / "notice.docx"))
    assert doc.media_type == DOCX
    assert doc.pages == []
    assert [(b.lines, b.furniture) for b in doc.blocks] == [
        (["关于印发《专项资金管理办法》的通知"], False),
        (["各市、县人民政府："], False),
        (["类别\t标准及上限"], False),
        (["国家级\t50万元\t100万元"], False),
        (["省级\t30万元\t"], False),
        (["第一行", "第二行"], False),
        (["特此通知。"], False),
        (["山西省人民政府办公厅"], True),
        (["- 1 -"], True),
    ]


def test_docx_nested_table_flattened_into_cell(tmp_path: Path) -> None:
    document = Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "附件"
    inner = outer.cell(0, 1).add_table(rows=2, cols=1)
    inner.cell(0, 0).text = "甲"
    inner.cell(1, 0).text = "乙"
    path = tmp_path / "nested.docx"
    document.save(str(path))
    assert [b.lines for b in read_document(path).blocks] == [["附件\t甲 乙"]]


def test_docx_truncated_is_corrupt(tmp_path: Path) -> None:
    data = _notice(tmp_path / "full.docx").read_bytes()
    path = tmp_path / "broken.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"^broken\.docx: corrupt DOCX \("):
        read_document(path)


def test_docx_zip_without_word_part(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "通知")
    path = tmp_path / "fake.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(
        InputError,
        match=r"^fake\.docx: content is a zip archive without word/document\.xml, not DOCX "
        r"\(file name says \.docx\)$",
    ):
        read_document(path)


def test_docx_legacy_doc_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(InputError, match=r"^old\.docx: content is an OLE compound file"):
        read_document(path)


def test_docx_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    Document().save(str(path))
    with pytest.raises(InputError, match=r"^blank\.docx: DOCX has no text$"):
        read_document(path)
