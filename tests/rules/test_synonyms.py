"""The synonym table and jieba segmentation with the domain dictionary."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from pipeline.document import PolicyDocument
from pipeline.normalize.jieba_tokenizer import jieba_tokenizer
from pipeline.rules import RulesEngine
from pipeline.rules.synonyms import (
    JIEBA_DICT_PATH,
    canonical_fact,
    canonical_tag,
    fact_kind,
    segment,
    table,
)
from tests.rules.conftest import benefit, condition, hand_document, measure


@pytest.mark.parametrize(
    ("wording", "canonical"),
    [
        ("营业收入", "营业收入"),
        ("主营业务收入", "营业收入"),
        ("销售收入", "营业收入"),
        ("年销售额", "营业收入"),
        ("上一年度营业收入", "营业收入"),  # period qualifier dropped
        ("上一年度主营业务收入", "营业收入"),  # qualifier dropped, then the alias
        ("企业上一年度研发费用总额", "研发投入"),
        ("研发投入", "研发投入"),
        ("研发总投入", "研发投入"),
        ("研发费用", "研发投入"),
        ("项目研发费用", "项目研发投入"),  # a project's R&D cost is not the company's
        ("年度省外算力服务合同总额", "省外算力服务合同总额"),
        ("基础软硬件实现国产化", "基础软硬件国产化率"),
        ("年营业收入", "营业收入"),
        ("研发费用加计扣除额", None),  # unknown wording stays unknown
        ("关键设备和系统软件投入", None),
        ("", None),
    ],
)
def test_rules_synonyms_resolve_wording_to_canonical_fact(wording: str, canonical: str | None) -> None:
    assert canonical_fact(wording) == canonical


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("获得项目贷款的", "获得项目贷款"),
        ("取得项目贷款", "获得项目贷款"),
        ("国家高新技术企业", "高新技术企业"),
        ("形成商用案例", "形成商用案例"),
        ("国家级", "国家级"),  # not in the table: kept as written
    ],
)
def test_rules_synonyms_resolve_tags(tag: str, canonical: str) -> None:
    assert canonical_tag(tag) == canonical


def test_rules_synonyms_kinds() -> None:
    assert [
        fact_kind(w) for w in ("主营业务收入", "云服务收入占比", "物理机架", "参数量", "净利润", "某指标")
    ] == [
        "money",
        "share",
        "count",
        "quantity",
        "signed_money",
        None,
    ]


def test_rules_synonyms_every_word_is_in_the_jieba_dictionary() -> None:
    words = {
        line.split()[0] for line in JIEBA_DICT_PATH.read_text(encoding="utf-8").splitlines() if line.strip()
    }
    assert table().words() <= words, sorted(table().words() - words)


def test_rules_synonyms_jieba_segments_with_the_domain_dictionary() -> None:
    assert segment("上一年度主营业务收入") == ["上一年度", "主营业务收入"]
    # jieba's cache goes to a folder of its own under the temp dir
    assert Path(jieba_tokenizer(JIEBA_DICT_PATH).tmp_dir).parent == Path(tempfile.gettempdir())


@pytest.mark.parametrize(
    ("fact", "metric"),
    [
        ("主营业务收入", "营业收入"),
        ("营业收入", "上一年度主营业务收入"),
        ("销售收入", "上一年度营业收入"),
        ("年销售额", "营业收入"),
    ],
)
def test_rules_synonym_profile_fact_satisfies_condition(engine: RulesEngine, fact: str, metric: str) -> None:
    doc = hand_document(
        measure(
            "m1",
            conditions=[condition(metric, ">", 5e6)],
            benefits=[benefit(kind="奖励", rate=0.01, base=metric, cap=2e6)],
        )
    )
    (result,) = engine.match({"facts": {fact: 3e7}}, [doc])
    # 3000万 > 500万; 1% × 3000万 = 30万
    assert (result.eligible, result.award) == (True, 300_000)
    assert f"(profile: {fact})" in result.explanation or fact == metric


def test_rules_unknown_wording_stays_textual(engine: RulesEngine) -> None:
    doc = hand_document(measure("m1", conditions=[condition("研发费用加计扣除额", ">=", 1e6)]))
    # a near word is not a guess: 研发费用 does not answer 研发费用加计扣除额
    (result,) = engine.match({"facts": {"研发费用": 5e6}}, [doc])
    assert (result.eligible, result.award, result.missing_facts) == (None, None, ["研发费用加计扣除额"])
    # the policy's own words do
    (result,) = engine.match({"facts": {"研发费用加计扣除额": 5e6}}, [doc])
    assert result.eligible is True


def test_rules_conflicting_synonyms_are_not_used(engine: RulesEngine) -> None:
    doc: PolicyDocument = hand_document(measure("m1", conditions=[condition("上一年度营业收入", ">", 5e6)]))
    (result,) = engine.match({"facts": {"主营业务收入": 3e7, "销售收入": 2e7}}, [doc])
    assert (result.eligible, result.missing_facts) == (None, ["上一年度营业收入"])
    assert "different values" in result.explanation
    # the policy's own words win over synonyms
    (result,) = engine.match(
        {"facts": {"主营业务收入": 3e7, "销售收入": 2e7, "上一年度营业收入": 4e6}}, [doc]
    )
    assert result.eligible is False
