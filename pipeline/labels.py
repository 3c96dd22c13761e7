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
    EXCLUSION = "EXCLUSION"


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
    "EXCLUSION": "排除: who or what is excluded or not paid twice (不重复享受, 不予补助)",
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

_KIND_VALUES = {
    EntityLabel.RATE,
    EntityLabel.CAP,
    EntityLabel.AMOUNT,
    EntityLabel.UNIT_AMOUNT,
    EntityLabel.DURATION,
}
# The head of a benefit's relations: its kind word, or its first value when no kind is written.
_ANCHORS = {EntityLabel.BENEFIT_KIND, *_KIND_VALUES}

ALLOWED_RELATIONS: dict[RelationLabel, tuple[frozenset[EntityLabel], frozenset[EntityLabel]]] = {
    RelationLabel.HAS_RATE: (frozenset(_ANCHORS), frozenset({EntityLabel.RATE})),
    RelationLabel.HAS_CAP: (frozenset(_ANCHORS), frozenset({EntityLabel.CAP})),
    RelationLabel.HAS_AMOUNT: (frozenset(_ANCHORS), frozenset({EntityLabel.AMOUNT})),
    RelationLabel.HAS_UNIT_AMOUNT: (frozenset(_ANCHORS), frozenset({EntityLabel.UNIT_AMOUNT})),
    RelationLabel.HAS_DURATION: (frozenset(_ANCHORS), frozenset({EntityLabel.DURATION})),
    RelationLabel.HAS_BASE: (frozenset({EntityLabel.RATE}), frozenset({EntityLabel.BASE})),
    RelationLabel.COUNTED_PER: (frozenset({EntityLabel.CAP}), frozenset({EntityLabel.CAP_PER})),
    RelationLabel.PER_UNIT: (frozenset({EntityLabel.UNIT_AMOUNT}), frozenset({EntityLabel.UNIT})),
    RelationLabel.HAS_THRESHOLD: (frozenset({EntityLabel.METRIC}), frozenset({EntityLabel.THRESHOLD})),
    RelationLabel.REQUIRES: (
        frozenset(_ANCHORS),
        frozenset({EntityLabel.METRIC, EntityLabel.THRESHOLD, EntityLabel.CONDITION}),
    ),
    RelationLabel.FOR: (frozenset(_ANCHORS), frozenset({EntityLabel.BENEFICIARY})),
}


def relation_allowed(head: EntityLabel, relation: RelationLabel, tail: EntityLabel) -> bool:
    """Whether a relation may join entities with these labels (the annotation rules in corpus/README.md)."""
    heads, tails = ALLOWED_RELATIONS[relation]
    return head in heads and tail in tails
