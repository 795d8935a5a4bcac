"""Which language a request, an email and a new account speak.

The API: the language the request asks for (Accept-Language), else the caller's account's (its
choice, else the language of new accounts). Emails: the account's choice, else the language of
new accounts (``settings.NEW_ACCOUNT_LANGUAGE``, Simplified Chinese by default).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from billing.models import Invoice
from billing.services import bill_month, invoice_issue
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TURNOVER = "/api/v1/turnover-reports/"
NOT_ENDED_ZH = "2026-11 尚未结束，请于 2026-12-01 起填报该月营业额。"
NOT_ENDED_EN = "2026-11 has not ended yet; report its turnover from 2026-12-01 on."


@pytest.fixture(autouse=True)
def early_november():
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def token_client(user, **headers) -> APIClient:
    """A client that signs in with a real API token, as scripts do (no session, no cookie)."""
    _, token = AuthToken.objects.create(user)
    return APIClient(headers={"Authorization": f"Token {token}", **headers})


def report_november(client, shop):
    return client.post(
        TURNOVER, {"shop": shop.pk, "month": "2026-11", "amount": "1.00"}, format="json"
    )


@pytest.mark.parametrize(
    ("account_language", "headers", "expected"),
    [
        ("", {"Accept-Language": "zh-CN,zh;q=0.9"}, NOT_ENDED_ZH),
        ("zh-hans", {"Accept-Language": "en"}, NOT_ENDED_EN),  # the request's own wins
        ("zh-hans", {}, NOT_ENDED_ZH),  # no header: the account's choice
        ("en", {}, NOT_ENDED_EN),
        ("", {}, NOT_ENDED_ZH),  # never chose: the language of new accounts
    ],
)
def test_a_token_callers_errors_follow_the_request_then_the_account(
    account_language, headers, expected
):
    owner = UserFactory(language=account_language)
    shop = ShopFactory(owner=owner)
    response = report_november(token_client(owner, **headers), shop)
    assert response.status_code == 400
    assert response.json() == {"month": [expected]}
    assert response["Content-Language"] == ("en" if expected == NOT_ENDED_EN else "zh-hans")


@override_settings(NEW_ACCOUNT_LANGUAGE="en")
def test_the_language_of_new_accounts_is_a_setting():
    owner = UserFactory(language="")
    assert owner.email_language == "en"
    response = report_november(token_client(owner), ShopFactory(owner=owner))
    assert response.json() == {"month": [NOT_ENDED_EN]}


def test_a_browser_session_on_the_api_follows_the_request_too():
    owner = UserFactory(language="en")
    shop = ShopFactory(owner=owner)
    client = APIClient(headers={"Accept-Language": "zh-CN"})
    client.force_login(owner)  # a session, like the manager app's own API calls
    assert report_november(client, shop).json() == {"month": [NOT_ENDED_ZH]}


def test_drf_own_messages_come_in_chinese():
    owner = UserFactory()
    client = token_client(owner, **{"Accept-Language": "zh-CN"})
    response = client.post(TURNOVER, {"shop": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    # The project's catalogue words "This field is required." like the workload import does.
    assert body["month"] == ["此项为必填。"]
    assert body["amount"] == ["此项为必填。"]
    assert "shop" in body and all("\u4e00" <= ch <= "\u9fff" for ch in body["shop"][0][:2])

    anonymous = APIClient(headers={"Accept-Language": "zh-CN"}).get(TURNOVER)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "身份认证信息未提供。"}


def test_an_owner_who_never_chose_gets_the_invoice_email_in_chinese(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="li@shop.example", first_name="伟", last_name="李", language="")
    shop = ShopFactory(owner=owner, name="小米旗舰店")
    monthly_contract(shop)
    confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)
    draft = Invoice.objects.get(shop=shop, month=OCTOBER)

    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)

    [message] = mail.outbox
    assert message.subject == f"【客服外包公司】账单 {issued.number}：小米旗舰店，2026-10"
    assert "小米旗舰店 2026-10 的账单" in message.body
    assert "合计：6,000.00 元（含税）" in message.body
