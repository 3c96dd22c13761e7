"""The pattern extractor and assembly on clauses written for these tests, one phenomenon each."""

from __future__ import annotations

import pytest

from pipeline.document import Measure
from pipeline.run import Pipeline


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(extractor="patterns")


def _measures(pipeline: Pipeline, text: str) -> list[Measure]:
    return pipeline.process_text(text).measures


def _conditions(m: Measure) -> list[tuple[str | None, str | None, float | None, str | None]]:
    return [(c.metric, c.op, c.value, c.unit) for c in m.conditions if c.value is not None]


def test_patterns_tiers_become_one_measure_per_tier(pipeline: Pipeline) -> None:
    text = (
        "对规模以上工业企业主营业务收入首次突破1亿元、5亿元、10亿元的，分别给予20万元、50万元、100万元奖励。"
    )
    ms = _measures(pipeline, text)
    assert [m.benefits[0].amount for m in ms] == [200_000, 500_000, 1_000_000]
    assert [_conditions(m) for m in ms] == [
        [("主营业务收入", ">", 1e8, None)],
        [("主营业务收入", ">", 5e8, None)],
        [("主营业务收入", ">", 1e9, None)],
    ]


def test_patterns_grade_tiers_get_text_conditions(pipeline: Pipeline) -> None:
    ms = _measures(pipeline, "对当年新获评的国家级、省级绿色工厂，分别给予一次性奖励80万元、40万元。")
    assert [(m.conditions[0].text, m.benefits[0].amount, m.benefits[0].one_time) for m in ms] == [
        ("国家级", 800_000, True),
        ("省级", 400_000, True),
    ]


def test_patterns_per_person_per_month_with_duration(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "对全职引进的博士后研究人员，每人每月发放生活补贴2000元，补贴期限不超过2年。")
    b = m.benefits[0]
    assert (b.unit_amount, b.unit, b.duration_years, b.kind) == (2000, "人·月", 2, "补贴")


def test_patterns_price_per_square_metre_and_yearly_cap(pipeline: Pipeline) -> None:
    text = "入驻众创空间的科技型中小企业，按每平方米每月15元给予房租补贴，单个企业年度补贴最高不超过10万元。"
    (m,) = _measures(pipeline, text)
    b = m.benefits[0]
    assert (b.unit_amount, b.unit, b.cap, b.cap_per) == (15, "平方米·月", 100_000, "企业年度")


def test_patterns_price_written_with_a_slash(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "对冷链物流企业租用冷库的，按0.3元/㎡·日的标准给予补贴，每家企业最高30万元。")
    b = m.benefits[0]
    assert (b.unit_amount, b.unit, b.cap, b.cap_per) == (0.3, "㎡·日", 300_000, "企业")


def test_patterns_award_range(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "经评审认定的市级工业设计中心，给予10万～30万元资助。")
    b = m.benefits[0]
    assert (b.amount, b.amount_min, b.cap, b.kind) == (None, 100_000, 300_000, "资助")


def test_patterns_interest_subsidy_on_lpr_with_cap_per_year(pipeline: Pipeline) -> None:
    text = "对获得银行贷款的技改项目，按贷款市场报价利率（LPR）的50%给予贴息，贴息期限最长2年，单个企业每年最高100万元。"
    (m,) = _measures(pipeline, text)
    b = m.benefits[0]
    assert (b.kind, b.rate, b.cap, b.cap_per, b.duration_years) == ("贴息", 0.5, 1_000_000, "企业年度", 2)
    assert b.base is not None and "LPR" in b.base


def test_patterns_fixed_one_time_award_with_text_condition(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "企业首次通过国家高新技术企业认定的，给予一次性奖励30万元。")
    assert m.benefits[0].amount == 300_000 and m.benefits[0].one_time
    assert [c.text for c in m.conditions] == ["企业首次通过国家高新技术企业认定"]


def test_patterns_conditions_joined_by_and(pipeline: Pipeline) -> None:
    text = "对年营业收入不超过3000万元且研发投入占比不低于6%的小微企业，按研发费用的10%给予补助，最高50万元。"
    (m,) = _measures(pipeline, text)
    assert _conditions(m) == [("年营业收入", "<=", 30_000_000, None), ("研发投入占比", ">=", 0.06, None)]
    b = m.benefits[0]
    assert (b.rate, b.base, b.cap) == (0.1, "研发费用", 500_000)
    assert m.beneficiaries == ["小微企业"]


def test_patterns_foreign_currency_keeps_its_unit(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "对实际到位外资超过5000万美元的新设外资项目，给予最高800万元奖励。")
    assert _conditions(m) == [("实际到位外资", ">", 50_000_000, "美元")]
    assert m.benefits[0].cap == 8_000_000


