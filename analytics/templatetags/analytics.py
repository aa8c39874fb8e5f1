"""Template filters for the analytics pages."""

from django import template

from analytics.charts import percent as _percent

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.4567 -> "45.7%"; None (not a quiz) -> an en dash."""
    return "\u2013" if value is None else _percent(value)
