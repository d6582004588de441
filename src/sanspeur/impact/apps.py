from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    """Reported impact without exposing anyone: a catalogue of indicators, a privacy-budget ledger,
    releases approved by two people and frozen once published, a public dashboard and open data
    (docs/impact.md)."""

    name = "sanspeur.impact"
    verbose_name = _("Reported impact")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import sources

        sources.register_builtin()
