"""Price comparison across agencies (docs/domain.md "Price comparison across agencies"): an order whose
effective unit price (amount ÷ quantity) is more than the budget's ``price_comparison_factor`` (default 1.5)
times the lowest price another agency paid the same outlet for the same kind of product in the year is
placed but held for a second approver. The reason the person gave (``answers["comparison_reason"]``) goes
with the flag; without one the order is still held, and the second approver asks why."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mediareg.money import format_rupiah

from ..comparison import effective_unit_price, lowest_other_price
from ..models import FlagRule
from . import Hold, OrderDraft

ANSWER = "comparison_reason"


def price_comparison(draft: OrderDraft) -> list[Hold]:
    lowest = lowest_other_price(outlet_id=draft.outlet.pk, kind=draft.price_item.kind, year=draft.budget.year,
                                agency_id=draft.agency_id)
    factor = draft.budget.price_comparison_factor
    unit_price = effective_unit_price(draft.amount, draft.quantity)
    if lowest is None or not lowest.exceeded_by(unit_price, factor):
        return []
    return [Hold(
        FlagRule.PRICE_COMPARISON,
        _("The unit price %(price)s is more than %(factor)s× the lowest price another agency paid this outlet for "
          "the same product in %(year)s: %(lowest)s (%(agency)s, order %(order)s)."),
        {"price": format_rupiah(unit_price), "factor": f"{factor:.2f}", "year": draft.budget.year,
         "lowest": format_rupiah(lowest.unit_price), "agency": lowest.agency, "order": lowest.order_id},
        reason=str(draft.answer(ANSWER, "") or "").strip())]
