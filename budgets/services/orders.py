"""Media orders: placed by one function for every caller (admin, API, imports, the demo), then published
with proof, the proof reviewed, paid, or cancelled (docs/domain.md "Orders").

``order_place`` refuses, naming the reason, an order when the year's spending policy is off, when the
outlet was not listed or not eligible on the order date (catalog.eligibility), when the order date is
outside the budget's year or in the future, when the product's price is not approved for that date, or
when the budget's orders plus this one would exceed it. The budget row is locked for the check and the
insert (services.locks), and a CHECK constraint on the budget is the backstop, so two racing orders that
each fit but together do not can never both succeed. A request key makes a repeated submission (double
click, retried request) return the order it already placed.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.eligibility import eligibility_on, listing_state_on
from catalog.models import ListingState
from catalog.rules import reason_text
from mediareg.display import local_date
from mediareg.money import format_rupiah
from partners.uploads import check_document_file

from ..controls import OrderDraft, check_order
from ..controls.reference_price import negotiated_amount
from ..deadlines import ProofDeadlines, days_late, proof_deadline
from ..models import Budget, FlagRule, MediaOrder, OrderStatus, PriceItem, PriceStatus, ProofStatus
from .access import BudgetRefused, require_agency
from .flags import order_flag_raise, waiting_flags
from .locks import locked_budget


def order_place(*, budget: Budget, price_item: PriceItem, quantity: int, order_date: datetime.date,
                service_start: datetime.date, service_end: datetime.date, user=None, amount: int | None = None,
                override_reason: str = "", ecatalog_reference: str = "", description: str = "",
                request_key: uuid.UUID | str | None = None, today: datetime.date | None = None,
                answers: dict | None = None) -> MediaOrder:
    """Place an order of ``quantity`` × ``price_item`` on ``budget``; returns the order (the earlier one when
    ``request_key`` was already used). ``answers`` are what the person answered to the integrity controls
    (budgets.controls), keyed by control."""
    today = today or timezone.localdate()
    request_key = uuid.UUID(str(request_key)) if request_key else uuid.uuid4()
    earlier = MediaOrder.objects.filter(request_key=request_key).first()
    if earlier is not None:
        return earlier
    require_agency(user, budget.agency_id)
    # As stored, not as the caller's copy says: an approved price is final, so the check holds to the insert.
    price_item = PriceItem.objects.select_related("outlet").get(pk=price_item.pk)
    outlet_id = price_item.outlet_id
    quantity = _whole(quantity, _("The quantity is a whole number of at least 1."), minimum=1)
    _check_dates(budget, order_date, service_start, service_end, today)
    _check_price(price_item, order_date)
    listed = listing_state_on(outlet_id, order_date)
    if listed != ListingState.LISTED:
        raise BudgetRefused(
            _("%(outlet)s was not listed in the e-catalog on %(day)s (%(state)s), so it cannot receive an order "
              "dated that day.") % {"outlet": price_item.outlet, "day": local_date(order_date),
                                    "state": _state_label(listed)}, code="not_listed")
    standing = eligibility_on(outlet_id, order_date)
    if not standing.eligible:
        # Stored reasons are in both languages ({"id": ..., "en": ...}, catalog.rules.render_reason).
        reasons = " ".join(reason_text(o.get("reason")) for o in standing.failing) or _("it had not been evaluated.")
        raise BudgetRefused(
            _("%(outlet)s was not eligible on %(day)s: %(reasons)s")
            % {"outlet": price_item.outlet, "day": local_date(order_date), "reasons": reasons}, code="not_eligible")
    # A recorded negotiation places the order at the agreed price (budgets.controls.reference_price).
    amount, override_reason = negotiated_amount((answers or {}).get("negotiation"), quantity, amount,
                                                override_reason)
    computed = quantity * price_item.unit_price
    override_reason = (override_reason or "").strip()
    if amount is None or amount == "":
        amount = computed
    amount = _whole(amount, _("The amount is whole rupiah, at least Rp 1."), minimum=1)
    if amount != computed and not override_reason:
        raise BudgetRefused(
            _("The amount %(amount)s differs from quantity × approved price (%(computed)s): give the reason.")
            % {"amount": format_rupiah(amount), "computed": format_rupiah(computed)}, code="override_reason_required")
    if amount == computed:
        override_reason = ""
    try:
        with transaction.atomic():
            locked = locked_budget(budget.pk)
            if not locked.spending_allowed:
                raise BudgetRefused(
                    _("Media spending is off for %(budget)s (%(reference)s): no order can be placed.")
                    % {"budget": locked, "reference": locked.policy_reference or _("no reference given")},
                    code="policy_off")
            if locked.spent_total + amount > locked.current_amount:  # orders and spend outside the catalog
                figures = {"amount": format_rupiah(amount), "remaining": format_rupiah(locked.remaining_amount),
                           "budget": format_rupiah(locked.current_amount),
                           "ordered": format_rupiah(locked.ordered_amount),
                           "other": format_rupiah(locked.other_spent_amount)}
                # The figures add up: what is ordered, and what is spent outside the catalog when there is some.
                message = (_("This order of %(amount)s exceeds the budget: %(remaining)s of %(budget)s remains "
                             "(%(ordered)s is ordered and %(other)s spent outside the catalog).")
                           if locked.other_spent_amount else
                           _("This order of %(amount)s exceeds the budget: %(remaining)s of %(budget)s remains "
                             "(%(ordered)s is already ordered)."))
                raise BudgetRefused(message % figures, code="over_budget")
            draft = OrderDraft(
                budget=locked, outlet=price_item.outlet, price_item=price_item, quantity=quantity,
                unit_price=price_item.unit_price, amount=amount, order_date=order_date, user=user,
                answers=answers or {}, today=today)
            holds = check_order(draft)
            outlet = price_item.outlet
            proof_due_on = proof_deadline(outlet.media_type, outlet.publication_frequency, service_end,
                                          ProofDeadlines.of(locked.agency))
            order = MediaOrder.objects.create(
                **draft.record,
                request_key=request_key, budget=locked, outlet_id=outlet_id, price_item=price_item, quantity=quantity,
                unit_price=price_item.unit_price, amount=amount, override_reason=override_reason,
                order_date=order_date, service_start=service_start, service_end=service_end,
                proof_due_on=proof_due_on, ecatalog_reference=(ecatalog_reference or "").strip(),
                description=(description or "").strip(),
                eligible_on_order_date=standing.eligible, listing_state_on_order_date=listed,
                eligibility_outcomes=standing.outcomes, eligibility_since=standing.since, created_by=user)
            Budget.objects.filter(pk=locked.pk).update(ordered_amount=F("ordered_amount") + amount,
                                                       updated_at=timezone.now())
            for hold in holds:
                order_flag_raise(order, rule=hold.rule, message=hold.message, params=hold.params,
                                 reason=hold.reason, user=user)
    except IntegrityError:
        # The same request key placed by a concurrent request that committed first.
        earlier = MediaOrder.objects.filter(request_key=request_key).first()
        if earlier is not None:
            return earlier
        raise
    return order


def order_publish(order: MediaOrder, *, published_url: str = "", proof_file=None, user=None, late_reason: str = "",
                  today: datetime.date | None = None) -> MediaOrder:
    """Record the publication: the published link and/or a screenshot or scan, waiting for staff review.

    ``today`` is the day the proof is filed. After the order's proof deadline it is refused without
    ``late_reason``; with one, the proof is recorded and the order held for a second approver
    (FlagRule.LATE_PROOF), so that it cannot be paid until someone else approves the late claim."""
    require_agency(user, order.budget.agency_id)
    today = today or timezone.localdate()
    late_reason = (late_reason or "").strip()
    published_url = (published_url or "").strip()
    if not published_url and proof_file is None:
        raise BudgetRefused(_("Give the published link or a screenshot or scan of the publication."),
                            code="proof_required")
    checked = None
    if proof_file is not None:
        try:
            checked = check_document_file(proof_file)
        except ValidationError as exc:
            raise BudgetRefused(exc.messages[0], code="proof_file") from exc
    stored = []
    try:
        with transaction.atomic():
            order = _record_publication(order, published_url, proof_file, checked, stored, today, late_reason)
            if order.proof_due_on and today > order.proof_due_on:
                late = days_late(order.proof_due_on, today)
                order_flag_raise(
                    order, rule=FlagRule.LATE_PROOF, reason=late_reason, user=user,
                    message=_("Proof of publication filed on %(filed)s, %(days)s day(s) after its deadline of "
                              "%(due)s."),
                    params={"filed": today.isoformat(), "days": late, "due": order.proof_due_on.isoformat()})
    except BaseException:
        for name in stored:  # the file of a publication that was not recorded
            MediaOrder._meta.get_field("proof_file").storage.delete(name)
        raise
    return order


def _record_publication(order, published_url, proof_file, checked, stored, today, late_reason) -> MediaOrder:
    order = _locked_order(order.pk)
    if order.status not in (OrderStatus.COMMITTED, OrderStatus.PUBLISHED):
        raise BudgetRefused(_("Proof can be sent only for an order that is committed or published."),
                            code="wrong_status")
    if order.proof_status == ProofStatus.ACCEPTED:
        raise BudgetRefused(_("The proof of this order is already accepted."), code="proof_accepted")
    if order.proof_due_on and today > order.proof_due_on and not late_reason:
        raise BudgetRefused(
            _("The proof of publication was due by %(due)s, %(days)s day(s) ago: a late claim needs the reason it "
              "is late, and a second approval before payment.")
            % {"due": local_date(order.proof_due_on), "days": days_late(order.proof_due_on, today)},
            code="late_reason_required")
    order.status = OrderStatus.PUBLISHED
    order.published_url = published_url or order.published_url
    if checked is not None:
        order.proof_file.save(f"proof{checked.extension}", proof_file, save=False)
        stored.append(order.proof_file.name)
        order.proof_original_filename = checked.original_filename
        order.proof_content_type = checked.content_type
    order.proof_status = ProofStatus.PENDING
    order.proof_submitted_at = timezone.now()
    order.proof_filed_on = today
    order.proof_reviewed_by = None
    order.proof_reviewed_at = None
    order.proof_reason = ""
    order.save()
    return order


def order_review_proof(order: MediaOrder, *, accept: bool, user, reason: str = "") -> MediaOrder:
    require_agency(user, order.budget.agency_id)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise BudgetRefused(_("Give the reason for rejecting the proof."), code="reason_required")
    with transaction.atomic():
        order = _locked_order(order.pk)
        if order.proof_status != ProofStatus.PENDING:
            raise BudgetRefused(_("Only proof waiting for review can be accepted or rejected."),
                                code="no_pending_proof")
        order.proof_status = ProofStatus.ACCEPTED if accept else ProofStatus.REJECTED
        order.proof_reviewed_by = user
        order.proof_reviewed_at = timezone.now()
        order.proof_reason = reason
        order.save(update_fields=["proof_status", "proof_reviewed_by", "proof_reviewed_at", "proof_reason",
                                  "updated_at"])
    return order


def order_pay(order: MediaOrder, *, paid_on: datetime.date, reference: str, user=None,
              today: datetime.date | None = None) -> MediaOrder:
    """Record the payment. Refused without accepted proof; the amount does not change."""
    require_agency(user, order.budget.agency_id)
    today = today or timezone.localdate()
    reference = (reference or "").strip()
    if not reference:
        raise BudgetRefused(_("Give the payment reference (SP2D number)."), code="reference_required")
    with transaction.atomic():
        order = _locked_order(order.pk)
        if order.status == OrderStatus.PAID:
            raise BudgetRefused(_("This order is already paid."), code="already_paid")
        if order.status == OrderStatus.CANCELLED:
            raise BudgetRefused(_("A cancelled order cannot be paid."), code="cancelled")
        waiting = list(waiting_flags(order))
        if waiting:
            raise BudgetRefused(
                _("This order waits for a second approval (%(rules)s), so it cannot be paid yet.")
                % {"rules": ", ".join(str(flag.get_rule_display()) for flag in waiting)}, code="flag_waiting")
        if order.proof_status != ProofStatus.ACCEPTED:
            raise BudgetRefused(_("Payment needs accepted proof of publication; this order has none yet."),
                                code="proof_not_accepted")
        if paid_on < order.order_date or paid_on > today:
            raise BudgetRefused(_("The payment date is between the order date (%(start)s) and today.")
                                % {"start": local_date(order.order_date)}, code="paid_on_invalid")
        locked_budget(order.budget_id)
        order.status = OrderStatus.PAID
        order.paid_on = paid_on
        order.payment_reference = reference
        order.save(update_fields=["status", "paid_on", "payment_reference", "updated_at"])
        Budget.objects.filter(pk=order.budget_id).update(paid_amount=F("paid_amount") + order.amount,
                                                         updated_at=timezone.now())
    return order


def order_cancel(order: MediaOrder, *, reason: str, user=None, today: datetime.date | None = None) -> MediaOrder:
    """Cancel an unpaid order; its amount is free again in the budget."""
    require_agency(user, order.budget.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise BudgetRefused(_("Give the reason for cancelling the order."), code="reason_required")
    with transaction.atomic():
        order = _locked_order(order.pk)
        if order.status == OrderStatus.PAID:
            raise BudgetRefused(_("A paid order cannot be cancelled."), code="already_paid")
        if order.status == OrderStatus.CANCELLED:
            raise BudgetRefused(_("This order is already cancelled."), code="already_cancelled")
        locked_budget(order.budget_id)
        order.status = OrderStatus.CANCELLED
        order.cancelled_on = today or timezone.localdate()
        order.cancel_reason = reason
        order.save(update_fields=["status", "cancelled_on", "cancel_reason", "updated_at"])
        Budget.objects.filter(pk=order.budget_id).update(ordered_amount=F("ordered_amount") - order.amount,
                                                         updated_at=timezone.now())
    return order


def _locked_order(pk: int) -> MediaOrder:
    return MediaOrder.objects.select_for_update(of=("self",)).select_related("budget", "outlet").get(pk=pk)


def _check_dates(budget, order_date, service_start, service_end, today) -> None:
    if order_date.year != budget.year:
        raise BudgetRefused(_("The order date %(day)s is outside the budget's year %(year)s.")
                            % {"day": local_date(order_date), "year": budget.year}, code="outside_year")
    if order_date > today:
        raise BudgetRefused(_("The order date cannot be later than today."), code="future_date")
    if service_end < service_start:
        raise BudgetRefused(_("The service period cannot end before it starts."), code="service_period")
    if service_start < order_date:
        raise BudgetRefused(_("The service period starts on or after the order date."), code="service_before_order")


def _check_price(item: PriceItem, day: datetime.date) -> None:
    if item.status != PriceStatus.APPROVED:
        raise BudgetRefused(_("The price of %(product)s is not approved, so it cannot be ordered.")
                            % {"product": item.name}, code="price_not_approved")
    if not item.valid_on(day):
        raise BudgetRefused(_("The approved price of %(product)s is not valid on %(day)s.")
                            % {"product": item.name, "day": local_date(day)}, code="price_not_valid")


def _state_label(state: str) -> str:
    return str(ListingState(state).label) if state in ListingState.values else str(_("no listing"))


def _whole(value, message, *, minimum: int) -> int:
    """``value`` as a whole number of at least ``minimum``: an int, or digits as text ("15000000"); never a
    float, a bool, a fraction or an exponent, which would round money silently."""
    if isinstance(value, bool | float):
        raise BudgetRefused(message, code="not_whole")
    text = str(value).strip()
    if not (isinstance(value, int) or text.lstrip("-").isdigit()):
        raise BudgetRefused(message, code="not_whole")
    number = int(text)
    if number < minimum:
        raise BudgetRefused(message, code="not_whole")
    return number
