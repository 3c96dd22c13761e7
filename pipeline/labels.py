"""Entity and relation labels shared by the pattern extractor, the model, the corpus and the labelling."""

from __future__ import annotations

from enum import StrEnum


class EntityLabel(StrEnum):
    BENEFICIARY = "BENEFICIARY"
    METRIC = "METRIC"
    THRESHOLD = "THRESHOLD"
    CONDITION = "CONDITION"
    BENEFIT_KIND = "BENEFIT_KIND"
    RATE = "RATE"
    BASE = "BASE"
    CAP = "CAP"
    CAP_PER = "CAP_PER"
    AMOUNT = "AMOUNT"
    UNIT_AMOUNT = "UNIT_AMOUNT"
    UNIT = "UNIT"
    DURATION = "DURATION"


class RelationLabel(StrEnum):
    HAS_RATE = "HAS_RATE"
    HAS_BASE = "HAS_BASE"
    HAS_CAP = "HAS_CAP"
    COUNTED_PER = "COUNTED_PER"
    HAS_AMOUNT = "HAS_AMOUNT"
    HAS_UNIT_AMOUNT = "HAS_UNIT_AMOUNT"
    PER_UNIT = "PER_UNIT"
    HAS_DURATION = "HAS_DURATION"
    HAS_THRESHOLD = "HAS_THRESHOLD"
    REQUIRES = "REQUIRES"
    FOR = "FOR"


GLOSSARY: dict[str, str] = {
    "BENEFICIARY": "受益对象: who may claim (高校, 算力企业)",
    "METRIC": "指标: what a numeric condition compares (上一年度营业收入)",
    "THRESHOLD": "门槛: the compared value with its comparison words (超过500万元, 不低于千亿)",
    "CONDITION": "条件: a condition stated in words only (形成商用案例)",
    "BENEFIT_KIND": "扶持方式: the kind of award (补贴, 奖励, 贴息, 资助)",
    "RATE": "比例: the share of a base that is granted (20%)",
    "BASE": "计算基数: what the rate applies to (研发总投入)",
    "CAP": "上限: the most that is granted (最高1000万元)",
    "CAP_PER": "上限口径: what the cap is counted per (单个项目, 同一企业年度)",
    "AMOUNT": "固定金额: a fixed award (奖励50万元)",
    "UNIT_AMOUNT": "单位金额: an award per unit (每个物理机架1000元)",
    "UNIT": "计量单位: the unit a per-unit award counts (物理机架)",
    "DURATION": "期限: how long the benefit runs (补贴期不超过2年)",
    "HAS_RATE": "benefit kind → its rate",
    "HAS_BASE": "rate → its base",
    "HAS_CAP": "benefit kind → its cap",
    "COUNTED_PER": "cap → what it is counted per",
    "HAS_AMOUNT": "benefit kind → its fixed amount",
    "HAS_UNIT_AMOUNT": "benefit kind → its per-unit amount",
    "PER_UNIT": "per-unit amount → its unit",
    "HAS_DURATION": "benefit kind → its duration",
    "HAS_THRESHOLD": "metric → its threshold",
    "REQUIRES": "benefit kind → a condition or metric it requires",
    "FOR": "benefit kind → its beneficiary",
}
