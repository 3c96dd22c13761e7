"""Evaluation of an extractor against annotated notices: entities, relations and whole measures.

- entities: exact span and label; precision, recall and F1 per label and micro-averaged;
- relations: exact head span, tail span and label;
- measures: the assembler's measures from the prediction against those from the gold annotation,
  matched exactly on their benefits (rates, amounts, caps and what they count per, units, durations,
  一次性) and numeric conditions (op, value, unit); precision, recall and F1 over measures.

Both sides go through the same assembler, so the measure score is the extractor's, not the
assembler's. Every notice is processed from its plain text, as `zhengce ingest` would.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.corpus import CorpusRecord, documents
from pipeline.corpus.convert import records_to_document
from pipeline.document import Measure, PolicyDocument
from pipeline.extract.assemble import Assembler
from pipeline.stage import Stage


@dataclass
class Score:
    true_positive: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: Counter[Any], gold: Counter[Any]) -> None:
        self.true_positive += sum((predicted & gold).values())
        self.predicted += sum(predicted.values())
        self.gold += sum(gold.values())

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "gold": self.gold,
            "predicted": self.predicted,
        }


@dataclass
class Report:
    entities: Score = field(default_factory=Score)
    per_label: dict[str, Score] = field(default_factory=dict)
    relations: Score = field(default_factory=Score)
    measures: Score = field(default_factory=Score)
    documents: int = 0
    characters: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # documents whose measures differ, for review

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "entities": self.entities.as_dict(),
            "relations": self.relations.as_dict(),
            "measures": self.measures.as_dict(),
            "per_label": {k: v.as_dict() for k, v in sorted(self.per_label.items())},
            "measure_errors": sorted(self.errors),
            "characters_per_second": round(self.characters / self.seconds) if self.seconds else None,
        }


def measure_key(m: Measure) -> tuple[object, ...]:
    """What an applicant is told: numeric conditions and benefit values (text fields aside)."""
    conditions = sorted(repr((c.op, _round(c.value), c.unit)) for c in m.conditions if c.value is not None)
    benefits = sorted(
        repr(
            (
                _round(b.rate),
                _round(b.amount),
                _round(b.amount_min),
                _round(b.unit_amount),
                _round(b.cap),
                b.cap_per,
                _round(b.duration_years),
                b.one_time,
            )
        )
        for b in m.benefits
    )
    return (tuple(conditions), tuple(benefits))


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.9g}")


def evaluate(extractor: Stage, records: Sequence[CorpusRecord]) -> Report:
    """Run `extractor` on each annotated notice's text and score it against the annotation."""
    report = Report()
    assembler = Assembler()
    for doc_id, doc_records in documents(records):
        gold = assembler(records_to_document(doc_id, doc_records))
        predicted = PolicyDocument(source=gold.source, text=gold.text)
        started = time.perf_counter()
        predicted = assembler(extractor(predicted))
        report.seconds += time.perf_counter() - started
        report.characters += len(gold.text)
        report.documents += 1
        _score_document(report, gold, predicted)
    return report


def _score_document(report: Report, gold: PolicyDocument, predicted: PolicyDocument) -> None:
    gold_entities = Counter((e.start, e.end, e.label) for e in gold.entities)
    predicted_entities = Counter((e.start, e.end, e.label) for e in predicted.entities)
    report.entities.add(predicted_entities, gold_entities)
    for label in {key[2] for key in gold_entities + predicted_entities}:
        report.per_label.setdefault(str(label), Score()).add(
            Counter({k: v for k, v in predicted_entities.items() if k[2] == label}),
            Counter({k: v for k, v in gold_entities.items() if k[2] == label}),
        )
    report.relations.add(_relation_keys(predicted), _relation_keys(gold))
    gold_measures = Counter(measure_key(m) for m in gold.measures)
    predicted_measures = Counter(measure_key(m) for m in predicted.measures)
    report.measures.add(predicted_measures, gold_measures)
    if gold_measures != predicted_measures:
        report.errors.append(gold.source.name)


def _relation_keys(doc: PolicyDocument) -> Counter[object]:
    spans = {e.id: (e.start, e.end, e.label) for e in doc.entities}
    return Counter((spans[r.head], spans[r.tail], r.label) for r in doc.relations)
