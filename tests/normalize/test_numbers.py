"""Tests for pipeline.normalize.numbers: phrases as they occur in published policy documents."""

from __future__ import annotations

import pytest

from pipeline.normalize.numbers import (
    QUANTITY_UNITS,
    NumericMatch,
    comparison_op,
    fullwidth_to_halfwidth,
    op_from_words,
    parse_money,
    parse_number,
    parse_percent,
    range_bounds,
    scan_numbers,
)


def _find(clause: str, text: str) -> NumericMatch:
    found = scan_numbers(clause)
    for m in found:
        assert m.text == clause[m.start : m.end]
    hits = [m for m in found if m.text == text]
    assert len(hits) == 1, f"{text!r} not matched once in {clause!r}: {found}"
    return hits[0]


# --- single values: (clause, matched text, kind, value, unit) ---------------------------------
SINGLE = [
    # money
    ("最高不超过5000万元", "5000万元", "money", 50_000_000, None),
    ("营业收入超过 500万元的企业", "500万元", "money", 5_000_000, None),
    ("合同总额达到 2亿元及以上", "2亿元", "money", 200_000_000, None),
    ("给予最高 1000 元奖励", "1000 元", "money", 1000, None),
    ("一次性奖励1000 万元", "1000 万元", "money", 10_000_000, None),
    ("每人每月1000元", "1000元", "money", 1000, None),
    ("奖励五十万元", "五十万元", "money", 500_000, None),
    ("单个项目最高1.5亿元", "1.5亿元", "money", 150_000_000, None),
    ("给予1,000元补助", "1,000元", "money", 1000, None),
    ("年度支持资金100 万元", "100 万元", "money", 1_000_000, None),
    ("累计投资1000万美元以上", "1000万美元", "money", 10_000_000, "美元"),
    ("实际到位外资1亿美元", "1亿美元", "money", 100_000_000, "美元"),
    ("设立规模3000亿元的基金", "3000亿元", "money", 300_000_000_000, None),
    ("分两年各兑现600万元和400万元", "600万元", "money", 6_000_000, None),
    ("分两年各兑现600万元和400万元", "400万元", "money", 4_000_000, None),
    ("奖励１０００万元", "１０００万元", "money", 10_000_000, None),
    ("最高奖励２００　万元", "２００　万元", "money", 2_000_000, None),
    ("注册资本5000万欧元", "5000万欧元", "money", 50_000_000, "欧元"),
    ("投资额达2000万港元", "2000万港元", "money", 20_000_000, "港元"),
    ("投资1亿元人民币以上", "1亿元人民币", "money", 100_000_000, None),
    ("奖励5千元", "5千元", "money", 5000, None),
    ("补助二百万元", "二百万元", "money", 2_000_000, None),
    ("给予一千二百万元支持", "一千二百万元", "money", 12_000_000, None),
    ("最高补贴3万元", "3万元", "money", 30_000, None),
    ("资助经费0.5万元", "0.5万元", "money", 5000, None),
    ("总额100多万元", "100多万元", "money", 1_000_000, None),
    ("分别给予20万元、50万元、100万元", "50万元", "money", 500_000, None),
    ("国家级、省级分别奖励50万元、30万元", "30万元", "money", 300_000, None),
    # percent
    ("按照上一年度营业收入的1%给予奖励", "1%", "percent", 0.01, None),
    ("不超过研发总投入20%", "20%", "percent", 0.2, None),
    ("云服务收入占比达到 15%以上", "15%", "percent", 0.15, None),
    ("补贴比例为３０％", "３０％", "percent", 0.3, None),
    ("按 20 % 给予补贴", "20 %", "percent", 0.2, None),
    ("减按百分之十五的税率", "百分之十五", "percent", 0.15, None),
    ("按百分之二十给予补助", "百分之二十", "percent", 0.2, None),
    ("按千分之五收取", "千分之五", "percent", 0.005, None),
    ("费率5‰", "5‰", "percent", 0.005, None),
    ("贷款利率0.5%", "0.5%", "percent", 0.005, None),
    ("利率下浮1.5个百分点", "1.5个百分点", "percent", 0.015, None),
    ("100－500万元部分按2.5%", "2.5%", "percent", 0.025, None),
    ("按实际发生额的50%给予补助", "50%", "percent", 0.5, None),
    ("不低于百分之0.5", "百分之0.5", "percent", 0.005, None),
    # quantity
    ("典型应用场景不少于 5个", "5个", "quantity", 5, "个"),
    ("提出3项具体推进措施", "3项", "quantity", 3, "项"),
    ("智能算力规模达到100PFlops（半精度 FP16）以上", "100PFlops", "quantity", 100, "PFlops"),
    ("算力达到100 PFlops以上", "100 PFlops", "quantity", 100, "PFlops"),
    ("算力规模500PFLOPS", "500PFLOPS", "quantity", 500, "PFlops"),
    ("租赁面积500平方米以上", "500平方米", "quantity", 500, "平方米"),
    ("场地1000㎡", "1000㎡", "quantity", 1000, "㎡"),
    ("补贴期不超过 2年", "2年", "quantity", 2, "年"),
    ("连续6个月缴纳社保", "6个月", "quantity", 6, "月"),
    ("员工人数不足50人", "50人", "quantity", 50, "人"),
    ("集聚企业50家", "50家", "quantity", 50, "家"),
    ("购置设备20台(套)以上", "20台(套)", "quantity", 20, "台(套)"),
    ("购置设备20台（套）以上", "20台（套）", "quantity", 20, "台(套)"),
    ("年产1000吨", "1000吨", "quantity", 1000, "吨"),
    ("装机10兆瓦", "10兆瓦", "quantity", 10, "兆瓦"),
    ("装机10MW以上", "10MW", "quantity", 10, "MW"),
    ("用电5000千瓦时", "5000千瓦时", "quantity", 5000, "千瓦时"),
    ("床位数300床", "300床", "quantity", 300, "床"),
    ("分两年各兑现600万元和400万元", "两年", "quantity", 2, "年"),
    ("建成5000个物理机架", "5000个", "quantity", 5000, "个"),
    ("新增装机10万千瓦", "10万千瓦", "quantity", 100_000, "千瓦"),
    ("服务1000余家企业", "1000余家", "quantity", 1000, "家"),
    ("引进高层次人才100名", "100名", "quantity", 100, "名"),
    ("在30个工作日内完成", "30个工作日", "quantity", 30, "工作日"),
    ("不满1年的", "1年", "quantity", 1, "年"),
    ("授权发明专利10件", "10件", "quantity", 10, "件"),
    ("接待游客100万人次", "100万人次", "quantity", 1_000_000, "人次"),
    ("年度接待住宿达到500间夜以上", "500间夜", "quantity", 500, "间夜"),
    ("补贴期三年", "三年", "quantity", 3, "年"),
    ("培育两个示范区", "两个", "quantity", 2, "个"),
    ("存储容量10PB", "10PB", "quantity", 10, "PB"),
    ("最高给予2倍补贴", "2倍", "quantity", 2, "倍"),
    ("年交付无人机达到3000架以上", "3000架", "quantity", 3000, "架"),
    ("配套变压器容量3150千伏安以上", "3150千伏安", "quantity", 3150, "千伏安"),
    ("接入110kV及以上电网", "110kV", "quantity", 110, "kV"),
    ("贷款利率不高于LPR加50个基点", "50个基点", "quantity", 50, "基点"),
    ("年开展手术500例以上", "500例", "quantity", 500, "例"),
    ("蛋鸡存栏10万羽以上", "10万羽", "quantity", 100_000, "羽"),
    ("储能电站容量达到5吉瓦时", "5吉瓦时", "quantity", 5, "吉瓦时"),
    ("年集装箱吞吐量5000标箱以上", "5000标箱", "quantity", 5000, "标箱"),
    ("开行班列运量2万TEU", "2万TEU", "quantity", 20_000, "TEU"),
    ("供电煤耗降低3克标准煤/千瓦时", "3克标准煤/千瓦时", "quantity", 3, "克标准煤/千瓦时"),
    ("年产能60万吨/年以上", "60万吨/年", "quantity", 600_000, "吨/年"),  # a rate keeps its denominator
    ("处理能力100 吨 / 日", "100 吨 / 日", "quantity", 100, "吨/日"),
    ("年度执飞超过150班", "150班", "quantity", 150, "班"),
    ("连续在合作区举办满3届", "3届", "quantity", 3, "届"),
    # number
    ("参数量不低于千亿", "千亿", "number", 100_000_000_000, None),
    ("参数规模1.2亿", "1.2亿", "number", 120_000_000, None),
    ("一千二百万", "一千二百万", "number", 12_000_000, None),
    ("单个企业最高伍佰万元", "伍佰万元", "money", 5_000_000, None),
    ("奖励人民币壹仟贰佰万元整", "壹仟贰佰万元", "money", 12_000_000, None),
    ("用户规模五十万", "五十万", "number", 500_000, None),
    ("评选二十个", "二十个", "quantity", 20, "个"),
    ("得分为15", "15", "number", 15, None),
    ("达到1000万", "1000万", "number", 10_000_000, None),
    ("形成万亿级产业集群", "万亿", "number", 1_000_000_000_000, None),
    # date
    ("2024年6月25日", "2024年6月25日", "date", 2024, None),
    ("自2024年起实施", "2024年", "date", 2024, None),
    ("2024年度研发投入", "2024年度", "date", 2024, None),
    ("6月25日前申报", "6月25日", "date", 6, None),
    ("到2025年底建成", "2025年底", "date", 2025, None),
    ("２０２４年６月２５日印发", "２０２４年６月２５日", "date", 2024, None),
    ("2024-06-25发布", "2024-06-25", "date", 2024, None),
    ("二〇二四年六月", "二〇二四年", "date", 2024, None),
    ("每年3月底前", "3月底", "date", 3, None),
    ("2024 年 6 月", "2024 年 6 月", "date", 2024, None),
]


