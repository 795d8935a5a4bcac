"""The agency's limits (agency.limits): read from settings when asked, one rule per limit."""

import pytest

from agency import limits


@pytest.mark.parametrize(
    ("shops_served", "takes_another"), [(0, True), (1, True), (2, True), (3, False), (4, False)]
)
def test_seat_takes_another_shop_up_to_the_limit(shops_served, takes_another):
    # A seat serves at most 3 shops at once (DOMAIN.md): with 2 it takes a third, with 3 none.
    assert limits.seat_takes_another_shop(shops_served) is takes_another


def test_seat_takes_another_shop_follows_the_setting(settings):
    settings.AGENCY = {**settings.AGENCY, "MAX_SHOPS_PER_SEAT": 1}
    assert limits.max_shops_per_seat() == 1
    assert limits.seat_takes_another_shop(0)
    assert not limits.seat_takes_another_shop(1)


def test_limits_are_read_when_asked(settings):
    assert (
        limits.max_shops_per_seat(),
        limits.seat_peak_inquiries(),
        limits.capacity_history_days(),
    ) == (3, 600, 28)
    settings.AGENCY = {
        **settings.AGENCY,
        "SEAT_PEAK_INQUIRIES": 500,
        "CAPACITY_HISTORY_DAYS": 14,
    }
    assert (limits.seat_peak_inquiries(), limits.capacity_history_days()) == (500, 14)
