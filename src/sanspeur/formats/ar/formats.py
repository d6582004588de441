"""Arabic: the project's formats; the rest comes from Django's ``ar`` module.

A 24-hour clock (Django's ``g:i A`` prints the Latin "AM/PM" in an Arabic sentence), the Arabic
comma between list items and the Arabic decimal separator. Times, ranges and codes are isolated
left-to-right by the templates (``sanspeur.core.formats``, docs/design.md).
"""

TIME_FORMAT = "H:i"
LONG_DATE_FORMAT = "l j F Y"
DAY_MONTH_FORMAT = "l j F"
DAY_MONTH_TIME_FORMAT = "l j F، H:i"
ISO_DATE_FORMAT = "Y-m-d"
FIRST_DAY = "1"
LIST_SEPARATOR = "، "
RANGE_SEPARATOR = "–"
PERCENT_FORMAT = "{}\xa0%"
