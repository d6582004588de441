from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training of police and city staff on access without fear: units and headcounts, versioned
    courses, sessions with check-in, completions that expire, coverage against targets, and the
    outcome the training should change (docs/training.md)."""

    name = "sanspeur.training"
    verbose_name = _("Training")
    default_auto_field = "django.db.models.BigAutoField"
