"""Awards: tiers, ranges, per-unit, multi-year, rates stated as a maximum, bands, currencies, gates."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.rules import MatchResult, RulesEngine
from pipeline.run import Pipeline
from tests.rules.conftest import benefit, condition, hand_document, measure

TIERS = "对企业主营业务收入首次突破1亿元、5亿元、10亿元的，分别给予20万元、50万元、100万元奖励。"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(extractor="patterns")


def _awards(results: list[MatchResult]) -> list[int | float | None]:
    return [r.award for r in results]


@pytest.mark.parametrize(
    ("revenue", "awards"),
    [
        (6e8, [0, 500_000, 0]),  # 6亿 passes 1亿 and 5亿, not 10亿: the 5亿 tier's 50万 only, not 20万 + 50万
        (2e9, [0, 0, 1_000_000]),  # 20亿: the top tier's 100万 only
        (1.5e8, [200_000, 0, 0]),  # 1.5亿: the first tier
        (5e7, [0, 0, 0]),  # 5000万: no tier
        (5e8, [200_000, 0, 0]),  # 突破 5亿 means more than 5亿: exactly 5亿 is still the first tier
        (None, [None, None, None]),  # unknown revenue: which tier pays is unknown
    ],
)
def test_rules_tiers_pay_the_highest_tier_reached(
    engine: RulesEngine, pipeline: Pipeline, revenue: float | None, awards: list[int | None]
) -> None:
    doc = pipeline.process_text(TIERS, name="tiers.txt")
    assert len({m.tier_group for m in doc.measures}) == 1 and len(doc.measures) == 3
    profile = {"facts": {"营业收入": revenue}} if revenue is not None else {}
    results = engine.match(profile, [doc])
    assert _awards(results) == awards


def test_rules_tiers_explain_which_tier_pays(engine: RulesEngine, pipeline: Pipeline) -> None:
    doc = pipeline.process_text(TIERS, name="tiers.txt")
    low, middle, high = engine.match({"facts": {"主营业务收入": 6e8}}, [doc])
    assert (low.tier, middle.tier, high.tier) == ("superseded", "paid", "not_reached")
    assert low.eligible is True and "m2 (50万元) is paid instead" in low.explanation
    assert "主营业务收入 6亿元 > 5亿元" in middle.explanation


def _one(engine: RulesEngine, pipeline: Pipeline, text: str, profile: dict[str, Any]) -> MatchResult:
    (result,) = engine.match(profile, [pipeline.process_text(text, name="one.txt")])
    return result


def test_rules_range_reports_the_maximum(engine: RulesEngine, pipeline: Pipeline) -> None:
    text = "对年营业收入首次超过1000万元的企业，给予10万～30万元奖励。"
    result = _one(engine, pipeline, text, {"facts": {"营业收入": 2e7}})
    assert (result.eligible, result.award) == (True, 300_000)  # 10万～30万: the maximum, 30万
    assert result.benefits[0].award_min == 100_000 and "range" in result.explanation


def test_rules_rate_stated_as_maximum_is_used_as_the_rate(engine: RulesEngine, pipeline: Pipeline) -> None:
    text = "对获得项目贷款的企业，给予最高2%的贴息补助，补贴期不超过2年。"
    result = _one(engine, pipeline, text, {"facts": {"贷款金额": 3e7}, "tags": ["获得项目贷款"]})
    # 最高2% × 3000万 = 60万 a year × 2 years = 120万
    assert (result.eligible, result.award, result.award_per_year, result.years) == (
        True,
        1_200_000,
        600_000,
        2,
    )
    assert "up to 2% × 贷款金额 3000万元 = 60万元 a year × 2 years = 120万元" in result.explanation


def test_rules_interest_subsidy_without_loan_amount_names_it(engine: RulesEngine, pipeline: Pipeline) -> None:
    text = "对获得项目贷款的企业，给予最高2%的贴息补助，补贴期不超过2年。"
    result = _one(engine, pipeline, text, {"tags": ["获得项目贷款"]})
    assert (result.eligible, result.award, result.missing_facts) == (True, None, ["贷款金额"])


def test_rules_fixed_amount_paid_each_year(engine: RulesEngine, pipeline: Pipeline) -> None:
    result = _one(engine, pipeline, "对新引进的企业，每年给予60万元补助，连续支持3年。", {})
    # 60万 a year × 3 years = 180万
    assert (result.eligible, result.award, result.award_per_year, result.years) == (
        True,
        1_800_000,
        600_000,
        3,
    )


@pytest.mark.parametrize(
    ("revenue", "eligible"),
    [(1e7, True), (3e7, True), (5e7, True), (9_999_999, False), (5e7 + 1, False), (None, None)],
)
def test_rules_band_on_one_fact_is_a_range(
    engine: RulesEngine, pipeline: Pipeline, revenue: float | None, eligible: bool | None
) -> None:
    text = "对营业收入1000万元以上、5000万元以下的企业，给予20万元奖励。"
    doc = pipeline.process_text(text, name="band.txt")
    assert "in [10000000..50000000]" in engine.compile(doc).jdm_json()
    profile = {"facts": {"营业收入": revenue}} if revenue is not None else {}
    (result,) = engine.match(profile, [doc])
    assert result.eligible is eligible
    assert result.award == {True: 200_000, False: 0, None: None}[eligible]


@pytest.mark.parametrize(
    ("facts", "eligible", "missing"),
    [
        ({"年出口额（美元）": 2e8}, True, []),  # 2亿美元 >= 1亿美元
        ({"年出口额(美元)": 5e7}, False, []),  # 5000万美元 < 1亿美元
        ({"年出口额": 2e8}, None, ["年出口额（美元）"]),  # yuan are never compared with dollars
    ],
)
def test_rules_foreign_currency_is_never_converted(
    engine: RulesEngine,
    pipeline: Pipeline,
    facts: dict[str, float],
    eligible: bool | None,
    missing: list[str],
) -> None:
    result = _one(engine, pipeline, "对年出口额达到1亿美元以上的企业，给予100万元奖励。", {"facts": facts})
    assert (result.eligible, result.missing_facts) == (eligible, missing)


@pytest.mark.parametrize(
    ("units", "award"),
    [(30, 30_000), (100, 100_000), (250, 150_000)],  # 1000元 × units, capped at 15万
)
def test_rules_per_unit_award_is_bounded(engine: RulesEngine, units: int, award: int) -> None:
    doc = hand_document(
        measure("m1", benefits=[benefit(kind="补贴", unit_amount=1000, unit="物理机架", cap=150_000)])
    )
    (result,) = engine.match({"facts": {"机架数": units}}, [doc])
    assert result.award == award


@pytest.mark.parametrize(
    ("interest", "per_year", "total"),
    [
        (1e6, 500_000, 1_500_000),  # 50% × 100万 = 50万 a year × 3 = 150万
        (3e6, 1_000_000, 3_000_000),  # 50% × 300万 = 150万, capped at 100万 a year × 3 = 300万
    ],
)
def test_rules_yearly_cap_applies_each_year(
    engine: RulesEngine, interest: float, per_year: int, total: int
) -> None:
    b = benefit(kind="贴息", rate=0.5, base="贷款利息", cap=1e6, cap_per="年度", duration_years=3)
    (result,) = engine.match({"facts": {"贷款利息": interest}}, [hand_document(measure("m1", benefits=[b]))])
    assert (result.award, result.award_per_year, result.years) == (total, per_year, 3)


def test_rules_total_cap_applies_over_all_years(engine: RulesEngine) -> None:
    b = benefit(kind="贴息", rate=0.5, base="贷款利息", cap=2e6, duration_years=3)
    (result,) = engine.match({"facts": {"贷款利息": 2e6}}, [hand_document(measure("m1", benefits=[b]))])
    # 50% × 200万 = 100万 a year × 3 = 300万, capped at 200万 in all
    assert result.award == 2_000_000 and "capped at 200万元" in result.explanation


def test_rules_benefit_condition_gates_only_that_benefit(engine: RulesEngine) -> None:
    doc = hand_document(
        measure(
            "m1",
            conditions=[condition("营业收入", ">=", 1e7)],
            benefits=[
                benefit(kind="奖励", amount=200_000),
                benefit(kind="贴息", rate=0.02, condition_text="获得项目贷款的", duration_years=1),
            ],
        )
    )
    with_loan = engine.match({"facts": {"营业收入": 2e7, "贷款金额": 1e7}, "tags": ["取得项目贷款"]}, [doc])[
        0
    ]
    assert (with_loan.eligible, with_loan.award) == (True, 400_000)  # 20万 + 2% × 1000万 = 20万
    without = engine.match({"facts": {"营业收入": 2e7, "贷款金额": 1e7}}, [doc])[0]
    assert (without.eligible, without.award, without.award_known) == (True, None, 200_000)
    assert without.missing_facts == ["获得项目贷款"]


def test_rules_measure_without_amount_is_eligible_with_null_award(engine: RulesEngine) -> None:
    doc = hand_document(measure("m1", conditions=[condition(None, text="高新技术企业")]))
    (result,) = engine.match({"tags": ["国家高新技术企业"]}, [doc])
    assert (result.eligible, result.award, result.missing_facts) == (True, None, [])
    assert "no amount stated" in result.explanation
