"""The assembler on annotated paragraphs (the corpus authoring format), independent of any extractor."""

from __future__ import annotations

import pytest

from pipeline.corpus.convert import records_to_document
from pipeline.corpus.markup import parse_paragraph, parse_relations
from pipeline.document import Measure, PolicyDocument
from pipeline.extract.assemble import Assembler
from pipeline.measures_view import measure_rows
from pipeline.rules import RulesEngine


def _paragraphs(*marked: tuple[str, str]) -> PolicyDocument:
    """A document of annotated paragraphs, each a markup and its relations, assembled."""
    records = []
    for n, (markup, relations) in enumerate(marked, start=1):
        record = parse_paragraph(markup, record_id=f"d#{n}", doc="d", where="test")
        records.append(
            record.model_copy(update={"relations": parse_relations(relations, record, where="test")})
        )
    return Assembler()(records_to_document("d", records))


def _document(markup: str, relations: str) -> PolicyDocument:
    return _paragraphs((markup, relations))


def _measures(markup: str, relations: str) -> list[Measure]:
    return _document(markup, relations).measures


def test_benefits_sharing_a_claimant_are_one_measure() -> None:
    (measure,) = _measures(
        "对[智能算力规模]{METRIC#m}[达到100PFlops以上]{THRESHOLD#t}的[新建项目]{BENEFICIARY#b}，按投资的"
        "[15%]{RATE#r}给予[补贴]{BENEFIT_KIND#k}，对[获得项目贷款]{CONDITION#c}的，给予[贷款企业]{BENEFICIARY#b2}"
        "最高[2%]{RATE#r2}的[贴息]{BENEFIT_KIND#k2}。",
        "@ k REQUIRES m; m HAS_THRESHOLD t; k FOR b; k HAS_RATE r; k2 REQUIRES m; k2 REQUIRES c; "
        "k2 FOR b; k2 FOR b2; k2 HAS_RATE r2",
    )
    assert [b.rate for b in measure.benefits] == [0.15, 0.02]


def test_benefits_for_different_claimants_are_two_measures() -> None:
    measures = _measures(
        "对[企业]{BENEFICIARY#b}按贷款利息的[50%]{RATE#r}给予[贴息]{BENEFIT_KIND#k}；对[评估机构]{BENEFICIARY#b2}"
        "按评估费的[30%]{RATE#r2}给予[补助]{BENEFIT_KIND#k2}。",
        "@ k FOR b; k HAS_RATE r; k2 FOR b2; k2 HAS_RATE r2",
    )
    assert [[b.rate for b in m.benefits] for m in measures] == [[0.5], [0.3]]


def test_durations_in_days_weeks_and_months_are_given_in_years() -> None:
    measures = _measures(
        "[参训学员]{BENEFICIARY#b}按每[人]{UNIT#u}每[天]{UNIT#u2}[100元]{UNIT_AMOUNT#ua}给予生活[补贴]{BENEFIT_KIND#k}，"
        "补贴时间最长不超过[30天]{DURATION#d}；[企业]{BENEFICIARY#b2}按[6个月]{DURATION#d2}发放稳岗[补贴]{BENEFIT_KIND#k2}"
        "[2000元]{AMOUNT#a}。",
        "@ k FOR b; k HAS_UNIT_AMOUNT ua; ua PER_UNIT u; ua PER_UNIT u2; k HAS_DURATION d; k2 FOR b2; k2 HAS_AMOUNT a; "
        "k2 HAS_DURATION d2",
    )
    assert [[b.duration_years for b in m.benefits] for m in measures] == [[0.0822], [0.5]]