@pytest.mark.parametrize(("clause", "text", "kind", "value", "unit"), SINGLE)
def test_numbers_scan_single_value(clause: str, text: str, kind: str, value: float, unit: str | None) -> None:
    m = _find(clause, text)
    assert m.kind == kind
    assert m.value == pytest.approx(value)
    assert m.unit == unit
    assert m.low is None
    assert m.per is None


# --- ranges: (clause, matched text, kind, low, value, unit) -----------------------------------
RANGES = [
    ("给予10万～30万元补助", "10万～30万元", "money", 100_000, 300_000, None),
    ("给予10万-30万元补助", "10万-30万元", "money", 100_000, 300_000, None),
    ("给予10～30万元补助", "10～30万元", "money", 100_000, 300_000, None),
    ("100－500万元部分按2.5%", "100－500万元", "money", 1_000_000, 5_000_000, None),
    ("奖励50-300万元", "50-300万元", "money", 500_000, 3_000_000, None),
    ("给予10万元至30万元奖励", "10万元至30万元", "money", 100_000, 300_000, None),
    ("给予10万元—30万元奖励", "10万元—30万元", "money", 100_000, 300_000, None),
    ("给予 10 ~ 30 万元", "10 ~ 30 万元", "money", 100_000, 300_000, None),
    ("补贴比例5%-10%", "5%-10%", "percent", 0.05, 0.1, None),
    ("补贴比例5%～10%", "5%～10%", "percent", 0.05, 0.1, None),
    ("补贴比例5-10%", "5-10%", "percent", 0.05, 0.1, None),
    ("支持3-5家企业", "3-5家", "quantity", 3, 5, "家"),
    ("期限1至3年", "1至3年", "quantity", 1, 3, "年"),
    ("《行动计划（2024-2026年）》", "2024-2026年", "date", 2024, 2026, None),
    ("奖励1000万-1亿美元", "1000万-1亿美元", "money", 10_000_000, 100_000_000, "美元"),
    ("规模10万-30万", "10万-30万", "number", 100_000, 300_000, None),
]


