"""The rules engine: measures compiled into GoRules ZEN decisions, matched against applicant profiles.

`compile_document` turns a document's measures into one JDM decision; `match` (or a `RulesEngine`)
evaluates them against a profile and answers a `MatchResult` per measure. See `README.md` here.
"""

from __future__ import annotations

from pipeline.rules.compile import COMPILER_VERSION, CompiledDocument, compile_document
from pipeline.rules.engine import BenefitResult, MatchResult, RulesEngine, match

__all__ = [
    "COMPILER_VERSION",
    "BenefitResult",
    "CompiledDocument",
    "MatchResult",
    "RulesEngine",
    "compile_document",
    "match",
]
