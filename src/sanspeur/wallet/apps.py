from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "sanspeur.wallet"
    default_auto_field = "django.db.models.BigAutoField"