@pytest.mark.parametrize(("clause", "text", "kind", "low", "value", "unit"), RANGES)
def test_numbers_scan_range(
    clause: str, text: str, kind: str, low: float, value: float, unit: str | None
) -> None:
    m = _find(clause, text)
    assert m.kind == kind
    assert m.low == pytest.approx(low)
    assert m.value == pytest.approx(value)
    assert m.unit == unit


# --- price per unit: (clause, matched text, value, per) ---------------------------------------
PER = [
    ("租金补贴0.3元/㎡·日", "0.3元/㎡·日", 0.3, "㎡·日"),
    ("按10元/平方米补贴", "10元/平方米", 10, "平方米"),
    ("按１０元／平方米补贴", "１０元／平方米", 10, "平方米"),
    ("补贴1000元/人", "1000元/人", 1000, "人"),
    ("补贴0.1元/千瓦时", "0.1元/千瓦时", 0.1, "千瓦时"),
    ("给予50万元/年", "50万元/年", 500_000, "年"),
    ("补贴500元/人·月", "500元/人·月", 500, "人·月"),
    ("按 2 元 / 平方米·月", "2 元 / 平方米·月", 2, "平方米·月"),
]


@pytest.mark.parametrize(("clause", "text", "value", "per"), PER)
def test_numbers_scan_money_per_unit(clause: str, text: str, value: float, per: str) -> None:
    m = _find(clause, text)
    assert m.kind == "money"
    assert m.value == pytest.approx(value)
    assert m.per == per
    assert m.unit is None


