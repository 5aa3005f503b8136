"""List filters of the budgets' pages."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..reference_prices import orders_above_reference, prices_above_bound


class WaitingForProofFilter(admin.SimpleListFilter):
    """The media orders the staff home counts (budgets/home.py): waiting for proof of publication (the
    service period ended without proof, or the proof was rejected), proof waiting for review, or held by an
    integrity control for a second approval. The same
    selectors as the staff home, so the list shows exactly the rows its figure counted."""

    title = _("waiting for")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("proof", _("proof of publication")), ("review", _("review of the proof")),
                ("approval", _("second approval"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "proof":
            waiting = selectors.orders_waiting_for_proof(request.user, timezone.localdate())
        elif value == "review":
            waiting = selectors.proofs_waiting_for_review(request.user)
        elif value == "approval":
            waiting = selectors.orders_waiting_for_second_approval(request.user)
        else:
            return queryset
        return queryset.filter(pk__in=waiting.values("pk"))


class ProofDeadlineFilter(admin.SimpleListFilter):
    """Orders past their proof deadline (budgets.selectors.overdue_proofs, as the staff home counts them), or
    whose proof was filed after it (a late claim)."""

    title = _("proof deadline")
    parameter_name = "proof_deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("proof overdue")), ("late", _("proof filed late"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return queryset.filter(selectors.proof_overdue(timezone.localdate()))
        if value == "late":
            return queryset.filter(proof_filed_on__gt=F("proof_due_on"))
        return queryset


class ReferenceFilter(admin.SimpleListFilter):
    """Orders placed above their agency's reference price, with a recorded negotiation: what the staff home's
    panel counts (budgets/home_reference.py)."""

    title = _("reference price")
    parameter_name = "reference"

    def lookups(self, request, model_admin):
        return [("above", _("above the reference price"))]

    def queryset(self, request, queryset):
        return orders_above_reference(queryset) if self.value() == "above" else queryset


class BoundFilter(admin.SimpleListFilter):
    """Prices approved above the upper bound they were checked against, with a reason."""

    title = _("upper bound")
    parameter_name = "bound"

    def lookups(self, request, model_admin):
        return [("above", _("approved above the upper bound"))]

    def queryset(self, request, queryset):
        return prices_above_bound(queryset) if self.value() == "above" else queryset


class PriceYearFilter(admin.SimpleListFilter):
    """Prices by the year of their first day (the year whose reference prices they were checked against)."""

    title = _("valid from (year)")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return []  # chosen from the staff home's link only: no list of years to read

    def has_output(self):
        return False

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(valid_from__year=int(value)) if value and value.isdigit() else queryset
