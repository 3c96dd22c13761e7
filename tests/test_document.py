"""The document model implements the contract, and the committed schemas match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.document import Entity, PolicyDocument, Relation, Source
from pipeline.profile import ApplicantProfile
from pipeline.schemas import SCHEMA_FILES, render

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Source(name="a.txt", sha256="0" * 64, media_type="text/plain")


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_document_committed_schema_matches_models(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMA_FILES[name]), f"schemas/{name} is stale: run `make schemas`"


def test_document_contract_example_round_trips() -> None:
    text = "对参数量不低于千亿的大模型，给予不超过研发总投入20%、最高1000万元的补贴。"
    doc = PolicyDocument(
        source=SOURCE,
        text=text,
        entities=[Entity(id="e1", label="RATE", start=24, end=27, text="20%", score=0.98)],
        relations=[Relation(head="e1", tail="e1", label="HAS_RATE")],
    )
    again = PolicyDocument.model_validate_json(doc.model_dump_json())
    assert again == doc
    assert again.model_dump()["schema_version"] == "1"


def test_document_rejects_misaligned_entity() -> None:
    with pytest.raises(ValidationError, match="does not match offsets"):
        PolicyDocument(
            source=SOURCE,
            text="给予20%补贴",
            entities=[Entity(id="e1", label="RATE", start=1, end=4, text="20%")],
        )


def test_document_rejects_offsets_past_the_text() -> None:
    with pytest.raises(ValidationError, match="past text length"):
        PolicyDocument(
            source=SOURCE, text="短", entities=[Entity(id="e1", label="RATE", start=0, end=3, text="短")]
        )


def test_document_rejects_relation_to_missing_entity() -> None:
    with pytest.raises(ValidationError, match="missing entity"):
        PolicyDocument(source=SOURCE, text="x", relations=[Relation(head="e1", tail="e2", label="HAS_RATE")])


def test_document_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        PolicyDocument.model_validate({"source": SOURCE.model_dump(), "surprise": 1})


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"facts": {"营业收入": "很多"}}, "facts.营业收入"),
        ({"facts": {"营业收入": float("nan")}}, "facts"),
        ({"tags": "高新技术企业"}, "tags"),
        ({"facts": {}, "unknown": 1}, "unknown"),
    ],
)
def test_document_profile_rejects_bad_input_naming_the_field(profile: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ApplicantProfile.model_validate(profile)
    assert field in str(info.value)