def test_one_time_before_the_first_tier_holds_for_every_tier() -> None:
    measures = _measures(
        "[年营业收入]{METRIC#m}首次[突破1亿元]{THRESHOLD#t1}、[5亿元]{THRESHOLD#t2}、[10亿元]{THRESHOLD#t3}的，"
        "分别一次性给予[20万元]{AMOUNT#a1}、[50万元]{AMOUNT#a2}、[100万元]{AMOUNT#a3}[奖励]{BENEFIT_KIND#k}。",
        "@ m HAS_THRESHOLD t1; m HAS_THRESHOLD t2; m HAS_THRESHOLD t3; k HAS_AMOUNT a1; a1 REQUIRES t1; "
        "k HAS_AMOUNT a2; a2 REQUIRES t2; k HAS_AMOUNT a3; a3 REQUIRES t3",
    )
    assert [(m.benefits[0].amount, m.benefits[0].one_time) for m in measures] == [
        (200_000, True),
        (500_000, True),
        (1_000_000, True),
    ]


def test_a_threshold_keeps_its_comparison_when_units_stand_next_to_the_number() -> None:
    (measure,) = _measures(
        "对[锅炉容量]{METRIC#m}[10蒸吨/小时以上]{THRESHOLD#t}、收购价[不高于每公斤35元]{THRESHOLD#t2}的，"
        "给予[补助]{BENEFIT_KIND#k}[20万元]{AMOUNT#a}。",
        "@ m HAS_THRESHOLD t; k REQUIRES m; k REQUIRES t2; k HAS_AMOUNT a",
    )
    assert [(c.op, c.value) for c in measure.conditions] == [(">=", 10), ("<=", 35)]


def test_tiered_caps_share_the_counting_word_written_once() -> None:
    measures = _measures(
        "对[日加注能力]{METRIC#m}[500公斤以上]{THRESHOLD#t1}、[1000公斤以上]{THRESHOLD#t2}的加氢站，按投资额的[30%]{RATE#r}"
        "给予[补助]{BENEFIT_KIND#k}，单座[加氢站]{CAP_PER#p}分别最高[300万元]{CAP#c1}、[500万元]{CAP#c2}。",
        "@ m HAS_THRESHOLD t1; m HAS_THRESHOLD t2; k HAS_RATE r; k HAS_CAP c1; k HAS_CAP c2; c1 COUNTED_PER p; "
        "c1 REQUIRES t1; c2 REQUIRES t2",
    )
    assert [(m.benefits[0].cap, m.benefits[0].cap_per) for m in measures] == [
        (3_000_000, "加氢站"),
        (5_000_000, "加氢站"),
    ]


def test_a_follow_up_benefit_for_a_claimant_of_its_own_stays_in_the_measure() -> None:
    """The second benefit requires the first's threshold (rule 15): one measure, though it names only
    its own claimant."""
    (measure,) = _measures(
        "对[智能算力规模]{METRIC#m}[达到100PFlops以上]{THRESHOLD#t}的[新建项目]{BENEFICIARY#b}，按投资的"
        "[15%]{RATE#r}给予[补贴]{BENEFIT_KIND#k}，对[获得项目贷款]{CONDITION#c}的，给予[贷款企业]{BENEFICIARY#b2}"
        "最高[2%]{RATE#r2}的[贴息]{BENEFIT_KIND#k2}。",
        "@ k REQUIRES m; m HAS_THRESHOLD t; k FOR b; k HAS_RATE r; k2 REQUIRES m; k2 REQUIRES c; "
        "k2 FOR b2; k2 HAS_RATE r2",
    )
    assert [b.rate for b in measure.benefits] == [0.15, 0.02]
    assert measure.beneficiaries == ["新建项目", "贷款企业"]


def test_a_duration_no_award_claims_is_no_measure() -> None:
    measures = _measures(
        "按[项目研发投入]{BASE#bs}的[20%]{RATE#r}给予[补助]{BENEFIT_KIND#k}。研发投入以审计报告为准，项目实施期一般不超过[3年]{DURATION#d}。",
        "@ k HAS_RATE r; r HAS_BASE bs",
    )
    assert [[(b.rate, b.duration_years) for b in m.benefits] for m in measures] == [[(0.2, None)]]


