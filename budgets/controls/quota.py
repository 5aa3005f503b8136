"""Fair-distribution quotas (docs/domain.md "Fair-distribution quotas"): a budget may cap, per media type,
the share of its current amount and/or the number of orders one outlet receives in the year. An order that
would take the outlet over a quota is refused, naming the quota and the outlet's figures so far and after
this order. The year's orders of the agency that are not cancelled count. order_place runs this with the
budget row locked, so two racing orders of one agency and year are counted one after the other."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from mediareg.money import format_rupiah

from ..models import MediaOrder, OrderStatus, OutletQuota
from ..services.access import BudgetRefused
from . import Hold, OrderDraft


def percent_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))} %"


def share_percent(amount: int, budget_amount: int) -> Decimal:
    """``amount`` as a percentage of ``budget_amount`` (exact; rounded only for display)."""
    return Decimal(amount) * 100 / Decimal(budget_amount) if budget_amount else Decimal(0)


def quota(draft: OrderDraft) -> list[Hold]:
    limit = OutletQuota.objects.filter(budget=draft.budget, media_type=draft.outlet.media_type).first()
    if limit is None:
        return []
    so_far = (MediaOrder.objects.filter(budget=draft.budget, outlet=draft.outlet)
              .exclude(status=OrderStatus.CANCELLED).aggregate(n=Count("pk"), total=Sum("amount")))
    orders, total = so_far["n"], so_far["total"] or 0
    media_type = limit.get_media_type_display()
    if limit.max_orders is not None and orders + 1 > limit.max_orders:
        raise BudgetRefused(
            _("%(outlet)s would break the quota of %(budget)s for %(media_type)s outlets: at most %(max)s orders "
              "per outlet. It has %(orders)s orders this year; this order would make %(after)s.")
            % {"outlet": draft.outlet, "budget": draft.budget, "media_type": media_type, "max": limit.max_orders,
               "orders": orders, "after": orders + 1}, code="quota_orders")
    if limit.max_share_percent is not None:
        budget_amount = draft.budget.current_amount
        after = total + draft.amount
        # after ÷ budget > max % ⇔ after × 100 > max × budget, in exact decimals.
        if Decimal(after) * 100 > limit.max_share_percent * budget_amount:
            raise BudgetRefused(
                _("%(outlet)s would break the quota of %(budget)s for %(media_type)s outlets: at most %(max)s of "
                  "the budget (%(cap)s) per outlet. It has received %(total)s (%(share)s) this year; this order of "
                  "%(amount)s would make %(after)s (%(share_after)s).")
                % {"outlet": draft.outlet, "budget": draft.budget, "media_type": media_type,
                   "max": percent_text(limit.max_share_percent),
                   "cap": format_rupiah(int(limit.max_share_percent * budget_amount / 100)),
                   "total": format_rupiah(total), "share": percent_text(share_percent(total, budget_amount)),
                   "amount": format_rupiah(draft.amount), "after": format_rupiah(after),
                   "share_after": percent_text(share_percent(after, budget_amount))}, code="quota_share")
    return []



