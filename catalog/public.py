"""The public e-catalog: /catalog/, the outlets listed in the e-catalog, and /catalog/<id>/, one outlet.

Anyone may read them, without an account. They show the public facts of a listed outlet and nothing
else (catalog.selectors.PublicOutlet): no person's name, phone number, e-mail, NPWP, NIK or document.
An outlet that is not listed (applied, suspended, delisted...) is a 404.

Caching: the part of each page that comes from the database (the search form, the outlets and the
pagination; an outlet's facts) is rendered once and kept in the cache (Redis in production) under the
language and the query, for CACHE_SECONDS. It is short-lived, not invalidated: listings change in
many ways (a decision, the nightly re-check writing in bulk, a sanction ending), so rather than hook
each one, a newly listed outlet appears, and a suspended one disappears, at most CACHE_SECONDS later.
A page served from the cache runs no query. The rest of the page (the header with the language
switch, whose form carries the visitor's own CSRF token) is rendered for each request, which is why
the response is marked private: a shared cache must not hand one visitor's token to another. With
the cache down the pages are rendered every time (logged), never an error.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mediareg.cache import cached
from partners.models import MediaType, Province, VerificationLevel

from .selectors import CatalogFilters, public_catalog, public_outlet
from .tiers import Tier

logger = logging.getLogger(__name__)

# How long a rendered page part is served from the cache: the longest a listing change waits to show.
CACHE_SECONDS = 120
PAGE_SIZE = 20
FILTER_NAMES = ("q", "media_type", "province", "level", "tier")
MAX_QUERY_LENGTH = 100
MAX_ID = 2**63 - 1  # the largest bigint: outlet ids are BigAutoField


class CatalogSearchForm(forms.Form):
    """The search and filters of /catalog/ (GET). An unknown choice is ignored rather than refused."""

    q = forms.CharField(label=_("Name or website"), required=False, max_length=MAX_QUERY_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    media_type = forms.ChoiceField(label=_("Media type"), required=False,
                                   choices=[("", _("All media types")), *MediaType.choices])
    province = forms.ChoiceField(label=_("Province"), required=False)
    level = forms.ChoiceField(label=_("Dewan Pers verification"), required=False,
                              choices=[("", _("All levels")), *VerificationLevel.choices])
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices],
                             help_text=_("A: factual Dewan Pers verification; B: administrative; C: meets the local "
                                         "rules and works towards verification."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces")),
                                           *Province.objects.order_by("name").values_list("code", "name")]

    def filters(self) -> CatalogFilters:
        self.is_valid()
        values = {name: self.cleaned_data.get(name) or "" for name in FILTER_NAMES if name not in self.errors}
        return CatalogFilters(**values)


def _query(request) -> dict[str, str]:
    """The parameters that decide the page, trimmed: the cache key and the pagination links use these
    only, so that anything else in the address neither splits the cache nor ends up in a cached page."""
    query = {}
    for name in (*FILTER_NAMES, "page"):
        value = " ".join(request.GET.get(name, "").split())[:MAX_QUERY_LENGTH]
        if value:
            query[name] = value
    return query


def _cached(key: str, build):
    return cached(key, build, seconds=CACHE_SECONDS, what="catalog page")


def _cache_key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"mediareg:catalog:{translation.get_language()}:{digest}"


def _private(response):
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])  # the language comes from a cookie
    return response


@require_safe
def catalog(request):
    query = _query(request)

    def build() -> str:
        form = CatalogSearchForm({name: value for name, value in query.items() if name in FILTER_NAMES})
        filters = form.filters()
        page = public_catalog(filters, page=query.get("page"), per_page=PAGE_SIZE)
        kept = {name: value for name, value in query.items() if name in FILTER_NAMES}

        def page_url(number: int) -> str:
            return "?" + urlencode({**kept, "page": number})

        return render_to_string("catalog/_list.html", {
            "form": form, "page": page, "filtered": bool(kept),
            "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
            "next_url": page_url(page.next_page_number()) if page.has_next() else "",
        })

    body = _cached(_cache_key("list", urlencode(sorted(query.items()))), build)
    return _private(render(request, "catalog/list.html", {"body": body}))


@require_safe
def outlet(request, pk: int):
    if pk > MAX_ID:  # PostgreSQL would refuse to compare it with a bigint: an error, not a 404
        return _private(render(request, "catalog/not_found.html", status=404))

    def build():
        found = public_outlet(pk)
        if found is None:
            return None
        return found.name, render_to_string("catalog/_outlet.html", {"outlet": found})

    page = _cached(_cache_key("outlet", str(pk)), build)
    if page is None:
        return _private(render(request, "catalog/not_found.html", status=404))
    name, body = page
    return _private(render(request, "catalog/outlet.html", {"name": name, "body": body}))
