"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "directory.import": "an HSDS package was imported",
    "proposal.create": "a change to a directory entry was proposed",
    "proposal.publish": "a proposed change was published",
    "proposal.reject": "a proposed change was rejected",
    "service.mark_verified": "an editor confirmed a service's entry is up to date (old and new dates)",
    "service.publish_version": "a new version of a service was published (fields changed, proposal or import)",
    "service.reindex": "a service's search index was rebuilt",
    "translation.save": (
        "a translator published a translation of one public text (kind, field, language, and whether it was "
        "missing, stale or current; never the text)"
    ),
}
