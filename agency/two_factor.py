"""Two-step verification (两步验证) for managers: a TOTP authenticator app and recovery codes.

Built on django-otp: a manager's authenticator app is a ``TOTPDevice``, their recovery codes
(恢复码) one ``StaticDevice`` whose tokens are deleted as they are used. Only managers take part;
shop owners and agents sign in with their password alone.

* Optional, unless ``settings.AGENCY_REQUIRE_2FA`` is on: then every manager page sends a manager
  without an authenticator app to enrolment, the API gives no token to such a manager, and
  nobody may turn their own two-step verification off.
* Enrolment (``totp_enrol_start`` then ``totp_enrol_confirm``): an unconfirmed device carries the
  secret until a code from the app proves it was scanned; then 10 recovery codes are made and
  shown once, and the account's API tokens end (they were obtained with the password alone).
* Sign-in: a manager with a confirmed device gives a code after the password
  (``agency.two_factor_views``); ``POST /api/v1/auth/token/`` wants it in ``otp``.
* A code is either the app's 6 digits or an unused recovery code (``code_verify``). Wrong codes
  count as failed sign-ins for django-axes (``code_failed``), besides django-otp's own growing
  delay per device.
"""

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agency.access import is_manager
from agency.models import User
from agency.tokens import tokens_revoke_all

RECOVERY_CODE_COUNT = 10
# The name devices get; a manager has at most one of each kind.
DEVICE_NAME = "default"
_TOTP_CODE = re.compile(r"^\d{6}$")


def two_factor_required() -> bool:
    """Whether every manager must use two-step verification (``AGENCY_REQUIRE_2FA``)."""
    return bool(settings.AGENCY_REQUIRE_2FA)


def totp_device(*, user: User, confirmed: bool | None = True) -> TOTPDevice | None:
    """The manager's authenticator app (confirmed, unconfirmed, or either with ``None``)."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("pk").first()


def has_two_factor(user: User) -> bool:
    """Whether ``user`` is a manager who signs in with a code besides the password."""
    return is_manager(user) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _require_manager(user: User) -> None:
    if not is_manager(user):
        raise ValidationError(gettext("Two-step verification is for agency managers."))


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the manager scans; the same one until confirmed."""
    _require_manager(user)
    if totp_device(user=user) is not None:
        raise ValidationError(gettext("Two-step verification is already on."))
    device = totp_device(user=user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_setup(device: TOTPDevice) -> dict[str, str]:
    """What an authenticator app needs to add ``device``: the ``otpauth://`` URL, the same as a QR
    code (inline SVG markup, drawn here: no image service sees the secret) and the secret typed
    by hand (base32, in groups of 4)."""
    url = device.config_url
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return {
        "url": url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_svg": qr,
    }


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the scanned app with one of its codes: returns the device and the new recovery
    codes (to show once). Ends the account's API tokens: they were obtained without a code."""
    _require_manager(user)
    device = totp_device(user=user, confirmed=False)
    if device is None or totp_device(user=user) is not None:
        raise ValidationError(gettext("Start the set-up again: there is nothing to confirm."))
    if not device.verify_token(_normalise(code)):
        raise ValidationError(
            {"code": gettext("Wrong code: enter the 6 digits your authenticator app shows now.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    tokens_revoke_all(user=user)
    return device, codes


def code_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (the app's 6 digits, or an unused recovery code, which
    is then used up), or None. Only confirmed devices of a manager count."""
    if not is_manager(user):
        return None
    code = _normalise(code)
    if not code:
        return None
    model = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def code_failed(*, request: HttpRequest | None, user: User) -> None:
    """Count a wrong code as a failed sign-in of ``user`` (django-axes locks the username and
    address after ``AXES_FAILURE_LIMIT`` failures, passwords and codes together)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


@transaction.atomic
def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes in place of the old ones (which stop working), once a current code
    from the authenticator app confirms it is the manager asking."""
    device = totp_device(user=user)
    if device is None:
        raise ValidationError(gettext("Two-step verification is off."))
    if not device.verify_token(_normalise(code)):
        raise ValidationError(
            {"code": gettext("Wrong code: enter the 6 digits your authenticator app shows now.")}
        )
    return _new_recovery_codes(user)


@transaction.atomic
def two_factor_disable(*, user: User, password: str, code: str) -> None:
    """Turn two-step verification off: the password and a current code (or a recovery code)
    confirm it. Refused while ``AGENCY_REQUIRE_2FA`` is on."""
    if two_factor_required():
        raise ValidationError(
            gettext("Two-step verification is required for managers: it cannot be turned off.")
        )
    if totp_device(user=user) is None:
        raise ValidationError(gettext("Two-step verification is off."))
    errors = {}
    if not user.check_password(password or ""):
        errors["password"] = gettext("Wrong password.")
    elif code_verify(user=user, code=code) is None:
        errors["code"] = gettext("Wrong code.")
    if errors:
        raise ValidationError(errors)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
