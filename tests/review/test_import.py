"""Import: Label Studio full JSON exports and doccano JSONL into corpus records, validated, with
provenance; duplicates dropped, conflicts reported, bad tasks named one per line, nothing partial."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.corpus import read_jsonl
from pipeline.corpus.convert import document_to_records
from pipeline.document import PolicyDocument
from pipeline.review.export import doccano_line, document_key, label_studio_task
from pipeline.review.importer import read_export
from tests.review.conftest import annotation_of, as_project_export, predicted_document, write_json

Task = dict[str, Any]


def _expected(documents: list[PolicyDocument]) -> list[tuple[object, ...]]:
    return [row for doc in documents for row in annotation_of(document_to_records(document_key(doc), doc))]


def _export(documents: list[PolicyDocument]) -> list[Task]:
    return as_project_export([label_studio_task(d, model_version="m") for d in documents])


def _import(path: Path, out: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["labels", "import", str(path), "-o", str(out), *args])


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("kind", ["gold", "predicted"])
def test_import_label_studio_export_without_edits_is_lossless(
    gold_documents: list[PolicyDocument], tmp_path: Path, kind: str
) -> None:
    documents = gold_documents if kind == "gold" else [predicted_document(d) for d in gold_documents]
    export = write_json(tmp_path / "project-1.json", _export(documents))
    report = read_export(export)
    assert report.errors == [] and report.conflicts == []
    assert annotation_of(report.records) == _expected(documents)


def test_import_doccano_without_edits_is_lossless(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    export = tmp_path / "reviewer-li.jsonl"
    lines = [json.dumps(doccano_line(d), ensure_ascii=False) for d in gold_documents]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_export(export)
    assert report.errors == []
    assert annotation_of(report.records) == _expected(gold_documents)
    assert {r.meta["annotator"] for r in report.records} == {"doccano user reviewer-li"}


def test_import_records_carry_provenance(gold_documents: list[PolicyDocument], tmp_path: Path) -> None:
    out = tmp_path / "reviewed"
    result = _import(write_json(tmp_path / "round-1.json", _export(gold_documents)), out)
    assert result.exit_code == 0, result.output
    records = read_jsonl(out / "round-1.jsonl")
    first = next(r for r in records if r.doc == document_key(gold_documents[0]))
    assert first.meta == {
        "source": gold_documents[0].source.name,
        "source_sha256": gold_documents[0].source.sha256,
        "annotator": "label-studio user 1",
        "time": "2025-03-01T09:01:00.000000Z",
        "review": "label-studio project 1 task 1 annotation 1",
    }
    assert sorted(p.name for p in out.iterdir()) == ["round-1.jsonl"]


def test_import_agreeing_reviews_of_one_text_are_one(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    tasks = _export(gold_documents[:1]) + as_project_export(
        [label_studio_task(gold_documents[0], model_version="m")], annotator=2
    )
    tasks[1]["id"] = 2
    report = read_export(write_json(tmp_path / "e.json", tasks))
    assert report.errors == [] and report.conflicts == [] and report.duplicates == 1
    assert annotation_of(report.records) == _expected(gold_documents[:1])
    assert report.records[0].meta["annotator"] == "label-studio user 1, label-studio user 2"


def test_import_disagreeing_reviewers_are_reported_not_merged(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    tasks = _export(gold_documents)
    second = json.loads(json.dumps(tasks[0]["annotations"][0]))
    removed = next(r for r in second["result"] if r["type"] == "relation")
    second["result"].remove(removed)
    second.update(id=99, completed_by=2)
    tasks[0]["annotations"].append(second)
    export = write_json(tmp_path / "e.json", tasks)
    out = tmp_path / "reviewed"
    result = _import(export, out)
    assert result.exit_code == 1
    [message] = _errors(result.stderr)
    assert f"document {document_key(gold_documents[0])}: reviewers disagree" in message
    records = read_jsonl(out / "e.jsonl")
    assert {r.doc for r in records} == {document_key(gold_documents[1])}
    [conflict] = json.loads((out / "e.conflicts.json").read_text(encoding="utf-8"))
    only = {r["annotator"]: r["only_here"] for r in conflict["reviews"]}
    assert only["label-studio user 2"] == [] and len(only["label-studio user 1"]) == 1
    assert only["label-studio user 1"][0].startswith(removed["labels"][0])


def test_import_left_relation_is_read_head_first(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    tasks = _export(gold_documents[:1])
    for r in tasks[0]["annotations"][0]["result"]:
        if r["type"] == "relation":
            r.update(from_id=r["to_id"], to_id=r["from_id"], direction="left")
    report = read_export(write_json(tmp_path / "e.json", tasks))
    assert report.errors == []
    assert annotation_of(report.records) == _expected(gold_documents[:1])


def test_import_skipped_and_unannotated_tasks_give_no_records(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    tasks = _export(gold_documents)
    tasks[0]["annotations"][0]["was_cancelled"] = True
    tasks[1]["annotations"] = []
    report = read_export(write_json(tmp_path / "e.json", tasks))
    assert report.errors == [] and report.records == [] and report.unreviewed == 2


def _region(task: Task, label: str | None = None) -> dict[str, Any]:
    result = task["annotations"][0]["result"]
    return next(r for r in result if r["type"] == "labels" and label in (None, r["value"]["labels"][0]))


def _relation(task: Task) -> dict[str, Any]:
    return next(r for r in task["annotations"][0]["result"] if r["type"] == "relation")


def _past_text(task: Task) -> None:
    _region(task)["value"]["end"] = len(task["data"]["text"]) + 5


def _wrong_text(task: Task) -> None:
    _region(task)["value"]["text"] = "不对"


def _unknown_label(task: Task) -> None:
    _region(task)["value"]["labels"] = ["MONEY"]


def _two_labels(task: Task) -> None:
    _region(task)["value"]["labels"] = ["CAP", "AMOUNT"]


def _unknown_relation(task: Task) -> None:
    _relation(task)["labels"] = ["PAYS"]


def _missing_endpoint(task: Task) -> None:
    _relation(task)["to_id"] = "gone"


def _wrong_direction(task: Task) -> None:
    relation = _relation(task)
    relation["from_id"], relation["to_id"] = relation["to_id"], relation["from_id"]


def _overlap(task: Task) -> None:
    region = json.loads(json.dumps(_region(task)))
    value = region["value"]
    value["end"] += 1
    value["text"] = task["data"]["text"][value["start"] : value["end"]]
    region["id"] = "overlapping"
    task["annotations"][0]["result"].append(region)


def _not_a_region(task: Task) -> None:
    task["annotations"][0]["result"].append({"id": "c", "type": "choices", "value": {"choices": ["ok"]}})


def _no_text(task: Task) -> None:
    del task["data"]["text"]


BAD_TASKS: list[tuple[Callable[[Task], None], str]] = [
    (_past_text, "lie outside a text of"),
    (_wrong_text, "does not match the text at"),
    (_unknown_label, "unknown label 'MONEY'"),
    (_two_labels, "has 2 labels; the corpus takes one"),
    (_unknown_relation, "unknown label 'PAYS'"),
    (_missing_endpoint, "points to a missing span gone"),
    (_wrong_direction, "is not allowed"),
    (_overlap, "overlap; corpus spans never overlap"),
    (_not_a_region, "not a Label Studio task (annotations.0.result."),
    (_no_text, "not a Label Studio task (data.text: Field required)"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_TASKS, ids=[f.__name__.strip("_") for f, _ in BAD_TASKS])
def test_import_bad_task_is_named_and_nothing_is_written(
    gold_documents: list[PolicyDocument], tmp_path: Path, spoil: Callable[[Task], None], message: str
) -> None:
    tasks = _export(gold_documents)
    spoil(tasks[0])
    export = write_json(tmp_path / "e.json", tasks)
    out = tmp_path / "reviewed"
    result = _import(export, out)
    assert result.exit_code == 1
    [error, summary] = _errors(result.stderr)
    assert error.startswith(f"error: {export}: task 1: ") and message in error
    assert summary == f"error: {export}: nothing written (see the errors above)"
    assert not out.exists()


def test_import_reports_each_bad_task_once(gold_documents: list[PolicyDocument], tmp_path: Path) -> None:
    documents = [*gold_documents, predicted_document(gold_documents[0])]
    tasks = _export(documents)
    _past_text(tasks[0])
    _unknown_label(tasks[0])  # a second problem in the same task: still one line for it
    _missing_endpoint(tasks[2])
    report = read_export(write_json(tmp_path / "e.json", tasks))
    assert [e.split(": ")[1] for e in report.errors] == ["task 1", "task 3"]
    assert {r.doc for r in report.records} == {document_key(gold_documents[1])}


def test_import_skip_invalid_writes_the_valid_tasks(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    tasks = _export(gold_documents)
    _unknown_label(tasks[0])
    out = tmp_path / "reviewed"
    result = _import(write_json(tmp_path / "e.json", tasks), out, "--skip-invalid")
    assert result.exit_code == 1 and len(_errors(result.stderr)) == 1
    assert {r.doc for r in read_jsonl(out / "e.jsonl")} == {document_key(gold_documents[1])}


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _cut_inside_a_string(text: str) -> str:
    return text[: text.index('"text": "') + 12]


def _invalid(text: str) -> str:
    return text.replace('"annotations"', '"annotations",', 1)


def _json_min(text: str) -> str:
    return json.dumps(
        [{"id": 1, "text": "给予奖励", "label": [{"start": 2, "end": 4, "labels": ["BENEFIT_KIND"]}]}]
    )


def _not_a_list(text: str) -> str:
    return json.dumps({"tasks": json.loads(text)})


BAD_FILES: list[tuple[Callable[[str], str], str]] = [
    (_truncated, "not valid JSON: it ends early at line 1 column"),
    (_cut_inside_a_string, "not valid JSON: it ends early at line 1 column"),
    (_invalid, "not valid JSON: Expecting ':' delimiter at line 1 column"),
    (_json_min, "the tasks have no `data`: this looks like a JSON_MIN"),
    (_not_a_list, "a Label Studio export is a JSON list of tasks, not a dict"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_FILES, ids=[f.__name__.strip("_") for f, _ in BAD_FILES])
def test_import_bad_file_keeps_the_previous_output(
    gold_documents: list[PolicyDocument], tmp_path: Path, spoil: Callable[[str], str], message: str
) -> None:
    export = write_json(tmp_path / "e.json", _export(gold_documents))
    out = tmp_path / "reviewed"
    assert _import(export, out).exit_code == 0
    before = (out / "e.jsonl").read_bytes()
    export.write_text(spoil(export.read_text(encoding="utf-8")), encoding="utf-8")
    result = _import(export, out, "--skip-invalid")
    assert result.exit_code == 1
    assert message in _errors(result.stderr)[0]
    assert (out / "e.jsonl").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["e.jsonl"]


def test_import_doccano_truncated_line_is_one_bad_task(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    lines = [json.dumps(doccano_line(d), ensure_ascii=False) for d in gold_documents]
    export = tmp_path / "admin.jsonl"
    export.write_text(lines[0] + "\n" + _truncated(lines[1]), encoding="utf-8")
    report = read_export(export)
    [error] = report.errors
    assert error.startswith(f"{export}: line 2: not valid JSON: it ends early")
    assert {r.doc for r in report.records} == {document_key(gold_documents[0])}
