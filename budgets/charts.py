"""The chart of budget against spend by year, drawn on the server as SVG (no JavaScript, no outside
library), with the same figures in a table beside it for screen readers and for copying.

Used by the budget page of the back office and by /transparency/. The geometry is computed here, the
template (templates/budgets/_year_chart.html) only draws it; the SVG scales to its container's width
(viewBox), so it reads on a phone as on a laptop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from mediareg.money import format_rupiah

WIDTH = 640
HEIGHT = 260
LEFT = 64  # room for the axis labels
RIGHT = 8
TOP = 12
BOTTOM = 36  # room for the years
NICE_STEPS = (1, 2, 2.5, 5, 10)


def short_rupiah(amount: int) -> str:
    """An axis label: "15 M" (miliar) or "500 jt" (juta) in Indonesian, "15 bn" / "500 m" in English."""
    if amount >= 1_000_000_000:
        value, unit = Decimal(amount) / 1_000_000_000, _("bn")
    elif amount >= 1_000_000:
        value, unit = Decimal(amount) / 1_000_000, _("m")
    else:
        return format_rupiah(amount)
    value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    places = 0 if value == value.to_integral() else 1
    return f"{formats.number_format(value, places)} {unit}"


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above ``value`` (the top of the axis)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in NICE_STEPS:
        if step * magnitude >= value:
            return int(step * magnitude)
    return 10 * magnitude


@dataclass
class YearBar:
    year: int
    budget: int  # the current amount after revisions
    original: int
    ordered: int
    paid: int
    spending_allowed: bool
    x: float = 0
    width: float = 0
    budget_y: float = 0
    budget_height: float = 0
    paid_y: float = 0
    paid_height: float = 0
    committed_y: float = 0
    committed_height: float = 0
    label_x: float = 0

    @property
    def committed(self) -> int:
        return self.ordered - self.paid

    @property
    def budget_text(self) -> str:
        return format_rupiah(self.budget)

    @property
    def ordered_text(self) -> str:
        return format_rupiah(self.ordered)

    @property
    def paid_text(self) -> str:
        return format_rupiah(self.paid)


@dataclass
class YearChart:
    bars: list[YearBar]
    ticks: list[dict] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.bars


def year_chart(budgets) -> YearChart:
    """The chart of ``budgets`` (Budget rows of one agency, any order; no query is run)."""
    bars = [YearBar(year=b.year, budget=b.current_amount, original=b.original_amount, ordered=b.ordered_amount,
                    paid=b.paid_amount, spending_allowed=b.spending_allowed)
            for b in sorted(budgets, key=lambda b: b.year)]
    chart = YearChart(bars=bars)
    if not bars:
        return chart
    top = nice_ceiling(max(max(b.budget, b.ordered) for b in bars))
    plot_height = chart.baseline - TOP
    plot_width = chart.right_edge - LEFT
    slot = plot_width / len(bars)

    def y(amount: int) -> float:
        return round(chart.baseline - plot_height * amount / top, 1)

    for i, bar in enumerate(bars):
        bar.width = round(slot * 0.7, 1)
        bar.x = round(LEFT + slot * i + (slot - bar.width) / 2, 1)
        bar.label_x = round(LEFT + slot * i + slot / 2, 1)
        bar.budget_y = y(bar.budget)
        bar.budget_height = round(chart.baseline - bar.budget_y, 1)
        bar.paid_y = y(bar.paid)
        bar.paid_height = round(chart.baseline - bar.paid_y, 1)
        bar.committed_y = y(bar.ordered)
        bar.committed_height = round(bar.paid_y - bar.committed_y, 1)
    chart.ticks = [{"y": y(top * i // 4), "label": short_rupiah(top * i // 4) if i else "0"} for i in range(5)]
    return chart
