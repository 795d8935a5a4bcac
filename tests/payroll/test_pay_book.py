"""The pay book's versions (DOMAIN.md, "Agent pay": editable, audited, effective from a month):
saving, validation, locked months and the readable history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.errors import NotPermitted, StateConflict
from payroll import defaults
from payroll.models import PayBook, PayrollMonth
from payroll.selectors import pay_book_changes, pay_book_for, pay_book_list
from payroll.services.pay_book import first_open_month, pay_book_save
from tests.factories import UserFactory

D = Decimal
SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
MOVE_FIVE = {"weight_sales": 20, "weight_quality": 20}  # still 100 in all


def test_a_month_without_a_version_uses_the_documented_defaults(db):
    book = pay_book_for(OCT)
    assert book.pk is None
    assert book.weights == defaults.WEIGHTS
    assert book.targets == defaults.TARGETS
    assert book.grade_floors == defaults.GRADE_FLOORS
    assert sum(book.weights.values()) == 100


def test_saving_a_month_creates_its_version_from_the_book_in_force(manager):
    pay_book_save(effective_from=SEP, data={"gold_bonus": D("600.00")}, actor=manager)
    book = pay_book_save(effective_from=dt.date(2026, 10, 17), data=MOVE_FIVE, actor=manager)
    assert book.effective_from == OCT
    assert book.gold_bonus == D("600.00")  # inherited from September's version
    assert book.weight_sales == 20 and book.weight_quality == 20
    assert book.changed_by == manager
    assert pay_book_for(dt.date(2026, 12, 1)) == book
    assert pay_book_for(SEP).gold_bonus == D("600.00")
    assert [version.effective_from for version in pay_book_list()] == [OCT, SEP]


def test_saving_a_month_that_has_a_version_changes_it(manager):
    first = pay_book_save(effective_from=OCT, data=MOVE_FIVE, actor=manager)
    again = pay_book_save(effective_from=OCT, data={"cover_allowance": D("80")}, actor=manager)
    assert again.pk == first.pk
    assert PayBook.objects.count() == 1
    assert again.cover_allowance == D("80") and again.weight_sales == 20


def test_the_weights_must_total_100_and_the_error_names_the_total(manager):
    with pytest.raises(ValidationError) as caught:
        pay_book_save(effective_from=OCT, data={"weight_sales": 30}, actor=manager)
    assert caught.value.message_dict == {
        "weights": ["The weights add up to 105; they must total 100."]
    }
    assert not PayBook.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"gold_from": D("90.00")}, "gold_from"),  # not above silver
        ({"silver_from": D("79.00")}, "silver_from"),  # not above bronze
        ({"gold_from": D("101")}, "gold_from"),
        ({"bronze_from": D("-1")}, "bronze_from"),
        ({"target_sales": D("-1")}, "target_sales"),
        ({"commission_rate": D("0.25")}, "commission_rate"),
        ({"gold_bonus": D("-5")}, "gold_bonus"),
    ],
)
def test_grades_targets_and_rate_are_checked_field_by_field(manager, data, field):
    with pytest.raises(ValidationError) as caught:
        pay_book_save(effective_from=OCT, data=data, actor=manager)
    assert field in caught.value.message_dict


def test_unknown_fields_are_refused(manager):
    with pytest.raises(ValidationError) as caught:
        pay_book_save(effective_from=OCT, data={"effective_to": OCT}, actor=manager)
    assert "effective_to" in caught.value.message_dict


def test_only_managers_save_the_pay_book(db):
    with pytest.raises(NotPermitted):
        pay_book_save(effective_from=OCT, data={}, actor=UserFactory())


def _approve(month: dt.date) -> None:
    PayrollMonth.objects.create(month=month, approved_at=timezone.now())


def test_an_approved_month_and_the_months_before_it_are_locked(manager):
    _approve(OCT)
    for month in (OCT, SEP):
        with pytest.raises(StateConflict) as caught:
            pay_book_save(effective_from=month, data=MOVE_FIVE, actor=manager)
        assert caught.value.message == "2026-10 is approved; changes apply from 2026-11 on."
        assert caught.value.status_code == 409
        assert "effective_from" in caught.value.extra
    assert first_open_month() == NOV
    assert pay_book_save(effective_from=NOV, data=MOVE_FIVE, actor=manager).effective_from == NOV


def test_a_past_month_that_is_not_approved_may_still_change(manager):
    PayrollMonth.objects.create(month=SEP)  # a draft, not approved
    book = pay_book_save(effective_from=SEP, data=MOVE_FIVE, actor=manager)
    assert book.effective_from == SEP


def test_the_history_says_who_changed_what_and_when(manager):
    other = UserFactory(username="boss", is_staff=True)
    pay_book_save(effective_from=OCT, data=MOVE_FIVE, actor=manager)
    pay_book_save(effective_from=OCT, data={"weight_sales": 25, "weight_quality": 15}, actor=other)
    latest, created = pay_book_changes(limit=10)
    assert latest.user == "boss"
    assert latest.effective_from == OCT
    assert not latest.created
    assert [(name, before, after) for name, _, before, after in latest.changes] == [
        ("weight_sales", "20", "25"),
        ("weight_quality", "20", "15"),
    ]
    assert created.created and created.user == "manager"
    assert all(before is None for _, _, before, _ in created.changes)
    assert ("weight_sales", "weight: attributed sales") in {
        (name, label) for name, label, _, _ in latest.changes
    }


def test_the_history_costs_two_queries(manager, django_assert_max_num_queries):
    for cover in range(1, 8):
        pay_book_save(effective_from=OCT, data={"cover_allowance": D(cover)}, actor=manager)
    with django_assert_max_num_queries(2):
        changes = pay_book_changes(limit=3)
    assert len(changes) == 3
    assert all(change.changes for change in changes)
