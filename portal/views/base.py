"""What every portal page shares: sign-in, the shop lookup, the 404 page, read-only preview.

* Anonymous visitors are sent to ``settings.LOGIN_URL`` with ``next``; agents to their desk
  (``agency.access.home_url``): the portal is the shop owners', agents see no shop's money.
* A shop (or invoice, or turnover report) is looked up in the caller's own querysets
  (``shops.selectors.shops_for_user``, ``agency.access``); anything else is absent, and the
  portal answers its own 404 page, which reads the same whether the id belongs to another owner
  or to nothing at all.
* A manager may open any shop's portal to see what the owner sees, read-only: every write view
  calls ``refuse_preview`` first, which answers 403 with a page that says why.
"""

from typing import TYPE_CHECKING

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import TemplateView

from agency.access import home_url, is_agent
from portal.selectors import previewing
from shops.selectors import shops_for_user

if TYPE_CHECKING:
    from shops.models import Shop


class PreviewReadOnly(PermissionDenied):
    """A manager previewing someone else's shop tried to change something."""


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/404.html", status=404)


class PortalView(LoginRequiredMixin, TemplateView):
    """A portal page. Subclasses name their template and build their context."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_agent(request.user):
            return redirect(home_url(request.user))
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        except PreviewReadOnly:
            return render(request, "portal/read_only.html", status=403)

    def get_shop(self, pk: int) -> "Shop":
        return get_object_or_404(shops_for_user(self.request.user).select_related("owner"), pk=pk)

    def is_preview(self, shop: "Shop") -> bool:
        return previewing(user=self.request.user, shop=shop)

    def refuse_preview(self, shop: "Shop") -> None:
        if self.is_preview(shop):
            raise PreviewReadOnly
