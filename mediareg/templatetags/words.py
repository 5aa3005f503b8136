"""Values in words of the chosen language in templates: ``{% load words %}{{ row.actor|actor }}``."""

from django import template

from mediareg.display import actor_display

register = template.Library()


@register.filter
def actor(value):
    """"system:seed_demo" → "Demo data (system)" (mediareg.display.actor_display)."""
    return actor_display(value)
