"""The seed: a real scanned newspaper page's text against its reference extraction (`../shared/seed/`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.document import Measure
from pipeline.run import Extractor, Pipeline, default_model_dir
from tests.shared_data import SEED_GOLD, SEED_TEXT

pytestmark = pytest.mark.skipif(not SEED_TEXT.exists(), reason="../shared/seed is not beside this checkout")

_BENEFIT_FIELDS = ("rate", "cap", "cap_per", "amount", "unit_amount", "unit", "duration_years")


def _exact(value: object) -> object:
    """Numbers compared to 12 significant digits: 0.15 parsed from text equals 0.15 in the gold file."""
    return float(f"{value:.12g}") if isinstance(value, int | float) and not isinstance(value, bool) else value


def _numbers(benefit: dict[str, object]) -> dict[str, object]:
    fields = {k: _exact(benefit.get(k)) for k in _BENEFIT_FIELDS}
    return fields | {"one_time": bool(benefit.get("one_time", False))}


def _numeric_conditions(conditions: list[dict[str, object]]) -> list[tuple[object, ...]]:
    found = [(c["op"], _exact(c["value"]), c.get("unit")) for c in conditions if c.get("value") is not None]
    return sorted(found, key=repr)


def _matches(measure: Measure, gold: dict[str, object]) -> bool:
    got = measure.model_dump()
    got_benefits = [_numbers(b) for b in got["benefits"]]
    gold_benefits = [_numbers(b) for b in gold["benefits"]]  # type: ignore[attr-defined]
    if got_benefits != gold_benefits:
        return False
    return _numeric_conditions(got["conditions"]) == _numeric_conditions(gold["conditions"])  # type: ignore[arg-type]


FAST_MODEL = default_model_dir().parent / "ner-fast"


@pytest.mark.parametrize(
    ("extractor", "model_dir"),
    [
        ("patterns", None),
        ("auto", None),
        pytest.param(
            "model",
            FAST_MODEL,
            id="ner-fast",
            marks=pytest.mark.skipif(not (FAST_MODEL / "encoder.onnx").exists(), reason="no fast model"),
        ),
    ],
)
def test_seed_reference_measures_are_exact(
    extractor: Extractor, model_dir: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if model_dir:
        monkeypatch.setenv("ZHENGCE_MODEL_DIR", str(model_dir))
    doc = Pipeline(extractor=extractor).process_path(SEED_TEXT)
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["measures"]
    exact = [g["title"] for g in gold if any(_matches(m, g) for m in doc.measures)]
    missing = [g["title"] for g in gold if g["title"] not in exact]
    assert not missing, f"reference measures not extracted exactly: {missing}"
    # Nothing beyond the reference: every extracted measure is one of the gold ones.
    assert len(doc.measures) == len(gold)


def test_seed_evidence_offsets_point_at_the_numbers() -> None:
    doc = Pipeline(extractor="patterns").process_path(SEED_TEXT)
    for m in doc.measures:
        assert doc.text[m.start : m.end] == m.text
        for b in m.benefits:
            assert b.start < b.end and m.start <= b.start and b.end <= m.end
    caps = [e.text for e in doc.entities if e.label == "CAP"]
    assert "1000万元" in caps and "5000万元" in caps
