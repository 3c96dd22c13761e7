"""The corpus authoring format: notices written with inline span markup, compiled to corpus records.

    # doc: sx-ai-2024-01
    # split: train
    对[上一年度营业收入]{METRIC#m}[超过500万元]{THRESHOLD#t}的，按照[上一年度营业收入]{BASE#b}的[1%]{RATE#r}，
    给予最高不超过[200万元]{CAP#c}的[奖励]{BENEFIT_KIND#k}。
    @ m HAS_THRESHOLD t; k REQUIRES m; k HAS_RATE r; r HAS_BASE b; k HAS_CAP c

Each non-empty line is a paragraph (a markup line continues only until the end of the line); a line
starting with `@` lists the relations of the paragraph above it, `head LABEL tail` separated by `;`;
`#` lines at the top are headers. Writing spans inline keeps annotators from counting offsets by
hand, which is where offset corpora usually go wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from pipeline.corpus import CorpusRecord, Span, SpanRelation
from pipeline.errors import InputError
from pipeline.labels import EntityLabel, RelationLabel, relation_allowed

_SPAN = re.compile(r"\[([^\[\]]+)\]\{([A-Z_]+)#([A-Za-z0-9_]+)\}")
_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*?)\s*$")


@dataclass
class AnnotatedNotice:
    doc: str
    split: str
    headers: dict[str, str]
    records: list[CorpusRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.records)


def parse_paragraph(line: str, *, record_id: str, doc: str, where: str) -> CorpusRecord:
    """A marked-up paragraph as a record, span ids being the markup keys."""
    text_parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _SPAN.finditer(line):
        literal = line[pos : m.start()]
        text_parts.append(literal)
        length += len(literal)
        surface, label, key = m.groups()
        try:
            entity = EntityLabel(label)
        except ValueError:
            raise InputError(f"{where}: unknown entity label {label!r} on {surface!r}") from None
        spans.append(Span(id=key, start=length, end=length + len(surface), label=entity, text=surface))
        text_parts.append(surface)
        length += len(surface)
        pos = m.end()
    text_parts.append(line[pos:])
    text = "".join(text_parts)
    if "]{" in text:
        raise InputError(f"{where}: malformed span markup near {text[text.index(']{') - 10 :][:30]!r}")
    try:
        return CorpusRecord(id=record_id, doc=doc, text=text, spans=spans)
    except ValidationError as exc:  # a span key used twice, offsets that do not match
        message = "; ".join(e["msg"] for e in exc.errors())
        raise InputError(f"{where}: {message}") from None


def parse_relations(line: str, record: CorpusRecord, *, where: str) -> list[SpanRelation]:
    labels = {s.id: s.label for s in record.spans}
    relations = []
    for item in filter(None, (part.strip() for part in line.lstrip("@").split(";"))):
        parts = item.split()
        if len(parts) != 3:
            raise InputError(f"{where}: relation {item!r} is not 'head LABEL tail'")
        head, label, tail = parts
        try:
            relation = RelationLabel(label)
        except ValueError:
            raise InputError(f"{where}: unknown relation label {label!r}") from None
        for key in (head, tail):
            if key not in labels:
                raise InputError(f"{where}: relation {item!r} names a span {key!r} that the paragraph lacks")
        if not relation_allowed(labels[head], relation, labels[tail]):
            raise InputError(f"{where}: {labels[head]} {relation} {labels[tail]} is not an allowed relation")
        relations.append(SpanRelation(from_id=head, to_id=tail, label=relation))
    return relations


def parse_notice(path: Path) -> AnnotatedNotice:
    """Compile one `.ann` file; errors name the file and line."""
    headers: dict[str, str] = {}
    records: list[CorpusRecord] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    doc = path.stem
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            continue
        header = _HEADER.match(line)
        if header and not records:
            headers[header.group(1)] = header.group(2)
            continue
        if line.startswith("@"):
            if not records:
                raise InputError(f"{where}: relations before any paragraph")
            record = records[-1]
            record.relations += parse_relations(line, record, where=where)
            continue
        doc = headers.get("doc", doc)
        records.append(parse_paragraph(line, record_id=f"{doc}#{len(records) + 1}", doc=doc, where=where))
    if not records:
        raise InputError(f"{path.name}: no paragraphs")
    split = headers.get("split", "")
    if split not in ("train", "dev", "test"):
        raise InputError(f"{path.name}: header '# split:' must be train, dev or test, not {split!r}")
    for record in records:
        record.meta = {k: v for k, v in headers.items() if k not in ("doc", "split")}
        CorpusRecord.model_validate(record.model_dump())
    return AnnotatedNotice(doc=doc, split=split, headers=headers, records=records)
