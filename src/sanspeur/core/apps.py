from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sanspeur.core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django has no built-in entry for Haitian Creole; register it so language tags work.
        from django.conf import settings
        from django.conf.locale import LANG_INFO

        for code, info in settings.EXTRA_LANG_INFO.items():
            LANG_INFO.setdefault(code, info)

        from django.core import checks

        from .checks import unknown_environment_variables

        checks.register(unknown_environment_variables)
