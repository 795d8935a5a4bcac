"""Workload import: preview with row-numbered errors, nothing saved until confirmed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from seats.models import WorkloadRecord
from tests.factories import AgentFactory, ShopFactory, WorkloadFactory
from tests.web.conftest import YESTERDAY

IMPORT = "/workloads/import/"
HEADER = (
    "agent,shop,date,shift,inquiries,conversions,buyer_messages,agent_messages,"
    "first_response_seconds,sales_amount\n"
)


def upload(client, text: str, name: str = "workloads.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(IMPORT, {"file": file})


@pytest.fixture
def people(db):
    return AgentFactory(name="Wang Fang"), ShopFactory(name="Tea House")


@pytest.mark.django_db
def test_a_good_file_is_previewed_and_nothing_is_saved(manager_client, people):
    agent, shop = people
    response = upload(
        manager_client,
        HEADER
        + f"{agent.pk},{shop.pk},2026-10-14,day,80,40,300,360,30,1200.50\n"
        + f"{agent.pk},{shop.pk},2026-10-14,night,20,5,90,100,50,300.00\n",
    )
    preview = response.context["preview"]
    assert preview.errors == []
    assert (preview.result.created, preview.result.updated) == (2, 0)
    html = response.content.decode()
    assert "2 rows are ready." in html
    assert "Wang Fang" in html and "Tea House" in html
    assert WorkloadRecord.objects.count() == 0


@pytest.mark.django_db
def test_confirming_saves_the_checked_file(manager_client, people):
    agent, shop = people
    WorkloadFactory(agent=agent, shop=shop, date=YESTERDAY, shift="day", inquiries=1, conversions=0)
    response = upload(
        manager_client,
        HEADER
        + f"{agent.pk},{shop.pk},2026-10-14,day,80,40,300,360,30,1200.50\n"
        + f"{agent.pk},{shop.pk},2026-10-14,night,20,5,90,100,50,300.00\n",
    )
    digest = response.context["preview"].digest
    response = manager_client.post(IMPORT, {"confirm": "1", "digest": digest}, follow=True)
    assert "1 new workloads, 1 replaced" in response.content.decode()
    assert WorkloadRecord.objects.get(shift="day").inquiries == 80
    assert WorkloadRecord.objects.count() == 2
    # The checked file is used once.
    again = manager_client.post(IMPORT, {"confirm": "1", "digest": digest}, follow=True)
    assert "upload it again" in again.content.decode()


@pytest.mark.django_db
def test_errors_are_listed_by_row_and_nothing_is_saved(manager_client, people):
    agent, shop = people
    response = upload(
        manager_client,
        HEADER
        + f"{agent.pk},{shop.pk},2026-10-14,day,80,40,300,360,30,1200.50\n"
        + f"{agent.pk},{shop.pk},2026-10-14,evening,10,20,0,0,0,0\n"
        + f"999999,{shop.pk},2026-10-14,day,1,0,0,0,0,0\n",
    )
    errors = [(e.row, e.field) for e in response.context["preview"].errors]
    assert (2, "shift") in errors
    assert (2, "conversions") in errors
    assert (3, "agent") in errors
    html = response.content.decode()
    assert "nothing was saved" in html
    assert 'name="confirm"' not in html
    assert WorkloadRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_header_is_row_0_and_its_rows_are_checked_too(manager_client):
    response = upload(manager_client, "agent,shop,day\n1,2,3\n")
    errors = [(error.row, error.field) for error in response.context["preview"].errors]
    assert errors[:3] == [(0, "date"), (0, "inquiries"), (0, "conversions")]
    assert {row for row, _ in errors} == {0, 1}


@pytest.mark.django_db
def test_a_file_that_is_neither_utf8_nor_gbk_is_refused(manager_client):
    file = SimpleUploadedFile("x.csv", HEADER.encode() + b"\xff\x80")
    response = manager_client.post(IMPORT, {"file": file})
    assert "neither UTF-8 nor GBK" in response.context["preview"].errors[0].message


@pytest.mark.django_db
def test_confirming_without_a_checked_file_saves_nothing(manager_client):
    response = manager_client.post(IMPORT, {"confirm": "1", "digest": "nope"}, follow=True)
    assert "upload it again" in response.content.decode()
    assert WorkloadRecord.objects.count() == 0


@pytest.mark.django_db
def test_no_file_is_a_form_error(manager_client):
    response = manager_client.post(IMPORT, {})
    assert "file" in response.context["form"].errors
