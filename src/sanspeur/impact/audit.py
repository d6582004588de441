"""The audit actions of this app (core/actions.py). Entries carry codes and parameters (indicator,
period, ε), never a count that was not published."""

ACTIONS = {
    "impact.release.prepare": "a statistician prepared a release (privacy budget spent)",
    "impact.release.approve": "a second person approved a release, which published it",
    "impact.release.discard": "a draft release was discarded (its budget stays spent)",
    "impact.budget.set": "a yearly privacy budget was set for a privacy unit",
}
