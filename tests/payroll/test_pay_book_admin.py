"""The pay book in the admin: saves go through the service, history is kept, locked months are
read-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payroll.models import PayBook, PayrollMonth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _form(**overrides) -> dict:
    book = PayBook(effective_from=dt.date(2026, 11, 1))
    data = {field.name: getattr(book, field.name) for field in PayBook._meta.concrete_fields}
    data = {
        name: value
        for name, value in data.items()
        if name not in ("id", "created_at", "updated_at", "changed_by")
    }
    data.update(effective_from="2026-11-01", note="")
    data.update(overrides)
    return data


def test_adding_a_version_in_the_admin_records_who_did_it(admin):
    response = admin.post(
        reverse("admin:payroll_paybook_add"), _form(weight_sales=20, weight_quality=20)
    )
    assert response.status_code == 302, response.content[:2000]
    book = PayBook.objects.get()
    assert book.changed_by.username == "root"
    assert book.history.get().history_user.username == "root"
    assert admin.get(reverse("admin:payroll_paybook_history", args=[book.pk])).status_code == 200


def test_the_admin_refuses_weights_that_do_not_total_100(admin):
    response = admin.post(reverse("admin:payroll_paybook_add"), _form(weight_sales=40))
    assert response.status_code == 200
    assert "The weights add up to 115; they must total 100." in response.content.decode()
    assert not PayBook.objects.exists()


def test_a_version_of_an_approved_month_is_read_only(admin):
    book = PayBook.objects.create(effective_from=dt.date(2026, 9, 1), gold_bonus=Decimal("600"))
    PayrollMonth.objects.create(month=dt.date(2026, 10, 1), approved_at=timezone.now())
    url = reverse("admin:payroll_paybook_change", args=[book.pk])
    assert admin.get(url).status_code == 200  # shown, without a save button
    response = admin.post(url, _form(effective_from="2026-09-01"))
    assert response.status_code == 403
    response = admin.post(reverse("admin:payroll_paybook_add"), _form(effective_from="2026-10-01"))
    assert "2026-10 is approved; changes apply from 2026-11 on." in response.content.decode()
