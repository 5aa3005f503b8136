"""Reads of the registry that several pages, jobs and exports share: which documents are an outlet's,
which are expiring, and the rows of the company and outlet lists.

List reads annotate per-row counts as correlated subqueries, so a page costs the same queries
whatever its length (see partners.admin).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from mediareg.admin_helpers import count_of, count_rows

from .identifiers import looks_like_npwp, normalize_domain
from .models import Document, MediaOutlet, OutletDomain, PressCompany, ReviewStatus

# Documents that run out within this many days are expiring: list filters and columns, the renewal page.
EXPIRY_WARNING_DAYS = 30


def outlet_documents(outlet_id, company_id) -> QuerySet[Document]:
    """An outlet's documents: its own and its company's (a company document counts for every outlet of
    the company). The ids may be ``OuterRef`` expressions, for a subquery per outlet row."""
    return Document.objects.filter(Q(outlet_id=outlet_id) | Q(company_id=company_id, outlet__isnull=True))


def documents_not_rejected(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Accepted or waiting for review: a rejected document is nobody's to renew or be reminded of."""
    documents = Document.objects.all() if documents is None else documents
    return documents.exclude(review_status=ReviewStatus.REJECTED)


def documents_not_accepted(owners) -> dict[tuple[int, int], list[Document]]:
    """For each outlet, given with its company as ``(outlet_id, company_id)``, its documents, its own and
    its company's, that are rejected or still waiting for review (what approving its application would
    pass over). A rejected document that a newer one of its kind has replaced (from the status page or
    the renewal page) is left out: the newer one speaks for it. One query for any number of outlets;
    rejected first, then by kind."""
    owners = set(owners)
    if not owners:
        return {}
    newer = Document.objects.filter(kind=OuterRef("kind"), company_id=OuterRef("company_id"), pk__gt=OuterRef("pk"))
    replaced = (Exists(newer.filter(outlet_id=OuterRef("outlet_id")))
                | Q(outlet__isnull=True) & Exists(newer.filter(outlet__isnull=True)))
    documents = list(
        Document.objects.filter(Q(outlet_id__in={o for o, _c in owners})
                                | Q(company_id__in={c for _o, c in owners}, outlet__isnull=True))
        .exclude(review_status=ReviewStatus.ACCEPTED)
        .exclude(Q(review_status=ReviewStatus.REJECTED) & replaced).select_related("company", "outlet")
        .order_by("-review_status", "kind", "pk"))  # "rejected" after "pending": rejected first
    return {(outlet_id, company_id): [d for d in documents if d.outlet_id == outlet_id
                                      or (d.outlet_id is None and d.company_id == company_id)]
            for outlet_id, company_id in owners}


def documents_expiring(documents: QuerySet[Document] | None = None, *, today: datetime.date | None = None,
                       within_days: int = EXPIRY_WARNING_DAYS) -> QuerySet[Document]:
    """Documents, not rejected, that run out within ``within_days`` of today, today included (Asia/Jakarta
    dates: a document expiring today is still valid today)."""
    return documents_not_rejected(documents).expiring_within(within_days, today)


def documents_expired(documents: QuerySet[Document] | None = None, *,
                      today: datetime.date | None = None) -> QuerySet[Document]:
    """Documents, not rejected, whose expiry date has passed."""
    return documents_not_rejected(documents).expired(today)


def documents_to_renew(outlet: MediaOutlet, *, today: datetime.date | None = None,
                       within_days: int = EXPIRY_WARNING_DAYS) -> QuerySet[Document]:
    """What the renewal page offers an outlet to replace: its documents (its own and its company's),
    not rejected, that have expired or run out within ``within_days``, the soonest first."""
    horizon = (today or timezone.localdate()) + datetime.timedelta(days=within_days)
    return (documents_not_rejected(outlet_documents(outlet.pk, outlet.company_id))
            .filter(expiry_date__lte=horizon).order_by("expiry_date", "pk"))


