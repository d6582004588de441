"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "wallet.link.create": "an agent made a one-time link to put a card in the holder's phone (never the link)",
    "wallet.link.claim": "a phone took a card through its one-time link (never an address or a device)",
    "wallet.link.purge": "the hourly job deleted the one-time links that were used or had expired",
}
