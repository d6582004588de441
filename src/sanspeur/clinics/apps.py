from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "sanspeur.clinics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sanspeur.core.privacy import register_text_scrubber

        from .codes import scrub_codes

        register_text_scrubber(scrub_codes)  # a booking code written anywhere in a log line
        register_translatable()


def register_translatable() -> None:
    """Upcoming published events join the translation queue (directory/translations.py)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    from sanspeur.directory.translations import Kind, register

    def upcoming():
        from .models import Event

        return Event.objects.filter(is_published=True, date__gte=timezone.localdate())

    register(
        Kind(
            key="event",
            label=_("Clinic"),
            model="clinics.Event",
            fields={"title": _("Title"), "place": _("Where exactly")},
            public=upcoming,
            title_field="title",
            public_url=lambda event: reverse("clinics:event_detail", args=[event.pk]),
        )
    )
