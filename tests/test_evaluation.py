"""The evaluation: a perfect extractor scores 1.0, an empty one 0.0, and measures match on values."""

from __future__ import annotations

from pathlib import Path

from pipeline.corpus.build import load_notices
from pipeline.corpus.convert import records_to_document
from pipeline.document import PolicyDocument
from pipeline.evaluation import evaluate, measure_key
from pipeline.extract.assemble import Assembler

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


class _Oracle:
    """Copies the gold annotation: what a perfect model would write."""

    name = "oracle"

    def __init__(self, gold: PolicyDocument) -> None:
        self.gold = gold

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        doc.entities, doc.relations = list(self.gold.entities), list(self.gold.relations)
        return doc


class _Nothing:
    name = "nothing"

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        return doc


def test_evaluation_perfect_and_empty_extractors() -> None:
    notice = next(n for n in load_notices(CORPUS) if n.split == "dev")
    gold = records_to_document(notice.doc, notice.records)
    perfect = evaluate(_Oracle(gold), notice.records)
    assert (perfect.entities.f1, perfect.relations.f1, perfect.measures.f1) == (1.0, 1.0, 1.0)
    assert perfect.measures.gold > 0 and perfect.errors == []
    empty = evaluate(_Nothing(), notice.records)
    assert (empty.entities.recall, empty.measures.recall, empty.measures.predicted) == (0.0, 0.0, 0)


def test_evaluation_measure_key_ignores_wording_but_not_values() -> None:
    notice = next(n for n in load_notices(CORPUS) if n.split == "dev")
    measures = Assembler()(records_to_document(notice.doc, notice.records)).measures
    m = next(m for m in measures if m.benefits and m.benefits[0].cap is not None)
    renamed = m.model_copy(update={"title": "另一个标题", "text": "不同的措辞"})
    assert measure_key(renamed) == measure_key(m)
    changed = m.model_copy(deep=True)
    changed.benefits[0].cap = (changed.benefits[0].cap or 0) + 1
    assert measure_key(changed) != measure_key(m)
