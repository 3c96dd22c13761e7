"""Compiled JDM decisions: deterministic, loadable by ZEN, shaped for the ZEN editor."""

from __future__ import annotations

import json
import re

import pytest
import zen

from pipeline.document import PolicyDocument
from pipeline.rules.compile import COMPILER_VERSION, compile_document, number
from pipeline.run import Pipeline
from tests.shared_data import SEED_TEXT

TIERS = "对企业主营业务收入首次突破1亿元、5亿元、10亿元的，分别给予20万元、50万元、100万元奖励。"


@pytest.fixture(scope="module")
def documents(seed_gold: PolicyDocument) -> list[PolicyDocument]:
    pipeline = Pipeline(extractor="patterns")
    return [seed_gold, pipeline.process_path(SEED_TEXT), pipeline.process_text(TIERS, name="tiers.txt")]


def test_rules_compile_is_deterministic(documents: list[PolicyDocument]) -> None:
    for doc in documents:
        again = PolicyDocument.model_validate_json(doc.model_dump_json())
        first, second = compile_document(doc).jdm_json(), compile_document(again).jdm_json()
        assert first.encode() == second.encode()


def test_rules_compile_loads_and_evaluates_in_zen(documents: list[PolicyDocument]) -> None:
    for doc in documents:
        decision = zen.ZenEngine().create_decision(compile_document(doc).jdm_json())
        decision.validate()
        result = decision.evaluate({"facts": {}, "tags": {}})["result"]
        assert set(result["measures"]) == {m.id for m in doc.measures}


def test_rules_compile_graph_is_editor_ready(documents: list[PolicyDocument]) -> None:
    for doc in documents:
        jdm = compile_document(doc).jdm
        assert jdm["contentType"] == "application/vnd.gorules.decision"
        ids = [n["id"] for n in jdm["nodes"]]
        assert len(ids) == len(set(ids))
        for node in jdm["nodes"]:
            assert node["name"] and set(node["position"]) == {"x", "y"}
            if node["type"] in ("decisionTableNode", "expressionNode"):
                assert node["content"]["passThrough"] is True
            if node["type"] == "decisionTableNode":
                assert node["content"]["hitPolicy"] == "first"
                columns = {c["id"] for c in node["content"]["inputs"] + node["content"]["outputs"]}
                for rule in node["content"]["rules"]:
                    assert set(rule) - {"_id", "_description"} == columns
        for edge in jdm["edges"]:
            assert edge["sourceId"] in ids and edge["targetId"] in ids
        assert [n["type"] for n in jdm["nodes"]].count("inputNode") == 1


def test_rules_compile_node_ids_are_stable_names(documents: list[PolicyDocument]) -> None:
    ids = [n["id"] for n in compile_document(documents[2]).jdm["nodes"]]
    assert ids == [
        "request",
        *[f"m{i}-{part}" for i in (1, 2, 3) for part in ("conditions", "eligibility", "award")],
        "tier-t1-table",
        "tier-t1-award",
        "response",
    ]


def test_rules_compile_expressions_read_only_the_request(documents: list[PolicyDocument]) -> None:
    """Thresholds, rates and caps are literals in the decision; the request carries only facts and tags."""
    text = compile_document(documents[0]).jdm_json()
    assert "facts['参数量'] == null ? null : facts['参数量'] >= 100000000000" in text
    assert "min([$.measures.m1.benefits.b1.gross, 10000000])" in text
    assert "facts['研发投入'] == null ? null : 0.2 * facts['研发投入']" in text
    roots = set(re.findall(r"\b(facts|tags)\[", text))
    assert roots == {"facts", "tags"}


@pytest.mark.parametrize(
    ("value", "literal"),
    [(1e11, "100000000000"), (0.15, "0.15"), (0.02, "0.02"), (1e-5, "0.00001"), (2.5, "2.5")],
)
def test_rules_compile_number_literals(value: float, literal: str) -> None:
    assert number(value) == literal
    assert zen.evaluate_expression(literal) == pytest.approx(value)


def test_rules_compile_version_is_pinned() -> None:
    # A change to what the compiler emits must bump the version so cached decisions are not reused.
    assert COMPILER_VERSION == "zhengce.rules.compile.v1"


def test_rules_compile_empty_document(documents: list[PolicyDocument]) -> None:
    empty = documents[0].model_copy(update={"measures": []})
    jdm = json.loads(compile_document(empty).jdm_json())
    assert [n["id"] for n in jdm["nodes"]] == ["request", "response"]
