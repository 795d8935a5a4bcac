"""The manager's own two-step verification (两步验证): set it up, see it, renew the recovery
codes, turn it off. The rules are ``agency.two_factor``'s."""

import django_otp
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agency.forms import add_service_error
from agency.two_factor import (
    recovery_codes_left,
    recovery_codes_regenerate,
    totp_device,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_setup,
    two_factor_disable,
    two_factor_required,
)
from web.views.base import ManagerPage

_CODE_WIDGET = forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"})


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows now."),
        widget=_CODE_WIDGET,
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=_CODE_WIDGET,
    )


class TwoFactorView(ManagerPage):
    """GET: the status; without an app, the set-up (secret, QR code, otpauth URL) and the form
    that confirms it. POST: confirm the set-up; the recovery codes are shown in this answer only.
    """

    template_name = "manager/account/two_factor.html"

    def page(self, **forms_and_more):
        user = self.request.user
        device = totp_device(user=user)
        context = {
            "device": device,
            "required": two_factor_required(),
            "verified": user.is_verified(),
            **forms_and_more,
        }
        if device is None:
            setup = totp_setup(totp_enrol_start(user=user))
            context["setup"] = {**setup, "qr_svg": mark_safe(setup["qr_svg"])}  # noqa: S308 - segno's own markup
            context.setdefault("confirm_form", CodeForm())
        else:
            context["codes_left"] = recovery_codes_left(user=user)
            context.setdefault("regenerate_form", CodeForm(prefix="regenerate"))
            context.setdefault("disable_form", DisableForm(prefix="disable"))
        return self.render_to_response(self.get_context_data(**context))

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = totp_enrol_confirm(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                # This session has just shown the code: it counts as verified.
                django_otp.login(request, device)
                messages.success(request, gettext("Two-step verification is on."))
                return self.page(recovery_codes=codes)
        return self.page(confirm_form=form)


class RecoveryCodesView(TwoFactorView):
    """POST: new recovery codes (a current code confirms it); the old ones stop working."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CodeForm(request.POST, prefix="regenerate")
        if form.is_valid():
            try:
                codes = recovery_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, gettext("New recovery codes: the old ones no longer work.")
                )
                return self.page(recovery_codes=codes)
        return self.page(regenerate_form=form)


class TwoFactorDisableView(TwoFactorView):
    """POST: turn two-step verification off (password and a code); refused when required."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = DisableForm(request.POST, prefix="disable")
        if form.is_valid():
            try:
                two_factor_disable(
                    user=request.user,
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data["code"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("Two-step verification is off."))
                return redirect("web:two-factor")
        return self.page(disable_form=form)
