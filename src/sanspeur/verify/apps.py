from django.apps import AppConfig


class VerifyConfig(AppConfig):
    name = "sanspeur.verify"
    default_auto_field = "django.db.models.BigAutoField"
