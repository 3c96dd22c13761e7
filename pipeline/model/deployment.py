"""How a trained model is deployed: alone, or in an ensemble with the pattern extractor.

`zhengce train` measures the candidates on the dev split (never test) right after export and writes
the best into the model's `config.json` (`ensemble`, absent when the model runs alone), so a model
retrained on reviewed corrections is deployed as its own dev numbers say, not as the model before
it was.

Candidates: the model alone; the model's entities and relations plus the rules' entities of some
labels; the rules' plus the model's entities of some labels (pipeline.extract.ensemble). The labels
are chosen by greedy forward selection: add the label that raises dev scores most, until none
does. The best ensemble is deployed only when it beats the model alone significantly
(`SIGNIFICANCE`). Each dev document is read once by the model and once by the rules; every
candidate only recombines those readings.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.atomic import write_atomic
from pipeline.corpus import CorpusRecord, documents
from pipeline.corpus.convert import records_to_document
from pipeline.document import PolicyDocument
from pipeline.evaluation import Report, Score, evaluate
from pipeline.extract.ensemble import EnsembleConfig, combined
from pipeline.extract.patterns import PatternExtractor
from pipeline.labels import EntityLabel
from pipeline.model.extractor import ModelExtractor
from pipeline.stage import Stage

CONFIG_KEY = "ensemble"
# An ensemble replaces the model alone only when it has more exact measures on dev in at least this
# share of paired bootstrap resamples of the dev documents (a one-sided 95% test). The model alone
# learns from every reviewer's correction and the rules never do, so they must earn their place
# clearly, not by one measure that another sample of notices would take back.
SIGNIFICANCE = 0.95


@dataclass(frozen=True)
class Candidate:
    ensemble: EnsembleConfig | None  # None: the model alone
    report: Report

    @property
    def name(self) -> str:
        return "model alone" if self.ensemble is None else f"ensemble: {self.ensemble.describe()}"

    def rank(self) -> tuple[float, float, int]:
        """Measures first (what users are told), then entities and relations together, then the
        simpler deployment: the model alone, then the model as the base (both learn from
        reviewers' corrections), then the rules as the base."""
        r = self.report
        simplicity = 2 if self.ensemble is None else int(self.ensemble.base == "model")
        return (round(r.measures.f1, 6), round(r.entities.f1 + r.relations.f1, 6), simplicity)

    def as_dict(self) -> dict[str, object]:
        return {
            "deployment": self.name,
            "ensemble": None if self.ensemble is None else self.ensemble.model_dump(mode="json"),
            "dev_entity_f1": round(self.report.entities.f1, 4),
            "dev_relation_f1": round(self.report.relations.f1, 4),
            "dev_measure_f1": round(self.report.measures.f1, 4),
        }


@dataclass(frozen=True)
class Selection:
    chosen: Candidate
    tried: list[Candidate]
    bootstrap_wins: float | None  # the best ensemble against the model alone, when it ranked above

    def as_dict(self) -> dict[str, object]:
        return {
            "chosen": self.chosen.as_dict(),
            "ensemble_bootstrap_wins": self.bootstrap_wins,
            "tried": [c.as_dict() for c in self.tried],
        }


class _Replay:
    """A stage that gives each dev text a deployment's combination of its cached readings."""

    name = "replay"

    def __init__(
        self, readings: dict[str, tuple[PolicyDocument, PolicyDocument]], ensemble: EnsembleConfig | None
    ) -> None:
        self.readings = readings
        self.ensemble = ensemble

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        rules, learned = self.readings[doc.text]
        if self.ensemble is None:
            doc.entities, doc.relations = list(learned.entities), list(learned.relations)
        else:
            doc.entities, doc.relations = combined(rules, learned, self.ensemble)
        return doc


def select_deployment(model: Stage, dev_records: Sequence[CorpusRecord]) -> Selection:
    """Measure `model` alone and the greedy ensembles on `dev_records`: the best ensemble wins when
    it ranks above the model alone and beats it significantly on measures, else the model alone."""
    rules = PatternExtractor()
    readings: dict[str, tuple[PolicyDocument, PolicyDocument]] = {}
    for doc_id, records in documents(dev_records):
        gold = records_to_document(doc_id, records)
        readings[gold.text] = (
            rules(PolicyDocument(source=gold.source, text=gold.text)),
            model(PolicyDocument(source=gold.source, text=gold.text)),
        )

    def measure(ensemble: EnsembleConfig | None) -> Candidate:
        return Candidate(ensemble, evaluate(_Replay(readings, ensemble), dev_records))

    tried = [measure(None)]
    finalists: list[Candidate] = []
    base: Literal["model", "rules"]
    for base in ("model", "rules"):
        chosen: tuple[EntityLabel, ...] = ()
        best: Candidate | None = None
        while True:
            step = [
                measure(EnsembleConfig(base=base, labels=(*chosen, label)))
                for label in EntityLabel
                if label not in chosen
            ]
            tried += step
            leader = max(step, key=Candidate.rank) if step else None
            if leader is None or (best is not None and leader.rank() <= best.rank()):
                break
            best = leader
            chosen = leader.ensemble.labels if leader.ensemble else ()
        if best is not None:
            finalists.append(best)
    alone, ensemble = tried[0], max(finalists, key=Candidate.rank)
    if ensemble.rank() <= alone.rank():
        return Selection(alone, tried, None)

    def per_document(candidate: Candidate) -> list[Score]:
        replay = _Replay(readings, candidate.ensemble)
        return [evaluate(replay, records).measures for _, records in documents(dev_records)]

    wins = bootstrap_wins(per_document(ensemble), per_document(alone))
    return Selection(ensemble if wins >= SIGNIFICANCE else alone, tried, wins)


def bootstrap_wins(
    candidate: Sequence[Score], baseline: Sequence[Score], *, rounds: int = 2000, seed: int = 13
) -> float:
    """The share of paired bootstrap resamples of the documents in which `candidate`'s measure F1
    (from its per-document scores) is strictly above `baseline`'s."""
    rng = random.Random(seed)
    count = len(candidate)
    wins = 0
    for _ in range(rounds):
        picked = [rng.randrange(count) for _ in range(count)]
        wins += _f1(candidate, picked) > _f1(baseline, picked)
    return wins / rounds


def _f1(scores: Sequence[Score], picked: list[int]) -> float:
    total = Score()
    for i in picked:
        total.true_positive += scores[i].true_positive
        total.predicted += scores[i].predicted
        total.gold += scores[i].gold
    return total.f1


def write_deployment(model_dir: Path, selection: Selection) -> None:
    """Record the chosen deployment in the model's `config.json`, atomically."""
    path = model_dir / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.pop(CONFIG_KEY, None)
    if selection.chosen.ensemble is not None:
        config[CONFIG_KEY] = selection.chosen.ensemble.model_dump(mode="json")
    write_atomic(path, json.dumps(config, indent=2, ensure_ascii=False) + "\n")


def deploy(model_dir: Path, dev_records: Sequence[CorpusRecord]) -> Selection:
    """Choose the deployment of the model in `model_dir` on `dev_records` and write it there."""
    selection = select_deployment(ModelExtractor(model_dir), dev_records)
    write_deployment(model_dir, selection)
    return selection
