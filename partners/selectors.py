"""Reads of the registry that several pages, jobs and exports share: which documents are an outlet's,
which are expiring, and the rows of the company and outlet lists.

List reads annotate per-row counts as correlated subqueries, so a page costs the same queries
whatever its length (see partners.admin).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

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


# --- outlets that share an owner, a bank account, a phone or an address --------------------------------------


class LinkKind:
    OWNER = "owner"
    BANK_ACCOUNT = "bank_account"
    PHONE = "phone"
    ADDRESS = "address"
    ALL = (OWNER, BANK_ACCOUNT, PHONE, ADDRESS)


def link_label(kind: str) -> str:
    return {LinkKind.OWNER: gettext("owner"), LinkKind.BANK_ACCOUNT: gettext("bank account"),
            LinkKind.PHONE: gettext("phone"), LinkKind.ADDRESS: gettext("address")}.get(kind, kind)


# A phone needs this many digits, an address this many characters once normalised, to link outlets: a
# switchboard prefix or "Jakarta" alone links nothing.
MIN_PHONE_DIGITS = 7
MIN_ADDRESS_CHARACTERS = 12

# Every outlet's keys, normalised by PostgreSQL (docs/domain.md "Owners and conflicts of interest"): an owner
# by identity number, else by name lower-cased with its whitespace collapsed; a bank account by its digits; a
# phone (the outlet's and its company's) by its digits with +62/62 read as 0; the company's address lower-cased
# with every run of punctuation and whitespace one space. ``shown`` is what staff may read of the key: the
# owner's name, the last four digits of an account, the phone and the address as typed.
_LINKS_SQL = r"""
WITH links AS (
    SELECT 'owner' AS kind, o.id AS outlet_id, o.company_id,
           CASE WHEN w.identity_number <> '' THEN 'nik:' || w.identity_number
                ELSE 'name:' || regexp_replace(lower(btrim(w.name)), '\s+', ' ', 'g') END AS key,
           w.name AS shown
      FROM partners_companyowner w JOIN partners_mediaoutlet o ON o.company_id = w.company_id
    UNION ALL
    SELECT 'bank_account', o.id, o.company_id, regexp_replace(b.account_number, '\D', '', 'g'),
           b.bank_name || ' ' || repeat('•', greatest(length(b.account_number) - 4, 0)) || right(b.account_number, 4)
      FROM partners_companybankaccount b JOIN partners_mediaoutlet o ON o.company_id = b.company_id
    UNION ALL
    SELECT 'phone', p.outlet_id, p.company_id,
           regexp_replace(regexp_replace(p.phone, '\D', '', 'g'), '^62', '0'), p.phone
      FROM (SELECT o.id AS outlet_id, o.company_id, o.phone FROM partners_mediaoutlet o WHERE o.phone <> ''
            UNION ALL
            SELECT o.id, o.company_id, c.phone FROM partners_mediaoutlet o
              JOIN partners_presscompany c ON c.id = o.company_id WHERE c.phone <> '') p
    UNION ALL
    SELECT 'address', o.id, o.company_id, btrim(regexp_replace(lower(c.address), '[^[:alnum:]]+', ' ', 'g')),
           c.address
      FROM partners_mediaoutlet o JOIN partners_presscompany c ON c.id = o.company_id WHERE c.address <> ''
),
usable AS (
    SELECT * FROM links
     WHERE (kind <> 'phone' OR length(key) >= %(min_phone)s)
       AND (kind <> 'address' OR length(key) >= %(min_address)s)
       AND key NOT IN ('', 'name:')
),
shared AS (
    SELECT kind, key FROM usable GROUP BY kind, key HAVING count(DISTINCT company_id) > 1
)
SELECT u.kind, u.key, min(u.shown),
       array_agg(DISTINCT u.outlet_id ORDER BY u.outlet_id),
       count(DISTINCT u.company_id)
  FROM usable u JOIN shared s ON s.kind = u.kind AND s.key = u.key
 {where}
 GROUP BY u.kind, u.key
 ORDER BY count(DISTINCT u.company_id) DESC, count(DISTINCT u.outlet_id) DESC, u.kind, min(u.shown)
 {limit}
"""


@dataclasses.dataclass
class ConnectedGroup:
    """Outlets of at least two companies that share one key of one kind (an owner, a bank account, a phone
    or an address); ``shown`` is the shared thing as staff may read it, ``outlets`` in id order."""

    kind: str
    shown: str
    outlets: list[MediaOutlet]
    companies_n: int
    key: str = dataclasses.field(repr=False, default="")

    @property
    def kind_label(self) -> str:
        return link_label(self.kind)

    def others(self, outlet_id: int) -> list[MediaOutlet]:
        return [o for o in self.outlets if o.pk != outlet_id]


def connected_outlets(*, outlet_id: int | None = None, limit: int | None = None) -> list[ConnectedGroup]:
    """The groups of outlets, of two companies or more, that share an owner, a bank account, a phone or an
    address; with ``outlet_id``, only the groups that outlet is in. Two queries whatever the size of the
    register: the groups, normalised and grouped by PostgreSQL, then their outlets with their companies. The
    groups that span the most companies come first."""
    where = "WHERE EXISTS (SELECT 1 FROM usable m WHERE m.kind = u.kind AND m.key = u.key AND m.outlet_id = " \
            "%(outlet)s)" if outlet_id is not None else ""
    sql = _LINKS_SQL.format(where=where, limit="LIMIT %(limit)s" if limit is not None else "")
    params = {"min_phone": MIN_PHONE_DIGITS, "min_address": MIN_ADDRESS_CHARACTERS, "outlet": outlet_id,
              "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    outlets = MediaOutlet.objects.select_related("company").in_bulk({pk for row in rows for pk in row[3]})
    return [ConnectedGroup(kind=kind, key=key, shown=shown, companies_n=companies_n,
                           outlets=[outlets[pk] for pk in ids if pk in outlets])
            for kind, key, shown, ids, companies_n in rows]


def connected_groups_count() -> dict[str, int]:
    """How many groups of connected outlets there are, by kind of link (one query)."""
    sql = _LINKS_SQL.format(where="", limit="")
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, count(*) FROM (" + sql + ") g (kind, key, shown, ids, companies_n) "  # noqa: S608
                       "GROUP BY kind", {"min_phone": MIN_PHONE_DIGITS, "min_address": MIN_ADDRESS_CHARACTERS})
        return dict(cursor.fetchall())


class NameKey(Func):
    """A person's name as owners and declared interests are matched: lower-cased, trimmed, every run of
    whitespace one space (PostgreSQL's lower() folds case like Python's casefold() for Indonesian names)."""

    template = r"regexp_replace(lower(btrim(%(expressions)s)), '\s+', ' ', 'g')"
    output_field = CharField()
