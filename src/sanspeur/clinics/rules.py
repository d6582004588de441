"""The document pre-check: which of the card's rules the *kinds* of documents a person ticks meet.

Nothing is stored: the view passes the ticked kinds in, renders the result and forgets it. The
rules are the desk's own — the document types administrators accept at ``cards:rules``, with their
points, and the thresholds — read through ``sanspeur.cards.selectors.document_rules``; this module
only turns the cards app's answer into sentences for the public.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sanspeur.cards.selectors import DocumentRules, RulesCheck, document_rules

# The unmet rules ``RulesCheck.missing`` names, as advice to a person (what to bring).
MISSING_MESSAGES = {
    "photo": _("a document with your photo (for example a passport, even expired)"),
    "birth_date": _("a document showing your date of birth (for example a birth certificate)"),
    "identity": _("more identity documents: any document from the identity list adds points"),
    "residence": _("a proof of address in Montréal (a letter from a shelter or a partner organisation is accepted)"),
}


def active_rules(language: str | None = None) -> DocumentRules:
    """The card's current rules, document names in ``language``."""
    return document_rules(language=language)


def evaluate(codes, rules: DocumentRules) -> RulesCheck:
    """Which rules the ticked document kinds meet; ``missing_messages`` says what to bring."""
    return rules.check(codes)


def missing_messages(result: RulesCheck) -> list:
    return [MISSING_MESSAGES[name] for name in result.missing]
