"""The e-catalog price list: submitted by a listed outlet or entered by staff, approved by staff before it
can be ordered. An approved price is never changed; a new price of the same product (outlet, kind and
description) is a new item, and approving it ends the previous one the day before it starts."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing, ListingState
from catalog.tiers import tier_on
from mediareg.display import local_date
from mediareg.money import format_rupiah

from ..models import AgencyStaff, PriceItem, PriceStatus, ProductKind, ReferencePrice
from ..reference_prices import upper_bound_for
from .access import BudgetRefused

# An outlet in the catalog, even while suspended, keeps its price list (the order checks the day's standing).
PRICE_LIST_STATES = (ListingState.LISTED, ListingState.SUSPENDED)


def price_submit(outlet, *, kind: str, name: str, unit_price: int, valid_from: datetime.date,
                 valid_until: datetime.date | None = None, unit: str = "", source: str = PriceItem.Source.STAFF,
                 user=None) -> PriceItem:
    """Add a product with its price, waiting for approval."""
    if not Listing.objects.filter(outlet=outlet, state__in=PRICE_LIST_STATES).exists():
        raise BudgetRefused(_("Only an outlet in the e-catalog has a price list."), code="not_listed")
    if kind not in ProductKind.values:
        raise BudgetRefused(_("Choose the kind of product."), code="kind_required")
    name = (name or "").strip()
    if not name:
        raise BudgetRefused(_("Describe the product."), code="name_required")
    if isinstance(unit_price, float) or int(unit_price) != unit_price or unit_price < 1:
        raise BudgetRefused(_("A price is whole rupiah, at least Rp 1."), code="price_invalid")
    if valid_until is not None and valid_until < valid_from:
        raise BudgetRefused(_("The price cannot end before it starts."), code="validity_order")
    fields = {"outlet": outlet, "kind": kind, "name": name, "unit": (unit or "").strip() or "item",
              "unit_price": unit_price, "valid_from": valid_from, "valid_until": valid_until}
    # The same price sent again while the first still waits (a double click, a re-sent form) is that one.
    waiting = PriceItem.objects.filter(status=PriceStatus.SUBMITTED, **fields).first()
    if waiting is not None:
        return waiting
    return PriceItem.objects.create(**fields, source=source, reviewed_by=None)


def approval_bound(item: PriceItem, user) -> ReferencePrice | None:
    """The reference price whose upper bound approving ``item`` is checked against: for the year of its first
    day, its kind and the outlet's tier on that day, the approver's agency's (the lowest of any agency's for an
    approver of no agency; budgets.reference_prices.upper_bound_for)."""
    # Read, not agency_of: that caches on the user, and a person may be attached to an agency later (the demo).
    agency_id = (AgencyStaff.objects.filter(user_id=user.pk).values_list("agency_id", flat=True).first()
                 if user is not None and user.pk else None)
    tier = tier_on(item.outlet_id, item.valid_from)
    return upper_bound_for(agency_id, item.valid_from.year, item.kind, tier)


@transaction.atomic
def price_approve(item: PriceItem, *, user, reason: str = "") -> PriceItem:
    """Approve a submitted price; an approved earlier price of the same product ends the day before. A price
    above the upper bound of the reference price that applies (``approval_bound``) needs ``reason``; the bound
    and the reason are kept with the price."""
    item = PriceItem.objects.select_for_update().get(pk=item.pk)
    if item.status != PriceStatus.SUBMITTED:
        raise BudgetRefused(_("Only a price waiting for approval can be approved."), code="not_submitted")
    reason = (reason or "").strip()
    bound = approval_bound(item, user)
    above = bound is not None and item.unit_price > bound.upper_bound
    if above and not reason:
        raise BudgetRefused(
            _("%(price)s per %(unit)s is above the upper bound %(bound)s for %(kind)s, tier %(tier)s (%(source)s): "
              "give the reason to approve it.")
            % {"price": format_rupiah(item.unit_price), "unit": item.unit, "bound": format_rupiah(bound.upper_bound),
               "kind": item.get_kind_display(), "tier": bound.tier, "source": bound.source_text},
            code="above_bound")
    earlier = list(PriceItem.objects.select_for_update().filter(
        outlet_id=item.outlet_id, kind=item.kind, name=item.name, status=PriceStatus.APPROVED)
        .exclude(valid_until__lt=item.valid_from).exclude(pk=item.pk))
    for previous in earlier:
        if previous.valid_from >= item.valid_from:
            raise BudgetRefused(
                _("An approved price of this product already starts on %(day)s; a new price must start later.")
                % {"day": local_date(previous.valid_from)}, code="overlaps_later")
    day_before = item.valid_from - datetime.timedelta(days=1)
    for previous in earlier:
        previous.valid_until = day_before
        previous.save(update_fields=["valid_until"])
    item.status = PriceStatus.APPROVED
    item.reviewed_by = user
    item.reviewed_at = timezone.now()
    item.review_reason = ""
    item.approval_bound = bound.upper_bound if bound else None
    item.approval_bound_source = bound.source_text if bound else ""
    item.above_bound_reason = reason if above else ""
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "approval_bound",
                             "approval_bound_source", "above_bound_reason"])
    return item


@transaction.atomic
def price_reject(item: PriceItem, *, user, reason: str) -> PriceItem:
    reason = (reason or "").strip()
    if not reason:
        raise BudgetRefused(_("Give the reason for rejecting the price."), code="reason_required")
    item = PriceItem.objects.select_for_update().get(pk=item.pk)
    if item.status != PriceStatus.SUBMITTED:
        raise BudgetRefused(_("Only a price waiting for approval can be rejected."), code="not_submitted")
    item.status = PriceStatus.REJECTED
    item.reviewed_by = user
    item.reviewed_at = timezone.now()
    item.review_reason = reason
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    return item
