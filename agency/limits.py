"""The agency's operating limits (``settings.AGENCY``) and the rules that compare against them.

Each limit is read when asked, never at import, so a deployment's environment and a test's
``settings`` override both apply. A rule that several apps enforce lives here once, in the
lowest layer they share, so the service that refuses and the page that advises cannot disagree.
"""

from django.conf import settings


def max_shops_per_seat() -> int:
    """How many shops one seat serves at once at most (3)."""
    return settings.AGENCY["MAX_SHOPS_PER_SEAT"]


def seat_peak_inquiries() -> int:
    """The daily inquiries one seat carries at its peak (600)."""
    return settings.AGENCY["SEAT_PEAK_INQUIRIES"]


def capacity_history_days() -> int:
    """How many days of workloads before a date capacity planning averages (28)."""
    return settings.AGENCY["CAPACITY_HISTORY_DAYS"]


def seat_takes_another_shop(shops_served: int) -> bool:
    """Whether a seat already serving ``shops_served`` other shops on its busiest day may take
    one more: a seat serves at most ``max_shops_per_seat()`` (3) shops at once."""
    return shops_served < max_shops_per_seat()


def overload_alert_window_days() -> int:
    """How many days, ending with the day rolled up, a load alert counts (14)."""
    return settings.AGENCY["OVERLOAD_ALERT_WINDOW_DAYS"]


def overload_alert_days() -> int:
    """How many overloaded days in that window make an agent worth an alert (3); the alert is
    sent again each time the count grows by as many days."""
    return settings.AGENCY["OVERLOAD_ALERT_DAYS"]
