"""What every manager page shares: the access rule, the navigation, pagination, redirects."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from web.mixins import ManagerRequiredMixin

PAGE_SIZE = 25


class ManagerPage(ManagerRequiredMixin, TemplateView):
    """A page of the manager app; ``nav`` names the top-navigation entry it belongs to."""

    nav = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(nav=self.nav, **kwargs)


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of ``items``; a page number out of range gives the last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def redirect_back(request: HttpRequest, fallback: str):
    """Back to the page the form was on (``next``), if it is on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
