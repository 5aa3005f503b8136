"""Budgets: created with their original amount (murni), then changed only by revisions, which are only
ever added and never take a budget below what its orders already hold (docs/domain.md "Budgets")."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mediareg.money import format_rupiah
from partners.models import MediaType

from ..models import (
    DEFAULT_ACCOUNT_CODE,
    DEFAULT_ACCOUNT_NAME,
    Agency,
    Budget,
    BudgetRevision,
    OutletQuota,
    RevisionReason,
)
from .access import BudgetRefused, require_agency
from .locks import locked_budget


def budget_create(agency: Agency, *, year: int, original_amount: int, user=None,
                  account_code: str | None = None, account_name: str | None = None, price_comparison_factor=None,
                  spending_allowed: bool = True, policy_reference: str = "", policy_note: str = "") -> Budget:
    """A new budget; what is not given (account code and name, price comparison factor) is the agency's
    budget-year default (Agency.default_*)."""
    require_agency(user, agency.pk)
    _check_amount(original_amount)
    if not spending_allowed and not policy_reference.strip():
        raise BudgetRefused(_("Give the reference of the decision that stops media spending."),
                            code="policy_reference_required")
    factor = _decimal(price_comparison_factor) if price_comparison_factor not in (None, "") else \
        agency.default_price_comparison_factor
    if factor is None or not Decimal(1) <= factor <= FACTOR_MAX:
        raise BudgetRefused(_("The price comparison factor is a number from 1.00 to 99.99, e.g. 1.50."),
                            code="factor_invalid")
    try:
        with transaction.atomic():
            return Budget.objects.create(
                agency=agency, year=year, original_amount=original_amount, current_amount=original_amount,
                account_code=(account_code or "").strip() or agency.default_account_code or DEFAULT_ACCOUNT_CODE,
                account_name=(account_name or "").strip() or agency.default_account_name or DEFAULT_ACCOUNT_NAME,
                price_comparison_factor=factor,
                spending_allowed=spending_allowed, policy_reference=policy_reference.strip(),
                policy_note=policy_note.strip())
    except IntegrityError as exc:
        if Budget.objects.filter(agency=agency, year=year).exists():
            raise BudgetRefused(_("%(agency)s already has a budget for %(year)s.") % {"agency": agency, "year": year},
                                code="duplicate_year") from exc
        raise


def budget_revise(budget: Budget, *, amount_after: int, reason: str, reference: str, revised_on: datetime.date,
                  note: str = "", user=None) -> BudgetRevision:
    """Add a revision: the budget's current amount becomes ``amount_after``, never below what is ordered."""
    require_agency(user, budget.agency_id)
    _check_amount(amount_after)
    if reason not in RevisionReason.values:
        raise BudgetRefused(_("Choose the reason for the revision."), code="reason_required")
    if not (reference or "").strip():
        raise BudgetRefused(_("Give the reference of the decision or document behind the revision."),
                            code="reference_required")
    if revised_on.year != budget.year:
        raise BudgetRefused(_("A revision of the %(year)s budget is dated in %(year)s.") % {"year": budget.year},
                            code="date_outside_year")
    with transaction.atomic():
        budget = locked_budget(budget.pk)
        if amount_after == budget.current_amount:
            raise BudgetRefused(_("The new amount is the budget's current amount; nothing to revise."),
                                code="unchanged")
        if budget.other_spent_amount and amount_after < budget.spent_total:
            raise BudgetRefused(
                _("The budget cannot go below what it already holds: %(ordered)s is ordered (%(paid)s of it "
                  "paid) and %(other)s spent outside the catalog. Cancel orders first or choose at least "
                  "%(total)s.")
                % {"ordered": format_rupiah(budget.ordered_amount), "paid": format_rupiah(budget.paid_amount),
                   "other": format_rupiah(budget.other_spent_amount), "total": format_rupiah(budget.spent_total)},
                code="below_committed")
        if amount_after < budget.ordered_amount:
            raise BudgetRefused(
                _("The budget cannot go below what its orders already hold: %(ordered)s is ordered "
                  "(%(paid)s of it paid). Cancel orders first or choose at least that amount.")
                % {"ordered": format_rupiah(budget.ordered_amount), "paid": format_rupiah(budget.paid_amount)},
                code="below_committed")
        revision = BudgetRevision.objects.create(
            budget=budget, amount_before=budget.current_amount, amount_after=amount_after, reason=reason,
            note=(note or "").strip(), revised_on=revised_on, reference=reference.strip(), created_by=user)
        budget.current_amount = amount_after
        budget.save(update_fields=["current_amount", "updated_at"])
    return revision


