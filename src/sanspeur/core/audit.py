"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "vault.rewrap": "data keys were re-wrapped with a new master key",
}
