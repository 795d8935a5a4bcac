"""Platform sub-accounts (旺旺子账号): the list, granting and correcting one, revoking it, and the
note shown after an agent leaves or a shop's contracts end about those still to revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agency import clock
from agency.access import is_manager
from agency.errors import ApplicationError
from seats import services
from seats.selectors import sub_account_list, sub_accounts_to_revoke
from web.forms import SubAccountFilterForm, SubAccountForm, SubAccountRevokeForm, add_service_error
from web.views.base import ManagerPage, ServiceFormPage, paginate, redirect_back

SUB_ACCOUNT_FORM_FIELDS = ("shop", "agent", "name", "granted_on")


def note_sub_accounts_to_revoke(
    request: HttpRequest, *, agent_id: int | None = None, shop_id: int | None = None
) -> None:
    """After a change that may leave sub-accounts in the wrong hands (an agent who left, a shop
    whose last contract ended), say which of the agent's or shop's are still to revoke, each
    with a link to revoke it. Nothing is said when none is."""
    due = list(
        sub_accounts_to_revoke(
            today=clock.today(),
            agent_ids=None if agent_id is None else [agent_id],
            shop_ids=None if shop_id is None else [shop_id],
        )
    )
    if not due:
        return
    text = ngettext(
        "%(count)d sub-account is still to revoke:",
        "%(count)d sub-accounts are still to revoke:",
        len(due),
    ) % {"count": len(due)}
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        (
            (reverse("web:sub-account-revoke", args=[account.pk]), account.name, account.agent.name)
            for account in due
        ),
    )
    messages.warning(request, format_html("{} {}", text, links))


class SubAccountListView(ManagerPage):
    template_name = "manager/sub_accounts/list.html"
    nav = "sub_accounts"

    def get_context_data(self, **kwargs):
        today = clock.today()
        form = SubAccountFilterForm(self.request.GET or None, user=self.request.user)
        accounts = sub_account_list(user=self.request.user)
        if form.is_valid():
            data = form.cleaned_data
            if data["shop"]:
                accounts = accounts.filter(shop=data["shop"])
            if data["agent"]:
                accounts = accounts.filter(agent=data["agent"])
            due = sub_accounts_to_revoke(today=today).values("pk")
            if data["state"] == form.ACTIVE:
                accounts = accounts.filter(revoked_on__isnull=True)
            elif data["state"] == form.REVOKED:
                accounts = accounts.filter(revoked_on__isnull=False)
            elif data["state"] == form.TO_REVOKE:
                accounts = accounts.filter(pk__in=due)
        page = paginate(self.request, accounts)
        due_ids = set(
            sub_accounts_to_revoke(today=today)
            .filter(pk__in=[account.pk for account in page.object_list])
            .values_list("pk", flat=True)
        )
        return super().get_context_data(
            form=form,
            page_obj=page,
            accounts=page.object_list,
            due_ids=due_ids,
            today=today,
            filtered=bool(
                self.request.GET.get("shop")
                or self.request.GET.get("agent")
                or self.request.GET.get("state")
            ),
            **kwargs,
        )


class SubAccountFormView(ServiceFormPage):
    """Grant a sub-account (``seats.services.sub_account_grant``) or correct one
    (``sub_account_update``)."""

    nav = "sub_accounts"
    form_class = SubAccountForm
    fields = SUB_ACCOUNT_FORM_FIELDS
    object_name = "sub_account"

    def load(self, pk: int):
        return get_object_or_404(sub_account_list(user=self.request.user), pk=pk)

    def form_kwargs(self):
        return {"user": self.request.user, "editing": self.object is not None}

    def get_form(self):
        form = super().get_form()
        if self.object is not None:
            form.initial["shop"] = self.object.shop  # disabled: the shop stays
        elif not form.is_bound:
            form.initial = {
                "granted_on": clock.today(),
                **{
                    key: self.request.GET[key]
                    for key in ("shop", "agent")
                    if key in self.request.GET
                },
            }
        return form

    def create(self, data):
        return services.sub_account_grant(**data, actor=self.request.user)

    def update(self, changed):
        changed.pop("shop", None)
        return services.sub_account_update(
            sub_account=self.object, data=changed, actor=self.request.user
        )

    def saved(self, obj) -> str:
        return _("Sub-account %(name)s: %(agent)s since %(date)s.") % {
            "name": obj.name,
            "agent": obj.agent.name,
            "date": f"{obj.granted_on:%Y-%m-%d}",
        }

    def done_url(self, obj) -> str:
        return reverse("web:sub-account-list") + f"?shop={obj.shop_id}"

    def texts(self) -> tuple[str, str]:
        if self.object is None:
            return _("Grant a sub-account"), reverse("web:sub-account-list")
        return (
            _("Edit sub-account %(name)s") % {"name": self.object.name},
            reverse("web:sub-account-list"),
        )


class SubAccountRevokeView(ManagerPage):
    """Revoke (收回) a sub-account: a page asking for the day (today by default), or the list's
    inline form, which asks the browser's confirmation first."""

    template_name = "manager/sub_accounts/revoke.html"
    nav = "sub_accounts"

    def dispatch(self, request, *args, **kwargs):
        self.sub_account = None
        if is_manager(request.user):
            self.sub_account = get_object_or_404(
                sub_account_list(user=request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = SubAccountRevokeForm(initial={"revoked_on": clock.today()})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = SubAccountRevokeForm(request.POST)
        if form.is_valid():
            try:
                account = services.sub_account_revoke(
                    sub_account=self.sub_account,
                    revoked_on=form.cleaned_data["revoked_on"],
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Sub-account %(name)s revoked from %(agent)s on %(date)s.")
                    % {
                        "name": account.name,
                        "agent": account.agent.name,
                        "date": f"{account.revoked_on:%Y-%m-%d}",
                    },
                )
                return redirect_back(request, reverse("web:sub-account-list"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(sub_account=self.sub_account, **kwargs)
