from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "sanspeur.cards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sanspeur.core import vault

        from .services import holders_reindex

        vault.register_identity_index("cards.holder", holders_reindex)