def test_a_benefit_naming_no_claimant_keeps_its_place_in_reading_order() -> None:
    (measure,) = _measures(
        "对[智能算力规模]{METRIC#m}[达到100PFlops以上]{THRESHOLD#t}的[新建项目]{BENEFICIARY#b}，按投资的"
        "[15%]{RATE#r}给予[补贴]{BENEFIT_KIND#k}，对[获得项目贷款]{CONDITION#c}的，给予最高[2%]{RATE#r2}的"
        "[贴息]{BENEFIT_KIND#k2}。",
        "@ k REQUIRES m; m HAS_THRESHOLD t; k FOR b; k HAS_RATE r; k2 REQUIRES m; k2 REQUIRES c; k2 HAS_RATE r2",
    )
    assert [b.kind for b in measure.benefits] == ["补贴", "贴息"]


RANGE_TIERS = (
    "对[年营业收入]{METRIC#m}在[5000万元（含）至1亿元（不含）]{THRESHOLD#t1}、[1亿元（含）以上]{THRESHOLD#t2}的"
    "[企业]{BENEFICIARY#b}，分别给予[20万元]{AMOUNT#a1}、[50万元]{AMOUNT#a2}[奖励]{BENEFIT_KIND#k}。",
    "@ m HAS_THRESHOLD t1; m HAS_THRESHOLD t2; k FOR b; k HAS_AMOUNT a1; a1 REQUIRES t1; k HAS_AMOUNT a2; "
    "a2 REQUIRES t2",
)


def test_a_threshold_stating_a_range_is_two_conditions_on_its_metric() -> None:
    low, high = _measures(*RANGE_TIERS)
    assert [(c.metric, c.op, c.value) for c in low.conditions] == [
        ("年营业收入", ">=", 50_000_000),
        ("年营业收入", "<", 100_000_000),
    ]
    assert [(c.metric, c.op, c.value) for c in high.conditions] == [("年营业收入", ">=", 100_000_000)]
    assert {c.text for c in low.conditions} == {"年营业收入5000万元（含）至1亿元（不含）"}


def test_a_range_tier_pays_only_inside_its_range() -> None:
    doc = _document(*RANGE_TIERS)
    engine = RulesEngine()
    for revenue, awards in [(8e7, [200_000, 0]), (1e8, [0, 500_000]), (4e7, [0, 0])]:
        results = engine.match({"facts": {"年营业收入": revenue}}, [doc])
        assert [r.award for r in results] == awards, revenue


EITHER_THRESHOLD = (
    "对[装机功率]{METRIC#m1}[1兆瓦以上]{THRESHOLD#t1}或[储能容量]{METRIC#m2}[2兆瓦时以上]{THRESHOLD#t2}、"
    "且[在本市注册]{CONDITION#c}的[储能项目]{BENEFICIARY#b}，给予[50万元]{AMOUNT#a}[奖励]{BENEFIT_KIND#k}。",
    "@ m1 HAS_THRESHOLD t1; m2 HAS_THRESHOLD t2; k REQUIRES m1; k REQUIRES m2; k REQUIRES c; k FOR b; "
    "k HAS_AMOUNT a",
)


def test_conditions_joined_by_or_are_alternatives_of_one_group() -> None:
    (measure,) = _measures(*EITHER_THRESHOLD)
    assert [(c.metric or c.text, c.any_of) for c in measure.conditions] == [
        ("装机功率", "a1"),
        ("储能容量", "a1"),
        ("在本市注册", None),
    ]
    (row,) = measure_rows(_document(*EITHER_THRESHOLD))
    assert row[2].splitlines() == ["装机功率 >= 1兆瓦", "或 储能容量 >= 2兆瓦时", "在本市注册"]


def test_or_between_claimants_does_not_make_conditions_alternatives() -> None:
    (measure,) = _measures(
        "对[新设立工业设计研究院]{CONDITION#c}的高校、科研院所或龙头企业，[办公面积]{METRIC#m}"
        "[达到1000平方米以上]{THRESHOLD#t}的，给予[100万元]{AMOUNT#a}[补助]{BENEFIT_KIND#k}。",
        "@ m HAS_THRESHOLD t; k REQUIRES c; k REQUIRES m; k HAS_AMOUNT a",
    )
    assert [c.any_of for c in measure.conditions] == [None, None]