# --- what must not be matched: (clause, the texts matched, in order) ---------------------------
SKIPS = [
    ("晋政办发〔2024〕37号", []),
    ("国办发〔2023〕 5 号文件", []),
    ("晋政办发[2024]37号", []),
    ("（晋政发〔2024〕1号）要求补贴1000万元", ["1000万元"]),
    ("一、总体要求", []),
    ("（二）支持算力建设", []),
    ("(3)加强保障", []),
    ("第三条 补贴对象", []),
    ("第1项措施", []),
    ("第二十一条", []),
    ("一是突出系统性", []),
    ("二要强化保障", []),
    ("推动统一大市场建设", []),
    ("打造一体化算力网络", []),
    ("建设一批示范项目", []),
    ("进一步优化营商环境", []),
    ("给予一次性奖励", []),
    ("赋能千行百业", []),
    ("一二类地区", []),
    ("十四五时期", []),
    ("“十四五”规划", []),
    ("支持5G基站建设", []),
    ("半精度 FP16", []),
    ("采购H200芯片", []),
    ("基于GPT-4模型", []),
    ("建设3D打印平台", []),
    ("单位：万元", []),
    ("千人计划", []),
    ("按照上一年度营业收入", []),
    ("1.加强组织领导", []),
    ("1、加强组织领导", []),
    ("工作任务。2、完善机制", []),
    ("1）加强组织领导", []),
    ("气象万千", []),
    ("千家万户", []),
    ("亿万群众", []),
    ("奖励100，200家企业", ["100", "200家"]),
    ("给予20、50、100万元", ["20", "50", "100万元"]),
    ("1.5亿元", ["1.5亿元"]),
    ("晋政办发〔2024〕37号 2024年6月25日", ["2024年6月25日"]),
    ("算力达到100PFlops（半精度 FP16）以上", ["100PFlops"]),
    ("第三条 对参数量不低于千亿的大模型，最高奖励1000万元", ["千亿", "1000万元"]),
    ("三、（一）1.对年营业收入首次突破1亿元的企业", ["1亿元"]),
]


@pytest.mark.parametrize(("clause", "texts"), SKIPS)
def test_numbers_scan_skips_non_quantities(clause: str, texts: list[str]) -> None:
    assert [m.text for m in scan_numbers(clause)] == texts


# --- whole clauses: every match indexes the original string, in order, non-overlapping ----------
CLAUSES = [
    "对参数量不低于千亿的通用大模型，按照不超过研发总投入20%给予补贴，最高不超过5000万元。",
    "对智能算力规模达到100PFlops（半精度 FP16）以上的算力中心，每个物理机架最高1000元。",
    "云服务收入占比达到 15%以上、合同总额达到 2亿元及以上的企业，分两年各兑现600万元和400万元。",
    "晋政办发〔2024〕37号　２０２４年６月２５日　一、总体要求（一）补贴期不超过 2年。",
    "１．对营业收入超过 500万元的企业，给予10万～30万元奖励；100－500万元部分按2.5%。",
    "租金补贴0.3元/㎡·日，员工不足50人的，按百分之十五给予补助，上限 1000 万美元。",
]


