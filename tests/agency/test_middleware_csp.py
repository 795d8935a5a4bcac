"""The Content-Security-Policy headers are django-csp's, whether built once or each time."""

import pytest
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from agency.middleware import ContentSecurityPolicyMiddleware

REPORT_ONLY = {
    "EXCLUDE_URL_PREFIXES": ["/api/"],
    "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"},
}


def _headers(middleware_class, path: str, change=None, nonce: bool = False, status: int = 200):
    middleware = middleware_class(lambda request: HttpResponse())
    request = RequestFactory().get(path)
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
    response = HttpResponse(status=status)
    if change:
        change(response)
    response = middleware.process_response(request, response)
    headers = {name: value for name, value in response.items() if "Content-Security-Policy" in name}
    try:
        str(request.csp_nonce)
        late_nonce = "given"
    except CSPNonceError:  # too late for a nonce once the header is written
        late_nonce = "refused"
    if nonce:
        headers = {name: value.replace(request._csp_nonce, "N") for name, value in headers.items()}
    return headers, late_nonce


def _update(response):
    response._csp_update = {"img-src": ["data:"]}


def _exempt(response):
    response._csp_exempt = True


def _set(response):
    response["Content-Security-Policy"] = "default-src 'none'"


CASES = [
    ("/api/v1/shops/", None, False, 200),
    ("/", None, False, 404),
    ("/", _update, False, 200),
    ("/", None, True, 200),
    ("/", _exempt, False, 200),
    ("/", _set, False, 200),
]


@pytest.mark.parametrize(("path", "change", "nonce", "status"), CASES)
def test_the_policy_headers_are_django_csps(path, change, nonce, status):
    for _ in range(2):  # built, then kept
        ours = _headers(ContentSecurityPolicyMiddleware, path, change, nonce, status)
        assert ours == _headers(CSPMiddleware, path, change, nonce, status)
        assert "Content-Security-Policy" in ours[0] or change is _exempt


@pytest.mark.parametrize("path", ["/api/v1/shops/", "/accounts/login/"])
@pytest.mark.parametrize("debug", [False, True])
def test_a_changed_policy_setting_is_the_policy_sent(path, debug):
    before = _headers(ContentSecurityPolicyMiddleware, path)
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY, DEBUG=debug):
        for status in (200, 404):
            ours = _headers(ContentSecurityPolicyMiddleware, path, status=status)
            assert ours == _headers(CSPMiddleware, path, status=status)
            assert ours[1] == ("given" if debug and status == 404 else "refused")
            if status == 200:
                reported = "Content-Security-Policy-Report-Only" in ours[0]
                assert reported == (path != "/api/v1/shops/")
    assert _headers(ContentSecurityPolicyMiddleware, path) == before
