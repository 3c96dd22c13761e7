"""Applicant profiles: bad ones are rejected with messages that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from pipeline.errors import RuleError
from pipeline.profile import ApplicantProfile, load_profile, parse_profile


@pytest.mark.parametrize(
    ("profile", "named"),
    [
        ({"facts": {"营业收入": "3000万"}}, "facts.营业收入"),  # wrong type
        ({"facts": {"参数量": True}}, "facts.参数量"),  # a bool is not a number
        ({"facts": {"研发总投入": None}}, "facts.研发总投入"),
        ({"facts": {"上一年度营业收入": -1}}, "上一年度营业收入"),  # negative money
        ({"facts": {"主营业务收入": -3e7}}, "主营业务收入"),  # negative money, by a synonym
        ({"facts": {"项目投资金额": -5}}, "项目投资金额"),  # negative money, by its ending
        ({"facts": {"云服务收入占比": 20}}, "云服务收入占比"),  # a rate above 1 (20 for 20%)
        ({"facts": {"研发人员比例": 1.5}}, "研发人员比例"),  # a rate above 1, by its ending
        ({"facts": {"基础软硬件国产化率": -0.1}}, "基础软硬件国产化率"),
        ({"facts": {"物理机架": -250}}, "物理机架"),  # a negative count
        ({"facts": {"营业收入": float("inf")}}, "营业收入"),
        ({"name": "某公司", "revenue": 3}, "revenue"),  # unknown top-level field
        ({"facts": [1, 2]}, "facts"),
        ({"tags": "高新技术企业"}, "tags"),
        ({"tags": ["高新技术企业", 3]}, "tags.1"),
        ({"tags": [" "]}, "tags"),
        ({"name": 3}, "name"),
    ],
)
def test_rules_bad_profile_is_rejected_naming_the_field(profile: dict[str, Any], named: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_profile(profile)
    assert named in str(info.value)
    with pytest.raises(ValidationError):
        ApplicantProfile.model_validate(profile)


@pytest.mark.parametrize(
    "facts",
    [
        {"净利润": -2e6},  # a loss is a negative profit
        {"营业收入增长率": -0.15},  # a fall
        {"营业收入增长率": 1.8},  # growth of 180%
        {"云服务收入占比": 0, "基础软硬件国产化率": 1},
        {"参数量": 120000000000, "典型应用场景": 6, "某项自定义指标": -3},
    ],
)
def test_rules_valid_profile_is_accepted(facts: dict[str, float]) -> None:
    assert parse_profile({"facts": facts}).facts == facts


def test_rules_profile_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleError, match=r"p\.json"):
        load_profile(path)
    path.write_text(json.dumps({"facts": {"营业收入": "x"}}), encoding="utf-8")
    with pytest.raises(RuleError, match=r"p\.json: facts\.营业收入: should be a number"):
        load_profile(path)
