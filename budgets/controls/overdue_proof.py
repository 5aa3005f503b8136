"""An outlet with an overdue proof of publication receives no new order from that agency until the proof is
resolved (docs/domain.md "Proof deadlines").

Overdue: an order of the same agency to the same outlet, committed or published, whose proof deadline
(``MediaOrder.proof_due_on``) is before the day the new order is placed, and that has no proof waiting for
review or accepted (none sent, or the one sent was rejected). Resolved: a proof is sent (waiting for review
or accepted), or the order is cancelled. One query, whatever the number of orders.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.display import local_date

SHOWN = 3  # overdue orders named in the refusal; "and N more" for the rest


def overdue_proof(draft) -> list:
    # Imported here: budgets.services imports this package while it loads.
    from ..selectors import proof_overdue_orders
    from ..services.access import BudgetRefused

    today = draft.today or timezone.localdate()
    overdue = list(proof_overdue_orders(today).filter(budget__agency_id=draft.agency_id, outlet=draft.outlet)
                   .order_by("proof_due_on", "pk").values_list("pk", "proof_due_on")[:SHOWN + 1])
    if not overdue:
        return []
    named = "; ".join(str(_("order %(pk)s, proof due by %(day)s")) % {"pk": pk, "day": local_date(due)}
                      for pk, due in overdue[:SHOWN])
    if len(overdue) > SHOWN:
        named += str(_("; and more"))
    raise BudgetRefused(
        _("%(outlet)s has a proof of publication overdue to this agency (%(orders)s): no new order to it until "
          "the proof is sent or the order is cancelled.") % {"outlet": draft.outlet, "orders": named},
        code="proof_overdue")
