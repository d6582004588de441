"""French (Québec): the project's formats; what is not here comes from Django's ``fr`` module.

Names in capitals ending in ``_FORMAT`` are used through the ``date`` and ``time`` filters
(``{{ d|date:"LONG_DATE_FORMAT" }}``); the others through ``sanspeur.core.formats``. Every module
of this package defines the same names (tests/core/test_formats.py).
"""

TIME_FORMAT = "G\xa0\\h\xa0i"  # 13 h 50 (Office québécois de la langue française)
LONG_DATE_FORMAT = "l j F Y"  # lundi 1er décembre 2026 (ordinal: FIRST_DAY)
DAY_MONTH_FORMAT = "l j F"
DAY_MONTH_TIME_FORMAT = "l j F, G\xa0\\h\xa0i"
ISO_DATE_FORMAT = "Y-m-d"
FIRST_DAY = "1er"  # the first of the month is an ordinal in French
LIST_SEPARATOR = ", "
RANGE_SEPARATOR = "–"
PERCENT_FORMAT = "{}\xa0%"
