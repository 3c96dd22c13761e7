"""Reviewed annotations back into corpus records: Label Studio's full JSON export and doccano JSONL.

Every annotation is held to the corpus rules (corpus/README.md) before it becomes a record: offsets
inside the text and matching the span text, one known label per span, spans that neither overlap
nor cross a paragraph break, relations with a known label between existing spans of one paragraph,
in an allowed direction. A task that breaks a rule gets one error naming the export, the task and
the problem.

Annotations of the same text (by sha256) are one review when they agree (the duplicates are
dropped, their annotators kept in the provenance) and a conflict when they differ: a conflict is
reported with what each reviewer marked and gives no records, never a silent merge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.atomic import write_atomic
from pipeline.corpus import CorpusRecord, Span, SpanRelation, write_jsonl
from pipeline.corpus.convert import document_to_records
from pipeline.document import Entity, PolicyDocument, Relation, Source
from pipeline.labels import EntityLabel, RelationLabel, relation_allowed
from pipeline.review.formats import Annotation, DoccanoLine, Region, RelationResult, Task

ExportFormat = Literal["auto", "label-studio", "doccano"]


_ENTITY_LABELS = frozenset(label.value for label in EntityLabel)
_RELATION_LABELS = frozenset(label.value for label in RelationLabel)


class ReviewError(ValueError):
    """One annotation breaks a corpus rule; the message says which and where."""


class Review(BaseModel):
    """One reviewer's annotation of one text, in corpus terms (document offsets)."""

    model_config = ConfigDict(extra="forbid")

    where: str  # the task in the export, for messages: "task 12", "line 3"
    doc: str
    text: str
    spans: list[Span]
    relations: list[SpanRelation]
    annotator: str
    time: str | None
    source: str | None
    source_sha256: str | None
    reference: str  # where the annotation lives in the tool: "label-studio project 1 task 12 annotation 40"

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def content(self) -> tuple[frozenset[tuple[int, int, str]], frozenset[tuple[int, int, int, int, str]]]:
        """What the reviewer said, independent of ids and order: spans and relations by offsets."""
        by_id = {s.id: s for s in self.spans}
        spans = frozenset((s.start, s.end, s.label.value) for s in self.spans)
        relations = frozenset(
            (by_id[r.from_id].start, by_id[r.from_id].end, by_id[r.to_id].start, by_id[r.to_id].end, r.label)
            for r in self.relations
        )
        return spans, relations


class ConflictingReview(BaseModel):
    annotator: str
    time: str | None
    reference: str
    only_here: list[str]  # spans and relations that not every reviewer of this text marked


class Conflict(BaseModel):
    """Reviewers of the same text who disagree: kept out of the records until someone decides."""

    doc: str
    text_sha256: str
    reviews: list[ConflictingReview]

    def message(self) -> str:
        names = ", ".join(r.annotator for r in self.reviews)
        differing = sum(len(r.only_here) for r in self.reviews)
        return (
            f"document {self.doc}: reviewers disagree ({names}; {differing} spans or relations differ); "
            "no records written for it"
        )


@dataclass
class ImportReport:
    records: list[CorpusRecord] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reviews: int = 0  # annotations read
    unreviewed: int = 0  # tasks nobody annotated (or only skipped)
    duplicates: int = 0  # agreeing annotations of a text already taken
    readable: bool = True  # false when the file as a whole cannot be read: nothing may be written

    @property
    def documents(self) -> int:
        return len({r.doc for r in self.records})


def read_export(path: Path, *, export_format: ExportFormat = "auto") -> ImportReport:
    """Read and validate an export; `errors` holds one line per bad task (or one for a bad file).

    Args:
        path: a Label Studio JSON export (list of tasks) or a doccano JSONL export.
        export_format: `auto` goes by the suffix (`.json`, `.jsonl`), else the first character.

    Returns:
        The records of every valid, agreed review, the conflicts and the errors.
    """
    report = ImportReport()
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.errors.append(f"{path}: cannot read: {exc}")
        report.readable = False
        return report
    kind = export_format if export_format != "auto" else _sniff(path, content)
    if kind is None:
        report.errors.append(f"{path}: empty, or neither a Label Studio JSON export nor doccano JSONL")
        report.readable = False
        return report
    reviews: list[Review] = []
    items = (
        _label_studio_reviews(path, content) if kind == "label-studio" else _doccano_reviews(path, content)
    )
    for item in items:
        if isinstance(item, _Unreadable):
            report.errors.append(item.message)
            report.readable = False
        elif isinstance(item, str):
            report.errors.append(item)
        elif item is None:
            report.unreviewed += 1
        else:
            reviews.extend(item)
    report.reviews = len(reviews)
    _merge(path, reviews, report)
    return report


