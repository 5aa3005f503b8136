"""``{% staff_home as home %}``: the staff home's panels for the signed-in user (catalog/admin/home.py),
for templates/admin/index.html."""

from django import template

from ..admin.home import staff_home_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_home(context):
    return staff_home_panels(context["request"].user)
