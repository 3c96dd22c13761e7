"""The model and the pattern extractor together, each for the labels it reads best.

One of the two is the base: its entities and relations are kept whole. The other adds its entities
of some labels where no base entity overlaps them, with its relations that touch an added entity.
The rules read numbers and their relations very precisely but find few beneficiaries and word-only
conditions; the model reads those better and learns from reviewers' corrections. Which side is the
base and which labels the other supplies is measured on the dev split by `zhengce train`
(pipeline.model.deployment) and written into the model's `config.json` (`ensemble`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.document import Entity, PolicyDocument, Relation
from pipeline.extract.patterns import PatternExtractor
from pipeline.labels import EntityLabel
from pipeline.stage import Stage


class EnsembleConfig(BaseModel):
    """`config.json` → `ensemble`: how the model's and the rules' readings are combined."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: Literal["model", "rules"]  # whose entities and relations are kept whole
    labels: tuple[EntityLabel, ...]  # the other side's entities added where no base entity overlaps

    def describe(self) -> str:
        others = "rules'" if self.base == "model" else "model's"
        return f"{self.base} + the {others} {', '.join(label.value for label in self.labels)}"


class LabelEnsemble:
    """Pipeline stage: the model and the pattern extractor combined as `config` says."""

    name = "ensemble"

    def __init__(self, model: Stage, config: EnsembleConfig) -> None:
        self.model = model
        self.config = config
        self.patterns = PatternExtractor()

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        learned = self.model(PolicyDocument(source=doc.source, text=doc.text))
        rules = self.patterns(PolicyDocument(source=doc.source, text=doc.text))
        doc.entities, doc.relations = combined(rules, learned, self.config)
        return doc


def combined(
    rules: PolicyDocument, learned: PolicyDocument, config: EnsembleConfig
) -> tuple[list[Entity], list[Relation]]:
    """The entities and relations of the ensemble `config` of two readings of one text."""
    if config.base == "rules":
        return combine(rules, learned, config.labels)
    return combine(learned, rules, config.labels)


def combine(
    base: PolicyDocument, other: PolicyDocument, labels: Iterable[EntityLabel]
) -> tuple[list[Entity], list[Relation]]:
    """`base`'s entities and relations plus `other`'s entities of `labels` that no base entity
    overlaps, and `other`'s relations touching one of those; neither input is changed."""
    wanted = frozenset(labels)
    taken = [(e.start, e.end) for e in base.entities]
    added = {
        e.id: f"x{e.id}"
        for e in other.entities
        if e.label in wanted and not any(e.start < end and start < e.end for start, end in taken)
    }
    entities = base.entities + [
        e.model_copy(update={"id": added[e.id]}) for e in other.entities if e.id in added
    ]
    # The other side's relations touching an added entity, with their other end mapped onto the
    # entity kept at the same offsets with the same label (a base entity, or another added one).
    kept_at = {(e.start, e.end, e.label): e.id for e in entities}
    offsets = {e.id: (e.start, e.end, e.label) for e in other.entities}
    relations = list(base.relations)
    present = {(r.head, r.tail) for r in relations}
    for r in other.relations:
        if r.head in added or r.tail in added:
            head, tail = kept_at.get(offsets[r.head]), kept_at.get(offsets[r.tail])
            if head and tail and (head, tail) not in present:
                relations.append(r.model_copy(update={"head": head, "tail": tail}))
                present.add((head, tail))
    return sorted(entities, key=lambda e: (e.start, e.end)), relations