@pytest.mark.parametrize("clause", CLAUSES)
def test_numbers_scan_offsets_index_original(clause: str) -> None:
    found = scan_numbers(clause)
    assert found
    last_end = 0
    for m in found:
        assert m.text == clause[m.start : m.end]
        assert m.start >= last_end
        assert m.end > m.start
        last_end = m.end


def test_numbers_scan_whole_clause_values() -> None:
    clause = "对参数量不低于千亿的通用大模型，按照不超过研发总投入20%给予补贴，最高不超过5000万元。"
    got = [(m.text, m.kind, m.value) for m in scan_numbers(clause)]
    assert got == [("千亿", "number", 1e11), ("20%", "percent", 0.2), ("5000万元", "money", 5e7)]


def test_numbers_scan_empty_and_plain_text() -> None:
    assert scan_numbers("") == []
    assert scan_numbers("加强组织领导，强化要素保障") == []


def test_numbers_unit_vocabulary_longest_first() -> None:
    lengths = [len(u) for u in QUANTITY_UNITS]
    assert lengths == sorted(lengths, reverse=True)
    assert QUANTITY_UNITS.index("个月") < QUANTITY_UNITS.index("个")
    assert "月" not in QUANTITY_UNITS  # 6月 is a date


# --- comparison_op: (before, after, expected) --------------------------------------------------
COMPARISONS = [
    ("不低于", "", (">=", 3, 0)),
    ("不少于 ", "个", (">=", 4, 0)),
    ("参数量不小于", "", (">=", 3, 0)),
    ("至少", "", (">=", 2, 0)),
    ("最低", "", (">=", 2, 0)),
    ("达到", "", (">=", 2, 0)),
    ("满", "", (">=", 1, 0)),
    ("营业收入超过 ", "的企业", (">", 3, 0)),
    ("高于", "", (">", 2, 0)),
    ("大于", "", (">", 2, 0)),
    ("多于", "", (">", 2, 0)),
    ("首次突破", "", (">", 2, 0)),
    ("最高不超过", "", ("<=", 5, 0)),
    ("不超过", "", ("<=", 3, 0)),
    ("补贴期不超过 ", "", ("<=", 4, 0)),
    ("不高于", "", ("<=", 3, 0)),
    ("不大于", "", ("<=", 3, 0)),
    ("不多于", "", ("<=", 3, 0)),
    ("最多", "", ("<=", 2, 0)),
    ("最高", "", ("<=", 2, 0)),
    ("给予最高 ", "元", ("<=", 3, 0)),
    ("低于", "", ("<", 2, 0)),
    ("少于", "", ("<", 2, 0)),
    ("小于", "", ("<", 2, 0)),
    ("不满", "的", ("<", 2, 0)),
    ("不足", "", ("<", 2, 0)),
    ("未满", "", ("<", 2, 0)),
    ("未达到", "", ("<", 3, 0)),
    ("", "以上", (">=", 0, 2)),
    ("", "及以上", (">=", 0, 3)),
    ("", "或以上", (">=", 0, 3)),
    ("", "（含）以上", (">=", 0, 5)),
    ("", "(含)以上", (">=", 0, 5)),
    ("", "以上（含）", (">=", 0, 5)),
    ("", " 以上的企业", (">=", 0, 3)),
    ("", "以下", ("<=", 0, 2)),
    ("", "及以下", ("<=", 0, 3)),
    ("", "以内", ("<=", 0, 2)),
    ("", "之内", ("<=", 0, 2)),
    ("", "（含）以下", ("<=", 0, 5)),
    ("", "以上（不含）", (">", 0, 6)),
    ("", "（不含）以上", (">", 0, 6)),
    ("", "以下（不含）", ("<", 0, 6)),
    ("", "以上（含本数）", (">=", 0, 7)),
    ("", "封顶", ("<=", 0, 2)),
    ("达到 ", "以上", (">=", 3, 2)),
    ("达到", "及以上", (">=", 2, 3)),
    ("达到", "以下", ("<=", 2, 2)),
    ("满", "以上", (">=", 1, 2)),
    ("不超过", "以上", ("<=", 3, 2)),
    ("不低于", "以下", (">=", 3, 2)),
    ("不超过", "（含）", ("<=", 3, 3)),
    ("营业收入", "的企业", None),
    ("", "", None),
    ("按照", "给予", None),
    ("下达", "", None),
    ("研发投入的", "", None),
]


