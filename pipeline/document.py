"""The document model: what one ingested policy document becomes (`../shared/CONTRACT.md`, version 1).

Every stage reads and writes these types and nothing else; the JSON they serialise to is the
contract the rules engine, the service and the labelling export rely on. Offsets (`start`, `end`)
are character offsets into `PolicyDocument.text`, end exclusive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import InputError

SCHEMA_VERSION: Literal["1"] = "1"

Op = Literal[">=", ">", "<=", "<", "=="]
BBox = Annotated[
    tuple[float, float, float, float],
    Field(description="x0, y0, x1, y1 in page units (points for PDF, pixels for images), origin top-left"),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Span(_Model):
    start: int = Field(ge=0, description="offset of the first character in `text`")
    end: int = Field(ge=0, description="offset after the last character in `text`")

    @model_validator(mode="after")
    def _ordered(self) -> _Span:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Source(_Model):
    name: str = Field(description="file name of the input, without folders")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: str = Field(examples=["application/pdf", "text/plain"])
    pages: int | None = Field(default=None, description="page count; null where the format has no pages")


class Metadata(_Model):
    title: str | None = None
    doc_number: str | None = Field(default=None, description="发文字号, e.g. 晋政办发〔2024〕37号")
    issuers: list[str] = Field(default_factory=list)
    publish_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class Block(_Span):
    bbox: BBox


class Page(_Model):
    number: int = Field(ge=1)
    width: float
    height: float
    ocr: bool = False
    blocks: list[Block] = Field(default_factory=list)


class Entity(_Span):
    id: str
    label: str
    text: str
    score: float = Field(default=1.0, ge=0, le=1)


class Relation(_Model):
    head: str = Field(description="id of the head entity")
    tail: str = Field(description="id of the tail entity")
    label: str
    score: float = Field(default=1.0, ge=0, le=1)


class Condition(_Span):
    text: str = Field(description="the condition as written")
    metric: str | None = Field(default=None, description="what is compared; null for a textual condition")
    op: Op | None = None
    value: float | None = None
    unit: str | None = Field(default=None, description="unit of `value`; null for yuan, fractions and counts")
    any_of: str | None = Field(
        default=None,
        description="conditions of one measure with the same `any_of` are alternatives joined by 或: "
        "meeting one of them is enough; null: the condition is required",
        examples=["a1"],
    )


class Benefit(_Span):
    kind: str | None = Field(default=None, examples=["补贴", "奖励", "贴息", "资助"])
    rate: float | None = Field(default=None, description="fraction of `base` granted")
    base: str | None = None
    amount: float | None = Field(default=None, description="fixed award, yuan")
    amount_min: float | None = Field(
        default=None, description="lower end of a stated award range (`10万～30万元`); `cap` holds the upper"
    )
    unit_amount: float | None = Field(default=None, description="award per `unit`")
    unit: str | None = None
    cap: float | None = None
    cap_per: str | None = Field(default=None, examples=["项目", "企业", "年度", "企业年度"])
    one_time: bool = False
    duration_years: float | None = None
    condition_text: str | None = Field(
        default=None, description="a condition that applies to this benefit only"
    )


class Exclusion(_Span):
    """A sentence that excludes or forbids double claims (`同一项目不重复享受`, `已获省级支持的不予补助`),
    or caps measures stated elsewhere (`上述各项支持每家企业每年累计不超过500万元`): not a condition the
    rules engine can decide, so the applicant checks it."""

    text: str = Field(description="the sentence as written")
    scope: Literal["clause", "paragraph", "document"] = Field(
        description="where it stands: in the measure's own clause, in its paragraph, or apart from every "
        "measure (a general provision of the document, which every measure carries)"
    )


class Measure(_Span):
    id: str
    title: str | None = None
    text: str
    beneficiaries: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)
    cap: float | None = Field(
        default=None,
        description="a cap on the benefits' sum (`两项补贴合计不超过1500万元`); each benefit keeps it too",
    )
    cap_per: str | None = Field(default=None, description="what `cap` is counted per", examples=["企业年度"])
    tier_group: str | None = Field(
        default=None,
        description="measures that are tiers of one award (`分别给予…`) share this id; an applicant gets the "
        "highest tier reached, not their sum",
    )
    exclusions: list[Exclusion] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0, le=1)


class PolicyDocument(_Model):
    """One policy document, from reader to export."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    source: Source
    metadata: Metadata = Field(default_factory=Metadata)
    text: str = ""
    pages: list[Page] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _evidence_inside_text(self) -> PolicyDocument:
        n = len(self.text)
        spans: list[_Span] = [*self.entities, *self.measures]
        spans += [b for p in self.pages for b in p.blocks]
        for m in self.measures:
            spans += [*m.conditions, *m.benefits]
        for span in spans:
            if span.end > n:
                raise ValueError(
                    f"{type(span).__name__} offsets {span.start}:{span.end} past text length {n}"
                )
        for e in self.entities:
            if self.text[e.start : e.end] != e.text:
                raise ValueError(f"entity {e.id} text {e.text!r} does not match offsets {e.start}:{e.end}")
        ids = {e.id for e in self.entities}
        for r in self.relations:
            if r.head not in ids or r.tail not in ids:
                raise ValueError(f"relation {r.label} points to a missing entity ({r.head} -> {r.tail})")
        return self


def read_result(path: Path) -> PolicyDocument:
    """A `zhengce ingest` result, or `InputError` naming the file and what is wrong with it."""
    try:
        return PolicyDocument.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise InputError(f"{path}: not a zhengce document ({where}: {first['msg']})") from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: not a zhengce document ({exc})") from exc
