"""Export: Label Studio tasks with predictions, doccano lines, review pages, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.document import Entity, Metadata, PolicyDocument, Source
from pipeline.measures_view import measure_rows
from pipeline.review.export import doccano_line, document_key, label_studio_task, prediction_score
from pipeline.review.html import review_page
from tests.review.conftest import predicted_document, write_results


def test_export_label_studio_task_carries_the_extraction(gold_documents: list[PolicyDocument]) -> None:
    doc = predicted_document(gold_documents[0])
    task = label_studio_task(doc, model_version="patterns-1")
    assert task["data"]["text"] == doc.text and task["data"]["doc"] == document_key(doc)
    assert task["data"]["source"] == doc.source.name
    [prediction] = task["predictions"]
    assert prediction["model_version"] == "patterns-1"
    assert prediction["score"] == pytest.approx(prediction_score(doc))
    regions = [r for r in prediction["result"] if r["type"] == "labels"]
    relations = [r for r in prediction["result"] if r["type"] == "relation"]
    assert len(regions) == len(doc.entities) and len(relations) == len(doc.relations)
    ids = [r["id"] for r in regions]
    assert len(set(ids)) == len(ids)
    for region in regions:
        value = region["value"]
        assert doc.text[value["start"] : value["end"]] == value["text"]
        assert region["from_name"] == "label" and region["to_name"] == "text"
        assert len(value["labels"]) == 1
    for relation in relations:
        assert {relation["from_id"], relation["to_id"]} <= set(ids)
        assert relation["direction"] == "right" and len(relation["labels"]) == 1


def test_export_doccano_line_numbers_entities(gold_documents: list[PolicyDocument]) -> None:
    doc = gold_documents[1]
    line = doccano_line(doc)
    assert line["text"] == doc.text and line["doc"] == document_key(doc)
    by_id = {e["id"]: e for e in line["entities"]}
    assert sorted(by_id) == list(range(1, len(doc.entities) + 1))
    spans = {(e["start_offset"], e["end_offset"], e["label"]) for e in line["entities"]}
    assert spans == {(e.start, e.end, e.label) for e in doc.entities}
    entity = {e.id: e for e in doc.entities}
    relations = {
        ((by_id[r["from_id"]]["start_offset"]), (by_id[r["to_id"]]["start_offset"]), r["type"])
        for r in line["relations"]
    }
    assert relations == {(entity[r.head].start, entity[r.tail].start, r.label) for r in doc.relations}


def test_export_score_is_mean_confidence_and_zero_without_extraction() -> None:
    source = Source(name="n.txt", sha256="0" * 64, media_type="text/plain")
    empty = PolicyDocument(source=source, text="各有关单位：")
    assert prediction_score(empty) == 0.0
    doc = PolicyDocument(
        source=source,
        text="给予奖励50万元",
        entities=[
            Entity(id="a", label="BENEFIT_KIND", start=2, end=4, text="奖励", score=0.9),
            Entity(id="b", label="AMOUNT", start=4, end=8, text="50万元", score=0.5),
        ],
    )
    assert prediction_score(doc) == pytest.approx(0.7)


def test_export_review_page_highlights_entities_beside_measures(gold_documents: list[PolicyDocument]) -> None:
    doc = gold_documents[0].model_copy(update={"metadata": Metadata(title="<script>alert(1)</script>通知")})
    page = review_page(doc, doc_id="d1")
    assert page.count("<mark") == len(doc.entities)
    assert page.count("<tr>") == len(measure_rows(doc)) + 1  # the header row
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert measure_rows(doc) and measure_rows(doc)[0][1] in page


def test_export_review_page_lists_nested_spans() -> None:
    source = Source(name="n.txt", sha256="0" * 64, media_type="text/plain")
    doc = PolicyDocument(
        source=source,
        text="对评价结果为优秀、良好的给予奖励",
        entities=[
            Entity(id="outer", label="CONDITION", start=1, end=11, text="评价结果为优秀、良好"),
            Entity(id="inner", label="CONDITION", start=9, end=11, text="良好"),
        ],
    )
    page = review_page(doc, doc_id="n")
    assert page.count("<mark") == 1
    assert "Nested inside another span" in page and "inner" in page


def test_export_command_writes_tasks_and_pages(gold_documents: list[PolicyDocument], tmp_path: Path) -> None:
    results = write_results(gold_documents, tmp_path / "results")
    out = tmp_path / "tasks.json"
    args = ["labels", "export", *map(str, results), "-o", str(out), "--html", str(tmp_path / "html")]
    result = CliRunner().invoke(main, [*args, "--model-version", "gold"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc"] for t in tasks] == [document_key(d) for d in gold_documents]
    assert {t["predictions"][0]["model_version"] for t in tasks} == {"gold"}
    pages = sorted(p.name for p in (tmp_path / "html").iterdir())
    assert pages == sorted(f"{document_key(d)}.html" for d in gold_documents)

    doccano = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(
        main, ["labels", "export", *map(str, results), "-o", str(doccano), "--format", "doccano"]
    )
    assert result.exit_code == 0, result.output
    lines = doccano.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["doc"] for line in lines] == [document_key(d) for d in gold_documents]


def test_export_command_bad_result_writes_nothing(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    results = write_results(gold_documents, tmp_path / "results")
    broken = tmp_path / "results" / "broken.json"
    broken.write_text('{"schema_version": "1", "source": {"name": "x"', encoding="utf-8")
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(main, ["labels", "export", *map(str, results), str(broken), "-o", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "broken.json: not a zhengce document" in errors[0]
    assert not out.exists()