def test_patterns_inclusive_bound_marked_with_han(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "年度技术合同成交额达到1000万元（含）以上的技术转移机构，奖励20万元。")
    assert _conditions(m) == [("年度技术合同成交额", ">=", 10_000_000, None)]


def test_patterns_exclusive_bounds(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "对资产负债率低于60%、从业人员不足50人的企业，给予5万元补助。")
    assert _conditions(m) == [("资产负债率", "<", 0.6, None), ("从业人员", "<", 50, "人")]


def test_patterns_full_width_and_chinese_numerals(pipeline: Pipeline) -> None:
    (m,) = _measures(
        pipeline, "对研发投入增幅超过百分之二十的企业，按增量部分的３０％给予奖补，最高五十万元。"
    )
    assert _conditions(m) == [("研发投入增幅", ">", 0.2, None)]
    b = m.benefits[0]
    assert (b.rate, b.base, b.cap) == (0.3, "增量部分", 500_000)


def test_patterns_two_benefits_in_one_clause(pipeline: Pipeline) -> None:
    text = "对新建的冷链仓储项目，按设备投资的10%给予补助，最高200万元；对获得项目贷款的，给予最高3%的贴息，贴息期限不超过3年。"
    ms = _measures(pipeline, text.replace("；", "，"))
    (m,) = ms
    assert [(b.kind, b.rate, b.cap) for b in m.benefits] == [("补助", 0.1, 2_000_000), ("贴息", 0.03, None)]
    assert m.benefits[1].condition_text == "获得项目贷款"
    assert m.benefits[1].duration_years == 3


@pytest.mark.parametrize(
    "text",
    [
        "Preheat the oven to 200 degrees and bake for 20 minutes; serve with 10% cream and 2 eggs.",
        "将鸡蛋打散，加入50克白糖，搅拌3分钟后放入烤箱，以180度烘烤20分钟。",
        "2024年全省地区生产总值增长5.2%，规模以上工业增加值增长6%，社会消费品零售总额达到1.2万亿元。",
        "坚持奖励补贴和项目补助两种途径并行，强化扶持力度。",
        "晋政办发〔2024〕37号",
    ],
)
def test_patterns_no_measures_outside_support_clauses(pipeline: Pipeline, text: str) -> None:
    assert _measures(pipeline, text) == []


def test_patterns_entities_and_relations_are_consistent(pipeline: Pipeline) -> None:
    doc = pipeline.process_text("对参数量不低于千亿的大模型，给予不超过研发总投入20%、最高1000万元的补贴。")
    labels = {e.label: e.text for e in doc.entities}
    assert labels["RATE"] == "20%" and labels["CAP"] == "1000万元" and labels["BASE"] == "研发总投入"
    assert (
        labels["THRESHOLD"] == "不低于千亿"
        and labels["METRIC"] == "参数量"
        and labels["BENEFIT_KIND"] == "补贴"
    )
    ids = {e.id: e for e in doc.entities}
    assert {(ids[r.head].label, r.label, ids[r.tail].label) for r in doc.relations} >= {
        ("BENEFIT_KIND", "HAS_RATE", "RATE"),
        ("BENEFIT_KIND", "HAS_CAP", "CAP"),
        ("RATE", "HAS_BASE", "BASE"),
        ("METRIC", "HAS_THRESHOLD", "THRESHOLD"),
        ("BENEFIT_KIND", "REQUIRES", "METRIC"),
    }


def test_patterns_price_per_bed_with_cap_per_institution(pipeline: Pipeline) -> None:
    (m,) = _measures(
        pipeline,
        "对新建普惠托育机构，按照每个托位1万元的标准给予一次性建设补助，每个机构补助总额不超过60万元。",
    )
    b = m.benefits[0]
    assert (b.unit_amount, b.unit, b.cap, b.cap_per, b.one_time) == (10_000, "托位", 600_000, "机构", True)


def test_patterns_two_caps_keep_the_one_counted_per_claimant(pipeline: Pipeline) -> None:
    text = "企业购买检验检测设备的，按购置额的25%给予补贴，单台设备补贴不超过20万元，每家企业每年累计不超过150万元。"
    (m,) = _measures(pipeline, text)
    (b,) = m.benefits
    assert (b.rate, b.cap, b.cap_per) == (0.25, 1_500_000, "企业年度")


def test_patterns_listed_items_pair_with_listed_amounts(pipeline: Pipeline) -> None:
    ms = _measures(pipeline, "牵头制定国际标准、国家标准的单位，分别给予每项80万元、40万元奖励。")
    assert [(m.conditions[0].text, m.benefits[0].unit_amount, m.benefits[0].unit) for m in ms] == [
        ("牵头制定国际标准", 800_000, "项"),
        ("国家标准", 400_000, "项"),
    ]


