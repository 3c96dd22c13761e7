"""The applicant profile that `zhengce match` evaluates measures against (`../shared/CONTRACT.md`)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, field_validator


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
        for key, value in facts.items():
            if not math.isfinite(value):
                raise ValueError(f"fact {key!r} is not a finite number")
        return facts
