"""The catalog's reports (mediareg.reports): the eligibility history. The outlet register with its
eligibility and listing (``outlets``) lives here too (issue 11)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.reports import Column, Report, ReportFilters, register
from mediareg.reports.base import CHUNK

from .models import EligibilityChange, Trigger
from .rules import reason_text


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@register
class EligibilityHistoryReport(Report):
    name = "eligibility-history"
    title = _("Eligibility history")
    description = _("Every change of an outlet's eligibility: when, what triggered it, who, and the rules that failed.")
    permission = "catalog.view_eligibilitychange"
    filters = ("date_from", "date_to")
    columns = [
        Column("time", _("time"), "datetime"),
        Column("outlet_id", _("outlet number"), "int"),
        Column("outlet", _("outlet")),
        Column("company", _("company")),
        Column("eligible", _("eligible"), "bool"),
        Column("trigger", _("trigger")),
        Column("actor", _("by")),
        Column("failing_codes", _("failing rules (codes)")),
        Column("failing_reasons", _("failing rules")),
    ]

    def queryset(self, filters: ReportFilters, user):
        changes = EligibilityChange.objects.all()
        if filters.date_from:
            changes = changes.filter(created_at__gte=_day_start(filters.date_from))
        if filters.date_to:
            changes = changes.filter(created_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
        if filters.ids:
            changes = changes.filter(pk__in=filters.ids)
        return changes

    def rows(self, filters: ReportFilters, user):
        triggers = dict(Trigger.choices)
        changes = (self.queryset(filters, user).order_by("created_at", "pk")
                   .values_list("created_at", "outlet_id", "outlet__name", "outlet__company__legal_name", "is_eligible",
                                "trigger", "actor", "failing_codes", "outcomes"))
        for created_at, outlet_id, outlet, company, eligible, trigger, actor, codes, outcomes in \
                changes.iterator(chunk_size=CHUNK):
            failing = [reason_text(o.get("reason")) for o in outcomes or [] if not o.get("passed")]
            yield (created_at, outlet_id, outlet, company, eligible, str(triggers.get(trigger, trigger)), actor,
                   codes.strip(","), "; ".join(failing))
