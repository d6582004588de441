"""Interface text of the holder app ("My card"), put in the page in every language at once so
that the resident can switch language offline (like the verifier's strings.py). ``{name}``
placeholders are filled in by the JavaScript. The pass's labels are at the end."""

from django.utils.translation import gettext_lazy as _

UI_STRINGS = {
    "title": _("My card"),
    "language": _("Language"),
    "intro": _("Your Sans peur card, in this phone. It works without the Internet."),
    "empty_heading": _("No card in this phone yet"),
    "empty_text": _(
        "At a Sans peur desk, ask the agent to show the code for your phone, then scan it with this phone's camera."
    ),
    "claiming": _("Getting your card…"),
    "claim_failed": _(
        "This link can no longer be used: it works once, for a few minutes. Ask the agent for a new one."
    ),
    "claim_offline": _("No connection. Open the link again when this phone is online."),
    "claim_saved": _("Your card is now in this phone."),
    "card_heading": _("Your card"),
    "photo_alt": _("Photo on the card"),
    "field_names": _("Name"),
    "field_expiry": _("Valid until"),
    "field_number": _("Card number"),
    "field_resident": _("Resident of {city}"),
    "expired": _("This card has expired. Ask at a Sans peur desk to renew it: the agent will give you a new link."),
    "show_code": _("Show the code"),
    "show_code_hint": _("Show this code to the person who checks the card."),
    "brightness": _("Turn your screen brightness all the way up. This page cannot do it for you."),
    "close": _("Close"),
    "wallet_pass": _("Add to Apple Wallet"),
    "wallet_pass_hint": _("The pass carries the same code. It was saved with your card and never calls a server."),
    "pin_heading": _("PIN"),
    "pin_enter": _("Enter your PIN to see your card"),
    "pin_label": _("PIN (4 to 8 digits)"),
    "pin_unlock": _("Unlock"),
    "pin_wrong": _("Wrong PIN."),
    "pin_set": _("Set a PIN"),
    "pin_change": _("Change the PIN"),
    "pin_remove": _("Remove the PIN"),
    "pin_invalid": _("The PIN must be 4 to 8 digits."),
    "pin_saved": _("The PIN is saved."),
    "pin_removed": _("The PIN is removed."),
    "pin_note": _(
        "The PIN hides the card from someone who picks up your phone. It does not encrypt it: "
        "a person who can open this phone's storage can still read the card."
    ),
    "lock": _("Lock"),
    "renew_heading": _("Renewal and lost phone"),
    "renew_text": _(
        "When your card is renewed at the desk, the agent gives you a new link: scan it and this phone "
        "replaces the old card. If you lose this phone, tell a Sans peur desk: the agent suspends the card."
    ),
    "remove_card": _("Remove the card from this phone"),
    "remove_confirm": _("Remove the card from this phone? You will need a new link from the desk to put it back."),
    "removed": _("The card was removed from this phone."),
    "privacy": _(
        "Your card stays in this phone. This app sends nothing to anyone: "
        "it only goes online to take a card from a link the agent gave you."
    ),
    "install_hint": _("Add this page to your home screen to open your card without the Internet."),
}

PASS_STRINGS = {
    "pass_description": _("Sans peur card"),
    "label_name": _("Name"),
    "label_expires": _("Valid until"),
    "label_resident": _("Resident of"),
    "label_number": _("Card number"),
    "label_about": _("About this pass"),
    "back_about": _(
        "The QR code is the same signed code as on your printed card. "
        "This pass never contacts any server. If you lose your phone, tell a Sans peur desk."
    ),
}
