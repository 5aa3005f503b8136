"""How the public budget pages show fractions and indices, in the page's language (Indonesian "33,3%",
English "33.3%"); rupiah amounts use mediareg's ``rupiah`` filter."""

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def percent(fraction):
    """0.3333 -> "33,3%" (id) or "33.3%" (en); nothing to show (None) -> "—"."""
    if fraction is None or fraction == "":
        return "—"
    return f"{formats.number_format(round(fraction * 100, 1), 1)}%"


@register.filter
def grouped(number):
    """3400 -> "3.400" (id) or "3,400" (en): an index or a count with the language's thousands separator."""
    if number is None or number == "":
        return "—"
    return formats.number_format(number, 0, force_grouping=True)


@register.filter
def equal_shares(hhi):
    """How many outlets with equal shares give this Herfindahl–Hirschman index (10,000 ÷ HHI), to one decimal."""
    if not hhi:
        return "—"
    return formats.number_format(round(10_000 / hhi, 1), 1)
