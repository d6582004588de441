"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "vault.rewrap": "data keys were re-wrapped with a new master key",
    "vault.master_key.rotate": "a new master key was written to the key file and made current",
    "vault.master_key.retire": "old master keys that wrapped no data key any more were removed from the key file",
}
