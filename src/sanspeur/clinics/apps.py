from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "sanspeur.clinics"
    default_auto_field = "django.db.models.BigAutoField"
