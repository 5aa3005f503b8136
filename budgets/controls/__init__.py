"""The integrity controls an order passes before it is placed (docs/domain.md "Integrity controls").

``order_place`` (budgets.services.orders) describes the order it is about to insert as an ``OrderDraft`` and,
with the budget row locked (so two orders of one agency and year are checked one after the other), runs
every control in ``CONTROLS``. A control either refuses the order, raising ``BudgetRefused`` with the reason
the admin and the API show as they are, or returns ``Hold``s: the order is placed but held for a second
approver (budgets.services.flags) and cannot be paid until then. What a person answered to a control (a
recorded negotiation, the reason for going ahead) comes in ``draft.answers``, keyed by the control.

Each control is a plain function of the draft that reads with a fixed number of queries; a new control is a
module here and one line in ``CONTROLS``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from partners.models import MediaOutlet

from ..models import Budget, PriceItem


@dataclass(frozen=True)
class OrderDraft:
    budget: Budget  # locked for the transaction
    outlet: MediaOutlet
    price_item: PriceItem
    quantity: int
    unit_price: int
    amount: int
    order_date: datetime.date
    user: object = None
    answers: Mapping[str, object] = field(default_factory=dict)
    # The day the order is placed (order_place's ``today``), for controls that ask what stands now.
    today: datetime.date | None = None
    # Facts a control found that order_place keeps on the order (MediaOrder fields by name, e.g. the reference
    # price in force and the recorded negotiation, budgets.controls.reference_price).
    record: dict = field(default_factory=dict)

    @property
    def agency_id(self) -> int:
        return self.budget.agency_id

    def answer(self, key: str, default=None):
        return self.answers.get(key, default)


@dataclass(frozen=True)
class Hold:
    """Place the order, but hold it for a second approver under ``rule`` (budgets.models.FlagRule);
    ``message % params`` says what the control found, ``reason`` why the person went ahead."""

    rule: str
    message: object
    params: dict = field(default_factory=dict)
    reason: str = ""


Control = Callable[[OrderDraft], Iterable[Hold]]


def check_order(draft: OrderDraft) -> list[Hold]:
    """Every control's holds for ``draft``; the first refusal stops the order (BudgetRefused)."""
    holds: list[Hold] = []
    for control in CONTROLS:
        holds.extend(control(draft) or ())
    return holds


# The controls, in the order they run (each module reads the classes above, so they come last).
from .interests import declared_interest  # noqa: E402
from .overdue_proof import overdue_proof  # noqa: E402
from .price_comparison import price_comparison  # noqa: E402
from .quota import quota  # noqa: E402
from .reference_price import reference_price_control  # noqa: E402

# Refusals first (an order one of them refuses is not held as well), then the controls that may hold.
CONTROLS: list[Control] = [
    overdue_proof,
    quota,
    reference_price_control,
    declared_interest,
    price_comparison,
]
