"""Reviewed records into training (never dev or test) and into evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.corpus import CorpusRecord, read_jsonl, write_jsonl
from pipeline.document import PolicyDocument
from pipeline.errors import InputError
from pipeline.evaluation import evaluate
from pipeline.review.export import label_studio_task
from pipeline.review.importer import read_export
from pipeline.review.reviewed import for_training, load_reviewed
from pipeline.run import extractor_stage
from tests.review.conftest import CORPUS, as_project_export, write_json


@pytest.fixture
def reviewed(gold_documents: list[PolicyDocument], tmp_path: Path) -> Path:
    """A `labels import` output folder holding the two gold notices as reviewed records."""
    tasks = as_project_export([label_studio_task(d, model_version="m") for d in gold_documents])
    out = tmp_path / "reviewed"
    result = CliRunner().invoke(
        main, ["labels", "import", str(write_json(tmp_path / "r1.json", tasks)), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_reviewed_loads_folders_and_files_once(reviewed: Path) -> None:
    records = read_jsonl(reviewed / "r1.jsonl")
    assert load_reviewed([reviewed]) == records
    assert load_reviewed([reviewed, reviewed / "r1.jsonl"]) == records  # the same review twice counts once


def test_reviewed_disagreeing_inputs_are_refused(reviewed: Path, tmp_path: Path) -> None:
    records = read_jsonl(reviewed / "r1.jsonl")
    annotated = next(i for i, r in enumerate(records) if r.spans)
    changed = list(records)
    changed[annotated] = records[annotated].model_copy(update={"spans": [], "relations": []})
    other = tmp_path / "r2.jsonl"
    write_jsonl(other, changed)
    with pytest.raises(InputError, match="with other annotations"):
        load_reviewed([reviewed, other])


def test_reviewed_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \*\.jsonl files"):
        load_reviewed([tmp_path])


def test_reviewed_paragraphs_of_dev_and_test_are_never_trained_on(reviewed: Path) -> None:
    records = read_jsonl(reviewed / "r1.jsonl")
    held_out = [
        CorpusRecord(id="t#1", doc="t", text=records[5].text),
        CorpusRecord(id="t#2", doc="t", text="别的段落"),
    ]
    chosen = for_training(records, held_out=held_out)
    assert records[5].text not in {r.text for r in chosen.records}
    assert chosen.held_out == sum(1 for r in records if r.text == records[5].text)
    assert len(chosen.records) == sum(1 for r in records if r.text and r.text != records[5].text)
    assert chosen.documents == 2


def test_train_command_adds_reviewed_records(
    reviewed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trainer itself is tested in tests/model; here: what `--reviewed` hands it."""
    import pipeline.model.deployment as deployment
    import pipeline.model.train as trainer

    seen: dict[str, Any] = {}

    def fake_train(
        options: Any,
        train_records: list[CorpusRecord],
        dev_records: list[CorpusRecord],
        out: Path,
        *,
        reviewed: list[CorpusRecord],
    ) -> dict[str, Any]:
        seen.update(train=train_records, dev=dev_records, reviewed=reviewed, weight=options.reviewed_weight)
        out.mkdir(parents=True)
        return {"steps": 0}

    def fake_deploy(model_dir: Path, dev_records: list[CorpusRecord]) -> Any:
        seen.update(deployed=model_dir, deployed_on=dev_records)
        return SimpleNamespace(as_dict=lambda: {"chosen": "model alone"})

    monkeypatch.setattr(trainer, "train", fake_train)
    monkeypatch.setattr(deployment, "deploy", fake_deploy)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "src").symlink_to(CORPUS / "src")
    args = [
        "train",
        "--corpus",
        str(corpus),
        "--scratch",
        "-o",
        str(tmp_path / "model"),
        "--reviewed",
        str(reviewed),
        "--reviewed-weight",
        "4",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    corpus_train = read_jsonl(corpus / "train.jsonl")
    reviewed_records = read_jsonl(reviewed / "r1.jsonl")
    held_out = {r.text for split in ("dev", "test") for r in read_jsonl(corpus / f"{split}.jsonl")}
    added = [r for r in reviewed_records if r.text and r.text not in held_out]
    left_out = [r for r in reviewed_records if r.text in held_out]
    assert left_out, "a boilerplate paragraph of these notices is also in dev or test"
    assert summary["reviewed"] == {"documents": 2, "paragraphs": len(added), "held_out": len(left_out)}
    assert seen["train"] == corpus_train and seen["reviewed"] == added and seen["weight"] == 4
    assert seen["dev"] == seen["deployed_on"] == read_jsonl(corpus / "dev.jsonl")
    assert summary["deployment"] == {"chosen": "model alone"}
    assert json.loads((tmp_path / "model" / "train_summary.json").read_text()) == summary


def test_evaluate_command_scores_reviewed_records(
    reviewed: Path, gold_documents: list[PolicyDocument]
) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--patterns", "--records", str(reviewed), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = evaluate(extractor_stage("patterns"), load_reviewed([reviewed])).as_dict()
    expected.pop("characters_per_second")
    report.pop("characters_per_second")
    assert report == expected and report["documents"] == len(gold_documents)
    assert 0 < report["entities"]["f1"] < 1  # the pattern extractor errs on these notices


def test_import_then_evaluate_sees_the_correction(
    gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    """Evaluation on a reviewed set scores against the reviewers' version, not the extraction's."""
    report = read_export(
        write_json(
            tmp_path / "e.json", as_project_export([label_studio_task(gold_documents[0], model_version="m")])
        )
    )
    gold = evaluate(extractor_stage("patterns"), report.records)
    assert gold.entities.gold == len(gold_documents[0].entities)
