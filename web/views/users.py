"""Accounts of managers, owners and agents: the list, opening one (with an invitation to choose a
password), editing it, sending the invitation again, deactivating and reactivating it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.access import is_manager
from agency.accounts import account_role, user_invite, user_update
from agency.errors import ApplicationError
from agency.selectors import USER_SORTS, user_list, user_list_sorted
from seats import services
from web.forms import UserCreateForm, UserEditForm, UserFilterForm
from web.views.base import ManagerPage, ServiceFormPage, paginate

USER_EDIT_FIELDS = ("email", "language", "agent")


def _user_or_404(pk: int):
    user = get_object_or_404(user_list(), pk=pk)
    user.role = account_role(user)
    # The form reads the linked agent as a field of the account.
    user.agent = getattr(user, "agent_profile", None)
    return user


class UserListView(ManagerPage):
    template_name = "manager/users/list.html"
    nav = "users"

    def get_context_data(self, **kwargs):
        form = UserFilterForm(self.request.GET or None)
        role, is_active = None, None
        if form.is_valid():
            role = form.cleaned_data["role"] or None
            state = form.cleaned_data["state"]
            is_active = {form.ACTIVE: True, form.INACTIVE: False}.get(state)
        sort = self.request.GET.get("sort") or "username"
        if sort.lstrip("-") not in USER_SORTS:
            sort = "username"
        users = user_list_sorted(user_list(role=role, is_active=is_active), sort)
        page = paginate(self.request, users)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        columns = [
            ("username", _("Username")),
            ("role", _("Role")),
            ("language", _("Language")),
            ("is_active", _("State")),
        ]
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=[(user, account_role(user)) for user in page.object_list],
            sort=sort,
            sort_columns=[
                (key, label, key if sort != key else f"-{key}", sort.lstrip("-") == key)
                for key, label in columns
            ],
            filter_query=query.urlencode(),
            filtered=bool(role or is_active is not None),
            **kwargs,
        )


class UserFormView(ServiceFormPage):
    """Open an account (``seats.services.account_create``: the user is emailed an invitation)
    or edit one (``seats.services.account_update``)."""

    nav = "users"
    object_name = "account"

    @property
    def form_class(self):
        return UserCreateForm if self.object is None else UserEditForm

    @property
    def fields(self):
        if self.object is not None and self.object.role == "agent":
            return USER_EDIT_FIELDS
        return USER_EDIT_FIELDS[:2]

    def load(self, pk: int):
        return _user_or_404(pk)

    def form_kwargs(self):
        if self.object is None:
            return {}
        agent = self.object.agent
        return {"agent_id": agent.pk if agent is not None else None}

    def get_form(self):
        form = super().get_form()
        if self.object is None and self.request.method == "GET":
            # "Create an account" on an agent's page arrives with the agent chosen.
            role, agent = self.request.GET.get("role"), self.request.GET.get("agent")
            if role in dict(form.fields["role"].choices):
                form.initial["role"] = role
            if agent and agent.isdigit():
                form.initial["agent"] = int(agent)
        if self.object is not None and self.request.method == "GET":
            form.initial["language"] = self.object.email_language
        return form

    def create(self, data):
        return services.account_create(
            role=data["role"],
            username=data["username"],
            email=data["email"],
            language=data["language"],
            agent=data["agent"] if data["role"] == "agent" else None,
            actor=self.request.user,
        )

    def update(self, changed):
        return services.account_update(user=self.object, data=changed, actor=self.request.user)

    def saved(self, obj) -> str:
        if self.object is None:
            return _(
                "Account “%(name)s” opened; an invitation to choose a password was sent to "
                "%(email)s."
            ) % {
                "name": obj.username,
                "email": obj.email,
            }
        return _("Account “%(name)s” saved.") % {"name": obj.username}

    def done_url(self, obj) -> str:
        return reverse("web:user-list")

    def texts(self) -> tuple[str, str]:
        if self.object is None:
            return _("New account"), reverse("web:user-list")
        return _("Edit account %(name)s") % {"name": self.object.username}, reverse("web:user-list")


class UserInviteView(ManagerPage):
    """Send the invitation to choose a password again (a new link; the old one still works until
    a password is set or it expires)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        user = _user_or_404(pk)
        try:
            user_invite(user=user, actor=request.user)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, " ".join(_messages_of(error)))
        else:
            messages.success(
                request,
                _("Invitation sent again to %(email)s.") % {"email": user.email},
            )
        return redirect("web:user-list")


def _messages_of(error) -> list[str]:
    if isinstance(error, ApplicationError):
        return [error.message]
    return error.messages


class UserActiveView(ManagerPage):
    """Deactivate an account (a page that asks first) or reactivate it (a button)."""

    template_name = "manager/users/deactivate.html"
    nav = "users"
    active = False

    def dispatch(self, request, *args, **kwargs):
        if is_manager(request.user):
            self.account = _user_or_404(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.active:
            raise Http404
        return self.render_to_response(self.get_context_data(account=self.account))

    def post(self, request, *args, **kwargs):
        try:
            user_update(user=self.account, data={"is_active": self.active}, actor=request.user)
        except (ValidationError, ApplicationError) as error:
            if self.active:
                messages.error(request, " ".join(_messages_of(error)))
                return redirect("web:user-list")
            context = self.get_context_data(account=self.account, errors=_messages_of(error))
            return self.render_to_response(context, status=400)
        done = (
            _("Account “%(name)s” reactivated.")
            if self.active
            else _("Account “%(name)s” deactivated: it can no longer sign in.")
        )
        messages.success(request, done % {"name": self.account.username})
        return redirect("web:user-list")
