"""Fixtures of the rules-engine tests: the seed's reference extraction as a document, an engine, documents by hand."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from pipeline.document import Benefit, Condition, Measure, PolicyDocument, Source
from pipeline.rules import RulesEngine
from tests.shared_data import SEED_GOLD, SEED_TEXT


def gold_document() -> PolicyDocument:
    """`000_b219e20ba6852894.gold.json` as a PolicyDocument: measures m1…m9 in the reference's order."""
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    measures = []
    for i, g in enumerate(gold["measures"], start=1):
        conditions = [
            Condition(text=c.get("text") or c.get("metric") or "", start=0, end=0, **_fields(c, Condition))
            for c in g.get("conditions", [])
        ]
        benefits = [Benefit(start=0, end=0, **_fields(b, Benefit)) for b in g.get("benefits", [])]
        measures.append(
            Measure(
                id=f"m{i}",
                title=g["title"],
                text=g["title"],
                start=0,
                end=0,
                beneficiaries=g.get("beneficiaries", []),
                conditions=conditions,
                benefits=benefits,
            )
        )
    source = Source(
        name=SEED_TEXT.name,
        sha256=hashlib.sha256(SEED_TEXT.read_bytes()).hexdigest(),
        media_type="text/plain",
    )
    return PolicyDocument(source=source, measures=measures)


def _fields(data: dict[str, Any], model: type[Condition] | type[Benefit]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in model.model_fields and k not in ("text", "start", "end")}


def hand_document(*measures: Measure, name: str = "hand.txt") -> PolicyDocument:
    """A document built by hand from measures (offsets 0: no text needed)."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return PolicyDocument(
        source=Source(name=name, sha256=digest, media_type="text/plain"), measures=list(measures)
    )


def measure(
    id_: str, conditions: list[Condition] | None = None, benefits: list[Benefit] | None = None, **extra: Any
) -> Measure:
    return Measure(
        id=id_,
        title=id_,
        text=id_,
        start=0,
        end=0,
        conditions=conditions or [],
        benefits=benefits or [],
        **extra,
    )


def condition(
    metric: str | None, op: str | None = None, value: float | None = None, **extra: Any
) -> Condition:
    text = extra.pop("text", None) or metric or ""
    return Condition(text=text, metric=metric, op=op, value=value, start=0, end=0, **extra)  # type: ignore[arg-type]


def benefit(**fields: Any) -> Benefit:
    return Benefit(start=0, end=0, **fields)


@pytest.fixture(scope="session")
def seed_gold() -> PolicyDocument:
    if not SEED_GOLD.exists():
        pytest.skip("../shared/seed is not beside this checkout")
    return gold_document()


@pytest.fixture(scope="session")
def engine() -> RulesEngine:
    return RulesEngine()
