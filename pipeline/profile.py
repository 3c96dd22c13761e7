"""The applicant profile that `zhengce match` evaluates measures against (`../shared/CONTRACT.md`).

Facts are keyed by the policy's own words (上一年度营业收入) or by a canonical name from
`pipeline/rules/synonyms.json` (营业收入); tags answer non-numeric conditions (高新技术企业, 获得项目贷款).
Values are checked by what the key means: money cannot be negative, a share (占比, 比例, 国产化率) is a
fraction from 0 to 1, counts and quantities cannot be negative. Every error names the field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError, field_validator

from pipeline.errors import RuleError

_KIND_WORDS = {
    "money": "money in yuan",
    "count": "a count",
    "quantity": "a quantity",
}


class ApplicantProfile(BaseModel):
    """A company's facts, keyed by the policy's own words or by a canonical name, and its tags."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    facts: dict[str, StrictInt | StrictFloat] = Field(
        default_factory=dict,
        description="money in yuan, rates as fractions, other quantities in the unit the policy states",
        examples=[{"上一年度营业收入": 30000000, "参数量": 120000000000}],
    )
    tags: list[str] = Field(default_factory=list, examples=[["高新技术企业", "获得项目贷款"]])

    @field_validator("facts")
    @classmethod
    def _finite(cls, facts: dict[str, int | float]) -> dict[str, int | float]:
        # Imported here: pipeline.rules imports this module.
        from pipeline.rules.synonyms import fact_kind

        for key, value in facts.items():
            if not key.strip():
                raise ValueError("a fact has an empty name")
            if not math.isfinite(value):
                raise ValueError(f"fact {key!r} is not a finite number")
            kind = fact_kind(key)
            if kind == "share" and not 0 <= value <= 1:
                raise ValueError(
                    f"fact {key!r} is a rate, a fraction from 0 to 1, but is {value:g} (write 20% as 0.2)"
                )
            if kind in _KIND_WORDS and value < 0:
                raise ValueError(
                    f"fact {key!r} is {_KIND_WORDS[kind]} and cannot be negative, but is {value:g}"
                )
        return facts

    @field_validator("tags")
    @classmethod
    def _tags_named(cls, tags: list[str]) -> list[str]:
        for i, tag in enumerate(tags):
            if not tag.strip():
                raise ValueError(f"tag {i} is empty")
        return tags


def describe(error: ValidationError) -> str:
    """One line per problem, each naming the field (`facts.营业收入: Input should be a valid number`)."""
    lines: list[str] = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        # `StrictInt | StrictFloat` reports each member of the union (`…营业收入.int`, `….float`): name one.
        if loc and loc[-1] in ("int", "float"):
            loc = loc[:-1]
        where = ".".join(loc) or "profile"
        if item["type"] == "extra_forbidden":
            message = f"unknown field (expected {', '.join(ApplicantProfile.model_fields)})"
        elif item["type"] in ("int_type", "float_type"):
            message = f"should be a number, not {type(item['input']).__name__} {item['input']!r}"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        line = f"{where}: {message}"
        if line not in lines:
            lines.append(line)
    return "; ".join(lines)


def parse_profile(data: Any, *, source: str = "profile") -> ApplicantProfile:
    """Validate a decoded profile, raising RuleError with every problem and the field it is in.

    >>> parse_profile({"facts": {"营业收入": 30000000}}).facts
    {'营业收入': 30000000}
    """
    try:
        return ApplicantProfile.model_validate(data)
    except ValidationError as exc:
        raise RuleError(f"{source}: {describe(exc)}") from exc


def load_profile(path: Path) -> ApplicantProfile:
    """Read and validate a profile JSON file; RuleError names the file, the field and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuleError(f"{path}: not a readable JSON profile ({exc})") from exc
    return parse_profile(data, source=str(path))
