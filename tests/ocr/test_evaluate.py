"""The OCR measures: CER with and without width folding, OmniDocBench's reading-order edit distance."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ocr.evaluate import (
    STORY_LIST,
    char_errors,
    generated_pages,
    normalise,
    reading_order_edit,
    story_files,
)
from pipeline.ocr.synthetic import Fonts

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

BLOCKS = ["资源禀赋独特", "第一段讲算力产业的基础。", "第二段讲人工智能的应用。", "第三段讲保障措施和要素。"]


def test_evaluate_normalise_drops_whitespace_and_folds_width() -> None:
    assert normalise("最高 １０００万元，\n补贴", fold_width=True) == "最高1000万元,补贴"
    assert normalise("最高 １０００万元，\n补贴", fold_width=False) == "最高１０００万元，补贴"


def test_evaluate_char_errors_counts_width_only_when_asked() -> None:
    assert char_errors("最高1000万元,补贴", "最高１０００万元，补贴", fold_width=True) == (0, 11)
    assert char_errors("最高1000万元,补贴", "最高１０００万元，补贴", fold_width=False) == (5, 11)
    # A dash read as the character 一 is an error either way.
    assert char_errors("一一解读", "——解读", fold_width=True)[0] == 2


def test_evaluate_reading_order_perfect_and_empty() -> None:
    assert reading_order_edit(BLOCKS, BLOCKS) == 0.0
    assert reading_order_edit([], []) is None


def test_evaluate_reading_order_swapped_blocks() -> None:
    swapped = [BLOCKS[0], BLOCKS[2], BLOCKS[1], BLOCKS[3]]
    assert reading_order_edit(BLOCKS, swapped) == pytest.approx(2 / 4)


def test_evaluate_reading_order_missing_block_costs_one_edit() -> None:
    assert reading_order_edit(BLOCKS, [BLOCKS[0], BLOCKS[1], BLOCKS[3]]) == pytest.approx(1 / 4)


def test_evaluate_reading_order_split_and_merged_blocks_are_matched() -> None:
    # OCR cut the second block in two and merged the last two: still the right order.
    cut = [BLOCKS[0], BLOCKS[1][:5], BLOCKS[1][5:], BLOCKS[2] + BLOCKS[3]]
    assert reading_order_edit(BLOCKS, cut) == 0.0


def test_evaluate_reading_order_survives_ocr_errors() -> None:
    noisy = [BLOCKS[0], BLOCKS[2].replace("人工", "入工"), BLOCKS[1].replace("。", "."), BLOCKS[3]]
    assert reading_order_edit(BLOCKS, noisy) == pytest.approx(2 / 4)


def test_evaluate_generated_pages_only_picks_pages_of_the_sequence(fonts: Fonts) -> None:
    del fonts  # the generator finds them; the fixture skips when they are missing
    pages = list(generated_pages(CORPUS, seed=1, count=30, only={5, 2}))
    assert [page.truth.name for page in pages] == ["synthetic-1-002", "synthetic-1-005"]


def test_generated_pages_draw_on_the_frozen_story_list(tmp_path: Path) -> None:
    notices = tmp_path / "notices"
    notices.mkdir()
    for doc in ("a", "b", "c"):
        (notices / f"{doc}.txt").write_text(doc, encoding="utf-8")
    assert [f.stem for f in story_files(tmp_path)] == ["a", "b", "c"]
    (tmp_path / STORY_LIST).write_text("# comment\nc\na\n", encoding="utf-8")
    assert [f.stem for f in story_files(tmp_path)] == ["c", "a"]
    (tmp_path / STORY_LIST).write_text("a\nmissing\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="missing"):
        story_files(tmp_path)


def test_the_corpus_story_list_names_built_notices() -> None:
    assert len(story_files(CORPUS)) == len(set(story_files(CORPUS))) > 100
