"""Second approval of flagged orders (four eyes): a control that does not refuse an order outright holds it
with an OrderFlag; the order cannot be paid until a second person, with the permission
``budgets.approve_orderflag`` and of the order's agency, approves each flag with a reason. The second
person is never the one who placed the order nor the one who raised the flag (docs/domain.md
"Integrity controls")."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.rules import render_reason

from ..models import FlagRule, MediaOrder, OrderFlag
from .access import BudgetRefused, require_agency


def order_flag_raise(order: MediaOrder, *, rule: str, message, params: dict | None = None, reason: str = "",
                     user=None) -> OrderFlag:
    """Hold ``order`` for a second approver under ``rule``; ``message`` % ``params`` says what the control
    found (kept in both languages). Raising the same rule again keeps the first flag (one per order and rule)
    and, when it was approved, asks for a new approval: what it approved has changed."""
    if rule not in FlagRule.values:
        raise ValueError(f"unknown flag rule {rule!r}")
    detail = render_reason(message, params or {})
    reason = (reason or "").strip()
    with transaction.atomic():
        flag = OrderFlag.objects.select_for_update().filter(order=order, rule=rule).first()
        if flag is None:
            try:
                with transaction.atomic():
                    return OrderFlag.objects.create(order=order, rule=rule, detail=detail, reason=reason,
                                                    raised_by=user)
            except IntegrityError:  # raised by a concurrent call that committed first
                flag = OrderFlag.objects.select_for_update().get(order=order, rule=rule)
        flag.detail, flag.reason, flag.raised_by, flag.raised_at = detail, reason, user, timezone.now()
        flag.approved_at, flag.approved_by, flag.approval_reason = None, None, ""
        flag.save()
        return flag


def order_flag_approve(flag: OrderFlag, *, user, reason: str) -> OrderFlag:
    """The second approval of one flag, with the approver's reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        flag = OrderFlag.objects.select_for_update().select_related("order__budget").get(pk=flag.pk)
        require_agency(user, flag.order.budget.agency_id)
        if user is None or not user.has_perm("budgets.approve_orderflag"):
            raise BudgetRefused(_("You may not give the second approval of flagged orders."), code="not_approver")
        if not flag.waiting:
            raise BudgetRefused(_("This flag is already approved."), code="already_approved")
        if user.pk in (flag.raised_by_id, flag.order.created_by_id):
            raise BudgetRefused(
                _("The second approval must come from someone other than the person who placed the order or "
                  "filed what raised the flag."), code="same_person")
        if not reason:
            raise BudgetRefused(_("Give the reason for approving the flagged order."), code="reason_required")
        flag.approved_by, flag.approved_at, flag.approval_reason = user, timezone.now(), reason
        flag.save(update_fields=["approved_by", "approved_at", "approval_reason"])
    return flag


def order_approve(order: MediaOrder, *, user, reason: str) -> list[OrderFlag]:
    """The second approval of every flag of ``order`` that waits, with one reason (the admin's button and
    the API's action); each is checked as ``order_flag_approve`` checks it, all or none."""
    with transaction.atomic():
        flags = list(OrderFlag.objects.select_for_update().filter(order=order, approved_at__isnull=True)
                     .order_by("pk"))
        if not flags:
            raise BudgetRefused(_("No flag of this order waits for a second approval."), code="nothing_waiting")
        return [order_flag_approve(flag, user=user, reason=reason) for flag in flags]


def waiting_flags(order: MediaOrder):
    return OrderFlag.objects.filter(order=order, approved_at__isnull=True)
