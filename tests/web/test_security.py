"""The strict Content-Security-Policy, and the pages and assets that must live under it."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.web.test_access import page_urls

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="([^"]+)"', re.I)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_pages_send_a_strict_policy(manager_client):
    directives = policy(manager_client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_no_page_has_inline_scripts_or_styles(manager_client, anonymous_client, agency):
    pages = [(manager_client, url) for url in page_urls(agency)]
    pages.append((anonymous_client, "/accounts/login/"))
    for client, url in pages:
        html = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert " style=" not in html and "<style" not in html, url
        assert all(src.startswith("/static/") for src in SCRIPT_SRC.findall(html)), url


@pytest.mark.django_db
def test_htmx_comes_from_django_htmx_and_is_configured_for_the_policy(manager_client):
    html = manager_client.get("/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    assert finders.find("django_htmx/htmx-2.min.js")


def test_the_projects_static_directory_is_found():
    assert finders.find("css/app.css")
    assert finders.find("img/favicon.svg")


@pytest.mark.django_db
def test_api_docs_load_their_scripts_locally_under_the_policy():
    client = Client()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    sources = SCRIPT_SRC.findall(html)
    assert sources and all(src.startswith("/") for src in sources)
    assert any("drf_spectacular_sidecar" in src for src in sources)
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in directives["style-src"]
    start = next(src for src in sources if "script" in src and "sidecar" not in src)
    script = client.get(start.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(manager, agency):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    invoice = agency.invoices[0]
    assert client.post(f"/billing/invoices/{invoice.pk}/issue/").status_code == 403
    assert client.post("/billing/", {"month": "2026-09"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "draft"


@pytest.mark.django_db
def test_an_unknown_page_uses_the_sites_404(manager_client):
    response = manager_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