@pytest.mark.parametrize(("before", "after", "expected"), COMPARISONS)
def test_numbers_comparison_op(before: str, after: str, expected: tuple[str, int, int] | None) -> None:
    assert comparison_op(before, after) == expected


def test_numbers_comparison_op_span_on_clause() -> None:
    clause = "云服务收入占比达到 15%以上"
    m = _find(clause, "15%")
    res = comparison_op(clause[max(0, m.start - 6) : m.start], clause[m.end : m.end + 8])
    assert res is not None
    op, nb, na = res
    assert op == ">="
    assert clause[m.start - nb : m.end + na] == "达到 15%以上"


@pytest.mark.parametrize(
    ("words", "op"),
    [
        ("不低于", ">="),
        ("以上", ">="),
        ("及以上", ">="),
        ("以上（不含）", ">"),
        ("超过", ">"),
        ("不超过", "<="),
        ("以内", "<="),
        ("低于", "<"),
        ("不足", "<"),
        ("达到", ">="),
        ("按照", None),
        ("", None),
    ],
)
def test_numbers_op_from_words(words: str, op: str | None) -> None:
    assert op_from_words(words) == op


# --- parse_number / parse_money / parse_percent --------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1000", 1000),
        ("1,000", 1000),
        ("1.5", 1.5),
        ("３０", 30),
        ("1.5亿", 150_000_000),
        ("一千二百万", 12_000_000),
        ("千亿", 100_000_000_000),
        ("五十万", 500_000),
        ("两", 2),
        ("二十", 20),
        ("1000万", 10_000_000),
        ("十", 10),
        ("一百零五", 105),
        ("二十五", 25),
        ("三亿五千万", 350_000_000),
        ("一万五", 15_000),
        ("一万亿", 1_000_000_000_000),
        ("二〇二四", 2024),
        (" 100 ", 100),
        ("十四五", None),
        ("亿万", None),
        ("统一", None),
        ("1000元", None),
        ("20%", None),
        ("", None),
        ("abc", None),
    ],
)
def test_numbers_parse_number(text: str, value: float | None) -> None:
    got = parse_number(text)
    if value is None:
        assert got is None
    else:
        assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1000万元", 10_000_000, None),
        ("1000 万元", 10_000_000, None),
        ("1 500万元", 15_000_000, None),  # OCR's thousands space
        ("2 000 000元", 2_000_000, None),
        ("5 00万元", 5_000_000, None),  # OCR splits a number anywhere
        ("3 0 万元", 300_000, None),
        ("2亿元", 200_000_000, None),
        ("五十万元", 500_000, None),
        ("1亿美元", 100_000_000, "美元"),
        ("１０００万元", 10_000_000, None),
        ("300万", None, None),
        ("20%", None, None),
        ("最高1000万元", None, None),
    ],
)
def test_numbers_parse_money(text: str, value: float | None, unit: str | None) -> None:
    m = parse_money(text)
    if value is None:
        assert m is None
    else:
        assert m is not None
        assert m.value == pytest.approx(value)
        assert m.unit == unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20%", 0.2),
        ("２０％", 0.2),
        ("百分之十五", 0.15),
        ("百分之二十", 0.2),
        ("千分之五", 0.005),
        ("5‰", 0.005),
        ("3 0%", 0.3),
        ("0.5%", 0.005),
        ("1.5个百分点", 0.015),
        ("50个基点", 0.005),
        ("一百个基点", 0.01),
        ("0.5倍", 0.5),
        ("1-2倍", None),
        ("20", None),
        ("5%-10%", None),
        ("按20%", None),
    ],
)
def test_numbers_parse_percent(text: str, value: float | None) -> None:
    got = parse_percent(text)
    if value is None:
        assert got is None
    else:
        assert got == pytest.approx(value)