def _sniff(path: Path, content: str) -> Literal["label-studio", "doccano"] | None:
    """By the name the tools give their exports (`.json`, `.jsonl`), else by the first character."""
    head = content.lstrip()[:1]
    if not head:
        return None
    if path.suffix == ".jsonl":
        return "doccano"
    if path.suffix == ".json":
        return "label-studio"
    return "label-studio" if head == "[" else "doccano" if head == "{" else None


def _json_problem(exc: json.JSONDecodeError, content: str) -> str:
    # json reports a file cut inside a string where the string starts, not at the end.
    if exc.pos >= len(content.rstrip()) or exc.msg.startswith("Unterminated string"):
        return f"not valid JSON: it ends early at line {exc.lineno} column {exc.colno} (truncated?)"
    return f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _shape_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


@dataclass(frozen=True)
class _Unreadable:
    message: str  # the whole file cannot be read (invalid JSON, not a list of tasks)


# Each item: a task's reviews, None for a task nobody reviewed, the task's error line, or a file error.
_Item = list[Review] | None | str | _Unreadable


def _label_studio_reviews(path: Path, content: str) -> Iterator[_Item]:
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError as exc:
        yield _Unreadable(f"{path}: {_json_problem(exc, content)}")
        return
    if not isinstance(tasks, list):
        yield _Unreadable(
            f"{path}: a Label Studio export is a JSON list of tasks, not a {type(tasks).__name__}"
        )
        return
    if tasks and isinstance(tasks[0], dict) and "data" not in tasks[0]:
        yield _Unreadable(
            f"{path}: the tasks have no `data`: this looks like a JSON_MIN or CSV-style export, which drops "
            "relations; export the project as JSON"
        )
        return
    for number, raw in enumerate(tasks, start=1):
        where = f"task {raw.get('id', f'#{number}')}" if isinstance(raw, dict) else f"task #{number}"
        try:
            task = Task.model_validate(raw)
        except ValidationError as exc:
            yield f"{path}: {where}: not a Label Studio task ({_shape_problem(exc)})"
            continue
        annotations = [a for a in task.annotations if not a.was_cancelled]
        if not annotations:
            yield None
            continue
        try:
            yield [_label_studio_review(task, a, where) for a in annotations]
        except ReviewError as exc:
            yield f"{path}: {where}: {exc}"


def _label_studio_review(task: Task, annotation: Annotation, where: str) -> Review:
    text = task.data.text
    regions = [r for r in annotation.result if isinstance(r, Region)]
    relations = [r for r in annotation.result if isinstance(r, RelationResult)]
    spans = [_span(text, r.id, r.value.start, r.value.end, r.value.labels, r.value.text) for r in regions]
    links = [_relation(r.from_id, r.to_id, r.labels, r.direction) for r in relations]
    user = annotation.completed_by
    if isinstance(user, dict):
        annotator = str(user.get("email") or user.get("username") or f"user {user.get('id')}")
    else:
        annotator = f"label-studio user {user}" if user is not None else "unknown"
    reference = f"label-studio project {task.project} task {task.id} annotation {annotation.id}"
    return _review(
        where=where,
        doc=task.data.doc,
        text=text,
        spans=spans,
        relations=links,
        annotator=annotator,
        time=annotation.updated_at or annotation.created_at,
        source=task.data.source,
        source_sha256=task.data.source_sha256,
        reference=reference,
    )


