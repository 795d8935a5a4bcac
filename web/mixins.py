"""Who may open the manager pages."""

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from agency.access import HOME_URLS, ROLE_AGENT, ROLE_OWNER, home_url, is_manager

PORTAL_URL = HOME_URLS[ROLE_OWNER]
"""Where signed-in shop owners belong: the client portal."""
DESK_URL = HOME_URLS[ROLE_AGENT]
"""Where signed-in agents belong: their desk (``desk:home``)."""


class ManagerRequiredMixin(AccessMixin):
    """Manager pages: anonymous visitors go to the login page, shop owners to their portal, agents
    to their desk.

    An owner or an agent who follows a manager link is not refused with a 403: they are sent to
    the part of the site that is theirs (``agency.access.home_url``); the site's root, where
    signing in lands, is a manager page, so each role lands on its own part. A request made by
    htmx (a polled fragment) whose session has ended makes the whole page go to the login page,
    instead of a login form inside a table row.
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                current = request.htmx.current_url_abs_path or self.get_login_url()
                return HttpResponseClientRedirect(
                    redirect_to_login(current, self.get_login_url()).url
                )
            return self.handle_no_permission()
        if not is_manager(request.user):
            home = home_url(request.user)
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(home)
            return redirect(home)
        return super().dispatch(request, *args, **kwargs)
