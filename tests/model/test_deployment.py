"""Choosing a trained model's deployment on dev: the model alone or the label ensemble."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.corpus import CorpusRecord, documents
from pipeline.corpus.build import load_split
from pipeline.corpus.convert import records_to_document
from pipeline.document import PolicyDocument
from pipeline.evaluation import Score
from pipeline.labels import EntityLabel
from pipeline.model.deployment import (
    CONFIG_KEY,
    SIGNIFICANCE,
    bootstrap_wins,
    select_deployment,
    write_deployment,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def dev() -> list[CorpusRecord]:
    records = load_split(CORPUS, "dev")
    keep = [doc for doc, _ in documents(records)][:4]
    return [r for r in records if r.doc in keep]


class _Oracle:
    """A stand-in model that reads the gold annotation, keeping only what `keep` accepts."""

    name = "oracle"

    def __init__(self, records: list[CorpusRecord], keep: Callable[[EntityLabel], bool]) -> None:
        self.gold = {d.text: d for d in (records_to_document(i, r) for i, r in documents(records))}
        self.keep = keep

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        gold = self.gold[doc.text]
        doc.entities = [e for e in gold.entities if self.keep(e.label)]
        ids = {e.id for e in doc.entities}
        doc.relations = [r for r in gold.relations if r.head in ids and r.tail in ids]
        return doc


def test_a_model_that_reads_everything_right_runs_alone(dev: list[CorpusRecord]) -> None:
    selection = select_deployment(_Oracle(dev, lambda label: True), dev)
    assert selection.chosen.ensemble is None
    assert selection.chosen.report.measures.f1 == 1.0 and selection.chosen.report.entities.f1 == 1.0
    assert len(selection.tried) > len(EntityLabel)  # the ensembles were measured too


def test_a_model_good_at_one_label_supplies_it_to_the_rules(dev: list[CorpusRecord]) -> None:
    def only_conditions(label: EntityLabel) -> bool:
        return label in (EntityLabel.CONDITION, EntityLabel.BENEFICIARY)

    selection = select_deployment(_Oracle(dev, only_conditions), dev)
    ensemble = selection.chosen.ensemble
    assert ensemble is not None and ensemble.base == "rules"
    assert set(ensemble.labels) & {EntityLabel.CONDITION, EntityLabel.BENEFICIARY}
    alone = selection.tried[0]
    assert alone.ensemble is None and alone.rank() < selection.chosen.rank()


def test_a_model_that_misses_one_label_takes_it_from_the_rules(dev: list[CorpusRecord]) -> None:
    selection = select_deployment(_Oracle(dev, lambda label: label != EntityLabel.CAP), dev)
    ensemble = selection.chosen.ensemble
    assert ensemble is not None and ensemble.base == "model" and EntityLabel.CAP in ensemble.labels


def test_the_choice_is_written_into_the_model_config(tmp_path: Path, dev: list[CorpusRecord]) -> None:
    old = {"base": "rules", "labels": ["UNIT"]}
    (tmp_path / "config.json").write_text(json.dumps({"max_length": 192, CONFIG_KEY: old}))
    ensemble = select_deployment(_Oracle(dev, lambda label: label == EntityLabel.BENEFICIARY), dev)
    write_deployment(tmp_path, ensemble)
    config = json.loads((tmp_path / "config.json").read_text())
    chosen = ensemble.chosen.ensemble
    assert chosen is not None and config[CONFIG_KEY] == chosen.model_dump(mode="json") != old
    assert config["max_length"] == 192
    write_deployment(tmp_path, select_deployment(_Oracle(dev, lambda label: True), dev))
    assert CONFIG_KEY not in json.loads((tmp_path / "config.json").read_text())


def test_bootstrap_wins_counts_resamples_where_the_candidate_is_strictly_better() -> None:
    same = [Score(true_positive=3, predicted=4, gold=4) for _ in range(10)]
    assert bootstrap_wins(same, same) == 0.0
    better = [Score(true_positive=4, predicted=4, gold=4) for _ in range(10)]
    assert bootstrap_wins(better, same) == 1.0
    # One document better out of ten: most resamples that leave it out are ties, not wins.
    one_better = [better[0], *same[1:]]
    assert 0.5 < bootstrap_wins(one_better, same) < 0.95


def test_an_ensemble_must_beat_the_model_alone_clearly(dev: list[CorpusRecord]) -> None:
    selection = select_deployment(_Oracle(dev, lambda label: label != EntityLabel.CAP), dev)
    assert selection.bootstrap_wins is not None
    assert (selection.chosen.ensemble is not None) == (selection.bootstrap_wins >= SIGNIFICANCE)


def test_a_config_with_the_old_ensemble_key_is_refused_not_run_differently(tmp_path: Path) -> None:
    import shutil

    from pipeline.errors import ConfigError
    from pipeline.run import extractor_stage

    shipped = CORPUS.parent / "models" / "ner"
    for name in ("encoder.onnx", "relation.onnx", "char_vocab.json", "config.json"):
        shutil.copy(shipped / name, tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    (tmp_path / "config.json").write_text(json.dumps(config | {"ensemble_model_labels": ["CONDITION"]}))
    with pytest.raises(ConfigError, match="ensemble_model_labels"):
        extractor_stage("model", tmp_path)
