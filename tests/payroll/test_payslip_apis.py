"""The payroll API: runs and approval for managers, payslips for managers and their own agent,
adjustments, and the shapes and statuses of every answer."""

import datetime as dt
from decimal import Decimal

import pytest

from payroll.models import PayrollRun, Payslip
from payroll.services.runs import payroll_run_create, payroll_run_execute
from tests.conftest import _client_for
from tests.factories import UserFactory
from tests.payroll.factories import OCTOBER, in_november, seated_agent

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/payroll/runs/"
PAYSLIPS = "/api/v1/payslips/"


@pytest.fixture(autouse=True)
def _november():
    with in_november():
        yield


@pytest.fixture
def agent_user(db):
    return UserFactory(username="agent01")


@pytest.fixture
def own_agent(agent_user):
    return seated_agent(
        user=agent_user,
        name="王小美",
        base_salary=Decimal("1800.00"),
        hired_on=dt.date(2026, 10, 11),
    )


@pytest.fixture
def other_agent(db):
    return seated_agent(name="李娜")


@pytest.fixture
def agent_api(agent_user, own_agent):
    return _client_for(agent_user)


@pytest.fixture
def october(manager, own_agent, other_agent):
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    return payroll_run_execute(run_id=run.pk)


def test_a_manager_starts_a_run_and_gets_202_with_it(
    manager_api, own_agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_api.post(RUNS, {"month": "2026-10"}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["month"], body["status"]) == ("2026-10", "queued")
    # The run executes once the request's transaction commits (here, inline).
    done = manager_api.get(f"{RUNS}{body['id']}/").json()
    assert (done["status"], done["payslips_created"]) == ("done", 1)
    assert manager_api.get(RUNS + "?month=2026-10").json()["count"] == 1


@pytest.mark.parametrize("month", ["2026-13", "2026-12", "", "october"])
def test_a_bad_or_future_month_answers_400_on_month(manager_api, month):
    response = manager_api.post(RUNS, {"month": month}, format="json")
    assert response.status_code == 400
    assert "month" in response.json()
    assert not PayrollRun.objects.exists()


def test_approving_answers_200_with_the_month_and_locks_it(manager_api, october):
    response = manager_api.post(f"{RUNS}{october.pk}/approve/")

    assert response.status_code == 200, response.content
    assert response.json()["approved"] is True
    assert response.json()["approved_by"] == "manager"
    assert set(Payslip.objects.values_list("status", flat=True)) == {"approved"}
    again = manager_api.post(RUNS, {"month": "2026-10"}, format="json")
    assert again.status_code == 409
    assert "adjustment" in again.json()["detail"]
    assert manager_api.post(f"{RUNS}{october.pk}/approve/").status_code == 409


def test_approving_a_month_in_progress_answers_409(manager_api, own_agent, manager):
    run = payroll_run_create(month=dt.date(2026, 11, 1), requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)
    response = manager_api.post(f"{RUNS}{run.pk}/approve/")
    assert response.status_code == 409
    assert "has not ended" in response.json()["detail"]


def test_the_payslip_carries_the_issues_fields(manager_api, october, own_agent):
    body = manager_api.get(PAYSLIPS + f"?month=2026-10&agent={own_agent.pk}").json()

    [row] = body["results"]
    assert {
        "agent",
        "month",
        "employed_days",
        "base_pay",
        "commission",
        "bonus",
        "cover_allowance",
        "deductions",
        "adjustments",
        "total",
        "score",
        "grade",
        "status",
        "id",
        "agent_name",
        "employee_no",
        "base_salary",
        "unpaid_leave_days",
        "attributed_sales",
        "commission_rate",
        "cover_shifts",
    } <= set(row)
    assert (row["agent_name"], row["employed_days"], row["base_pay"]) == ("王小美", 21, "1219.35")
    assert row["month"] == "2026-10" and row["status"] == "draft"


def test_managers_read_every_payslip_and_agents_only_their_own(
    manager_api, agent_api, october, own_agent, other_agent
):
    assert manager_api.get(PAYSLIPS).json()["count"] == 2
    mine = agent_api.get(PAYSLIPS).json()
    assert [row["agent"] for row in mine["results"]] == [own_agent.pk]
    assert agent_api.get(PAYSLIPS + f"?agent={other_agent.pk}").json()["count"] == 0
    other = Payslip.objects.get(agent=other_agent)
    assert agent_api.get(f"{PAYSLIPS}{other.pk}/").status_code == 404
    assert agent_api.get(f"{PAYSLIPS}{other.pk}/pdf/").status_code == 404


def test_owners_get_403_on_payslips(owner_a_api, october):
    payslip = Payslip.objects.first()
    assert owner_a_api.get(PAYSLIPS).status_code == 403
    assert owner_a_api.get(f"{PAYSLIPS}{payslip.pk}/").status_code == 403
    assert owner_a_api.get(f"{PAYSLIPS}{payslip.pk}/pdf/").status_code == 403


def test_a_payslip_shows_its_lines_adjustments_and_details(manager_api, october, own_agent):
    payslip = Payslip.objects.get(agent=own_agent)
    response = manager_api.post(
        f"{PAYSLIPS}{payslip.pk}/adjustments/",
        {"amount": "-19.35", "reason": "Headset deposit"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = manager_api.get(f"{PAYSLIPS}{payslip.pk}/").json()
    assert body["adjustments"] == "-19.35"
    assert body["total"] == "1200.00"
    assert [line["reason"] for line in body["adjustment_lines"]] == ["Headset deposit"]
    assert body["adjustment_lines"][0]["created_by"] == "manager"
    keys = [line["key"] for line in body["lines"]]
    assert keys == [
        "base_pay",
        "deductions",
        "commission",
        "bonus",
        "cover_allowance",
        "adjustment",
    ]
    assert "21" in body["lines"][0]["how"] and "31" in body["lines"][0]["how"]
    assert "kpis" in body["details"]


@pytest.mark.parametrize(
    "data, field",
    [({"amount": "0", "reason": "x"}, "amount"), ({"amount": "5"}, "reason"), ({}, "amount")],
)
def test_a_bad_adjustment_answers_400_on_its_field(manager_api, october, data, field):
    payslip = Payslip.objects.first()
    response = manager_api.post(f"{PAYSLIPS}{payslip.pk}/adjustments/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_agents_cannot_adjust_or_run_or_export(agent_api, october, own_agent):
    payslip = Payslip.objects.get(agent=own_agent)
    url = f"{PAYSLIPS}{payslip.pk}/adjustments/"
    assert agent_api.post(url, {"amount": "99", "reason": "me"}, format="json").status_code == 403
    assert agent_api.post(RUNS, {"month": "2026-10"}, format="json").status_code == 403
    assert agent_api.get(PAYSLIPS + "export/?month=2026-10").status_code == 403


def test_the_export_is_an_xlsx_of_the_month(manager_api, october):
    response = manager_api.get(PAYSLIPS + "export/?month=2026-10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert manager_api.get(PAYSLIPS + "export/?month=10-2026").status_code == 400


def test_the_payslip_list_reads_a_constant_number_of_queries(
    manager_api, october, django_assert_max_num_queries
):
    for _ in range(5):
        seated_agent()
    with django_assert_max_num_queries(8):
        assert manager_api.get(PAYSLIPS).status_code == 200
