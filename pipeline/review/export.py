"""Extraction results as review tasks: Label Studio tasks with the extraction as predictions, or
doccano JSONL lines. Read-only serialisers: the document is not changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.document import PolicyDocument
from pipeline.review.config import LABELS_NAME, TEXT_NAME
from pipeline.review.formats import (
    DoccanoEntity,
    DoccanoLine,
    DoccanoRelation,
    Prediction,
    Region,
    RegionValue,
    RelationResult,
    Result,
    Task,
    TaskData,
)


def document_key(doc: PolicyDocument) -> str:
    """The corpus document id of a result: its file name's stem and the start of the file's sha256,
    so two `notice.pdf` from different folders stay two documents.

    >>> from pipeline.document import Source
    >>> document_key(PolicyDocument(source=Source(name="通知.pdf", sha256="ab" * 32, media_type="x")))
    '通知-abababab'
    """
    return f"{Path(doc.source.name).stem}-{doc.source.sha256[:8]}"


def prediction_score(doc: PolicyDocument) -> float:
    """The mean score of the extracted entities and relations; 0 when nothing was extracted, so a
    notice where the extractor found nothing (the likeliest miss) sorts first for review."""
    scores = [e.score for e in doc.entities] + [r.score for r in doc.relations]
    return sum(scores) / len(scores) if scores else 0.0


def annotation_result(
    doc: PolicyDocument, *, region_ids: dict[str, str] | None = None, origins: dict[str, str] | None = None
) -> list[Result]:
    """A Label Studio result list for the document's entities and relations: one region per entity
    (its id from `region_ids`, else the entity id) and one relation result per relation.

    Without `origins` it is a prediction and the regions carry the entity scores; with them it is
    a reviewer's annotation, whose regions say where each came from (`prediction`, `manual`, ...).
    """
    ids = {e.id: (region_ids or {}).get(e.id, e.id) for e in doc.entities}
    result: list[Result] = [
        Region(
            id=ids[e.id],
            type="labels",
            from_name=LABELS_NAME,
            to_name=TEXT_NAME,
            value=RegionValue(start=e.start, end=e.end, text=e.text, labels=[e.label]),
            **({"origin": origins[e.id]} if origins is not None else {"score": e.score}),
        )
        for e in doc.entities
    ]
    result += [
        RelationResult(
            type="relation", from_id=ids[r.head], to_id=ids[r.tail], direction="right", labels=[r.label]
        )
        for r in doc.relations
    ]
    return result


def label_studio_task(doc: PolicyDocument, *, model_version: str) -> dict[str, Any]:
    """One Label Studio task: the text in `data.text`, the extraction as one prediction whose
    regions keep the entity ids and character offsets."""
    task = Task(
        data=TaskData(
            text=doc.text,
            doc=document_key(doc),
            source=doc.source.name,
            source_sha256=doc.source.sha256,
            title=doc.metadata.title,
        ),
        predictions=[
            Prediction(
                model_version=model_version, score=prediction_score(doc), result=annotation_result(doc)
            )
        ],
    )
    return task.model_dump(exclude_unset=True)


def doccano_line(doc: PolicyDocument) -> dict[str, Any]:
    """One doccano JSONL line; doccano wants integer ids, numbered in entity order."""
    numbers = {e.id: n for n, e in enumerate(doc.entities, start=1)}
    line = DoccanoLine(
        text=doc.text,
        entities=[
            DoccanoEntity(id=numbers[e.id], label=e.label, start_offset=e.start, end_offset=e.end)
            for e in doc.entities
        ],
        relations=[
            DoccanoRelation(id=n, from_id=numbers[r.head], to_id=numbers[r.tail], type=r.label)
            for n, r in enumerate(doc.relations, start=1)
        ],
        doc=document_key(doc),
        source=doc.source.name,
        source_sha256=doc.source.sha256,
    )
    return line.model_dump(exclude_unset=True)
