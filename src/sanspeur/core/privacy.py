"""Small guards that keep the public's traces out of the system."""

import logging
import re

_QUERY = re.compile(r"\?\S*")


def no_client_ip(request) -> None:
    """Used by django-axes: lockouts are per account; no address is ever recorded."""
    return None


class ScrubPersonalDataFilter(logging.Filter):
    """Strip query strings and the request object from log records (they can carry codes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        if record.args:
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        return True
