"""The wire formats of the labeling tools, as typed models: Label Studio tasks (what `labels export`
writes and what a project's full JSON export holds) and doccano's JSONL with entities and relations.

The models accept what the tools add (ids, timestamps, counters) and check only the shape; whether
offsets, labels and relation endpoints make sense is the importer's job, which names the problem in
corpus terms.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    # The tools add fields of their own (Label Studio: created_at, result_count, unique_id, ...).
    model_config = ConfigDict(extra="ignore")


class RegionValue(_Wire):
    start: int
    end: int
    text: str | None = None
    labels: list[str]


class Region(_Wire):
    """A labelled span (`type: labels`)."""

    id: str
    type: Literal["labels"]
    from_name: str
    to_name: str
    value: RegionValue
    origin: str | None = None
    score: float | None = None


class RelationResult(_Wire):
    """A relation between two regions (`type: relation`)."""

    type: Literal["relation"]
    from_id: str
    to_id: str
    direction: Literal["right", "left", "bi"] = "right"
    labels: list[str] = Field(default_factory=list)


Result = Annotated[Region | RelationResult, Field(discriminator="type")]


class Prediction(_Wire):
    model_version: str
    score: float
    result: list[Result]


class Annotation(_Wire):
    id: int | None = None
    completed_by: int | dict[str, Any] | None = None
    result: list[Result]
    was_cancelled: bool = False
    created_at: str | None = None
    updated_at: str | None = None


class TaskData(_Wire):
    text: str
    doc: str | None = Field(default=None, description="corpus document id, set by `labels export`")
    source: str | None = Field(default=None, description="the ingested file's name")
    source_sha256: str | None = None
    title: str | None = None


class Task(_Wire):
    """One Label Studio task. In a project export `predictions` holds prediction ids only."""

    id: int | None = None
    project: int | None = None
    data: TaskData
    annotations: list[Annotation] = Field(default_factory=list)
    predictions: list[Prediction | int] = Field(default_factory=list)


class DoccanoEntity(_Wire):
    id: int | str
    label: str
    start_offset: int
    end_offset: int


class DoccanoRelation(_Wire):
    id: int | str | None = None
    from_id: int | str
    to_id: int | str
    type: str


class DoccanoLine(_Wire):
    """One line of doccano's sequence-labelling JSONL with relations. Keys doccano does not know
    (`doc`, `source`, `source_sha256`) travel through it as the example's metadata."""

    id: int | None = None
    text: str
    entities: list[DoccanoEntity] = Field(default_factory=list)
    relations: list[DoccanoRelation] = Field(default_factory=list)
    doc: str | None = None
    source: str | None = None
    source_sha256: str | None = None
    annotator: str | None = None
