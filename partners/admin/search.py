"""The registry's search box: names by substring, NPWP, NIB and domains by their canonical value."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..identifiers import looks_like_npwp, normalize_domain
from ..models import OutletDomain


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


class RegistrySearchMixin:
    search_name_fields: list[str] = []
    search_company_path = ""
    search_domain_path: str | None = None
    search_help_text = _("Name, NPWP (any format), NIB or website domain")

    def get_search_results(self, request, queryset, search_term):
        filtered = registry_search(queryset, search_term, name_fields=self.search_name_fields,
                                   company_path=self.search_company_path, domain_path=self.search_domain_path)
        return filtered, False
