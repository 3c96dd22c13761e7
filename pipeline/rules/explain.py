"""Numbers as a reader writes them in explanations: 1000万元, 1.5亿元, 20%, 1.2e11, 100PFlops."""

from __future__ import annotations

from functools import lru_cache

from pipeline.rules.synonyms import CURRENCIES, FactKind

_MONEY_UNITS = ((1e8, "亿元"), (1e4, "万元"))


@lru_cache(maxsize=65536)
def plain(value: float) -> str:
    """A number without float noise or exponent padding: 6, 0.35, 1.2e11."""
    if abs(value) >= 1e6 and float(value).is_integer():
        mantissa, _, exponent = f"{value:.6e}".partition("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


@lru_cache(maxsize=65536)
def money(value: float) -> str:
    """Yuan in 亿元 or 万元 when that is exact to the fen, else in 元."""
    for size, unit in _MONEY_UNITS:
        if abs(value) >= size:
            scaled = f"{value / size:.6f}".rstrip("0").rstrip(".")
            if abs(float(scaled) * size - value) < 0.005:
                return f"{scaled}{unit}"
    return f"{value:.2f}".rstrip("0").rstrip(".") + "元"


@lru_cache(maxsize=65536)
def percent(value: float) -> str:
    """A fraction as a percentage: 0.2 → 20%."""
    return f"{value * 100:.4f}".rstrip("0").rstrip(".") + "%"


@lru_cache(maxsize=65536)
def quantity(value: float, *, kind: FactKind | None = None, unit: str | None = None) -> str:
    """A fact or threshold in the form its kind reads best."""
    if kind in ("money", "signed_money") and unit is None:
        return money(value)
    if unit in CURRENCIES:
        return money(value)[:-1] + unit
    if kind in ("share", "ratio") and unit is None:
        return percent(value)
    if kind is None and unit is None and 0 < abs(value) < 1:
        return percent(value)
    return plain(value) + (unit or "")
