"""Every write of the budgets app (docs/architecture.md "Layers inside an app"): one function per fact,
validated, in one transaction, by a named user, with the budget row locked where money moves.

Callers (the admin, the public price-list form, the demo, later the API and imports) only translate a
person's request into one of these calls and show the refusal's message (BudgetRefused) as it is.
"""

from .access import BudgetRefused, agency_of, can_act_for, may_see_every_agency, require_agency
from .agencies import agency_onboard
from .budgets import budget_create, budget_revise, budget_set_controls, budget_set_policy
from .flags import order_approve, order_flag_approve, order_flag_raise
from .interests import interest_delete, interest_save
from .orders import (
    order_cancel,
    order_pay,
    order_place,
    order_publish,
    order_review_proof,
)
from .other_spend import other_spend_cancel, other_spend_record
from .prices import price_approve, price_reject, price_submit
from .reference_prices import reference_price_save
from .staff import staff_deactivate, staff_invite, staff_reactivate, staff_send_link, staff_set_roles

__all__ = [
    "BudgetRefused", "agency_of", "can_act_for", "may_see_every_agency", "require_agency",
    "budget_create", "budget_revise", "budget_set_policy", "budget_set_controls",
    "order_place", "order_publish", "order_review_proof", "order_pay", "order_cancel",
    "order_flag_raise", "order_flag_approve", "order_approve", "interest_save", "interest_delete",
    "price_submit", "price_approve", "price_reject", "reference_price_save",
    "other_spend_record", "other_spend_cancel",
    "agency_onboard", "staff_invite", "staff_set_roles", "staff_deactivate", "staff_reactivate", "staff_send_link",
]