def test_a_band_among_alternatives_stays_one_alternative() -> None:
    doc = _document(
        "[员工人数]{METRIC#m1}[20人至100人]{THRESHOLD#t1}或者[年营业收入]{METRIC#m2}[超过5000万元]{THRESHOLD#t2}"
        "的企业，给予[10万元]{AMOUNT#a}[奖励]{BENEFIT_KIND#k}。",
        "@ m1 HAS_THRESHOLD t1; m2 HAS_THRESHOLD t2; k REQUIRES m1; k REQUIRES m2; k HAS_AMOUNT a",
    )
    (measure,) = doc.measures
    assert [(c.op, c.value, c.any_of) for c in measure.conditions] == [
        (">=", 20, "a1"),
        ("<=", 100, "a1"),
        (">", 50_000_000, "a1"),
    ]
    engine = RulesEngine()
    for staff, revenue, eligible in [(50, 1e7, True), (150, 6e7, True), (150, 4e7, False), (10, 4e7, False)]:
        (result,) = engine.match({"facts": {"员工人数": staff, "年营业收入": revenue}}, [doc])
        assert result.eligible is eligible, (staff, revenue)


def test_one_alternative_met_is_enough_for_the_rules_engine() -> None:
    doc = _document(*EITHER_THRESHOLD)
    engine = RulesEngine()

    def verdict(facts: dict[str, float], tags: list[str]) -> tuple[bool | None, list[str]]:
        (result,) = engine.match({"facts": facts, "tags": tags}, [doc])
        return result.eligible, result.missing_facts

    registered = ["在本市注册"]
    assert verdict({"储能容量": 3}, registered) == (True, [])
    assert verdict({"装机功率": 0.5, "储能容量": 1}, registered) == (False, [])
    assert verdict({"装机功率": 0.5}, registered) == (None, ["储能容量"])
    assert verdict({"装机功率": 2}, []) == (None, ["在本市注册"])
    (result,) = engine.match({"facts": {"装机功率": 2}, "tags": registered}, [doc])
    assert result.award == 500_000 and "one of 2 alternatives" in result.explanation


def test_a_cap_two_benefits_hold_bounds_their_sum() -> None:
    doc = _document(
        "对[跨境电商企业]{BENEFICIARY#b}按[海外仓租金]{BASE#s1}的[30%]{RATE#r1}给予[补助]{BENEFIT_KIND#k1}，按[航空运费]{BASE#s2}"
        "的[50%]{RATE#r2}给予[补贴]{BENEFIT_KIND#k2}。两项补贴合计，单个[企业年度]{CAP_PER#p}不超过[300万元]{CAP#c}。",
        "@ k1 FOR b; k2 FOR b; k1 HAS_RATE r1; r1 HAS_BASE s1; k2 HAS_RATE r2; r2 HAS_BASE s2; k1 HAS_CAP c; "
        "k2 HAS_CAP c; c COUNTED_PER p",
    )
    (measure,) = doc.measures
    assert (measure.cap, measure.cap_per) == (3_000_000, "企业年度")
    assert [b.cap for b in measure.benefits] == [3_000_000, 3_000_000]
    engine = RulesEngine()
    (result,) = engine.match({"facts": {"海外仓租金": 8e6, "航空运费": 4e6}}, [doc])
    assert result.award == 3_000_000 and "together at most 300万元" in result.explanation
    (result,) = engine.match({"facts": {"海外仓租金": 2e6, "航空运费": 1e6}}, [doc])
    assert result.award == 1_100_000


