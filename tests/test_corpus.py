"""The corpus: annotated notices compile, the built files are current, splits are by document."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus import CorpusRecord, read_jsonl
from pipeline.corpus.build import SPLITS, build, load_notices
from pipeline.corpus.convert import document_to_records, record_to_markup, records_to_document
from pipeline.corpus.markup import parse_notice, parse_paragraph
from pipeline.errors import InputError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_corpus_builds_and_committed_files_are_current(tmp_path: Path) -> None:
    (tmp_path / "src").symlink_to(CORPUS / "src")
    stats = build(tmp_path)
    for split in SPLITS:
        built = (tmp_path / f"{split}.jsonl").read_text(encoding="utf-8")
        assert built == (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8"), (
            f"corpus/{split}.jsonl is stale: run `python -m pipeline.corpus.build`"
        )
    assert stats["test"]["documents"] >= 15 and stats["train"]["documents"] >= 50
    assert sum(s["clauses"] for s in stats.values()) >= 1500


def test_corpus_splits_are_by_document() -> None:
    docs = {split: {r.doc for r in read_jsonl(CORPUS / f"{split}.jsonl")} for split in SPLITS}
    assert (
        not docs["train"] & docs["test"]
        and not docs["train"] & docs["dev"]
        and not docs["dev"] & docs["test"]
    )


def test_corpus_markup_round_trips_through_documents() -> None:
    notice = load_notices(CORPUS)[0]
    doc = records_to_document(notice.doc, notice.records)
    again = document_to_records(notice.doc, doc)
    assert [(r.text, len(r.spans), len(r.relations)) for r in again] == [
        (r.text, len(r.spans), len(r.relations)) for r in notice.records
    ]
    line = record_to_markup(notice.records[5]).split("\n")[0]
    reparsed = parse_paragraph(line, record_id="x#1", doc="x", where="test")
    assert reparsed.text == notice.records[5].text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# split: train\n对[500万元]{MONEY#a}的\n", "unknown entity label"),
        ("# split: train\n[奖励]{BENEFIT_KIND#k}[1%]{RATE#r}\n@ r HAS_RATE k\n", "not an allowed relation"),
        ("# split: train\n[奖励]{BENEFIT_KIND#k}\n@ k HAS_RATE z\n", "lacks"),
        ("# split: somewhere\n奖励\n", "split"),
        ("# split: train\n@ a HAS_RATE b\n", "before any paragraph"),
        ("# split: train\n对[企业]{BENEFICIARY#a}给予[奖励]{BENEFIT_KIND#a}\n", "bad.ann:2: .*used twice"),
    ],
)
def test_corpus_markup_errors_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.ann"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        parse_notice(path)


def test_corpus_record_rejects_misaligned_spans() -> None:
    with pytest.raises(ValueError, match="does not match"):
        CorpusRecord.model_validate(
            {
                "id": "a#1",
                "doc": "a",
                "text": "给予奖励",
                "spans": [{"id": "s", "start": 0, "end": 2, "label": "CAP", "text": "奖励"}],
            }
        )
