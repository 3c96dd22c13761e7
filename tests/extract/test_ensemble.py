"""The ensemble: one side's entities and relations, plus the other's entities of chosen labels."""

from __future__ import annotations

from pipeline.document import Entity, PolicyDocument, Relation, Source
from pipeline.extract.ensemble import EnsembleConfig, LabelEnsemble
from pipeline.labels import EntityLabel

TEXT = "对新认定的专精特新中小企业，给予一次性奖励50万元。"


class _FixedModel:
    """A stand-in model that reads the given (key, text, label) entities and (head, tail, label)
    relations in any document."""

    name = "fake"

    def __init__(self, entities: list[tuple[str, str, str]], relations: list[tuple[str, str, str]]) -> None:
        self.entities, self.relations = entities, relations

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        doc.entities = [
            Entity(
                id=key,
                label=label,
                start=doc.text.index(text),
                end=doc.text.index(text) + len(text),
                text=text,
            )
            for key, text, label in self.entities
        ]
        doc.relations = [Relation(head=h, tail=t, label=label, score=0.9) for h, t, label in self.relations]
        return doc


def _model() -> _FixedModel:
    """A beneficiary the rules miss, a competing amount span, and relations."""
    return _FixedModel(
        [
            ("b", "专精特新中小企业", "BENEFICIARY"),
            ("k", "奖励", "BENEFIT_KIND"),
            ("a", "奖励50万", "AMOUNT"),  # overlaps the rules' amount: never added
        ],
        [("k", "b", "FOR"), ("k", "a", "HAS_AMOUNT")],
    )


SOURCE = Source(name="a.txt", sha256="0" * 64, media_type="text/plain")


def test_ensemble_adds_the_models_labels_and_their_relations_to_the_rules() -> None:
    config = EnsembleConfig(base="rules", labels=(EntityLabel.BENEFICIARY,))
    doc = LabelEnsemble(_model(), config)(PolicyDocument(source=SOURCE, text=TEXT))
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


def test_ensemble_on_the_model_adds_the_rules_labels() -> None:
    config = EnsembleConfig(base="model", labels=(EntityLabel.AMOUNT, EntityLabel.BENEFIT_KIND))
    doc = LabelEnsemble(_model(), config)(PolicyDocument(source=SOURCE, text=TEXT))
    # The model's amount span stands (the rules' 50万元 overlaps it), its kind and beneficiary too.
    assert [(e.label, e.text) for e in doc.entities] == [
        (EntityLabel.BENEFICIARY, "专精特新中小企业"),
        (EntityLabel.BENEFIT_KIND, "奖励"),
        (EntityLabel.AMOUNT, "奖励50万"),
    ]
    assert {r.label for r in doc.relations} == {"FOR", "HAS_AMOUNT"}


def _mislabelling_model() -> _FixedModel:
    """The beneficiary, and 奖励 read as an exclusion with a relation from it."""
    return _FixedModel(
        [("b", "专精特新中小企业", "BENEFICIARY"), ("x", "奖励", "EXCLUSION")], [("x", "b", "FOR")]
    )


def test_ensemble_maps_relations_only_onto_entities_of_the_same_label() -> None:
    config = EnsembleConfig(base="rules", labels=(EntityLabel.BENEFICIARY,))
    doc = LabelEnsemble(_mislabelling_model(), config)(PolicyDocument(source=SOURCE, text=TEXT))
    assert "专精特新中小企业" in [e.text for e in doc.entities]
    # The rules' 奖励 is a benefit kind, not the model's exclusion: the model's relation is dropped.
    assert not any(r.label == "FOR" for r in doc.relations)