# --- fullwidth_to_halfwidth ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("３０％", "30%"),
        ("１０００　万元", "1000 万元"),
        ("（含）以上", "(含)以上"),
        ("〔2024〕37号", "〔2024〕37号"),
        ("0.3元/㎡·日", "0.3元/㎡·日"),
        ("ＰＦｌｏｐｓ，", "PFlops,"),
        ("１０～３０万元", "10~30万元"),
    ],
)
def test_numbers_fullwidth_to_halfwidth_length_preserving(text: str, expected: str) -> None:
    got = fullwidth_to_halfwidth(text)
    assert got == expected
    assert len(got) == len(text)


def test_numbers_the_year_before_is_no_quantity() -> None:
    assert scan_numbers("年度纳税额较上市前一年度增长") == []
    assert [(m.value, m.unit) for m in scan_numbers("前三年免收租金")] == [(3, "年")]


def test_numbers_split_by_ocr_stay_apart_without_money_after() -> None:
    """A space inside a number joins it only before money or a percent sign; listed numbers stay
    apart."""
    assert [m.value for m in scan_numbers("1 2 3")] == [1, 2, 3]
    assert [m.value for m in scan_numbers("共3 5家")] == [3, 5]


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("5000平方米（含）至1万平方米（不含）", [(">=", 5000), ("<", 10000)]),
        ("5000万元（不含）至1亿元", [(">", 5e7), ("<=", 1e8)]),
        ("1亿～5亿元", [(">=", 1e8), ("<=", 5e8)]),
        ("1亿元至5亿元（不含）", [(">=", 1e8), ("<", 5e8)]),
        ("达到300万元（含）但不足1000万元", [(">=", 3e6), ("<", 1e7)]),
        ("50人以上100人以下", [(">=", 50), ("<=", 100)]),
        ("200马力（含）至300马力（不含）", [(">=", 200), ("<", 300)]),
        ("1000标箱（含）至5000标箱（不含）", [(">=", 1000), ("<", 5000)]),
        ("3克标准煤/千瓦时（含）至6克标准煤/千瓦时（不含）", [(">=", 3), ("<", 6)]),
        ("10蒸吨/小时以上20蒸吨/小时以下", [(">=", 10), ("<=", 20)]),
        ("5千克标准煤/吨至8千克标准煤/吨", [(">=", 5), ("<=", 8)]),
        ("2000万元以上不足5000万元", [(">=", 2e7), ("<", 5e7)]),
        ("200千瓦（含）至1兆瓦（不含）", [(">=", 200), ("<", 1000)]),  # both ends in 千瓦
        ("1兆瓦至5000千瓦", [(">=", 1), ("<=", 5)]),  # both ends in 兆瓦
        ("500公斤至2吨", [(">=", 500), ("<=", 2000)]),
        ("2吨至500公斤", None),  # ends out of order once in one unit
        ("10千瓦至20千瓦时", None),  # power and energy
        ("10人至20台", None),
        ("超过500万元", None),  # one end
        ("1000万元以下", None),
        ("20万元、50万元", None),  # a list of two values, not a band
        ("100万元以上（含100万元）", None),  # one end, restated
        ("5亿元至1亿元", None),  # ends out of order
        ("连续3年营业收入超过500万元", None),  # a time and a money amount
    ],
)
def test_numbers_range_bounds(text: str, bounds: list[tuple[str, float]] | None) -> None:
    found = range_bounds(text)
    assert (None if found is None else [(op, n.value) for op, n in found]) == bounds


def test_numbers_financial_numerals_are_read_only_as_money() -> None:
    assert [(n.text, n.value) for n in scan_numbers("陆家嘴5家企业获贰拾万元")] == [
        ("5家", 5),
        ("贰拾万元", 200_000),
    ]
