from django import template

register = template.Library()


@register.simple_tag
def outcome_figures(series, unit_id):
    """The outcome figures of one police service, from ``selectors.outcome_series()``."""
    return series.get(unit_id, []) if isinstance(series, dict) else list(series or [])
