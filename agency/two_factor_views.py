"""Signing in with two-step verification: the password first, then a code.

A manager with an authenticator app is not signed in by the password: the login page keeps who
they are in the (still anonymous) session for ``PENDING_SECONDS`` and asks for a code
(``/accounts/login/code/``). Only a right code signs them in (``django.contrib.auth.login``,
which also gives the session a new key) and marks the session verified (``django_otp.login``).
So no page, portal, desk, admin or session-authenticated API request is ever reached with the
password alone. Each wrong code counts as a failed sign-in for django-axes (locked with the
password failures, by username and address); ``MAX_WRONG_CODES`` wrong codes send the manager
back to the password. Everyone else signs in as before.
"""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp.plugins.otp_static.models import StaticDevice

from agency.models import User
from agency.two_factor import code_failed, code_verify, has_two_factor, recovery_codes_left

PENDING_KEY = "_two_factor_pending"
PENDING_SECONDS = 5 * 60
MAX_WRONG_CODES = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class LoginView(DjangoLoginView):
    """Django's login page; a manager with an authenticator app goes on to the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if not has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "since": int(time.time()),
            "wrong": 0,
        }
        return redirect("login-code")


def _pending_user(request: HttpRequest) -> tuple[dict, User] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending["since"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None or not has_two_factor(user):
        return None
    return pending, user


class LoginCodeView(View):
    """The second step: a code from the authenticator app, or a recovery code."""

    template_name = "registration/login_code.html"

    def dispatch(self, request, *args, **kwargs):
        found = _pending_user(request)
        if found is None:
            request.session.pop(PENDING_KEY, None)
            return redirect(settings.LOGIN_URL)
        self.pending, self.user = found
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": CodeForm()})

    def post(self, request):
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return get_lockout_response(request, credentials)
        form = CodeForm(request.POST)
        if form.is_valid():
            device = code_verify(user=self.user, code=form.cleaned_data["code"])
            if device is not None:
                return self._sign_in(request, device)
            self.pending["wrong"] += 1
            code_failed(request=request, user=self.user)
            if self.pending["wrong"] >= MAX_WRONG_CODES:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, gettext("Too many wrong codes: sign in again."))
                return redirect(settings.LOGIN_URL)
            request.session[PENDING_KEY] = self.pending
            form.add_error("code", gettext("Wrong code."))
        return render(request, self.template_name, {"form": form})

    def _sign_in(self, request: HttpRequest, device) -> HttpResponse:
        target = self.pending.get("next") or ""
        request.session.pop(PENDING_KEY, None)
        auth_login(request, self.user, backend=self.pending["backend"])
        django_otp.login(request, device)
        if isinstance(device, StaticDevice):
            left = recovery_codes_left(user=self.user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code: %(count)d left.",
                    "You signed in with a recovery code: %(count)d left.",
                    left,
                )
                % {"count": left},
            )
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = settings.LOGIN_REDIRECT_URL
        return redirect(target)


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin's login page sends to the site's, ``next`` kept: one way in, with the code."""
    return redirect_to_login(request.GET.get("next") or "/admin/")
