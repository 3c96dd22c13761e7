"""Between corpus records and documents: records into a `PolicyDocument`'s entities and relations
(so the assembler builds the measures an annotation implies), and a document back into records."""

from __future__ import annotations

import hashlib

from pipeline.corpus import CorpusRecord, Span, SpanRelation
from pipeline.document import Entity, PolicyDocument, Relation, Source
from pipeline.labels import EntityLabel, RelationLabel


def records_to_document(doc_id: str, records: list[CorpusRecord]) -> PolicyDocument:
    """Paragraphs joined by line breaks, spans and relations moved to document offsets."""
    text = "\n".join(r.text for r in records)
    entities: list[Entity] = []
    relations: list[Relation] = []
    offset = 0
    for n, record in enumerate(records):
        ids = {s.id: f"p{n}_{s.id}" for s in record.spans}
        for s in record.spans:
            entities.append(
                Entity(id=ids[s.id], label=s.label, start=offset + s.start, end=offset + s.end, text=s.text)
            )
        relations += [
            Relation(head=ids[r.from_id], tail=ids[r.to_id], label=r.label) for r in record.relations
        ]
        offset += len(record.text) + 1
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = Source(name=f"{doc_id}.txt", sha256=sha, media_type="text/plain")
    return PolicyDocument(source=source, text=text, entities=entities, relations=relations)


def document_to_records(doc_id: str, doc: PolicyDocument) -> list[CorpusRecord]:
    """A document's entities and relations as one record per line of its text."""
    records = []
    offset = 0
    entities = sorted(doc.entities, key=lambda e: e.start)
    for n, paragraph in enumerate(doc.text.split("\n"), start=1):
        end = offset + len(paragraph)
        inside = [e for e in entities if offset <= e.start and e.end <= end]
        keys = {e.id: f"s{i + 1}" for i, e in enumerate(inside)}
        spans = [
            Span(
                id=keys[e.id],
                start=e.start - offset,
                end=e.end - offset,
                label=EntityLabel(e.label),
                text=e.text,
            )
            for e in inside
        ]
        relations = [
            SpanRelation(from_id=keys[r.head], to_id=keys[r.tail], label=RelationLabel(r.label))
            for r in doc.relations
            if r.head in keys and r.tail in keys
        ]
        records.append(
            CorpusRecord(id=f"{doc_id}#{n}", doc=doc_id, text=paragraph, spans=spans, relations=relations)
        )
        offset = end + 1
    return records


def record_to_markup(record: CorpusRecord) -> str:
    """A record in the authoring format: the paragraph with inline spans, then its relations line."""
    parts = []
    pos = 0
    for s in sorted(record.spans, key=lambda s: s.start):
        parts += [record.text[pos : s.start], f"[{s.text}]{{{s.label}#{s.id}}}"]
        pos = s.end
    parts.append(record.text[pos:])
    line = "".join(parts)
    if record.relations:
        line += "\n@ " + "; ".join(f"{r.from_id} {r.label} {r.to_id}" for r in record.relations)
    return line
