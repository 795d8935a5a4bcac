"""Turnover in the portal: submit a month, correct it while submitted, locked once confirmed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agency.errors import ApplicationError
from shops.models import TurnoverReport
from tests.billing.factories import monthly_contract
from tests.factories import TurnoverReportFactory
from tests.portal.factories import OCTOBER

SEPTEMBER = dt.date(2026, 9, 1)  # ended, and not reported by the cast

pytestmark = pytest.mark.django_db


def submit_url(shop) -> str:
    return reverse("portal:shop-turnover", kwargs={"pk": shop.pk})


def edit_url(report) -> str:
    return reverse("portal:turnover-edit", kwargs={"pk": report.pk})


def test_the_form_suggests_last_month(owner_a_client, shop_a):
    monthly_contract(shop_a, start=OCTOBER)  # a commission plan: its turnover is billed
    content = owner_a_client.get(submit_url(shop_a)).content.decode()
    assert 'name="month"' in content and 'value="2026-10"' in content


def test_an_owner_submits_a_months_turnover(owner_a_client, owner_a, shop_a):
    response = owner_a_client.post(
        submit_url(shop_a), {"month": "2026-10", "amount": "123456.78"}, follow=True
    )
    assert response.redirect_chain == [(submit_url(shop_a), 302)]
    report = TurnoverReport.objects.get(shop=shop_a)
    assert (report.month, report.amount, report.status) == (
        OCTOBER,
        Decimal("123456.78"),
        TurnoverReport.Status.SUBMITTED,
    )
    assert report.submitted_by == owner_a
    assert report.history.latest().history_user == owner_a
    content = response.content.decode()
    assert "the turnover of October 2026 is recorded" in content
    assert "123,456.78" in content


def test_a_month_already_reported_is_refused_with_a_pointer(owner_a_client, shop_a):
    TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=Decimal("10.00"))
    response = owner_a_client.post(submit_url(shop_a), {"month": "2026-10", "amount": "20.00"})
    assert response.status_code == 200
    assert "You have already reported the turnover of October 2026" in response.content.decode()
    assert TurnoverReport.objects.get(shop=shop_a).amount == Decimal("10.00")


def test_a_confirmed_month_cannot_be_submitted_again(owner_a_client, shop_a):
    TurnoverReportFactory(shop=shop_a, month=OCTOBER, status="confirmed")
    response = owner_a_client.post(submit_url(shop_a), {"month": "2026-10", "amount": "20.00"})
    assert "is confirmed and can no longer be changed" in response.content.decode()
    assert TurnoverReport.objects.filter(shop=shop_a).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2026-13", "amount": "1.00"}, "month", "Enter the month as YYYY-MM"),
        ({"month": "Oct", "amount": "1.00"}, "month", "Enter the month as YYYY-MM"),
        ({"month": "2026-10", "amount": "abc"}, "amount", "Enter a number."),
        ({"month": "2026-10", "amount": "1.234"}, "amount", "decimal places"),
        ({"month": "", "amount": ""}, "month", "This field is required."),
    ],
)
def test_malformed_input_is_shown_on_the_form(owner_a_client, shop_a, data, field, message):
    response = owner_a_client.post(submit_url(shop_a), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert message in response.content.decode()
    assert not TurnoverReport.objects.exists()


def test_the_services_own_refusal_is_shown_on_its_field(owner_a_client, shop_a):
    """A negative turnover passes the form's shape check; the service refuses it."""
    response = owner_a_client.post(submit_url(shop_a), {"month": "2026-10", "amount": "-5.00"})
    assert response.context["form"].errors["amount"] == ["Turnover cannot be negative."]
    assert "Turnover cannot be negative." in response.content.decode()
    assert not TurnoverReport.objects.exists()


def test_an_application_error_is_shown_above_the_form(owner_a_client, shop_a, monkeypatch):
    def refuse(**kwargs):
        raise ApplicationError("Turnover reporting is closed for maintenance.")

    monkeypatch.setattr("portal.views.edits.turnover_submit", refuse)
    response = owner_a_client.post(submit_url(shop_a), {"month": "2026-10", "amount": "5.00"})
    assert response.context["form"].non_field_errors() == [
        "Turnover reporting is closed for maintenance."
    ]
    assert "Turnover reporting is closed for maintenance." in response.content.decode()


# --- Correcting --------------------------------------------------------------------------------


def test_a_submitted_report_can_be_corrected(owner_a_client, owner_a, shop_a):
    report = TurnoverReportFactory(shop=shop_a, month=SEPTEMBER, amount=Decimal("10.00"))
    response = owner_a_client.post(edit_url(report), {"amount": "99.90"}, follow=True)
    assert response.redirect_chain == [(submit_url(shop_a), 302)]
    report.refresh_from_db()
    assert report.amount == Decimal("99.90")
    latest = report.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (owner_a, "amount corrected")
    assert "The turnover of September 2026 is corrected." in response.content.decode()


def test_the_correction_form_shows_the_current_amount(owner_a_client, shop_a):
    report = TurnoverReportFactory(shop=shop_a, month=SEPTEMBER, amount=Decimal("10.00"))
    content = owner_a_client.get(edit_url(report)).content.decode()
    assert 'name="amount"' in content and 'value="10.00"' in content


def test_a_correction_refused_by_the_service_is_shown(owner_a_client, shop_a):
    report = TurnoverReportFactory(shop=shop_a, month=SEPTEMBER, amount=Decimal("10.00"))
    response = owner_a_client.post(edit_url(report), {"amount": "-1"})
    assert response.context["form"].errors["amount"] == ["Turnover cannot be negative."]
    report.refresh_from_db()
    assert report.amount == Decimal("10.00")


def test_a_confirmed_report_is_locked(owner_a_client, served_a):
    report = served_a.report  # October, confirmed
    page = owner_a_client.get(edit_url(report))
    content = page.content.decode()
    assert page.status_code == 200
    assert "can no longer be changed here" in content
    assert 'name="amount"' not in content

    response = owner_a_client.post(edit_url(report), {"amount": "1.00"})
    assert response.status_code == 409
    assert "is confirmed and can no longer be changed" in response.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("300000.00")


def test_confirmed_reports_have_no_correct_link(owner_a_client, served_a, shop_a):
    open_report = TurnoverReportFactory(shop=shop_a, month=SEPTEMBER)
    content = owner_a_client.get(submit_url(shop_a)).content.decode()
    assert edit_url(open_report) in content
    assert edit_url(served_a.report) not in content
