"""The link to an outlet's price list (budgets.price_list) on the catalog's renewal and status pages.

A template tag, so that the catalog's templates can offer the page while the catalog's code never imports
budgets (docs/architecture.md): the rule of who has a price list (budgets.services.prices.PRICE_LIST_STATES)
stays here.

    {% load price_list %}{% price_list_url outlet token=token as prices_url %}
    {% price_list_url application.outlet code=application.code as prices_url %}
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from ..services.prices import PRICE_LIST_STATES

register = template.Library()


@register.simple_tag
def price_list_url(outlet, *, token: str = "", code: str = "") -> str:
    """The address of the outlet's price-list page through the given key, or "" when the outlet is not in
    the e-catalog (listed or suspended), so the page offers no link."""
    try:
        state = outlet.listing.state  # selected with the outlet on the status page; one query on the renewal page
    except (AttributeError, ObjectDoesNotExist):
        return ""
    if state not in PRICE_LIST_STATES:
        return ""
    if token:
        return reverse("renewal-prices", args=[token])
    if code:
        return reverse("application-prices", args=[code])
    return ""
