"""The model and the pattern extractor together, each for the labels it reads best.

The rules read numbers, caps, rates and their relations very precisely but find few beneficiaries,
word-only conditions and exclusions; the model finds those well. The ensemble keeps the pattern
extractor's entities and relations, adds the model's entities of `model_labels` where no pattern
entity overlaps them, and the model's relations that touch an added entity. Which labels come from
the model is measured on the dev split and written into the shipped model's `config.json`
(`ensemble_model_labels`) by `zhengce train` (pipeline.model.deployment); the model card gives
the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.document import Entity, PolicyDocument, Relation
from pipeline.extract.patterns import PatternExtractor
from pipeline.labels import EntityLabel
from pipeline.stage import Stage


class LabelEnsemble:
    """Pipeline stage: pattern entities and relations, plus the model's entities of some labels."""

    name = "ensemble"

    def __init__(self, model: Stage, model_labels: Iterable[EntityLabel]) -> None:
        self.model = model
        self.model_labels = frozenset(model_labels)
        self.patterns = PatternExtractor()

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        learned = self.model(PolicyDocument(source=doc.source, text=doc.text))
        self.patterns(doc)
        doc.entities, doc.relations = combine(doc, learned, self.model_labels)
        return doc


def combine(
    rules: PolicyDocument, learned: PolicyDocument, model_labels: Iterable[EntityLabel]
) -> tuple[list[Entity], list[Relation]]:
    """The rules' entities and relations plus the model's entities of `model_labels` that no rule
    entity overlaps, and the model's relations touching one of those; neither input is changed."""
    labels = frozenset(model_labels)
    taken = [(e.start, e.end) for e in rules.entities]
    added = {
        e.id: f"m{e.id}"
        for e in learned.entities
        if e.label in labels and not any(e.start < end and start < e.end for start, end in taken)
    }
    entities = rules.entities + [
        e.model_copy(update={"id": added[e.id]}) for e in learned.entities if e.id in added
    ]
    # The model's relations touching an added entity, with their other end mapped onto the
    # entity kept at the same offsets (a pattern entity, or another added one).
    kept_at = {(e.start, e.end): e.id for e in entities}
    offsets = {e.id: (e.start, e.end) for e in learned.entities}
    relations = list(rules.relations)
    present = {(r.head, r.tail) for r in relations}
    for r in learned.relations:
        if r.head in added or r.tail in added:
            head, tail = kept_at.get(offsets[r.head]), kept_at.get(offsets[r.tail])
            if head and tail and (head, tail) not in present:
                relations.append(r.model_copy(update={"head": head, "tail": tail}))
                present.add((head, tail))
    return sorted(entities, key=lambda e: (e.start, e.end)), relations
