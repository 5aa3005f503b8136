"""/transparency/: where the media money went, per agency and year, for anyone, without an account
(issue 10, items 7 and 8; docs/domain.md "Transparency").

The page shows public information only (UU 14/2008): the budget and its revisions, what was ordered and
paid, what was spent outside the e-catalog by kind (so the total is the whole total), spend per outlet
(the outlet's name and amounts, never a person's name, phone, e-mail or a company's NPWP), how evenly
the year's orders went to the outlets of the e-catalog (budgets.selectors.fair_distribution) and the
chart of budget against spend by year. The agency and the year are chosen with plain links
(?agency=<slug>&year=<year>); without them, the first agency and its latest year with a budget.

Caching, as the public e-catalog (catalog.public), with one difference: the money must show at once.
The agency list and the agency's budgets are read on every request (two small queries); the rest of
the page (revisions, spend per outlet, the fair-distribution figures and the outlets without orders,
three to four more queries over every order of the year and every listed outlet) is rendered once and
kept in the cache under a key that includes each budget's amounts, revision count and last change
(``Budget.updated_at``, which every service that places, pays or cancels an order, records or cancels spend
outside the catalog, revises a budget or switches its policy moves). So a new order, payment, cancellation,
entry of other spend, revision or policy decision makes a new key and shows on the next visit, without any
service knowing about this page. What the key does
not follow (an outlet listed or suspended, renamed) shows within CACHE_SECONDS, as in the e-catalog.
The language switch in the header carries the visitor's CSRF token, so the response is private; with
the cache down the page is rendered every time (logged), never an error.
"""

from __future__ import annotations

import hashlib
import logging

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from mediareg.cache import cached

from .charts import year_chart
from .models import Agency, Budget
from .selectors import agency_years, budget_revisions, fair_distribution, other_spend_by_kind

logger = logging.getLogger(__name__)

# How long a rendered page is kept: the longest a listing change (not a money change) waits to show.
CACHE_SECONDS = 120
# The listed outlets that received nothing are named up to this many (the rest are counted): a province's
# e-catalog may hold thousands.
WITHOUT_ORDERS_SHOWN = 300


def _private(response):
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])  # the language comes from a cookie
    return response


def _cached(key: str, build) -> str:
    return cached(key, build, seconds=CACHE_SECONDS, what="transparency page")


def _cache_key(agencies: list[Agency], agency: Agency, budgets: list[Budget], year: int) -> str:
    """Everything the page shows that can change through a service is in the key (see the module's note)."""
    parts = [translation.get_language() or "", str(timezone.localdate()), str(agency.pk), str(year)]
    parts += [f"{a.pk}:{a.slug}:{a}" for a in agencies]
    parts += [f"{b.pk}:{b.year}:{b.updated_at.isoformat()}:{b.original_amount}:{b.current_amount}:"
              f"{b.ordered_amount}:{b.paid_amount}:{b.other_spent_amount}:{b.spending_allowed}:{b.revision_count}"
              for b in budgets]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"mediareg:transparency:{digest}"


def _chosen(request, agencies: list[Agency]) -> Agency | None:
    slug = request.GET.get("agency", "").strip()
    if not slug:
        return agencies[0]
    return next((a for a in agencies if a.slug == slug), None)


def _not_found(request, agencies):
    return _private(render(request, "budgets/transparency_not_found.html", {"agencies": agencies}, status=404))


@require_safe
def transparency(request):
    agencies = list(Agency.objects.order_by("name"))
    if not agencies:
        return _private(render(request, "budgets/transparency.html", {"body": ""}))
    agency = _chosen(request, agencies)
    if agency is None:
        return _not_found(request, agencies)
    budgets = agency_years(agency)
    requested = request.GET.get("year", "").strip()
    if requested:
        budget = next((b for b in budgets if str(b.year) == requested), None)
        if budget is None:
            return _not_found(request, agencies)
    else:
        budget = budgets[-1] if budgets else None
    year = budget.year if budget else 0

    def build() -> str:
        fair = fair_distribution(agency, year, without_orders_rows=WITHOUT_ORDERS_SHOWN) if budget else None
        return render_to_string("budgets/_transparency.html", {
            "agencies": agencies, "agency": agency, "budgets": list(reversed(budgets)), "budget": budget,
            "revisions": list(budget_revisions(budget)) if budget else [],
            "fair": fair,
            # Read only when there is some (one query); the figure is on the budget row, so in the key.
            "other_spend": other_spend_by_kind(budget) if budget and budget.other_spent_amount else [],
            "without_orders_more": fair.listed_without_orders_count - len(fair.listed_without_orders) if fair else 0,
            "chart": year_chart(budgets),
        })

    body = _cached(_cache_key(agencies, agency, budgets, year), build)
    return _private(render(request, "budgets/transparency.html", {"body": body, "agency": agency, "year": year}))
