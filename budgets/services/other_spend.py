"""Spend outside the catalog: newspaper subscriptions, press gatherings, sponsored events, legislature
publications (docs/domain.md "Spend outside the catalog"). Recorded against the same budget as the orders,
so that the budget's remaining amount and the public total count every rupiah.

``other_spend_record`` refuses, naming the reason, an entry without its reference or evidence, dated outside
the budget's year or in the future, in a year whose media spending is off, or one that with the budget's
orders and other spend would exceed it. As ``order_place`` does, it locks the budget row (services.locks)
for the check and the update of ``other_spent_amount``, and the budget's CHECK constraint is the backstop.
An entry is never edited or deleted: ``other_spend_cancel`` cancels it with a reason and frees its amount.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.display import local_date
from mediareg.money import format_rupiah
from partners.models import MediaOutlet, PressCompany
from partners.uploads import check_document_file

from ..models import Budget, OtherSpend, OtherSpendKind
from .access import BudgetRefused, require_agency
from .locks import locked_budget
from .orders import _whole


def other_spend_record(*, budget: Budget, kind: str, description: str, recipient: str, amount: int,
                       spent_on: datetime.date, reference: str, evidence_file, outlet: MediaOutlet | None = None,
                       company: PressCompany | None = None, user=None, request_key: uuid.UUID | str | None = None,
                       today: datetime.date | None = None) -> OtherSpend:
    """Record ``amount`` spent outside the catalog on ``budget``; returns the entry (the earlier one when
    ``request_key`` was already used)."""
    today = today or timezone.localdate()
    request_key = uuid.UUID(str(request_key)) if request_key else uuid.uuid4()
    earlier = OtherSpend.objects.filter(request_key=request_key).first()
    if earlier is not None:
        return earlier
    require_agency(user, budget.agency_id)
    if kind not in OtherSpendKind.values:
        raise BudgetRefused(_("Choose what kind of spending this is."), code="kind_required")
    description, reference = (description or "").strip(), (reference or "").strip()
    recipient = (recipient or "").strip() or (outlet.name if outlet else company.legal_name if company else "")
    if not description:
        raise BudgetRefused(_("Say what was paid for."), code="description_required")
    if not recipient:
        raise BudgetRefused(_("Name who was paid, or choose the outlet or company from the registry."),
                            code="recipient_required")
    if not reference:
        raise BudgetRefused(_("Give the payment reference (SP2D or receipt number)."), code="reference_required")
    amount = _whole(amount, _("The amount is whole rupiah, at least Rp 1."), minimum=1)
    if spent_on.year != budget.year:
        raise BudgetRefused(_("The date %(day)s is outside the budget's year %(year)s.")
                            % {"day": local_date(spent_on), "year": budget.year}, code="outside_year")
    if spent_on > today:
        raise BudgetRefused(_("The date spent cannot be later than today."), code="future_date")
    if evidence_file is None:
        raise BudgetRefused(_("Attach the evidence: the receipt, invoice or SP2D, as PDF, JPEG or PNG."),
                            code="evidence_required")
    try:
        checked = check_document_file(evidence_file)
    except ValidationError as exc:
        raise BudgetRefused(exc.messages[0], code="evidence_file") from exc
    if outlet is not None and company is not None and outlet.company_id != company.pk:
        raise BudgetRefused(_("%(outlet)s belongs to %(company)s: choose that company, or leave it empty.")
                            % {"outlet": outlet, "company": outlet.company}, code="company_mismatch")
    if company is None and outlet is not None:
        company = outlet.company
    storage = OtherSpend._meta.get_field("evidence_file").storage
    stored = []
    spend = OtherSpend(
        request_key=request_key, budget=budget, kind=kind, description=description, recipient=recipient,
        outlet=outlet, company=company, amount=amount, spent_on=spent_on, reference=reference,
        evidence_original_filename=checked.original_filename, evidence_content_type=checked.content_type,
        created_by=user)
    # A refusal the budget's figures already give costs no upload (checked again under the lock below).
    _check_room(Budget.objects.select_related("agency").get(pk=budget.pk), amount)
    try:
        # The file first, outside the budget's lock: an upload of up to 10 MB to the document store must not hold
        # every order of the budget waiting (order_place locks the same row). Removed below if no entry is written.
        spend.evidence_file.save(f"evidence{checked.extension}", evidence_file, save=False)
        stored.append(spend.evidence_file.name)
        with transaction.atomic():
            locked = locked_budget(budget.pk)
            _check_room(locked, amount)  # again under the lock: what counts
            spend.budget = locked
            spend.save()
            Budget.objects.filter(pk=locked.pk).update(other_spent_amount=F("other_spent_amount") + amount,
                                                       updated_at=timezone.now())
    except BaseException as exc:
        for name in stored:  # the file of an entry that was not recorded
            storage.delete(name)
        if isinstance(exc, IntegrityError):
            # The same request key recorded by a concurrent request that committed first.
            earlier = OtherSpend.objects.filter(request_key=request_key).first()
            if earlier is not None:
                return earlier
        raise
    return spend


def _check_room(budget: Budget, amount: int) -> None:
    if not budget.spending_allowed:
        raise BudgetRefused(
            _("Media spending is off for %(budget)s (%(reference)s): no spending can be recorded.")
            % {"budget": budget, "reference": budget.policy_reference or _("no reference given")},
            code="policy_off")
    if budget.spent_total + amount > budget.current_amount:
        raise BudgetRefused(
            _("This spending of %(amount)s exceeds the budget: %(remaining)s of %(budget)s remains "
              "(%(ordered)s is ordered and %(other)s spent outside the catalog).")
            % {"amount": format_rupiah(amount), "remaining": format_rupiah(budget.remaining_amount),
               "budget": format_rupiah(budget.current_amount), "ordered": format_rupiah(budget.ordered_amount),
               "other": format_rupiah(budget.other_spent_amount)},
            code="over_budget")


def other_spend_cancel(spend: OtherSpend, *, reason: str, user=None, today: datetime.date | None = None) -> OtherSpend:
    """Cancel an entry recorded in error (or refunded); its amount is free again in the budget."""
    require_agency(user, spend.budget.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise BudgetRefused(_("Give the reason for cancelling the entry."), code="reason_required")
    with transaction.atomic():
        spend = OtherSpend.objects.select_for_update(of=("self",)).select_related("budget").get(pk=spend.pk)
        if spend.is_cancelled:
            raise BudgetRefused(_("This entry is already cancelled."), code="already_cancelled")
        locked_budget(spend.budget_id)
        spend.cancelled_on = today or timezone.localdate()
        spend.cancel_reason = reason
        spend.cancelled_by = user
        spend.save(update_fields=["cancelled_on", "cancel_reason", "cancelled_by"])
        Budget.objects.filter(pk=spend.budget_id).update(other_spent_amount=F("other_spent_amount") - spend.amount,
                                                         updated_at=timezone.now())
    return spend
