"""Measures as rows a person reads: one row per benefit, money in 万元/亿元, rates in percent.
Shared by `zhengce show` (a terminal table) and the review pages of `zhengce labels export --html`."""

from __future__ import annotations

from pipeline.document import PolicyDocument

MEASURE_COLUMNS = ("#", "measure", "conditions", "benefit", "rate × base", "amount", "cap")


def money(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 1e8 and value % 1e6 == 0:
        return f"{value / 1e8:g}亿元"
    if value >= 1e4 and value % 100 == 0:
        return f"{value / 1e4:g}万元"
    return f"{value:g}元"


def quantity(value: float, unit: str | None) -> str:
    """A condition's value as a reader writes it: 15%, 500万, 1000亿, 100PFlops."""
    if unit:
        return f"{value:g}{unit}"
    if value < 1:
        return f"{value * 100:g}%"
    if value >= 1e8:
        return f"{value / 1e8:g}亿"
    if value >= 1e4:
        return f"{value / 1e4:g}万"
    return f"{value:g}"


def measure_rows(doc: PolicyDocument) -> list[tuple[str, ...]]:
    """One row per benefit, in `MEASURE_COLUMNS` order; a measure's id, title and conditions on its first."""
    rows: list[tuple[str, ...]] = []
    for m in doc.measures:
        lines = [
            f"{c.metric} {c.op} {quantity(c.value, c.unit)}" if c.metric and c.value is not None else c.text
            for c in m.conditions
        ]
        # An alternative after the first of its group reads `或 …`: one of them is enough.
        groups = [c.any_of for c in m.conditions]
        conditions = "\n".join(
            f"或 {line}" if g is not None and g in groups[:n] else line
            for n, (line, g) in enumerate(zip(lines, groups, strict=True))
        )
        for i, b in enumerate(m.benefits):
            kind = (b.kind or "") + (" 一次性" if b.one_time else "")
            if b.duration_years:
                kind += f" {b.duration_years:g}年"
            rate = f"{b.rate * 100:g}% × {b.base or '?'}" if b.rate is not None else ""
            amount = money(b.amount)
            if b.unit_amount is not None:
                amount = f"{money(b.unit_amount)}/{b.unit or '?'}"
            if b.amount_min is not None:
                amount = f"{money(b.amount_min)} 起"
            cap = money(b.cap) + (f" /{b.cap_per}" if b.cap_per else "")
            if b.condition_text:
                kind += f"\n(若{b.condition_text})"
            first = i == 0
            rows.append(
                (
                    m.id if first else "",
                    (m.title or "") if first else "",
                    conditions if first else "",
                    kind,
                    rate,
                    amount,
                    cap,
                )
            )
    return rows
