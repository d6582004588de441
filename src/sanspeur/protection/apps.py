from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "sanspeur.protection"
    default_auto_field = "django.db.models.BigAutoField"
