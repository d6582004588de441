"""Haitian Creole: day-month-year and a 24-hour clock, as in Haiti and Québec.

Without this module Django falls back to its English defaults ("Dec. 7, 2026", "12/07/2026",
"2:30 p.m."), which read as the wrong day to a Haitian Creole speaker.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3

# The project's own names (every module of sanspeur.formats defines them).
LONG_DATE_FORMAT = "l j F Y"
DAY_MONTH_FORMAT = "l j F"
DAY_MONTH_TIME_FORMAT = "l j F, H:i"
ISO_DATE_FORMAT = "Y-m-d"
FIRST_DAY = "1"
LIST_SEPARATOR = ", "
RANGE_SEPARATOR = "–"
PERCENT_FORMAT = "{}\xa0%"
