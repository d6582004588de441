"""Interface text of the verifier, served to the browser in every language at once
(config.json) so that the clerk can switch language offline. ``{name}`` placeholders are
filled in by the JavaScript."""

from django.utils.translation import gettext_lazy as _

from sanspeur.outside_requests.charter import CURRENT_VERSION as CHARTER_VERSION
from sanspeur.outside_requests.charter import rules as charter_rules

UI_STRINGS = {
    "title": _("Card verifier"),
    "intro": _("Check a Sans peur card. Nothing you scan leaves this device."),
    "privacy": _("Nothing is recorded or sent. The result disappears when you press Done."),
    "service_point": _("Service point"),
    "language": _("Language"),
    "scan_heading": _("Read a card"),
    "scan_camera": _("Scan with the camera"),
    "stop_camera": _("Stop the camera"),
    "camera_hint": _("Point the camera at the QR code on the card."),
    "move_closer": _("Move the phone closer to the code."),
    "move_farther": _("Move the phone a little farther: the whole code must be in view."),
    "hold_still": _("Hold still: the code is almost readable."),
    "torch_on": _("Turn on the light"),
    "torch_off": _("Turn off the light"),
    "no_camera": _("No camera is available. Use a photo of the code or type it."),
    "upload_photo": _("Photo of the QR code"),
    "no_code_found": _("No QR code was found in this photo. Try again closer and in good light."),
    "paste_label": _("Or type or paste the code (it starts with MTL1:)"),
    "verify_button": _("Check the card"),
    "result_heading": _("Result"),
    "valid": _("VALID"),
    "not_valid": _("NOT VALID"),
    "reason_valid": _("The card is authentic and in good standing."),
    "reason_malformed": _("This is not a readable Sans peur card code. Try scanning it again."),
    # A scan or a box that gave nothing checkable: neutral, never "not valid" (verdict.js).
    "unreadable": _("COULD NOT READ"),
    "reason_unreadable": _("No card code was read. This says nothing about the card or about the person."),
    "what_to_do_unreadable": _(
        "Try again: scan the code closer and in good light, or type the code printed on the card. If it still "
        "cannot be read, accept other proof as you usually do: never turn someone away because a code could "
        "not be read."
    ),
    "try_again": _("Try again"),
    # A card code read, but this device cannot finish the check: a problem of the device.
    "cannot_confirm": _("CANNOT CONFIRM"),
    "reason_no_trust_list": _("This device has not downloaded the list of trusted keys yet: it cannot check cards."),
    "what_to_do_cannot_confirm": _(
        "This is a problem with this device, not with the card. Connect to the Internet and check again. "
        "Meanwhile, serve the person as you usually do."
    ),
    "reason_unknown_issuer": _("This card was not issued by a key that this verifier trusts."),
    "reason_bad_signature": _("The card's data does not match its signature: it has been altered or is not genuine."),
    "reason_expired": _("The card has expired."),
    "reason_not_yet_valid": _("The card is not valid yet."),
    "reason_revoked": _("The card has been revoked."),
    "reason_suspended": _("The card is suspended for now."),
    "reason_status_list_stale": _(
        "The card's status could not be confirmed: connect this device to the Internet to update its lists."
    ),
    "what_to_do_valid": _("Compare the photo with the person."),
    "what_to_do_not_valid": _(
        "Do not ask about the person's status. Politely suggest they contact 311 or a Sans peur office."
    ),
    # What to do for each "not valid" reason: never a reason to refuse a service the person can
    # get without a card, never a question about status.
    "what_to_do_expired": _(
        "The card has expired: the person can renew it at a Sans peur office. Today, serve them as you would "
        "serve anyone without a card. Do not keep the card."
    ),
    "what_to_do_not_yet_valid": _(
        "Check the date and time of this device: a wrong clock gives this result. If they are right, serve the "
        "person as you would serve anyone without a card."
    ),
    "what_to_do_revoked": _(
        "Do not keep the card and do not ask about the person's status. They can ask a Sans peur office or 311 "
        "about it. Serve them as you would serve anyone without a card."
    ),
    "what_to_do_suspended": _(
        "Do not keep the card and do not ask about the person's status. They can ask a Sans peur office or 311 "
        "about it. Serve them as you would serve anyone without a card."
    ),
    "what_to_do_bad_signature": _(
        "The card may be damaged or come from another programme. Do not accuse the person and do not keep the "
        "card. Serve them as you would serve anyone without a card, and suggest they contact a Sans peur office "
        "or 311."
    ),
    "what_to_do_unknown_issuer": _(
        "The card may be damaged or come from another programme. Do not accuse the person and do not keep the "
        "card. Serve them as you would serve anyone without a card, and suggest they contact a Sans peur office "
        "or 311."
    ),
    "warning_status_list_old": _("The lists are older than recommended: update them when you are online."),
    "field_photo": _("Photo on the card"),
    "field_names": _("Name"),
    "field_expiry": _("Valid until"),
    "field_resident": _("Resident of Montréal"),
    "field_borough": _("Borough"),
    "field_age_18": _("18 or older"),
    "field_date_of_birth": _("Date of birth"),
    "yes": _("Yes"),
    "no": _("No"),
    "done": _("Done (clear the result)"),
    "tally": _("Cards checked today on this device: {count}"),
    "tally_reset": _("Reset the count"),
    "lists_heading": _("Saved lists"),
    "trust_list_age": _("Trusted keys: issued {age} ago"),
    "status_list_age": _("Card statuses: issued {age} ago"),
    "lists_missing": _("The lists are not downloaded yet: connect to the Internet once."),
    "online": _("Online: lists update automatically."),
    "offline": _("Offline: using the saved lists."),
    "age_minutes": _("{n} min"),
    "age_hours": _("{n} h"),
    "age_days": _("{n} days"),
    "install_hint": _("Add this page to your home screen to use it without the Internet."),
    # Shown on first use (and after a new version of the charter): the three rules of the charter
    # the service point signed, whose texts live with the charter (outside_requests/charter.py).
    "charter_heading": _("Before you check a card: the sans peur charter"),
    "charter_rule_1": charter_rules()[0],
    "charter_rule_2": charter_rules()[1],
    "charter_rule_3": charter_rules()[2],
    "charter_ok": _("I will follow these rules"),
}

__all__ = ["CHARTER_VERSION", "UI_STRINGS"]
