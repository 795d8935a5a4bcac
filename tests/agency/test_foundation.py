import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory


@pytest.mark.django_db
def test_healthz_reports_database_and_broker():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_business_time_is_shanghai_and_languages_are_english_and_chinese():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["en", "zh-hans"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_database_connections_are_persistent_with_health_checks():
    db = settings.DATABASES["default"]
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_admin_login_page_is_served_by_the_sites_login():
    # One way in, where managers with two-step verification give their code (agency.two_factor).
    response = Client().get("/admin/login/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(manager):
    client = Client()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.django_db
def test_token_auth_gives_a_token_that_authenticates(api, manager):
    response = api.post(
        "/api/v1/auth/token/", {"username": "manager", "password": "pw-secret-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_token_auth_refuses_a_wrong_password_with_400(api, manager):
    response = api.post(
        "/api/v1/auth/token/", {"username": "manager", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.django_db
def test_an_api_url_that_matches_no_route_answers_json_404(manager_api):
    response = manager_api.get("/api/v1/invoices/not-a-number/pdf/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_an_id_past_64_bits_is_bad_input_not_a_server_error(manager_api):
    response = manager_api.get("/api/v1/shops/?owner=1", {"page": 10**30})
    assert response.status_code in (400, 404)
    response = manager_api.get(f"/api/v1/shops/{10**30}/")
    assert response.status_code in (400, 404)


def test_months_are_written_with_four_digit_years():
    import datetime as dt

    from agency.months import MonthField, format_month

    assert format_month(dt.date(700, 7, 1)) == "0700-07"
    assert MonthField().to_representation(dt.date(2026, 10, 1)) == "2026-10"


@pytest.mark.django_db
def test_the_admin_shows_a_users_email_language(admin_client):
    user = UserFactory(language="zh-hans")
    page = admin_client.get(f"/admin/agency/user/{user.pk}/change/")
    assert page.status_code == 200
    assert 'name="language"' in page.content.decode()
    listing = admin_client.get("/admin/agency/user/")
    assert "Simplified Chinese" in listing.content.decode()


# --- Shift hours: day 09:00-17:00, night 17:00-24:00, both 09:00-24:00 -------------------------


def test_shift_hours_are_stated_once():
    import datetime as dt

    from agency.choices import Shift, hours_text, shift_length, shift_start

    assert [hours_text(Shift.DAY), hours_text(Shift.NIGHT), hours_text(None)] == [
        "09:00-17:00",
        "17:00-24:00",
        "09:00-24:00",
    ]
    assert [shift_length(Shift.DAY), shift_length(Shift.NIGHT), shift_length(None)] == [8, 7, 15]
    assert shift_start(Shift.DAY) == dt.time(9) and shift_start(Shift.NIGHT) == dt.time(17)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_label_naming_a_shifts_hours_agrees_with_them(language):
    from django.utils import translation

    from agency.choices import Shift, hours_text
    from seats.calculations import Coverage
    from web.forms import ContractForm

    with translation.override(language):
        for shift in Shift:
            assert hours_text(shift) in str(shift.label)
        for coverage in Coverage:
            shift = None if coverage == Coverage.FULL else coverage.value
            assert hours_text(shift) in str(coverage.label)
        no_shift = dict(ContractForm.base_fields["shift"].choices)[""]
        assert hours_text(None) in str(no_shift)