def _doccano_reviews(path: Path, content: str) -> Iterator[_Item]:
    # doccano writes one file per user (`admin.jsonl`) and no annotation times: the file names the
    # annotator unless a line says otherwise, and its modification time is the review time.
    default_annotator = f"doccano user {path.stem}"
    time = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat()
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{path}: {where}: {_json_problem(exc, line)}"
            continue
        try:
            example = DoccanoLine.model_validate(raw)
        except ValidationError as exc:
            yield f"{path}: {where}: not a doccano line ({_shape_problem(exc)})"
            continue
        try:
            spans = [
                _span(example.text, str(e.id), e.start_offset, e.end_offset, [e.label], None)
                for e in example.entities
            ]
            links = [_relation(str(r.from_id), str(r.to_id), [r.type], "right") for r in example.relations]
            yield [
                _review(
                    where=where,
                    doc=example.doc,
                    text=example.text,
                    spans=spans,
                    relations=links,
                    annotator=example.annotator or default_annotator,
                    time=time,
                    source=example.source,
                    source_sha256=example.source_sha256,
                    reference=f"doccano {path.name} line {number}"
                    + (f" id {example.id}" if example.id else ""),
                )
            ]
        except ReviewError as exc:
            yield f"{path}: {where}: {exc}"


def _span(text: str, span_id: str, start: int, end: int, labels: list[str], surface: str | None) -> Span:
    """A labelled region as a corpus span, or the rule it breaks."""
    if not 0 <= start < end <= len(text):
        raise ReviewError(
            f"span {span_id} offsets {start}:{end} lie outside a text of {len(text)} characters"
        )
    if surface is not None and text[start:end] != surface:
        raise ReviewError(
            f"span {span_id} text {surface!r} does not match the text at {start}:{end} ({text[start:end]!r})"
        )
    if len(labels) != 1:
        raise ReviewError(
            f"span {span_id} {text[start:end]!r} has {len(labels)} labels; the corpus takes one"
        )
    if labels[0] not in _ENTITY_LABELS:
        known = ", ".join(EntityLabel)
        raise ReviewError(
            f"span {span_id} {text[start:end]!r} has an unknown label {labels[0]!r} (known: {known})"
        )
    if "\n" in text[start:end]:
        raise ReviewError(f"span {span_id} {text[start:end]!r} crosses a paragraph break")
    return Span(id=span_id, start=start, end=end, label=EntityLabel(labels[0]), text=text[start:end])


def _relation(from_id: str, to_id: str, labels: list[str], direction: str) -> SpanRelation:
    if len(labels) != 1:
        raise ReviewError(f"relation {from_id} -> {to_id} has {len(labels)} labels; the corpus takes one")
    if labels[0] not in _RELATION_LABELS:
        raise ReviewError(f"relation {from_id} -> {to_id} has an unknown label {labels[0]!r}")
    if direction == "bi":
        raise ReviewError(
            f"relation {labels[0]} {from_id} <-> {to_id} is bidirectional; corpus relations have a head"
        )
    head, tail = (from_id, to_id) if direction == "right" else (to_id, from_id)
    return SpanRelation(from_id=head, to_id=tail, label=RelationLabel(labels[0]))


def _review(
    *,
    where: str,
    doc: str | None,
    text: str,
    spans: list[Span],
    relations: list[SpanRelation],
    annotator: str,
    time: str | None,
    source: str | None,
    source_sha256: str | None,
    reference: str,
) -> Review:
    """Checks across spans and relations, then the review."""
    by_id: dict[str, Span] = {}
    for s in spans:
        if s.id in by_id:
            raise ReviewError(f"span id {s.id} is used twice")
        by_id[s.id] = s
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise ReviewError(
                f"spans {a.id} {a.text!r} ({a.start}:{a.end}) and {b.id} {b.text!r} ({b.start}:{b.end}) "
                "overlap; corpus spans never overlap or nest: keep one"
            )
    unique: dict[tuple[str, str, str], SpanRelation] = {}
    for r in relations:
        missing = [i for i in (r.from_id, r.to_id) if i not in by_id]
        if missing:
            raise ReviewError(
                f"relation {r.label} {r.from_id} -> {r.to_id} points to a missing span {missing[0]}"
            )
        head, tail = by_id[r.from_id], by_id[r.to_id]
        if not relation_allowed(head.label, r.label, tail.label):
            raise ReviewError(
                f"relation {r.label} from {head.label} {head.text!r} to {tail.label} {tail.text!r} is not "
                "allowed (corpus/README.md, relation labels)"
            )
        if "\n" in text[min(head.start, tail.start) : max(head.end, tail.end)]:
            raise ReviewError(f"relation {r.label} {head.text!r} -> {tail.text!r} crosses a paragraph break")
        unique.setdefault((r.from_id, r.to_id, r.label), r)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Review(
        where=where,
        doc=doc or f"review-{sha[:12]}",
        text=text,
        spans=ordered,
        relations=list(unique.values()),
        annotator=annotator,
        time=time,
        source=source,
        source_sha256=source_sha256,
        reference=reference,
    )


