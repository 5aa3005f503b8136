from django import template

from mediareg.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount):
    """{{ budget.amount|rupiah }} -> Rp 5.000.000.000"""
    return format_rupiah(amount)
