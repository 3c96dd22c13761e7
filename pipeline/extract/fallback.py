"""The model with the pattern extractor as its fallback, clause by clause.

Where the model finds no benefit in a clause and the patterns do, the clause takes the patterns'
entities and relations. Whether this helps is measured on the dev split (model card); the pipeline
uses it only when it does.
"""

from __future__ import annotations

from pipeline.document import Entity, PolicyDocument, Relation
from pipeline.extract.patterns import PatternExtractor
from pipeline.extract.segment import segment
from pipeline.labels import EntityLabel
from pipeline.stage import Stage

_BENEFIT_VALUES = {EntityLabel.RATE, EntityLabel.CAP, EntityLabel.AMOUNT, EntityLabel.UNIT_AMOUNT}


class FallbackExtractor:
    """Pipeline stage: `primary` first; `PatternExtractor` for clauses where it found no benefit."""

    name = "fallback"

    def __init__(self, primary: Stage) -> None:
        self.primary = primary
        self.patterns = PatternExtractor()

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        self.primary(doc)
        backup = self.patterns(PolicyDocument(source=doc.source, text=doc.text))
        entities, relations = list(doc.entities), list(doc.relations)
        taken: set[str] = set()
        for clause in segment(doc.text):
            if any(_in(e, clause.start, clause.end) and e.label in _BENEFIT_VALUES for e in entities):
                continue
            found = [e for e in backup.entities if _in(e, clause.start, clause.end)]
            if any(e.label in _BENEFIT_VALUES for e in found):
                taken |= {e.id for e in found}
        ids = {e.id: f"p{e.id}" for e in backup.entities if e.id in taken}
        entities += [e.model_copy(update={"id": ids[e.id]}) for e in backup.entities if e.id in taken]
        relations += [
            Relation(head=ids[r.head], tail=ids[r.tail], label=r.label, score=r.score)
            for r in backup.relations
            if r.head in ids and r.tail in ids
        ]
        doc.entities = sorted(entities, key=lambda e: (e.start, e.end))
        doc.relations = relations
        return doc


def _in(e: Entity, start: int, end: int) -> bool:
    return start <= e.start < end
