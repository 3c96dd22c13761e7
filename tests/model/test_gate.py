"""The paragraph gate: fitted by cross-validation, saved and loaded whole, and in the extractor
skipping only paragraphs that hold no policy term."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.corpus import CorpusRecord, Span, documents
from pipeline.corpus.build import load_split
from pipeline.corpus.convert import records_to_document
from pipeline.errors import ConfigError
from pipeline.model import gate as gate_module
from pipeline.model.gate import (
    BUCKETS,
    GATE_FILE,
    ParagraphGate,
    fit_gate,
    ngram_ids,
    paragraphs_to_read,
    sentences,
)
from pipeline.run import default_model_dir

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SHIPPED = default_model_dir()
needs_model = pytest.mark.skipif(not (SHIPPED / GATE_FILE).exists(), reason="no shipped model with a gate")


def test_sentences_end_at_full_stops_and_semicolons_and_keep_the_tail() -> None:
    text = "一、支持对象；对企业给予奖励。具体办法另行制定"
    assert [text[a:b] for a, b in sentences(text)] == [
        "一、支持对象；",
        "对企业给予奖励。",
        "具体办法另行制定",
    ]
    assert list(sentences("")) == []


def test_ngram_ids_are_distinct_in_range_and_the_same_every_time() -> None:
    ids = ngram_ids("给予奖励")
    assert len(ids) == len(set(ids.tolist())) == 4 + 3 + 2  # no collision among these nine
    assert ids.min() >= 0 and ids.max() < BUCKETS
    assert np.array_equal(ids, ngram_ids("给予奖励"))


_POLICY = [
    ("对新认定的高新技术企业，给予{}万元一次性奖励。", "高新技术企业", "奖励"),
    ("对年度研发投入超过{}万元的企业，按研发投入的10%给予补助。", "企业", "补助"),
    ("对首次入选百强的民营企业，奖励{}万元。", "民营企业", "奖励"),
    ("对新建5G基站的运营商，每个基站补贴{}万元。", "运营商", "补贴"),
]
_BOILERPLATE = [
    "各区县人民政府，市政府各部门，各直属机构：",
    "现将《关于促进产业发展的若干措施》印发给你们，请认真贯彻执行。",
    "联系电话：0571-8888{}，联系人：王先生。",
    "本通知自印发之日起施行，由市发展改革委负责解释。",
]


def _corpus(docs: int) -> list[CorpusRecord]:
    records = []
    for d in range(docs):
        lines = [(text.format(d), None) for text in _BOILERPLATE[:2]]
        lines += [(text.format(10 + d), (who, kind)) for text, who, kind in _POLICY]
        lines += [(text.format(d), None) for text in _BOILERPLATE[2:]]
        for n, (text, terms) in enumerate(lines):
            spans = []
            for k, word in enumerate(terms or ()):
                start = text.index(word)
                label = "BENEFICIARY" if k == 0 else "BENEFIT_KIND"
                spans.append(Span(id=f"s{k}", start=start, end=start + len(word), label=label, text=word))
            records.append(CorpusRecord(id=f"g{d}#{n}", doc=f"g{d}", text=text, spans=spans))
    return records


def test_a_fitted_gate_keeps_policy_sentences_and_skips_the_notices_framing() -> None:
    fit = fit_gate(_corpus(20))
    assert fit.paragraphs == 20 * 8 and fit.held_out_lost == 0
    assert fit.held_out_skipped_chars > 0.2  # some framing paragraphs the patterns ignore are skipped
    gate = fit.gate
    assert gate.keeps("对新认定的高新技术企业，给予50万元一次性奖励。")
    assert gate.keeps(
        "市政府各部门：现印发给你们。对首次入选百强的民营企业，奖励50万元。"
    )  # one sentence is enough
    assert not gate.keeps("请认真贯彻执行。")


def test_a_gate_fitted_on_fewer_than_two_notices_keeps_every_paragraph() -> None:
    for records in (_corpus(1), []):
        fit = fit_gate(records)
        assert fit.gate.threshold == float("-inf") and fit.held_out_skipped_chars == 0
        assert fit.gate.keeps("请认真贯彻执行。")
    two = fit_gate(_corpus(2))  # two folds of one notice each
    assert two.paragraphs == 16 and two.gate.threshold > float("-inf")


def test_the_threshold_lets_the_held_out_folds_lose_at_most_the_allowed_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def paragraph(entities: int, hinted: bool) -> gate_module._Paragraph:
        return gate_module._Paragraph("x", "d", entities, hinted, [])

    paragraphs = [
        paragraph(0, False),
        paragraph(1, False),
        paragraph(5, True),
        paragraph(2, False),
        paragraph(2, False),
    ]
    scores = np.array([-9.0, -6.0, -7.0, -3.0, 1.0])  # 10 entities in all
    monkeypatch.setattr(gate_module, "MAX_LOST_SHARE", 0.1)  # one entity may be lost
    # Skipping below -3 loses the 1 at -6 (the hinted 5 at -7 are kept by the patterns); -3 is kept.
    assert gate_module._threshold(paragraphs, scores) == -3.0
    monkeypatch.setattr(gate_module, "MAX_LOST_SHARE", 0.0)
    assert gate_module._threshold(paragraphs, scores) == -6.0
    assert gate_module._threshold([paragraph(0, False)], np.array([0.0])) == float("-inf")  # keeps all


def test_a_gate_is_saved_and_loaded_whole_and_a_foreign_file_is_refused(tmp_path: Path) -> None:
    weights = np.random.default_rng(0).normal(size=BUCKETS).astype(np.float32)
    gate = ParagraphGate(weights, bias=-0.5, threshold=-4.25)
    gate.save(tmp_path / GATE_FILE)
    loaded = ParagraphGate.load(tmp_path / GATE_FILE)
    assert np.array_equal(loaded.weights, weights) and (loaded.bias, loaded.threshold) == (-0.5, -4.25)
    assert [p.name for p in tmp_path.iterdir()] == [GATE_FILE]  # no temporary file left
    np.savez(
        tmp_path / "other.npz", weights=weights[:10], bias=0.0, threshold=0.0, ngram_sizes=np.array([1, 2, 3])
    )
    with pytest.raises(ValueError, match=r"other\.npz"):
        ParagraphGate.load(tmp_path / "other.npz")


@needs_model
def test_a_broken_gate_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    from pipeline.model.extractor import ModelExtractor

    for file in SHIPPED.iterdir():
        if file.is_file():
            (tmp_path / file.name).symlink_to(file)
    (tmp_path / GATE_FILE).unlink()
    (tmp_path / GATE_FILE).write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match=GATE_FILE):
        ModelExtractor(tmp_path)
    assert ModelExtractor(tmp_path, paragraph_gate=False).gate is None


class _CountingSession:
    def __init__(self, session: object) -> None:
        self.session = session
        self.characters = 0

    def run(self, output_names: list[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.characters += int(input_feed["attention_mask"].sum()) - 2 * len(input_feed["attention_mask"])
        return self.session.run(output_names, input_feed)  # type: ignore[attr-defined, no-any-return]


@needs_model
def test_the_extractor_skips_framing_paragraphs_and_finds_the_same_terms() -> None:
    from pipeline.document import PolicyDocument, Source
    from pipeline.model.extractor import ModelExtractor

    framing = [
        "各县（市、区）人民政府，市直各单位：",
        "为加快培育新质生产力，推动制造业高端化、智能化、绿色化发展，经市政府同意，现将有关事项通知如下。",
        "请各地各部门结合实际认真抓好贯彻落实，执行中遇到的问题及时向市工业和信息化局反映。",
    ]
    terms = "对当年新增购置工业机器人的制造业企业，按设备投资额的15%给予补助，单个企业最高不超过300万元。"
    text = "\n".join([*framing[:2], terms, framing[2]])
    results = {}
    for gated in (True, False):
        extractor = ModelExtractor(SHIPPED, paragraph_gate=gated)
        counting = _CountingSession(extractor.encoder)
        extractor.encoder = counting
        doc = extractor(
            PolicyDocument(source=Source(name="t", sha256="0" * 64, media_type="text/plain"), text=text)
        )
        results[gated] = ([(e.label, e.start, e.end) for e in doc.entities], counting.characters)
    assert results[True][0] == results[False][0] and results[True][0]
    assert results[False][1] == len(text) - text.count("\n")
    assert results[True][1] == len(terms)  # only the paragraph with terms was read


@needs_model
def test_the_shipped_gate_skips_much_of_dev_and_loses_almost_none_of_its_entities() -> None:
    """Dev notices were never fitted on: the gate and the patterns together keep nearly every
    paragraph that holds an entity, and skip a large part of the text."""
    from pipeline.model.features import pattern_hints

    gate = ParagraphGate.load(SHIPPED / GATE_FILE)
    entities = lost = chars = skipped = 0
    for doc, records in documents(load_split(CORPUS, "dev")):
        text = records_to_document(doc, records).text
        read = [r for _, _, r in paragraphs_to_read(text, pattern_hints(text), gate)]
        for r, kept in zip(records, read, strict=True):
            entities, chars = entities + len(r.spans), chars + len(r.text)
            if not kept:
                lost, skipped = lost + len(r.spans), skipped + len(r.text)
    assert lost <= 0.002 * entities, f"{lost} of {entities} entities in skipped paragraphs"
    assert skipped >= 0.25 * chars, f"skips only {skipped / chars:.0%}"


def test_train_gate_command_fits_a_model_folders_gate(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["train-gate", "--corpus", str(CORPUS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["held_out_lost"] <= 0.001 * summary["held_out_entities"]
    assert ParagraphGate.load(tmp_path / GATE_FILE).threshold == pytest.approx(summary["threshold"], abs=1e-4)
    missing = CliRunner().invoke(main, ["train-gate", "--corpus", str(CORPUS), "-o", str(tmp_path / "none")])
    assert missing.exit_code != 0 and "none" in missing.output
