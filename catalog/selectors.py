"""Reads that several parts of the catalog share: the review queue, the outlet list with eligibility and
listing, who hears from the catalog, and the public e-catalog's outlets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Aggregate, Count, DurationField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone

from mediareg.admin_helpers import count_of
from mediareg.mail import unique_addresses
from partners import selectors as registry
from partners.identifiers import normalize_domain
from partners.models import MediaOutlet, MediaType, OutletDomain, ReviewStatus, VerificationLevel

from .models import Application, EligibilityPolicy, ListingState, ListingTransition

STAFF_GROUP = "Verifikator"


def staff_recipients(policy: EligibilityPolicy | None = None) -> list[str]:
    """Who hears from the catalog (the notice of a new application, the daily summary of suspensions):
    the policy's addresses, one per line (commas and semicolons separate them too), or, when it lists
    none, the active staff of the Verifikator group who have an e-mail address. Each address once,
    whatever its letter case, in the order given (the staff's in address order)."""
    policy = policy or EligibilityPolicy.load()
    configured = policy.staff_summary_emails.replace(",", "\n").replace(";", "\n").split()
    if configured:
        return unique_addresses(configured)
    users = (get_user_model().objects.filter(is_active=True, groups__name=STAFF_GROUP).exclude(email="")
             .order_by("email").values_list("email", flat=True).distinct())
    return unique_addresses(users)


def application_queue(applications: QuerySet[Application] | None = None) -> QuerySet[Application]:
    """The review queue's rows: each application with the number of documents it carries
    (``documents_n``) and of those waiting for review (``pending_n``), as per-row subqueries."""
    applications = Application.objects.all() if applications is None else applications
    carried = Application.documents.through
    return applications.annotate(
        documents_n=count_of(carried, "application"),
        pending_n=count_of(carried, "application", document__review_status=ReviewStatus.PENDING),
    )


# How long review usually takes, as the status page tells applicants: over the decisions of the last
# REVIEW_TIME_PERIOD_DAYS, and only when there are at least REVIEW_TIME_MIN_DECISIONS of them (a median of
# two or three would promise what one slow file can undo).
REVIEW_TIME_PERIOD_DAYS = 180
REVIEW_TIME_MIN_DECISIONS = 5
# A decision: approved, rejected, or changes requested (the first answer the applicant gets).
DECISIONS = (Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.CHANGES_REQUESTED)


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate: the median of an interval, as an interval."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class ReviewTime:
    median: datetime.timedelta
    decisions: int
    period_days: int

    @property
    def days(self) -> int:
        """The median in whole days, at least one ("about 0 days" would promise what review never does)."""
        return max(1, round(self.median.total_seconds() / 86400))


def review_time(now: datetime.datetime | None = None) -> ReviewTime | None:
    """The median time from submission to decision over the applications decided in the last
    REVIEW_TIME_PERIOD_DAYS; None when fewer than REVIEW_TIME_MIN_DECISIONS were. One query."""
    since = (now or timezone.now()) - datetime.timedelta(days=REVIEW_TIME_PERIOD_DAYS)
    figures = (Application.objects.filter(status__in=DECISIONS, decided_at__gte=since)
               .filter(decided_at__gte=F("submitted_at"))  # a decision typed before its submission is a mistake
               .aggregate(decisions=Count("pk"), median=Median(F("decided_at") - F("submitted_at"))))
    if figures["decisions"] < REVIEW_TIME_MIN_DECISIONS:
        return None
    return ReviewTime(median=figures["median"], decisions=figures["decisions"], period_days=REVIEW_TIME_PERIOD_DAYS)


def outlet_list(outlets: QuerySet[MediaOutlet] | None = None) -> QuerySet[MediaOutlet]:
    """The registry's outlet list (partners.selectors.outlet_list) with each outlet's stored eligibility
    result and listing, selected with the row."""
    return registry.outlet_list(outlets).select_related("eligibility", "listing")


# --- the public e-catalog (/catalog/, catalog.public) ----------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    """What a visitor of /catalog/ asked for; empty strings mean "any". ``province`` is the province's
    Kemendagri code, ``level`` a VerificationLevel value, ``media_type`` a MediaType value."""

    q: str = ""
    media_type: str = ""
    province: str = ""
    level: str = ""


@dataclass(frozen=True)
class PublicOutlet:
    """The public facts of a listed outlet, and nothing else: the catalog's pages get these, never a
    model instance, so no template can reach a person's name, a phone number, an e-mail, an NPWP or a
    document through a relation."""

    pk: int
    name: str
    media_type: str
    domain: str
    level: str
    province: str
    listed_since: datetime.datetime
    first_listed: datetime.datetime | None

    @property
    def media_type_label(self) -> str:
        return MediaType(self.media_type).label if self.media_type in MediaType.values else ""

    @property
    def level_label(self) -> str:
        return VerificationLevel(self.level).label


# The only columns the public pages read (PublicOutlet's fields).
PUBLIC_FIELDS = ("pk", "name", "media_type", "domain", "level", "province", "listed_since", "first_listed")


def _public_outlets() -> QuerySet[MediaOutlet]:
    """Listed outlets as rows of PUBLIC_FIELDS (``values()``: one query, no model instances)."""
    primary = OutletDomain.objects.filter(outlet=OuterRef("pk")).order_by("-is_primary", "domain")
    first_listed = (ListingTransition.objects.filter(listing__outlet=OuterRef("pk"), to_state=ListingState.LISTED)
                    .order_by("created_at").values("created_at")[:1])
    return (MediaOutlet.objects.filter(listing__state=ListingState.LISTED)
            .annotate(domain=Subquery(primary.values("domain")[:1]),
                      level=Coalesce(F("verification__level"), Value(VerificationLevel.NONE.value)),
                      province=Coalesce(F("company__province__name"), Value("")),
                      listed_since=F("listing__state_since"),
                      first_listed=Subquery(first_listed))
            .values(*PUBLIC_FIELDS))


def _search_term(q: str) -> str:
    """A pasted address (https://www.kabar.id/berita) searches by its host name, as stored."""
    if "." in q and " " not in q:
        try:
            return normalize_domain(q)
        except ValidationError:
            pass
    return q


def public_catalog(filters: CatalogFilters, *, page: int | str | None = 1, per_page: int = 20) -> Page:
    """A page of the listed outlets matching ``filters``, as PublicOutlet objects, in name order (then
    id, so that pages never overlap or skip an outlet). Two queries whatever ``per_page`` is: the count
    and the page.

    ``q`` matches a part of the name or of any of the outlet's domains (both have trigram indexes,
    partners/migrations/0003_search_indexes.py)."""
    outlets = _public_outlets()
    if filters.q:
        term = _search_term(filters.q)
        outlets = outlets.filter(Q(name__icontains=filters.q)
                                 | Q(Exists(OutletDomain.objects.filter(outlet=OuterRef("pk"),
                                                                        domain__icontains=term))))
    if filters.media_type:
        outlets = outlets.filter(media_type=filters.media_type)
    if filters.province:
        outlets = outlets.filter(company__province__code=filters.province)
    if filters.level:
        outlets = outlets.filter(level=filters.level)  # the annotation: no verification row counts as none
    outlets = outlets.order_by(Upper("name"), "pk")
    result = Paginator(outlets, per_page).get_page(page)
    result.object_list = [PublicOutlet(**row) for row in result.object_list]
    return result


def public_outlet(pk: int) -> PublicOutlet | None:
    """The public facts of outlet ``pk`` when it is listed, else None (the page is then a 404). One query."""
    row = _public_outlets().filter(pk=pk).first()
    return PublicOutlet(**row) if row else None