def test_a_cap_of_one_benefit_is_not_shared() -> None:
    (measure,) = _measures(
        "按[设备投资]{BASE#s1}的[10%]{RATE#r1}给予[补助]{BENEFIT_KIND#k1}，最高[500万元]{CAP#c}，同时按[贷款利息]{BASE#s2}"
        "的[50%]{RATE#r2}给予[贴息]{BENEFIT_KIND#k2}。",
        "@ k1 HAS_RATE r1; r1 HAS_BASE s1; k2 HAS_RATE r2; r2 HAS_BASE s2; k1 HAS_CAP c",
    )
    assert measure.cap is None and [b.cap for b in measure.benefits] == [5_000_000, None]


@pytest.mark.parametrize("lead", ["举个例子：某企业", "企业负责人给记者算了一笔账：企业"])
def test_a_worked_example_grants_nothing(lead: str) -> None:
    measures = _measures(
        "答：对[企业]{BENEFICIARY#b}按[设备投资]{BASE#s}的[10%]{RATE#r}给予[补助]{BENEFIT_KIND#k}。"
        + lead
        + "设备投资"
        "800万元，按[10%]{RATE#r2}计算可获[补助]{BENEFIT_KIND#k2}[80万元]{AMOUNT#a2}；另一企业可获[补助]{BENEFIT_KIND#k3}"
        "[50万元]{AMOUNT#a3}。",
        "@ k FOR b; k HAS_RATE r; r HAS_BASE s; k2 HAS_RATE r2; k2 HAS_AMOUNT a2; k3 HAS_AMOUNT a3",
    )
    assert [[(b.rate, b.amount) for b in m.benefits] for m in measures] == [[(0.1, None)]]


def test_a_follow_up_benefit_in_a_later_clause_keeps_the_first_measures_title() -> None:
    titles = [
        m.title
        for m in _measures(
            "支持智能工厂建设。[企业]{BENEFICIARY#b}[项目总投资]{METRIC#m}[达到3000万元]{THRESHOLD#t}的，按设备投资的"
            "[10%]{RATE#r}给予[补助]{BENEFIT_KIND#k}；[入选国家级智能制造示范工厂]{CONDITION#c}的，再给予[200万元]{AMOUNT#a}"
            "[奖励]{BENEFIT_KIND#k2}。对[服务商]{BENEFICIARY#b2}[年服务企业数]{METRIC#m2}[超过50家]{THRESHOLD#t2}的，"
            "给予[20万元]{AMOUNT#a2}[奖励]{BENEFIT_KIND#k3}。",
            "@ k FOR b; k REQUIRES m; m HAS_THRESHOLD t; k HAS_RATE r; k2 FOR b; k2 REQUIRES m; k2 REQUIRES c; "
            "k2 HAS_AMOUNT a; k3 FOR b2; k3 REQUIRES m2; m2 HAS_THRESHOLD t2; k3 HAS_AMOUNT a2",
        )
    ]
    assert titles == ["支持智能工厂建设", "支持智能工厂建设", "服务商年服务企业数超过50家"]


def test_one_time_may_stand_a_few_characters_before_the_award_word() -> None:
    measures = _measures(
        "对[离校2年内未就业的高校毕业生]{BENEFICIARY#b}，给予一次性求职创业[补贴]{BENEFIT_KIND#k}[2000元]{AMOUNT#a}；"
        "对[吸纳就业]{CONDITION#c}的[小微企业]{BENEFICIARY#b2}，一次性吸纳就业，按每[人]{UNIT#u}[1000元]{UNIT_AMOUNT#ua}"
        "给予社保[补贴]{BENEFIT_KIND#k2}。",
        "@ k FOR b; k HAS_AMOUNT a; k2 FOR b2; k2 REQUIRES c; k2 HAS_UNIT_AMOUNT ua; ua PER_UNIT u",
    )
    assert [m.benefits[0].one_time for m in measures] == [True, False]