def _merge(path: Path, reviews: list[Review], report: ImportReport) -> None:
    """Group by text: agreeing reviews become one document's records, disagreeing ones a conflict."""
    groups: dict[str, list[Review]] = {}
    for review in reviews:
        groups.setdefault(review.text_sha256, []).append(review)
    doc_ids: dict[str, str] = {}
    for sha, group in groups.items():
        first = group[0]
        if doc_ids.setdefault(first.doc, sha) != sha:
            report.errors.append(
                f"{path}: {first.where}: document id {first.doc!r} names two different texts; "
                "give each its own id"
            )
            continue
        contents = [r.content() for r in group]
        if any(c != contents[0] for c in contents[1:]):
            report.conflicts.append(_conflict(first.doc, sha, group))
            continue
        report.duplicates += len(group) - 1
        report.records += _records(group)


def _conflict(doc: str, sha: str, group: list[Review]) -> Conflict:
    contents = [r.content() for r in group]
    shared_spans = frozenset.intersection(*(c[0] for c in contents))
    shared_relations = frozenset.intersection(*(c[1] for c in contents))
    text = group[0].text
    reviews = []
    for review, (spans, relations) in zip(group, contents, strict=True):
        only = [f"{label} {text[s:e]!r} {s}:{e}" for s, e, label in sorted(spans - shared_spans)]
        only += [
            f"{label} {text[hs:he]!r} -> {text[ts:te]!r}"
            for hs, he, ts, te, label in sorted(relations - shared_relations)
        ]
        reviews.append(
            ConflictingReview(
                annotator=review.annotator, time=review.time, reference=review.reference, only_here=only
            )
        )
    return Conflict(doc=doc, text_sha256=sha, reviews=reviews)


def _records(group: list[Review]) -> list[CorpusRecord]:
    """One document's records (one per paragraph, as the corpus keeps them) with the provenance."""
    review = group[0]
    entities = [Entity(id=s.id, label=s.label, start=s.start, end=s.end, text=s.text) for s in review.spans]
    relations = [Relation(head=r.from_id, tail=r.to_id, label=r.label) for r in review.relations]
    source = Source(
        name=review.source or f"{review.doc}.txt", sha256=review.text_sha256, media_type="text/plain"
    )
    document = PolicyDocument(source=source, text=review.text, entities=entities, relations=relations)
    meta = {
        "source": review.source or "",
        "source_sha256": review.source_sha256 or "",
        "annotator": ", ".join(sorted({r.annotator for r in group})),
        "time": max((r.time for r in group if r.time), default=""),
        "review": "; ".join(r.reference for r in group),
    }
    meta = {k: v for k, v in meta.items() if v}
    return [r.model_copy(update={"meta": meta}) for r in document_to_records(review.doc, document)]


def output_paths(export: Path, out_dir: Path) -> tuple[Path, Path]:
    """Where an export's records and conflicts go: `DIR/<name>.jsonl` and `DIR/<name>.conflicts.json`."""
    stem = export.name.removesuffix(".jsonl").removesuffix(".json")
    return out_dir / f"{stem}.jsonl", out_dir / f"{stem}.conflicts.json"


def write_import(report: ImportReport, export: Path, out_dir: Path) -> tuple[Path, Path | None]:
    """Write the records (and the conflicts, if any) atomically; a stale conflicts file is removed."""
    records_path, conflicts_path = output_paths(export, out_dir)
    if report.conflicts:
        body = json.dumps([c.model_dump() for c in report.conflicts], ensure_ascii=False, indent=2)
        write_atomic(conflicts_path, body + "\n")
    write_jsonl(records_path, report.records)
    if not report.conflicts:
        conflicts_path.unlink(missing_ok=True)
        return records_path, None
    return records_path, conflicts_path
