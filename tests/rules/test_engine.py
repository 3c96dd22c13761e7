"""The library call: caching, inputs it accepts, the contract's output."""

from __future__ import annotations

from pipeline.document import PolicyDocument
from pipeline.rules import MatchResult, RulesEngine, compile_document, match
from pipeline.rules.engine import _ProfileIndex

CONTRACT_KEYS = {"document", "measure", "title", "eligible", "award", "missing_facts", "explanation"}


def test_rules_engine_compiles_a_document_once(seed_gold: PolicyDocument) -> None:
    engine = RulesEngine()
    first = engine.compile(seed_gold)
    assert engine.compile(PolicyDocument.model_validate_json(seed_gold.model_dump_json())) is first
    # another extraction of the same source is another decision
    changed = seed_gold.model_copy(update={"measures": seed_gold.measures[:3]})
    assert engine.compile(changed) is not first


def test_rules_engine_cache_is_bounded(seed_gold: PolicyDocument) -> None:
    engine = RulesEngine(max_documents=2)
    for n in range(1, 5):
        engine.compile(seed_gold.model_copy(update={"measures": seed_gold.measures[:n]}))
    assert len(engine._compiled) == 2 and len(engine._contents) == 2


def test_rules_engine_accepts_compiled_documents(seed_gold: PolicyDocument) -> None:
    profile = {"facts": {"上一年度营业收入": 3e7}}
    engine = RulesEngine()
    assert engine.match(profile, [compile_document(seed_gold)]) == engine.match(profile, [seed_gold])


def test_rules_engine_output_follows_the_contract(seed_gold: PolicyDocument) -> None:
    results = match({"facts": {"上一年度营业收入": 3e7}}, [seed_gold, seed_gold])
    assert len(results) == 2 * len(seed_gold.measures)
    for result in results:
        assert isinstance(result, MatchResult)
        data = result.model_dump(mode="json")
        assert set(data) >= CONTRACT_KEYS and data["document"] == seed_gold.source.name
        assert result.explanation
        if result.eligible is None:
            assert result.missing_facts


def test_rules_engine_request_holds_only_what_the_decision_reads(seed_gold: PolicyDocument) -> None:
    from pipeline.profile import parse_profile

    profile = parse_profile(
        {"facts": {"主营业务收入": 3e7, "无关指标": 1}, "tags": ["形成商用案例", "无关标签"]}
    )
    request, supplied = _ProfileIndex(profile).request(compile_document(seed_gold))
    assert request == {"facts": {"营业收入": 3e7}, "tags": {"形成商用案例": True}}
    assert supplied["营业收入"] == ("主营业务收入", None)