def test_a_list_of_titles_ending_in_or_offers_each_as_an_alternative() -> None:
    (measure,) = _measures(
        "[企业]{BENEFICIARY#b}产品取得[FDA上市许可]{CONDITION#c1}、[欧盟CE认证]{CONDITION#c2}或[WHO预认证]{CONDITION#c3}的，"
        "给予[30万元]{AMOUNT#a}[奖励]{BENEFIT_KIND#k}。",
        "@ k FOR b; k REQUIRES c1; k REQUIRES c2; k REQUIRES c3; k HAS_AMOUNT a",
    )
    assert [c.any_of for c in measure.conditions] == ["a1", "a1", "a1"]


def test_a_numeric_condition_listed_before_an_or_pair_stays_required() -> None:
    (measure,) = _measures(
        "[参加失业保险]{METRIC#m1}[满1年]{THRESHOLD#t1}、[上年度未裁员]{CONDITION#c}或[裁员率]{METRIC#m2}"
        "[不高于5.5%]{THRESHOLD#t2}的[企业]{BENEFICIARY#b}，按上年度实际缴纳失业保险费的[60%]{RATE#r}给予稳岗[返还]{BENEFIT_KIND#k}。",
        "@ k FOR b; k REQUIRES m1; m1 HAS_THRESHOLD t1; k REQUIRES c; k REQUIRES m2; m2 HAS_THRESHOLD t2; k HAS_RATE r",
    )
    assert [(c.metric or c.text, c.any_of) for c in measure.conditions] == [
        ("参加失业保险", None),
        ("上年度未裁员", "a1"),
        ("裁员率", "a1"),
    ]


def test_a_reports_topic_lead_titles_the_measure_without_its_frame() -> None:
    (measure,) = _measures(
        "在冷库建设方面，[新建冷库]{CONDITION#c}的[企业]{BENEFICIARY#b}按每[立方米]{UNIT#u}[100元]{UNIT_AMOUNT#ua}给予[补助]{BENEFIT_KIND#k}。",
        "@ k FOR b; k REQUIRES c; k HAS_UNIT_AMOUNT ua; ua PER_UNIT u",
    )
    assert measure.title == "冷库建设"


def test_a_threshold_on_a_fall_bounds_the_change_not_the_quantity() -> None:
    (measure,) = _measures(
        "[企业]{BENEFICIARY#b}[单位产品综合能耗]{METRIC#m}[下降10%以上]{THRESHOLD#t}的，按每吨标准煤[300元]{UNIT_AMOUNT#ua}"
        "给予[奖励]{BENEFIT_KIND#k}。",
        "@ k FOR b; k REQUIRES m; m HAS_THRESHOLD t; k HAS_UNIT_AMOUNT ua",
    )
    (condition,) = measure.conditions
    assert (condition.metric, condition.op, condition.value) == ("单位产品综合能耗降幅", ">=", 0.1)


PRICE_CAP = (
    "对[氢气终端零售价格]{METRIC#m}[不高于35元/公斤]{THRESHOLD#t}的[加氢站]{BENEFICIARY#b}，按每[公斤]{UNIT#u}"
    "[10元]{UNIT_AMOUNT#ua}给予[补贴]{BENEFIT_KIND#k}。",
    "@ m HAS_THRESHOLD t; k REQUIRES m; k FOR b; k HAS_UNIT_AMOUNT ua; ua PER_UNIT u",
)


def test_a_price_threshold_keeps_its_unit_and_is_checked_as_a_price() -> None:
    doc = _document(*PRICE_CAP)
    (measure,) = doc.measures
    assert [(c.op, c.value, c.unit) for c in measure.conditions] == [("<=", 35, "元/公斤")]
    engine = RulesEngine()
    for price, eligible in [(30, True), (40, False)]:
        (result,) = engine.match({"facts": {"氢气终端零售价格": price, "公斤": 1000}}, [doc])
        assert (result.award == 10_000) is eligible, price


GENERAL_PROVISION = "同一项目符合本办法多项条款的，按照就高原则支持，不重复享受。"


