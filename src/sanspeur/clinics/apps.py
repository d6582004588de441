from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "sanspeur.clinics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sanspeur.core.privacy import register_text_scrubber

        from .codes import scrub_codes

        register_text_scrubber(scrub_codes)  # a booking code written anywhere in a log line
