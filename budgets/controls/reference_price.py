"""An order above the reference price records the negotiation (issue 14, item 1; docs/domain.md "Tiers and
reference prices").

The reference in force is the ordering agency's ReferencePrice for the budget's year, the product's kind and the
outlet's tier on the order date (catalog.tiers). When the approved unit price is above it, the order is refused
unless the person recorded the negotiation in ``answers["negotiation"]``: the price the outlet offered, the
price agreed, who negotiated for the agency and for the outlet, and when (on or before the order date). The
order is then placed at the agreed price: its amount is quantity × the agreed price, with the negotiation as
the reason for the different amount (``negotiated_amount``, which order_place applies when no amount is
given). The reference, the tier and the negotiation are kept on the order (``draft.record``).

An agency that set no reference for the year, kind and tier has none: this control then only keeps the tier.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.tiers import tier_on
from mediareg.display import local_date
from mediareg.money import format_rupiah

from ..reference_prices import reference_price_for
from ..services.access import BudgetRefused
from . import OrderDraft

NAME_MAX = 200  # MediaOrder.negotiated_by_agency / negotiated_by_outlet


@dataclass(frozen=True)
class Negotiation:
    """What was negotiated with the outlet before the order: whole rupiah per unit, and both sides' names."""

    offered: int
    agreed: int
    agency_negotiator: str
    outlet_negotiator: str
    negotiated_on: datetime.date

    def reason(self) -> str:
        """The reason for the order's amount (MediaOrder.override_reason): the prices and the day, without the
        negotiators' names, which the order keeps in their own fields (personal data, out of public files)."""
        return gettext("Price negotiated on %(day)s: offered %(offered)s, agreed %(agreed)s per unit") % {
            "day": self.negotiated_on.isoformat(), "offered": format_rupiah(self.offered),
            "agreed": format_rupiah(self.agreed)}

    def sentence(self) -> str:
        return gettext("Negotiated on %(day)s by %(agency)s (agency) and %(outlet)s (outlet): offered %(offered)s, "
                       "agreed %(agreed)s per unit") % {
            "day": local_date(self.negotiated_on), "agency": self.agency_negotiator, "outlet": self.outlet_negotiator,
            "offered": format_rupiah(self.offered), "agreed": format_rupiah(self.agreed)}


def _price(value, what) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool | float) or not text.isdigit() or int(text) < 1:
        raise BudgetRefused(_("The %(what)s of the negotiation is whole rupiah, at least Rp 1.") % {"what": what},
                            code="negotiation_invalid")
    return int(text)


def negotiation_from(answer) -> Negotiation | None:
    """The negotiation in ``answers["negotiation"]`` (a Negotiation, or a dict with offered, agreed,
    agency_negotiator, outlet_negotiator and negotiated_on as a date or ISO text), checked; None when none
    was given (no answer, or every part empty)."""
    if answer is None or isinstance(answer, Negotiation):
        return answer
    if not isinstance(answer, dict):
        raise BudgetRefused(_("Record the negotiation: the price offered, the price agreed, who negotiated for "
                              "each side and when."), code="negotiation_invalid")
    if not any(value not in (None, "") for value in answer.values()):
        return None
    missing = [label for key, label in (
        ("offered", _("the price offered")), ("agreed", _("the price agreed")),
        ("agency_negotiator", _("who negotiated for the agency")),
        ("outlet_negotiator", _("who negotiated for the outlet")), ("negotiated_on", _("the day")))
        if answer.get(key) in (None, "") or (isinstance(answer.get(key), str) and not answer[key].strip())]
    if missing:
        raise BudgetRefused(_("The negotiation is incomplete: give %(missing)s.")
                            % {"missing": ", ".join(str(label) for label in missing)}, code="negotiation_incomplete")
    offered = _price(answer["offered"], gettext("price offered"))
    agreed = _price(answer["agreed"], gettext("price agreed"))
    if agreed > offered:
        raise BudgetRefused(_("The price agreed cannot be above the price offered."), code="negotiation_invalid")
    day = answer["negotiated_on"]
    if isinstance(day, str):
        try:
            day = parse_date(day.strip())
        except ValueError:
            day = None
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise BudgetRefused(_("The day of the negotiation is a date (YYYY-MM-DD)."), code="negotiation_invalid")
    names = [str(answer[key]).strip() for key in ("agency_negotiator", "outlet_negotiator")]
    if any(len(name) > NAME_MAX for name in names):
        raise BudgetRefused(_("A negotiator's name is at most %(n)s characters.") % {"n": NAME_MAX},
                            code="negotiation_invalid")
    return Negotiation(offered=offered, agreed=agreed, agency_negotiator=names[0], outlet_negotiator=names[1],
                       negotiated_on=day)


def negotiated_amount(answer, quantity: int, amount, override_reason: str):
    """The amount and reason order_place records when a negotiation is given: quantity × the agreed price, and the
    negotiation as the reason, unless the caller gave its own."""
    negotiation = negotiation_from(answer)
    if negotiation is None:
        return amount, override_reason
    if amount is None or amount == "":
        amount = quantity * negotiation.agreed
    if not (override_reason or "").strip():
        override_reason = negotiation.reason()
    return amount, override_reason


def reference_price_control(draft: OrderDraft):
    """Refuse an order above the reference price without a recorded negotiation; keep the tier, the reference and
    the negotiation on the order. Three queries: the outlet's verification, the policy, the reference."""
    tier = tier_on(draft.outlet.pk, draft.order_date, eligible=True)  # order_place has refused the ineligible
    reference = reference_price_for(draft.agency_id, draft.budget.year, draft.price_item.kind, tier)
    negotiation = negotiation_from(draft.answer("negotiation"))
    draft.record["tier_on_order_date"] = tier or ""
    if reference is not None:
        draft.record.update(reference_price=reference.reference_price, reference_source=reference.source_text)
        if draft.unit_price > reference.reference_price and negotiation is None:
            raise BudgetRefused(
                _("The approved price %(price)s is above %(agency)s's reference price %(reference)s for %(kind)s, "
                  "tier %(tier)s (%(source)s): record the negotiation (the price offered, the price agreed, who "
                  "negotiated for the agency and for the outlet, and when) to place the order.")
                % {"price": format_rupiah(draft.unit_price), "agency": draft.budget.agency,
                   "reference": format_rupiah(reference.reference_price), "kind": draft.price_item.get_kind_display(),
                   "tier": tier, "source": reference.source_reference}, code="negotiation_required")
    if negotiation is None:
        return ()
    if negotiation.negotiated_on > draft.order_date:
        raise BudgetRefused(_("The negotiation comes before the order: its day cannot be after the order date "
                              "%(day)s.") % {"day": local_date(draft.order_date)}, code="negotiation_after_order")
    if negotiation.agreed > draft.unit_price:
        raise BudgetRefused(_("The price agreed cannot be above the approved price %(price)s.")
                            % {"price": format_rupiah(draft.unit_price)}, code="negotiation_above_price")
    expected = draft.quantity * negotiation.agreed
    if draft.amount != expected:
        raise BudgetRefused(_("The amount %(amount)s is not quantity × the price agreed (%(expected)s).")
                            % {"amount": format_rupiah(draft.amount), "expected": format_rupiah(expected)},
                            code="negotiation_amount")
    draft.record.update(negotiation_offered=negotiation.offered, negotiation_agreed=negotiation.agreed,
                        negotiated_by_agency=negotiation.agency_negotiator,
                        negotiated_by_outlet=negotiation.outlet_negotiator, negotiated_on=negotiation.negotiated_on)
    return ()
