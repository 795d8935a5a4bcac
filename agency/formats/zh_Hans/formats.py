"""简体中文: the rule of ``agency.formats`` (ISO dates, 2026年11月, grouped money)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "m-d"
DECIMAL_SEPARATOR = "."
# Django's own Chinese formats define none, which would drop the grouping of amounts.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
