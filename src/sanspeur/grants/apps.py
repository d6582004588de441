from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    """The community funding program: calls, applicant organisations and their applications,
    reviews with conflict-of-interest declarations, decisions within the envelope (docs/grants.md)."""

    name = "sanspeur.grants"
    verbose_name = _("Community funding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import indicators

        indicators.register()  # the program's figures in the impact catalogue (impact/catalogue.py)
