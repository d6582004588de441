"""The "sans peur" charter a service point signs: three rules, versioned. A signature names the
organisation, who signed and when, and the version; a new version asks every organisation to sign
again (the old signature stays in the record)."""

from django.utils.translation import gettext_lazy as _

CURRENT_VERSION = 1

RULES = {
    1: (
        _("We never ask anyone about their immigration status, and we never note it."),
        _("We accept the city card as proof of identity and of residence in the city."),
        _(
            "We never call the police or the border agency because of someone's status, and we give no one's "
            "data to them without an order signed by a judge."
        ),
    ),
}


def rules(version: int = CURRENT_VERSION) -> tuple:
    return RULES[version]