def test_exclusions_qualify_their_clause_their_paragraph_or_the_whole_document() -> None:
    doc = _paragraphs(
        (
            "对[企业]{BENEFICIARY#b}按贷款利息的[50%]{RATE#r}给予[贴息]{BENEFIT_KIND#k}，贷款逾期部分[不予贴息]{EXCLUSION#x}。",
            "@ k FOR b; k HAS_RATE r",
        ),
        (
            "对[新招用人员]{BENEFICIARY#b}按每[人]{UNIT#u}每[月]{UNIT#u2}[1000元]{UNIT_AMOUNT#ua}给予[补贴]{BENEFIT_KIND#k}。"
            "同一人员同一年度[不重复补贴]{EXCLUSION#x}。",
            "@ k FOR b; k HAS_UNIT_AMOUNT ua; ua PER_UNIT u; ua PER_UNIT u2",
        ),
        ("同一项目符合本办法多项条款的，按照就高原则支持，[不重复享受]{EXCLUSION#x}。", ""),
    )
    interest, hiring = doc.measures
    assert [(e.scope, e.text) for e in interest.exclusions] == [
        ("clause", "对企业按贷款利息的50%给予贴息，贷款逾期部分不予贴息。"),
        ("document", GENERAL_PROVISION),
    ]
    assert [(e.scope, e.text) for e in hiring.exclusions] == [
        ("paragraph", "同一人员同一年度不重复补贴。"),
        ("document", GENERAL_PROVISION),
    ]
    for exclusion in interest.exclusions + hiring.exclusions:
        assert doc.text[exclusion.start : exclusion.end] == exclusion.text
    results = RulesEngine().match({"facts": {"人": 2, "月": 6}}, [doc])
    assert [r.exclusions for r in results] == [
        [e.text for e in interest.exclusions],
        [e.text for e in hiring.exclusions],
    ]


def test_a_document_without_measures_keeps_its_exclusions_as_entities_only() -> None:
    doc = _paragraphs(("[不予补助]{EXCLUSION#x}。", ""))
    assert doc.measures == [] and [e.label for e in doc.entities] == ["EXCLUSION"]


def test_a_cap_for_no_claimant_on_no_condition_limits_the_measures_before_it() -> None:
    doc = _paragraphs(
        (
            "对[新建项目]{BENEFICIARY#b}按[投资额]{BASE#ba}的[10%]{RATE#r}给予[补助]{BENEFIT_KIND#k}；"
            "对[获得贷款]{CONDITION#c}的，按利息的[50%]{RATE#r2}给予[贴息]{BENEFIT_KIND#k2}。"
            "上述两项补助合计不超过[1000万元]{CAP#cap}。",
            "@ k FOR b; k HAS_RATE r; r HAS_BASE ba; k2 REQUIRES c; k2 HAS_RATE r2",
        ),
        ("上述各项支持每家企业每年累计不超过[500万元]{CAP#cap}。", ""),
    )
    assert [[b.rate for b in m.benefits] for m in doc.measures] == [[0.1], [0.5]]
    for measure in doc.measures:
        assert [(e.scope, e.text) for e in measure.exclusions] == [
            ("paragraph", "上述两项补助合计不超过1000万元。"),
            ("document", "上述各项支持每家企业每年累计不超过500万元。"),
        ]
    # No applicant is told it may claim 500万元 for nothing; each sees the limits beside its awards.
    results = RulesEngine().match(
        {"facts": {"投资额": 1_000_000, "利息": 10_000}, "tags": ["新建项目", "获得贷款"]}, [doc]
    )
    assert [r.award for r in results] == [100_000, 5_000]
    assert all("上述各项支持每家企业每年累计不超过500万元。" in r.exclusions for r in results)


def test_a_cap_with_its_own_condition_is_an_award_of_up_to_that_much() -> None:
    measures = _measures(
        "对[新认定为国家级工业互联网平台]{CONDITION#c}的，给予最高[100万元]{CAP#a}。",
        "@ a REQUIRES c",
    )
    assert [(m.benefits[0].cap, [c.text for c in m.conditions]) for m in measures] == [
        (1_000_000, ["新认定为国家级工业互联网平台"])
    ]
