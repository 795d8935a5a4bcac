import re

import pytest
from django.core import mail
from django.test import Client


@pytest.mark.django_db
def test_an_owner_resets_a_forgotten_password_by_email(owner_a):
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": owner_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner_a.email]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(
        set_password_url,
        {"new_password1": "a-new-Secret-2026", "new_password2": "a-new-Secret-2026"},
    )
    assert done.status_code == 302

    owner_a.refresh_from_db()
    assert owner_a.check_password("a-new-Secret-2026")


@pytest.mark.django_db
def test_a_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(owner_a):
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_sessions_expire_and_cookies_are_http_only(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60 * 24
    assert settings.SESSION_COOKIE_HTTPONLY
