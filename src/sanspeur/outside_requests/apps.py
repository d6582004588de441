from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutsideRequestsConfig(AppConfig):
    """Accountability: the register of outside requests for data (legal review, "what we hold",
    transparency counts) and residents' reports of a service point that asked their status or
    refused the card (docs/outside-requests.md)."""

    name = "sanspeur.outside_requests"
    verbose_name = _("Outside requests and refusal reports")
    default_auto_field = "django.db.models.BigAutoField"
