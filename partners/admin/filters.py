"""List filters of the registry's pages: documents expiring or waiting for review, Dewan Pers levels."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import Document, ReviewStatus, VerificationLevel
from ..selectors import EXPIRY_WARNING_DAYS


class ExpiringDocumentsFilter(admin.SimpleListFilter):
    """Rows with a document, not rejected, that runs out within 30 days or has expired (Asia/Jakarta
    dates; partners.selectors, as the renewal page and the list's column read them)."""

    title = _("documents expiring")
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [("30", _("within 30 days")), ("expired", _("already expired"))]

    def documents(self):
        """The row's documents, for a subquery: a company's are all of them, its outlets' included."""
        return Document.objects.filter(company=OuterRef("pk"))

    def queryset(self, request, queryset):
        if self.value() == "30":
            return queryset.filter(Exists(selectors.documents_expiring(self.documents())))
        if self.value() == "expired":
            return queryset.filter(Exists(selectors.documents_expired(self.documents())))
        return queryset


class OutletExpiringDocumentsFilter(ExpiringDocumentsFilter):
    def documents(self):
        """An outlet's documents are its own and its company's."""
        return selectors.outlet_documents(OuterRef("pk"), OuterRef("company_id"))


class DocumentReviewFilter(admin.SimpleListFilter):
    title = _("document review")
    parameter_name = "review"
    document_fk = "company"

    def lookups(self, request, model_admin):
        return [(ReviewStatus.PENDING, _("has documents pending review")),
                (ReviewStatus.REJECTED, _("has rejected documents"))]

    def queryset(self, request, queryset):
        if self.value() in (ReviewStatus.PENDING, ReviewStatus.REJECTED):
            documents = Document.objects.filter(**{self.document_fk: OuterRef("pk")}, review_status=self.value())
            return queryset.filter(Exists(documents))
        return queryset


class OutletDocumentReviewFilter(DocumentReviewFilter):
    document_fk = "outlet"


class VerificationLevelFilter(admin.SimpleListFilter):
    title = _("Dewan Pers verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [*VerificationLevel.choices, ("lapsed", _("certificate lapsed"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == VerificationLevel.NONE:
            return queryset.filter(Q(verification__isnull=True) | Q(verification__level=value))
        if value in VerificationLevel.values:
            return queryset.filter(verification__level=value)
        if value == "lapsed":
            return queryset.filter(verification__valid_until__lt=timezone.localdate())
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [("30", _("expires within 30 days")), ("expired", _("expired")),
                ("valid", _("not expired")), ("none", _("no expiry date"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        return {
            "30": lambda: queryset.expiring_within(EXPIRY_WARNING_DAYS, today),
            "expired": lambda: queryset.expired(today),
            "valid": lambda: queryset.filter(expiry_date__gte=today),
            "none": lambda: queryset.filter(expiry_date__isnull=True),
        }.get(self.value(), lambda: queryset)()
