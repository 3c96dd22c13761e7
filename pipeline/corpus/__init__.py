"""The annotated corpus: one JSONL record per paragraph, with character-offset spans and relations.

The record maps one to one onto a Label Studio task (`data.text`; `labels` results with `value.start`,
`value.end`, `value.labels`; `relation` results with `from_id`, `to_id`, `labels`), so the review loop
reads and writes the same shape. Records are validated on load: offsets inside the text and matching
the span text, known labels, relation endpoints that exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.atomic import write_atomic
from pipeline.errors import InputError
from pipeline.labels import EntityLabel, RelationLabel


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: EntityLabel
    text: str


class SpanRelation(_Model):
    from_id: str
    to_id: str
    label: RelationLabel


class CorpusRecord(_Model):
    """One annotated paragraph of one document."""

    id: str = Field(description="<document id>#<paragraph number>")
    doc: str = Field(description="document id; splits are made by document")
    text: str
    spans: list[Span] = Field(default_factory=list)
    relations: list[SpanRelation] = Field(default_factory=list)
    meta: dict[str, str] = Field(default_factory=dict, description="provenance: source, annotator, time")

    @model_validator(mode="after")
    def _consistent(self) -> CorpusRecord:
        ids = set()
        for s in self.spans:
            if not s.start < s.end <= len(self.text):
                raise ValueError(f"span {s.id} offsets {s.start}:{s.end} outside a text of {len(self.text)}")
            if self.text[s.start : s.end] != s.text:
                raise ValueError(f"span {s.id} text {s.text!r} does not match offsets {s.start}:{s.end}")
            if s.id in ids:
                raise ValueError(f"span id {s.id} is used twice")
            ids.add(s.id)
        for r in self.relations:
            if r.from_id not in ids or r.to_id not in ids:
                raise ValueError(f"relation {r.label} points to a missing span ({r.from_id} -> {r.to_id})")
        return self


def read_jsonl(path: Path) -> list[CorpusRecord]:
    """Read and validate a corpus file; the error names the file and line."""
    records = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                records.append(CorpusRecord.model_validate(json.loads(line)))
            except (ValueError, ValidationError) as exc:
                raise InputError(f"{path}:{number}: invalid corpus record: {exc}") from exc
    return records


def write_jsonl(path: Path, records: Iterable[CorpusRecord]) -> None:
    write_atomic(path, "".join(r.model_dump_json() + "\n" for r in records))


def documents(records: Iterable[CorpusRecord]) -> Iterator[tuple[str, list[CorpusRecord]]]:
    """Records grouped by document, in first-seen order."""
    by_doc: dict[str, list[CorpusRecord]] = {}
    for r in records:
        by_doc.setdefault(r.doc, []).append(r)
    yield from by_doc.items()
