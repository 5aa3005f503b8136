"""The catalog's reports (mediareg.reports): the outlet register with its eligibility and listing
(``outlets``), today or as it stood on a past day, and the eligibility history (issue 11)."""

from __future__ import annotations

import datetime

from django.db.models import F, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.reports import Column, Report, ReportFilters, register
from mediareg.reports.base import CHUNK
from partners.identifiers import format_npwp
from partners.models import CompetencyLevel, MediaOutlet, MediaType, OutletDomain, VerificationLevel

from .eligibility import end_of
from .models import EligibilityChange, ListingState, ListingTransition, Trigger
from .rules import reason_text


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _failing(outcomes) -> str:
    return "; ".join(reason_text(o.get("reason")) for o in outcomes or [] if not o.get("passed"))


@register
class OutletsReport(Report):
    """The register, one row per outlet. Eligibility and listing are today's, or with ``as_of`` those at the
    end of that day from their histories (EligibilityChange, ListingTransition: the latest row at or before
    that moment, as catalog.eligibility.eligibility_on and listing_state_on answer for one outlet), read as
    correlated subqueries of the one query, so the report costs the same few queries at any size."""

    name = "outlets"
    title = _("Outlets")
    description = _("The register: each outlet with its company, NPWP, media type, Dewan Pers level, eligibility "
                    "and listing. With \"as of\", eligibility and listing as they stood at the end of that day, from "
                    "their history (an outlet not yet evaluated then counts as not eligible); the other columns are "
                    "today's.")
    permission = "partners.view_mediaoutlet"
    filters = ("as_of",)
    columns = [
        Column("outlet_id", _("outlet number"), "int"),
        Column("outlet", _("outlet")),
        Column("media_type", _("media type")),
        Column("domain", _("primary domain")),
        Column("company", _("company")),
        Column("npwp", _("company NPWP")),
        Column("province", _("province")),
        Column("level", _("Dewan Pers verification")),
        Column("eligible", _("eligible"), "bool"),
        Column("failing_codes", _("failing rules (codes)")),
        Column("failing_reasons", _("failing rules")),
        Column("listing", _("listing")),
        Column("listed_since", _("listed since"), "date"),
        # People and their contacts (UU 27/2022): left out of the public-safe profile. The company's
        # e-mail and phone are often a person's own at a small outlet, so they count as personal too.
        Column("person_in_charge", _("person in charge"), personal=True),
        Column("editor_in_chief", _("editor-in-chief"), personal=True),
        Column("editor_competency", _("editor's competency level (UKW)"), personal=True),
        Column("editor_certificate_no", _("editor's competency certificate no."), personal=True),
        Column("email", _("outlet e-mail"), personal=True),
        Column("phone", _("outlet phone"), personal=True),
        Column("company_email", _("company e-mail"), personal=True),
        Column("company_phone", _("company phone"), personal=True),
    ]

    def queryset(self, filters: ReportFilters, user):
        outlets = MediaOutlet.objects.all()
        if filters.ids:
            outlets = outlets.filter(pk__in=filters.ids)
        return outlets

    def rows(self, filters: ReportFilters, user):
        media_types, levels = dict(MediaType.choices), dict(VerificationLevel.choices)
        states, competencies = dict(ListingState.choices), dict(CompetencyLevel.choices)
        primary = OutletDomain.objects.filter(outlet=OuterRef("pk")).order_by("-is_primary", "domain")
        outlets = self.queryset(filters, user).annotate(domain=Subquery(primary.values("domain")[:1]))
        if filters.as_of:
            end = end_of(filters.as_of)
            # One index lookup each (eligibility_change_lookup; the listing's transitions by listing).
            change = (EligibilityChange.objects.filter(outlet=OuterRef("pk"), created_at__lte=end)
                      .order_by("-created_at", "-pk")
                      .values(data=JSONObject(eligible="is_eligible", codes="failing_codes", outcomes="outcomes"))[:1])
            transitions = ListingTransition.objects.filter(listing__outlet=OuterRef("pk"), created_at__lte=end)
            state = transitions.order_by("-created_at", "-pk").values("to_state")[:1]
            # The start of the stretch as listed: the latest move into "listed" from another state (a warning
            # records listed -> listed and does not restart it).
            entered = (transitions.filter(Q(to_state=ListingState.LISTED) & ~Q(from_state=ListingState.LISTED))
                       .order_by("-created_at", "-pk").values("created_at")[:1])
            outlets = outlets.annotate(result=Subquery(change, output_field=JSONField()), state=Subquery(state),
                                       entered=Subquery(entered))
        else:
            outlets = outlets.annotate(
                result=JSONObject(eligible="eligibility__is_eligible", codes="eligibility__failing_codes",
                                  outcomes="eligibility__outcomes"),
                state=F("listing__state"), entered=F("listing__state_since"))
        values = outlets.order_by("pk").values_list(
            "pk", "name", "media_type", "domain", "company__legal_name", "company__npwp", "company__province__name",
            "verification__level", "result", "state", "entered", "person_in_charge", "editor_in_chief",
            "editor_competency", "editor_certificate_no", "email", "phone", "company__email", "company__phone")
        for (pk, name, media_type, domain, company, npwp, province, level, result, state, entered, in_charge, editor,
             competency, certificate, email, phone, company_email, company_phone) in values.iterator(chunk_size=CHUNK):
            # Not evaluated (by then): no result, or the placeholder a re-check locks before its first result.
            result = result or {}
            eligible = bool(result.get("eligible"))
            yield (pk, name, str(media_types.get(media_type, media_type)), domain, company,
                   format_npwp(npwp) if npwp else "", province, str(levels.get(level or VerificationLevel.NONE)),
                   eligible, (result.get("codes") or "").strip(","), _failing(result.get("outcomes")),
                   str(states.get(state, state or "")), entered if state == ListingState.LISTED else None,
                   in_charge, editor, str(competencies.get(competency, "")) if competency else "", certificate,
                   email, phone, company_email, company_phone)


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
            yield (created_at, outlet_id, outlet, company, eligible, str(triggers.get(trigger, trigger)), actor,
                   codes.strip(","), _failing(outcomes))
