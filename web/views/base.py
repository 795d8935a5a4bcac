"""What every manager page shares: the access rule, the navigation, pagination, redirects, and
the page that creates or edits one object through a service."""

from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from agency.access import is_manager
from agency.errors import ApplicationError
from web.forms import add_service_error
from web.mixins import ManagerRequiredMixin

PAGE_SIZE = 25


class ManagerPage(ManagerRequiredMixin, TemplateView):
    """A page of the manager app; ``nav`` names the top-navigation entry it belongs to."""

    nav = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(nav=self.nav, **kwargs)


def url_prefixes(**names: str) -> dict[str, str]:
    """{key: the URL of view ``name`` up to its id}: ``/agents/`` for ``web:agent-detail``.

    A list of hundreds of rows links each with the prefix and the row's id in the template
    (``{{ urls.agent }}{{ agent.pk }}/``) instead of one ``{% url %}`` a link.
    """
    prefixes = {}
    for key, name in names.items():
        url = reverse(name, args=[0])
        prefixes[key] = url[: url.rindex("/0/") + 1]
    return prefixes


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of ``items``; a page number out of range gives the last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@contextmanager
def prefixed_errors(prefix: str, names: Iterable[str]):
    """Put a service's refusals of ``names`` on the form's fields named ``prefix`` + name (a
    form that opens an account next to something else: ``new_owner_email`` for ``email``)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {
                (f"{prefix}{field}" if field in names else field): messages
                for field, messages in error.message_dict.items()
            }
        ) from None


def redirect_back(request: HttpRequest, fallback: str):
    """Back to the page the form was on (``next``), if it is on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


class ServiceFormPage(ManagerPage):
    """Create an object (no ``pk`` in the URL) or edit one (``pk``) through a service.

    The form starts from the object's ``fields``; saving hands the service all the cleaned data
    (``create``) or only what changed (``update``), and the service's refusals show on the form,
    next to the field they name. Subclasses give ``form_class``, ``fields``, ``object_name`` (the
    object's name in the template) and implement ``load``, ``create``, ``update``, ``saved``
    (the success message), ``done_url`` and ``texts`` (the page's title and where Cancel goes).
    """

    template_name = "manager/object_form.html"
    form_class: type | None = None
    fields: tuple[str, ...] = ()
    object_name = "object"
    object = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs and is_manager(request.user):
            self.object = self.load(kwargs["pk"])  # 404 when it does not exist
        return super().dispatch(request, *args, **kwargs)

    def load(self, pk: int):
        raise NotImplementedError

    def create(self, data: dict[str, Any]):
        raise NotImplementedError

    def update(self, changed: dict[str, Any]):
        raise NotImplementedError

    def saved(self, obj) -> str:
        raise NotImplementedError

    def after_save(self, obj) -> None:
        """What else the page says once the object is saved (more messages, say)."""

    def done_url(self, obj) -> str:
        raise NotImplementedError

    def texts(self) -> tuple[str, str]:
        """The page's title and the address Cancel leads to."""
        raise NotImplementedError

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_form(self):
        kwargs = self.form_kwargs()
        if self.request.method == "POST":
            return self.form_class(self.request.POST, **kwargs)
        if self.object is None:
            return self.form_class(**kwargs)
        initial = {field: getattr(self.object, field) for field in self.fields}
        return self.form_class(initial=initial, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                if self.object is None:
                    obj = self.create(data)
                else:
                    obj = self.update(
                        {
                            field: data[field]
                            for field in self.fields
                            if data[field] != getattr(self.object, field)
                        }
                    )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
                if self.object is not None:
                    # The service may have set the refused values on it: show what is stored.
                    self.object.refresh_from_db()
            else:
                messages.success(request, self.saved(obj))
                self.after_save(obj)
                return redirect(self.done_url(obj))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        title, cancel_url = self.texts()
        return super().get_context_data(
            title=title, cancel_url=cancel_url, **{self.object_name: self.object}, **kwargs
        )
