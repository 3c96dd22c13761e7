"""How a trained model is deployed: alone, or in the label ensemble with the pattern extractor.

`zhengce train` measures both on the dev split (never test) right after export and writes the
better one into the model's `config.json` (`ensemble_model_labels`: the labels the model supplies
to the ensemble, absent when the model runs alone), so a model retrained on reviewed corrections
is deployed as its own dev numbers say, not as the model before it was.

The ensemble's labels are chosen by greedy forward selection: starting from the pattern extractor
alone, add the model label that raises dev scores most, until none does. Each dev document is read
once by the model and once by the rules; every candidate only recombines those readings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import write_atomic
from pipeline.corpus import CorpusRecord, documents
from pipeline.corpus.convert import records_to_document
from pipeline.document import PolicyDocument
from pipeline.evaluation import Report, evaluate
from pipeline.extract.ensemble import combine
from pipeline.extract.patterns import PatternExtractor
from pipeline.labels import EntityLabel
from pipeline.stage import Stage

CONFIG_KEY = "ensemble_model_labels"


@dataclass(frozen=True)
class Candidate:
    model_labels: tuple[EntityLabel, ...] | None  # None: the model alone
    report: Report

    @property
    def name(self) -> str:
        if self.model_labels is None:
            return "model alone"
        return "ensemble: rules + model " + ", ".join(label.value for label in self.model_labels)

    def rank(self) -> tuple[float, float]:
        """Measures first (what users are told), then entities and relations together."""
        r = self.report
        return (round(r.measures.f1, 6), round(r.entities.f1 + r.relations.f1, 6))

    def as_dict(self) -> dict[str, object]:
        return {
            "deployment": self.name,
            "model_labels": None if self.model_labels is None else [x.value for x in self.model_labels],
            "dev_entity_f1": round(self.report.entities.f1, 4),
            "dev_relation_f1": round(self.report.relations.f1, 4),
            "dev_measure_f1": round(self.report.measures.f1, 4),
        }


@dataclass(frozen=True)
class Selection:
    chosen: Candidate
    tried: list[Candidate]

    def as_dict(self) -> dict[str, object]:
        return {"chosen": self.chosen.as_dict(), "tried": [c.as_dict() for c in self.tried]}


class _Replay:
    """A stage that gives each dev text the ensemble of its cached readings."""

    name = "replay"

    def __init__(
        self,
        readings: dict[str, tuple[PolicyDocument, PolicyDocument]],
        model_labels: tuple[EntityLabel, ...] | None,
    ) -> None:
        self.readings = readings
        self.model_labels = model_labels

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        rules, learned = self.readings[doc.text]
        if self.model_labels is None:
            doc.entities, doc.relations = list(learned.entities), list(learned.relations)
        else:
            doc.entities, doc.relations = combine(rules, learned, self.model_labels)
        return doc


def select_deployment(model: Stage, dev_records: Sequence[CorpusRecord]) -> Selection:
    """Measure `model` alone and the greedy label ensembles on `dev_records`; the best wins (the
    model alone on a tie: one extractor is simpler to run and to explain)."""
    rules = PatternExtractor()
    readings: dict[str, tuple[PolicyDocument, PolicyDocument]] = {}
    for doc_id, records in documents(dev_records):
        gold = records_to_document(doc_id, records)
        readings[gold.text] = (
            rules(PolicyDocument(source=gold.source, text=gold.text)),
            model(PolicyDocument(source=gold.source, text=gold.text)),
        )

    def measure(labels: tuple[EntityLabel, ...] | None) -> Candidate:
        return Candidate(labels, evaluate(_Replay(readings, labels), dev_records))

    alone = measure(None)
    tried = [alone]
    chosen: tuple[EntityLabel, ...] = ()
    best: Candidate | None = None
    while True:
        step = [measure((*chosen, label)) for label in EntityLabel if label not in chosen]
        if not step:
            break
        tried += step
        leader = max(step, key=Candidate.rank)
        if best is not None and leader.rank() <= best.rank():
            break
        best = leader
        chosen = leader.model_labels or ()
    winner = alone if best is None or alone.rank() >= best.rank() else best
    return Selection(winner, tried)


def write_deployment(model_dir: Path, selection: Selection) -> None:
    """Record the chosen deployment in the model's `config.json`, atomically."""
    path = model_dir / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.pop(CONFIG_KEY, None)
    labels = selection.chosen.model_labels
    if labels is not None:
        config[CONFIG_KEY] = [label.value for label in labels]
    write_atomic(path, json.dumps(config, indent=2, ensure_ascii=False) + "\n")


def deploy(model_dir: Path, dev_records: Sequence[CorpusRecord]) -> Selection:
    """Choose the deployment of the model in `model_dir` on `dev_records` and write it there."""
    from pipeline.model.extractor import ModelExtractor

    selection = select_deployment(ModelExtractor(model_dir), dev_records)
    write_deployment(model_dir, selection)
    return selection
