"""The registry's reports (mediareg.reports): the documents' metadata, never their files (issue 11)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.reports import Column, Report, ReportFilters, register
from mediareg.reports.base import CHUNK

from .models import Document, DocumentKind, Owner, ReviewStatus


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@register
class DocumentsReport(Report):
    name = "documents"
    title = _("Documents")
    description = _("Every document of a company or outlet with its dates and review decision: what was uploaded "
                    "and when, never the file itself. From and To are the day the document was uploaded.")
    permission = "partners.view_document"
    filters = ("date_from", "date_to")
    columns = [
        Column("document_id", _("document number"), "int"),
        Column("kind", _("kind")),
        Column("owner", _("belongs to")),
        Column("owner_name", _("name")),
        Column("company", _("company")),
        Column("number", _("number on the document")),
        Column("issue_date", _("issue date"), "date"),
        Column("expiry_date", _("expiry date"), "date"),
        Column("tax_year", _("tax year"), "int"),
        Column("review", _("review")),
        Column("reviewed_by", _("reviewed by"), personal=True),
        Column("reviewed_at", _("reviewed at"), "datetime"),
        Column("rejection_reason", _("rejection reason")),
        Column("uploaded_at", _("uploaded at"), "datetime"),
        # The uploader's own file name often carries a person's name ("KTP Budi Santoso.pdf").
        Column("original_filename", _("original file name"), personal=True),
    ]

    def queryset(self, filters: ReportFilters, user):
        documents = Document.objects.all()
        if filters.date_from:
            documents = documents.filter(created_at__gte=_day_start(filters.date_from))
        if filters.date_to:
            documents = documents.filter(created_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
        if filters.ids:
            documents = documents.filter(pk__in=filters.ids)
        return documents

    def rows(self, filters: ReportFilters, user):
        kinds, decisions, owners = dict(DocumentKind.choices), dict(ReviewStatus.choices), dict(Owner.choices)
        values = (self.queryset(filters, user).order_by("pk").values_list(
            "pk", "kind", "outlet_id", "outlet__name", "company__legal_name", "number", "issue_date", "expiry_date",
            "tax_year", "review_status", "reviewed_by__username", "reviewed_by__first_name", "reviewed_by__last_name",
            "reviewed_at", "rejection_reason", "created_at", "original_filename"))
        for (pk, kind, outlet_id, outlet, company, number, issued, expires, tax_year, decision, username, first, last,
             reviewed_at, reason, uploaded_at, filename) in values.iterator(chunk_size=CHUNK):
            owner = Owner.OUTLET if outlet_id else Owner.COMPANY
            # As User.get_full_name, else the user name; nobody (None) while the document waits.
            reviewer = f"{first or ''} {last or ''}".strip() or username or ""
            yield (pk, str(kinds.get(kind, kind)), str(owners[owner]), outlet if outlet_id else company, company,
                   number, issued, expires, tax_year, str(decisions.get(decision, decision)), reviewer, reviewed_at,
                   reason, uploaded_at, filename)
