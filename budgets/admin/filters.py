"""List filters of the budgets' pages."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors


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
