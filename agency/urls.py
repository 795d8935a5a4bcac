from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agency.auth_api import LogoutAllApi, LogoutApi, TokenObtainApi, TokenRefreshApi
from agency.two_factor_views import LoginCodeView, LoginView, admin_login_redirect
from agency.views import healthz, set_language

api_v1 = [
    path("auth/token/", TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="token-logout"),
    path("auth/logoutall/", LogoutAllApi.as_view(), name="token-logout-all"),
    path("", include("shops.api_urls")),
    path("", include("seats.api_urls")),
    path("", include("billing.document_urls")),
    path("", include("billing.api_urls")),
    path("", include("payroll.api_urls")),
    path("", include("payroll.scorecard_urls")),
    path("", include("agency.webhook_urls")),
]

# The split view loads its start-up script from a URL instead of an inline <script>, so the strict
# CSP holds; Swagger UI itself still sets inline styles and shows data: images.
api_docs = csp_update({"style-src": [SELF, UNSAFE_INLINE], "img-src": [SELF, "data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin signs in through the site's login, which asks managers for their code
    # (agency.two_factor_views): its own login form would take the password alone.
    path("admin/login/", admin_login_redirect),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("i18n/setlang/", set_language, name="set_language"),
    # Django's login, with the code step of two-step verification (agency.two_factor_views).
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/login/code/", LoginCodeView.as_view(), name="login-code"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("portal/", include("portal.urls")),
    path("desk/", include("desk.urls")),
    path("", include("web.urls")),
]

handler400 = "agency.views.bad_request"
handler404 = "agency.views.page_not_found"
handler500 = "agency.views.server_error"
