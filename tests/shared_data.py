"""Where `../shared` (contract, seed document, reference extraction) is, for tests only."""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    """`../shared` beside the checkout; `$ZHENGCE_SHARED` or /work/shared for a clone made elsewhere."""
    candidates = [os.environ.get("ZHENGCE_SHARED", ""), str(_CHECKOUT.parent / "shared"), "/work/shared"]
    return next(
        (Path(c) for c in candidates if c and (Path(c) / "seed").is_dir()), _CHECKOUT.parent / "shared"
    )


SHARED = _shared()
SEED_TEXT = SHARED / "seed" / "000_b219e20ba6852894.txt"
SEED_GOLD = SHARED / "seed" / "000_b219e20ba6852894.gold.json"
