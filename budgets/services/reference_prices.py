"""Reference prices (Standar Harga Satuan) per agency, year, kind of product and tier of outlet: set and changed
by the agency's budget officers, like its budgets (docs/domain.md "Tiers and reference prices")."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from catalog.tiers import Tier

from ..models import Budget, ProductKind, ReferencePrice
from .access import BudgetRefused, require_agency


def _rupiah(value, message) -> int:
    if isinstance(value, bool | float) or not str(value).strip().isdigit() or int(str(value).strip()) < 1:
        raise BudgetRefused(message, code="not_whole")
    return int(str(value).strip())


@transaction.atomic
def reference_price_save(budget: Budget, *, kind: str, tier: str, reference_price: int, upper_bound: int,
                         source_reference: str, unit: str = "", user=None,
                         instance: ReferencePrice | None = None) -> ReferencePrice:
    """Set the reference price and upper bound of ``kind`` and ``tier`` for ``budget``'s agency and year (a new
    one, or ``instance`` changed). Orders already placed keep the reference they were checked against."""
    require_agency(user, budget.agency_id)
    if instance is not None and instance.pk:
        require_agency(user, instance.budget.agency_id)
    if kind not in ProductKind.values:
        raise BudgetRefused(_("Choose the kind of product."), code="kind_required")
    if tier not in Tier.values:
        raise BudgetRefused(_("Choose the tier of outlet."), code="tier_required")
    reference_price = _rupiah(reference_price, _("A reference price is whole rupiah, at least Rp 1."))
    upper_bound = _rupiah(upper_bound, _("An upper bound is whole rupiah, at least Rp 1."))
    if upper_bound < reference_price:
        raise BudgetRefused(_("The upper bound cannot be below the reference price."), code="bound_below")
    source_reference = (source_reference or "").strip()
    if not source_reference:
        raise BudgetRefused(_("Name the regulation that sets the price (e.g. the Perkada's number)."),
                            code="source_required")
    clash = ReferencePrice.objects.filter(budget=budget, kind=kind, tier=tier)
    if instance is not None and instance.pk:
        clash = clash.exclude(pk=instance.pk)
    duplicate = BudgetRefused(_("%(budget)s already has a reference price for %(kind)s, tier %(tier)s.")
                              % {"budget": budget, "kind": ProductKind(kind).label, "tier": tier}, code="duplicate")
    if clash.exists():
        raise duplicate
    row = instance if instance is not None and instance.pk else ReferencePrice()
    row.budget, row.kind, row.tier = budget, kind, tier
    row.reference_price, row.upper_bound = reference_price, upper_bound
    row.unit = (unit or "").strip() or "item"
    row.source_reference = source_reference
    try:
        with transaction.atomic():  # a savepoint: the same form sent twice at once meets the unique constraint
            row.save()
    except IntegrityError:
        raise duplicate from None
    return row