def documents_pending(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Documents waiting for review."""
    documents = Document.objects.all() if documents is None else documents
    return documents.filter(review_status=ReviewStatus.PENDING)


def documents_by_days_left(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Expiring documents the soonest first (fewest days left; expired ones, with days past, before)."""
    return documents.order_by(F("expiry_date").asc(nulls_last=True), "pk")


def soonest_expiry(documents: QuerySet[Document], *, today: datetime.date | None = None,
                   within_days: int = EXPIRY_WARNING_DAYS) -> Subquery:
    """For a subquery per row (``documents`` refer to the row with ``OuterRef``): the earliest expiry
    date among them that falls within ``within_days`` of today (documents_expiring), or NULL."""
    expiring = documents_expiring(documents, today=today, within_days=within_days)
    return Subquery(expiring.order_by("expiry_date").values("expiry_date")[:1])


def the_outlets_documents() -> QuerySet[Document]:
    """The documents of the outer outlet row, its own and its company's, for a subquery per outlet."""
    return outlet_documents(OuterRef("pk"), OuterRef("company_id"))


def the_companys_documents() -> QuerySet[Document]:
    """The documents of the outer company row, its outlets' included, for a subquery per company."""
    return Document.objects.filter(company=OuterRef("pk"))


def outlet_list(outlets: QuerySet[MediaOutlet] | None = None, *,
                today: datetime.date | None = None) -> QuerySet[MediaOutlet]:
    """The outlet list's rows: each with its company and verification, its primary website
    (``primary_domain_name``) and, counting its own documents and its company's (a company's SKF is
    every outlet's): those waiting for review (``pending_n``), those expiring within 30 days
    (``expiring_n``, as the list's "documents expiring" filter finds them) and the soonest of their
    expiry dates (``expiring_on``, to sort by days left). Each is a correlated subquery: the same
    queries for any number of rows."""
    outlets = MediaOutlet.objects.all() if outlets is None else outlets
    primary = OutletDomain.objects.filter(outlet=OuterRef("pk")).order_by("-is_primary", "domain")
    return outlets.select_related("company", "verification").annotate(
        primary_domain_name=Subquery(primary.values("domain")[:1]),
        pending_n=count_rows(documents_pending(the_outlets_documents())),
        expiring_n=count_rows(documents_expiring(the_outlets_documents(), today=today)),
        expiring_on=soonest_expiry(the_outlets_documents(), today=today),
    )


def company_list(companies: QuerySet[PressCompany] | None = None, *,
                 today: datetime.date | None = None) -> QuerySet[PressCompany]:
    """The company list's rows: each with its number of outlets (``outlets_n``), of documents waiting
    for review (``pending_n``) and expiring within 30 days (``expiring_n``), and the soonest of those
    expiry dates (``expiring_on``); its outlets' documents included."""
    companies = PressCompany.objects.all() if companies is None else companies
    return companies.annotate(
        outlets_n=count_of(MediaOutlet, "company"),
        pending_n=count_rows(documents_pending(the_companys_documents())),
        expiring_n=count_rows(documents_expiring(the_companys_documents(), today=today)),
        expiring_on=soonest_expiry(the_companys_documents(), today=today),
    )


# --- search (the admin's search box and the API's ``search`` filter) ------------------------------------


def registry_search(queryset, term: str, *, name_fields: list[str], company_path: str, domain_path: str | None):
    """Names by substring (trigram-indexed in PostgreSQL); NPWP, NIB and domain by exact canonical value,
    so that ``01.312.166.0-091.000`` finds the company stored as ``0013121660091000``.

    Each condition is its own indexed subquery and the page keeps ``pk IN (a UNION b ...)``: PostgreSQL
    then reads a handful of rows, where an OR across joined tables made it test (and join) every row.
    """
    term = term.strip()
    if not term:
        return queryset
    model = queryset.model
    conditions = [_related_match(model, path, "icontains", term) for path in name_fields]
    npwp = looks_like_npwp(term)
    if npwp:
        conditions.append(_related_match(model, f"{company_path}npwp", "exact", npwp))
    digits = term.replace(" ", "")
    if digits.isdigit() and len(digits) == 13:
        conditions.append(_related_match(model, f"{company_path}nib", "exact", digits))
    if domain_path is not None:
        try:
            domain = normalize_domain(term)
        except ValidationError:
            domain = None
        if domain:
            owners = OutletDomain.objects.filter(domain=domain).values("outlet_id")
            conditions.append(Q(**{f"{domain_path or 'pk'}__in": owners}))
    matches = [model._default_manager.filter(condition).values("pk") for condition in conditions]
    return queryset.filter(pk__in=matches[0].union(*matches[1:]))


def _related_match(model, path: str, lookup: str, value) -> Q:
    """``path`` = ``field`` or ``relation__...__field``: a plain lookup on the model's own field, or
    ``relation__in`` a subquery on the related model."""
    relation, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{f"{path}__{lookup}": value})
    related = model._meta.get_field(relation).related_model
    return Q(**{f"{relation}__in": related.objects.filter(_related_match(related, rest, lookup, value)).values("pk")})
