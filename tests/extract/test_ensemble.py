"""The ensemble: the rules' entities and relations, plus the model's entities of chosen labels."""

from __future__ import annotations

from pipeline.document import Entity, PolicyDocument, Relation, Source
from pipeline.extract.ensemble import LabelEnsemble
from pipeline.labels import EntityLabel

TEXT = "对新认定的专精特新中小企业，给予一次性奖励50万元。"


class _Model:
    """A stand-in model: a beneficiary the rules miss, a competing amount span, and relations."""

    name = "fake"

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        def entity(key: str, text: str, label: str) -> Entity:
            start = doc.text.index(text)
            return Entity(id=key, label=label, start=start, end=start + len(text), text=text)

        doc.entities = [
            entity("b", "专精特新中小企业", "BENEFICIARY"),
            entity("k", "奖励", "BENEFIT_KIND"),
            entity("a", "奖励50万", "AMOUNT"),  # overlaps the rules' amount: never added
        ]
        doc.relations = [
            Relation(head="k", tail="b", label="FOR", score=0.9),
            Relation(head="k", tail="a", label="HAS_AMOUNT", score=0.9),
        ]
        return doc


def test_ensemble_adds_the_models_labels_and_their_relations_to_the_rules() -> None:
    source = Source(name="a.txt", sha256="0" * 64, media_type="text/plain")
    doc = LabelEnsemble(_Model(), [EntityLabel.BENEFICIARY])(PolicyDocument(source=source, text=TEXT))
    by_id = {e.id: e for e in doc.entities}
    assert [(e.label, e.text) for e in doc.entities if e.label == "BENEFICIARY"] == [
        (EntityLabel.BENEFICIARY, "专精特新中小企业")
    ]
    assert "奖励50万" not in [e.text for e in doc.entities]
    assert [e.text for e in doc.entities if e.label == "AMOUNT"] == ["50万元"]
    # The model's FOR relation is kept, its head mapped onto the rules' 奖励 at the same offsets.
    assert [(by_id[r.head].text, r.label, by_id[r.tail].text) for r in doc.relations if r.label == "FOR"] == [
        ("奖励", "FOR", "专精特新中小企业")
    ]
    assert doc.measures == [] and len(doc.relations) == len({(r.head, r.tail) for r in doc.relations})
