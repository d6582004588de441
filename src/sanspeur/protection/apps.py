from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "sanspeur.protection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sanspeur.core.privacy import register_text_scrubber

        from .crypto import scrub_codenames

        register_text_scrubber(scrub_codenames)  # a codename written anywhere in a log line