def budget_set_policy(budget: Budget, *, spending_allowed: bool, reference: str, note: str = "", user=None) -> Budget:
    """Switch media spending on or off for the year, with the decision's reference. Orders already placed
    stay; while it is off, no order can be placed."""
    require_agency(user, budget.agency_id)
    if not (reference or "").strip():
        raise BudgetRefused(_("Give the reference of the decision that sets the spending policy."),
                            code="policy_reference_required")
    with transaction.atomic():
        budget = locked_budget(budget.pk)
        budget.spending_allowed = spending_allowed
        budget.policy_reference = reference.strip()
        budget.policy_note = (note or "").strip()
        budget.save(update_fields=["spending_allowed", "policy_reference", "policy_note", "updated_at"])
    return budget


def _check_amount(amount) -> None:
    if isinstance(amount, float) or int(amount) != amount or amount < 0:
        raise BudgetRefused(_("An amount is whole rupiah, zero or more."), code="amount_invalid")


# The price comparison factor's column: Decimal(4, 2), at least 1 (budgets.models.Budget).
FACTOR_MAX = Decimal("99.99")


def budget_set_controls(budget: Budget, *, price_comparison_factor, quotas: dict | None = None,
                        user=None) -> Budget:
    """The budget's integrity settings: the price comparison factor (budgets.controls.price_comparison) and the
    fair-distribution quotas per media type (budgets.controls.quota). ``quotas`` maps a media type to
    ``(max_share_percent, max_orders)``, either None; a media type left out, or with both None, has no quota.
    Orders already placed stay as they are (the exceptions report lists outlets over a quota set later)."""
    require_agency(user, budget.agency_id)
    factor = _decimal(price_comparison_factor)
    if factor is None or not Decimal(1) <= factor <= FACTOR_MAX or factor != factor.quantize(Decimal("0.01")):
        raise BudgetRefused(_("The price comparison factor is a number from 1.00 to 99.99, e.g. 1.50."),
                            code="factor_invalid")
    wanted: dict[str, tuple[Decimal | None, int | None]] = {}
    for media_type, (share, orders) in (quotas or {}).items():
        if media_type not in MediaType.values:
            raise BudgetRefused(_("Unknown media type %(type)s.") % {"type": media_type}, code="media_type_invalid")
        share = _decimal(share) if share not in (None, "") else None
        if share is not None and not (Decimal(0) < share <= 100 and share == share.quantize(Decimal("0.01"))):
            raise BudgetRefused(_("A quota's share of the budget is a percentage above 0 and at most 100, with at "
                                  "most two decimals."), code="quota_share_invalid")
        if orders in ("", None):
            orders = None
        elif isinstance(orders, bool) or not str(orders).strip().isdigit() or int(orders) < 1:
            raise BudgetRefused(_("A quota's number of orders is a whole number of at least 1."),
                                code="quota_orders_invalid")
        else:
            orders = int(orders)
        if share is not None or orders is not None:
            wanted[media_type] = (share, orders)
    with transaction.atomic():
        budget = locked_budget(budget.pk)
        budget.price_comparison_factor = factor
        budget.save(update_fields=["price_comparison_factor", "updated_at"])
        OutletQuota.objects.filter(budget=budget).exclude(media_type__in=list(wanted)).delete()
        for media_type, (share, orders) in wanted.items():
            OutletQuota.objects.update_or_create(budget=budget, media_type=media_type,
                                                 defaults={"max_share_percent": share, "max_orders": orders})
    return budget


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool | float):
        value = str(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None
