"""``{% visible_reports as reports %}``: the reports the signed-in user may take out (mediareg.reports), for the
link from the staff home to /reports/. No query of its own: the permissions are the user's cached ones."""

from django import template

from ..reports import visible_reports as reports_of

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_reports(context):
    return reports_of(context["request"].user)
