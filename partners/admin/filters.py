"""List filters of the registry's pages: documents expiring or waiting for review, Dewan Pers levels."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import ReviewStatus, VerificationLevel


class ExpiringDocumentsFilter(admin.SimpleListFilter):
    """Rows with a document, not rejected, that runs out within 30 days or has expired (Asia/Jakarta
    dates; partners.selectors, as the renewal page and the list's column read them)."""

    title = _("documents expiring")
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [("30", _("within 30 days")), ("expired", _("already expired"))]

    # With this value the list is sorted by days left (the admins' get_ordering: expiring_on).
    SORTS_BY_DAYS_LEFT = "30"

    def documents(self):
        """The row's documents, for a subquery: a company's are all of them, its outlets' included."""
        return selectors.the_companys_documents()

    def queryset(self, request, queryset):
        if self.value() == "30":
            return queryset.filter(Exists(selectors.documents_expiring(self.documents())))
        if self.value() == "expired":
            return queryset.filter(Exists(selectors.documents_expired(self.documents())))
        return queryset


class OutletExpiringDocumentsFilter(ExpiringDocumentsFilter):
    def documents(self):
        """An outlet's documents are its own and its company's."""
        return selectors.the_outlets_documents()


class DocumentReviewFilter(admin.SimpleListFilter):
    title = _("document review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [(ReviewStatus.PENDING, _("has documents pending review")),
                (ReviewStatus.REJECTED, _("has rejected documents"))]

    def documents(self):
        """The row's documents, for a subquery: a company's are all of them, its outlets' included."""
        return selectors.the_companys_documents()

    def queryset(self, request, queryset):
        if self.value() in (ReviewStatus.PENDING, ReviewStatus.REJECTED):
            return queryset.filter(Exists(self.documents().filter(review_status=self.value())))
        return queryset


class OutletDocumentReviewFilter(DocumentReviewFilter):
    def documents(self):
        """An outlet's documents are its own and its company's (as the list's "pending" column counts)."""
        return selectors.the_outlets_documents()


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
    # With these values the document list is sorted by days left (DocumentAdmin.get_ordering).
    SORTS_BY_DAYS_LEFT = ("30", "expired")

    def lookups(self, request, model_admin):
        return [("30", _("expires within 30 days")), ("expired", _("expired")),
                ("valid", _("not expired")), ("none", _("no expiry date"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        return {
            # As everywhere (partners.selectors): a rejected document is nobody's to renew.
            "30": lambda: selectors.documents_expiring(queryset, today=today),
            "expired": lambda: selectors.documents_expired(queryset, today=today),
            "valid": lambda: queryset.filter(expiry_date__gte=today),
            "none": lambda: queryset.filter(expiry_date__isnull=True),
        }.get(self.value(), lambda: queryset)()