def test_patterns_follow_up_award_has_its_own_condition(pipeline: Pipeline) -> None:
    (m,) = _measures(
        pipeline, "对新升规的服务业企业，给予8万元奖励，升规后连续2年营业收入正增长的，再给予4万元奖励。"
    )
    first, second = m.benefits
    assert (first.amount, first.duration_years, first.condition_text) == (80_000, None, None)
    assert (second.amount, second.condition_text) == (40_000, "升规后连续2年营业收入正增长")


def test_patterns_metric_written_after_the_number(pipeline: Pipeline) -> None:
    (m,) = _measures(pipeline, "对吸纳脱贫人口并与其签订2年以上劳动合同的企业，按每人2000元给予一次性补贴。")
    assert _conditions(m) == [("劳动合同", ">=", 2, "年")]
    assert (m.benefits[0].unit_amount, m.benefits[0].unit) == (2000, "人")


def test_patterns_tiers_share_a_tier_group(pipeline: Pipeline) -> None:
    text = "企业年度营业收入首次突破5亿元、10亿元的，分别给予30万元、60万元奖励；对新认定的高新技术企业给予10万元奖励。"
    ms = _measures(pipeline, text)
    groups = [m.tier_group for m in ms]
    assert groups[0] is not None and groups[0] == groups[1] and groups[2] is None


@pytest.mark.parametrize(
    ("text", "cap_per"),
    [
        ("对综合利用项目，按每吨3元给予补贴，同一项目年度补贴不超过150万元。", "项目年度"),
        ("对吸纳就业的小微企业，按每人1500元给予补贴，每户企业补贴总额不超过五万元。", "企业"),
        ("对风险补偿机构，按新增担保额的0.5%给予风险补偿，单户最高50万元。", "户"),
    ],
)
def test_patterns_cap_per_names(pipeline: Pipeline, text: str, cap_per: str) -> None:
    (m,) = _measures(pipeline, text)
    assert m.benefits[0].cap_per == cap_per


@pytest.mark.parametrize(
    ("text", "exclusion"),
    [
        ("同一项目已获得省级补助的，市级不再重复补助。", "不再重复补助"),
        ("符合本措施多项条款的，按照就高原则执行，不重复享受。", "不重复享受"),
        ("列入淘汰类目录的企业，专项资金不予支持。", "不予支持"),
    ],
)
def test_patterns_exclusions_are_spans_without_awards_inside(
    pipeline: Pipeline, text: str, exclusion: str
) -> None:
    doc = pipeline.process_text(text)
    assert [e.text for e in doc.entities if e.label == "EXCLUSION"] == [exclusion]
    assert not any(
        e.start < e2.end and e2.start < e.end for e in doc.entities for e2 in doc.entities if e is not e2
    )


def test_patterns_spans_never_nest(pipeline: Pipeline) -> None:
    text = "对主导制定国际标准、国家标准、行业标准的企业，分别给予50万元、30万元、10万元奖励。"
    doc = pipeline.process_text(text)
    spans = [(e.start, e.end) for e in doc.entities]
    assert not any(a != b and a[0] <= b[0] and b[1] <= a[1] for a in spans for b in spans)


def test_a_threshold_required_directly_and_through_its_metric_is_one_condition() -> None:
    from pipeline.document import Entity, PolicyDocument, Relation, Source
    from pipeline.extract.assemble import Assembler

    text = "对年度履约率不低于90%的，给予奖励10万元。"
    spans = {"m": "年度履约率", "t": "不低于90%", "k": "奖励", "a": "10万元"}
    labels = {"m": "METRIC", "t": "THRESHOLD", "k": "BENEFIT_KIND", "a": "AMOUNT"}
    entities = [
        Entity(id=k, label=labels[k], start=text.index(v), end=text.index(v) + len(v), text=v)
        for k, v in spans.items()
    ]
    relations = [
        Relation(head="m", tail="t", label="HAS_THRESHOLD"),
        Relation(head="k", tail="m", label="REQUIRES"),
        Relation(head="k", tail="t", label="REQUIRES"),
        Relation(head="k", tail="a", label="HAS_AMOUNT"),
    ]
    source = Source(name="a.txt", sha256="0" * 64, media_type="text/plain")
    doc = Assembler()(PolicyDocument(source=source, text=text, entities=entities, relations=relations))
    assert [(c.metric, c.op, c.value) for c in doc.measures[0].conditions] == [("年度履约率", ">=", 0.9)]


def test_patterns_answer_label_is_not_a_measure_title(pipeline: Pipeline) -> None:
    text = "问：港口企业能享受哪些支持？\n答：对年集装箱吞吐量首次突破2万标准箱的港口企业，给予一次性奖励50万元。"
    (m,) = _measures(pipeline, text)
    assert m.title != "答"
    assert _conditions(m) == [("年集装箱吞吐量", ">", 20000.0, "标准箱")]
