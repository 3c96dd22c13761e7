"""Profiles against the seed's reference extraction (`../shared/seed/*.gold.json`), each computed by hand.

Reference measures: m1 参数量 >= 1e11 and 典型应用场景 >= 5: 20% × 研发总投入, cap 1000万元; m2 10% × 项目研发费用,
cap 500万元; m3 形成商用案例: up to 100万元; m4 上一年度营业收入 > 500万元: 1% of it, cap 200万元; m5 智能算力规模
>= 100PFlops: 15% × 平台软件和硬件设备实际投资, cap 5000万元, and 贴息 2% for 2 years if 获得项目贷款; m6 云服务收入占比
>= 15%: 1000元 per 物理机架, cap 300万元; m7 基础软硬件国产化 >= 90%: up to 500万元; m8 年度省外算力服务合同总额 >= 2亿元:
2% of it, cap 1000万元; m9 20% × 关键设备和系统软件投入, cap 100万元.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.document import PolicyDocument
from pipeline.rules import MatchResult, RulesEngine

CASES: list[tuple[str, dict[str, Any], str, bool | None, int | None, list[str]]] = [
    # 20% × 8000万 = 1600万 > cap 1000万 → 1000万
    (
        "headline",
        {"facts": {"参数量": 1.2e11, "典型应用场景": 6, "研发总投入": 8e7}},
        "m1",
        True,
        10_000_000,
        [],
    ),
    # 参数量 exactly 千亿 and 5 scenarios meet 不低于/不少于; 20% × 3000万 = 600万 < cap
    (
        "inclusive bounds",
        {"facts": {"参数量": 1e11, "典型应用场景": 5, "研发总投入": 3e7}},
        "m1",
        True,
        6_000_000,
        [],
    ),
    # 900亿 parameters < 千亿 → not eligible, nothing paid
    (
        "too small a model",
        {"facts": {"参数量": 9e10, "典型应用场景": 6, "研发总投入": 8e7}},
        "m1",
        False,
        0,
        [],
    ),
    # no parameter count: undecided, and it is named
    ("parameters missing", {"facts": {"典型应用场景": 6, "研发总投入": 8e7}}, "m1", None, None, ["参数量"]),
    # 1% × 3000万 = 30万 < cap 200万
    ("revenue 3000万", {"facts": {"上一年度营业收入": 3e7}}, "m4", True, 300_000, []),
    # 400万 is not 超过 500万
    ("revenue 400万", {"facts": {"上一年度营业收入": 4e6}}, "m4", False, 0, []),
    # 超过 excludes the number: exactly 500万 is not enough
    ("revenue exactly 500万", {"facts": {"上一年度营业收入": 5e6}}, "m4", False, 0, []),
    # 主营业务收入 answers 上一年度营业收入; 1% × 3亿 = 300万 > cap 200万 → 200万
    ("revenue by synonym, capped", {"facts": {"主营业务收入": 3e8}}, "m4", True, 2_000_000, []),
    # 250 racks × 1000元 = 25万 < cap 300万
    ("250 racks", {"facts": {"云服务收入占比": 0.2, "物理机架": 250}}, "m6", True, 250_000, []),
    # 5000 racks × 1000元 = 500万 > cap 300万 → 300万
    ("5000 racks, capped", {"facts": {"云服务收入占比": 0.2, "物理机架": 5000}}, "m6", True, 3_000_000, []),
    # 10% cloud revenue < 15%
    ("cloud share too low", {"facts": {"云服务收入占比": 0.1, "物理机架": 250}}, "m6", False, 0, []),
    # textual condition answered by a tag; only a maximum is stated: 100万
    ("commercial case", {"tags": ["形成商用案例"]}, "m3", True, 1_000_000, []),
    # no tag: undecided, the condition named
    ("commercial case unknown", {}, "m3", None, None, ["形成商用案例"]),
    # 15% × 1亿 = 1500万 (< cap 5000万) + 贴息 2% × 5000万 = 100万 a year × 2 years = 200万 → 1700万
    (
        "computing centre with loan",
        {
            "facts": {"智能算力规模": 120, "平台软件和硬件设备实际投资": 1e8, "贷款金额": 5e7},
            "tags": ["获得项目贷款"],
        },
        "m5",
        True,
        17_000_000,
        [],
    ),
    # eligible (120 >= 100PFlops), 补贴 1500万 decided, 贴息 needs the loan amount and the 获得项目贷款 tag
    (
        "computing centre, loan unknown",
        {"facts": {"智能算力规模": 120, "平台软件和硬件设备实际投资": 1e8}},
        "m5",
        True,
        None,
        ["贷款金额", "获得项目贷款"],
    ),
    # 80 < 100PFlops
    ("computing centre too small", {"facts": {"智能算力规模": 80}}, "m5", False, 0, []),
    # 2% × 6亿 = 1200万 > cap 1000万 → 1000万
    ("out-of-province contracts", {"facts": {"年度省外算力服务合同总额": 6e8}}, "m8", True, 10_000_000, []),
    # 95% >= 90% (canonical name 基础软硬件国产化率); only a maximum: 500万
    ("domestic hardware", {"facts": {"基础软硬件国产化率": 0.95}}, "m7", True, 5_000_000, []),
    # no conditions; 20% × 300万 = 60万 < cap 100万
    ("demonstration scenario", {"facts": {"关键设备和系统软件投入": 3e6}}, "m9", True, 600_000, []),
    # no conditions; 10% × 2000万 = 200万 < cap 500万
    ("industry model project", {"facts": {"项目研发费用": 2e7}}, "m2", True, 2_000_000, []),
    # eligible without conditions, but the amount needs the base
    ("demonstration scenario, no base", {}, "m9", True, None, ["关键设备和系统软件投入"]),
]


def _find(results: list[MatchResult], measure: str) -> MatchResult:
    return next(r for r in results if r.measure == measure)


@pytest.mark.parametrize(
    ("profile", "measure", "eligible", "award", "missing"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_rules_seed_profile_gets_the_hand_computed_award(
    engine: RulesEngine,
    seed_gold: PolicyDocument,
    profile: dict[str, Any],
    measure: str,
    eligible: bool | None,
    award: int | None,
    missing: list[str],
) -> None:
    result = _find(engine.match(profile, [seed_gold]), measure)
    assert (result.eligible, result.award, result.missing_facts) == (eligible, award, missing), (
        result.explanation
    )


def test_rules_seed_headline_explanation_names_facts_threshold_and_cap(
    engine: RulesEngine, seed_gold: PolicyDocument
) -> None:
    profile = {"facts": {"参数量": 1.2e11, "典型应用场景": 6, "研发总投入": 8e7}}
    result = _find(engine.match(profile, [seed_gold]), "m1")
    assert result.explanation.startswith("参数量 1.2e11 >= 1e11; 典型应用场景 6个 >= 5个: eligible")
    assert "20% × 研发总投入 8000万元 = 1600万元, capped at 1000万元" in result.explanation


def test_rules_seed_contract_example_profile_over_every_measure(
    engine: RulesEngine, seed_gold: PolicyDocument
) -> None:
    profile = {
        "name": "某智能科技有限公司",
        "facts": {
            "上一年度营业收入": 30000000,
            "研发总投入": 80000000,
            "参数量": 120000000000,
            "典型应用场景": 6,
            "智能算力规模": 120,
            "物理机架": 250,
        },
        "tags": ["高新技术企业", "获得项目贷款"],
    }
    got = {r.measure: (r.eligible, r.award, r.missing_facts) for r in engine.match(profile, [seed_gold])}
    assert got == {
        "m1": (True, 10_000_000, []),  # 20% × 8000万 = 1600万, capped at 1000万
        "m2": (True, None, ["项目研发费用"]),  # no conditions; the project's R&D cost is not in the profile
        "m3": (None, None, ["形成商用案例"]),  # no such tag
        "m4": (True, 300_000, []),  # 1% × 3000万
        "m5": (
            True,
            None,
            ["平台软件和硬件设备实际投资", "贷款金额"],
        ),  # 120 >= 100PFlops; both bases unknown
        "m6": (None, None, ["云服务收入占比"]),  # racks known, the share is not
        "m7": (None, None, ["基础软硬件国产化"]),
        "m8": (None, None, ["年度省外算力服务合同总额"]),
        "m9": (True, None, ["关键设备和系统软件投入"]),
    }


def test_rules_seed_partial_award_is_reported_apart(engine: RulesEngine, seed_gold: PolicyDocument) -> None:
    profile = {"facts": {"智能算力规模": 120, "平台软件和硬件设备实际投资": 1e8}}
    result = _find(engine.match(profile, [seed_gold]), "m5")
    # 补贴 15% × 1亿 = 1500万 is decided; the 贴息 is not, so the award stays null
    assert result.award is None and result.award_known == 15_000_000
    assert [b.award for b in result.benefits] == [15_000_000, None]
