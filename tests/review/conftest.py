"""Fixtures of the review-loop tests: annotated corpus notices as documents, the pattern extractor's
version of them, results on disk, and Label Studio exports shaped as a project export is."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.corpus import CorpusRecord
from pipeline.corpus.build import load_notices
from pipeline.corpus.convert import records_to_document
from pipeline.document import PolicyDocument
from pipeline.extract.assemble import Assembler
from pipeline.run import extractor_stage

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
# Two train notices: short enough to read in a failure message, with benefits, conditions and relations.
NOTICES = ("a-ha-power-2023-01", "a-nb-mfg-2023-01")


def gold_document(doc_id: str) -> PolicyDocument:
    """A corpus notice's annotation as an ingested result (entities, relations and measures)."""
    notice = next(n for n in load_notices(CORPUS) if n.doc == doc_id)
    return Assembler()(records_to_document(doc_id, notice.records))


def predicted_document(gold: PolicyDocument) -> PolicyDocument:
    """What the pattern extractor makes of the same text, as `zhengce evaluate` runs it."""
    doc = PolicyDocument(source=gold.source, text=gold.text)
    return Assembler()(extractor_stage("patterns")(doc))


@pytest.fixture(scope="session")
def gold_documents() -> list[PolicyDocument]:
    return [gold_document(doc_id) for doc_id in NOTICES]


def write_results(documents: list[PolicyDocument], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, doc in enumerate(documents):
        path = folder / f"{n}-{doc.source.name}.json"
        path.write_text(doc.model_dump_json(), encoding="utf-8")
        paths.append(path)
    return paths


def as_project_export(tasks: list[dict[str, Any]], *, annotator: int = 1) -> list[dict[str, Any]]:
    """Exported tasks as Label Studio's full JSON export holds them after a reviewer submitted each
    prediction unchanged: the result under `annotations`, `predictions` reduced to ids."""
    exported = []
    for n, task in enumerate(tasks, start=1):
        exported.append(
            {
                "id": n,
                "project": 1,
                "data": copy.deepcopy(task["data"]),
                "predictions": [n],
                "annotations": [
                    {
                        "id": n,
                        "completed_by": annotator,
                        "result": copy.deepcopy(task["predictions"][0]["result"]),
                        "was_cancelled": False,
                        "created_at": "2025-03-01T08:00:00.000000Z",
                        "updated_at": f"2025-03-01T09:{n:02d}:00.000000Z",
                        "lead_time": 12.5,
                    }
                ],
            }
        )
    return exported


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def annotation_of(records: list[CorpusRecord]) -> list[tuple[object, ...]]:
    """Records without provenance and with relations in a fixed order, for comparison."""
    return [
        (
            r.id,
            r.doc,
            r.text,
            [s.model_dump() for s in r.spans],
            sorted((x.from_id, x.to_id, x.label.value) for x in r.relations),
        )
        for r in records
    ]
