"""The agent's own scorecard at the desk: the same arithmetic as the manager's page, for
themselves only, phone-first."""

from django.conf import settings

from tests.desk.conftest import TODAY, at, signed_in
from tests.factories import WorkloadFactory

SCORECARD = "/desk/scorecard/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(SCORECARD)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_a_shop_owner_gets_403_and_a_manager_goes_to_the_dashboard(owner_a, manager):
    assert signed_in(owner_a).get(SCORECARD).status_code == 403
    assert signed_in(manager).get(SCORECARD)["Location"] == "/"


def test_the_agent_reads_their_own_scorecard_of_the_month(day_client, day_agent, floor):
    for offset in range(3):
        WorkloadFactory(
            agent=day_agent,
            shop=floor["shops"][0],
            date=TODAY.replace(day=TODAY.day - offset),
            inquiries=100,
            conversions=60,
        )
    with at(18):
        response = day_client.get(SCORECARD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的考核" in page  # the desk speaks Chinese to an agent who never chose
    assert "未知，不计入权重" in page  # no quality review yet: left out of the weighting
    assert "年10月" in page


def test_an_agent_without_work_this_month_is_not_scored(night_client):
    with at(18):
        page = night_client.get(SCORECARD).content.decode()
    assert "本月没有记录工作量" in page


def test_a_month_not_started_falls_back_to_the_current_one(day_client):
    with at(10):
        response = day_client.get(SCORECARD + "?month=2099-01")
    assert response.status_code == 200
    assert 'value="2026-10" selected' in response.content.decode()


def test_the_figures_page_links_the_scorecard(day_client):
    with at(10):
        page = day_client.get("/desk/kpis/").content.decode()
    assert "/desk/scorecard/?month=2026-10" in page
