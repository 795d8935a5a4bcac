"""Accounts: creating users, changing them and inviting them to set a password.

Roles (``agency.access``): a **manager** is active staff; an **agent** is a user linked to one
``seats.Agent`` (the seats app owns that link and creates agents' accounts through
``seats.services.account_create``, which calls ``user_create`` here); an **owner** is any other
user (a client account, whether or not it owns a shop yet).

An account created without a password gets an **invitation**: an email, in the user's language,
with a link to the password-setting page of Django's password reset (same token machinery,
same page), sent once the transaction has committed. The link expires after
``settings.PASSWORD_RESET_TIMEOUT``; a manager can send a new one (``user_invite``).

Deactivating an account (``is_active`` false) signs the user out everywhere at their next
request: sessions and API tokens of inactive users are refused (``agency.backends``, knox).
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, gettext_lazy

from agency.access import ROLE_AGENT, ROLE_MANAGER, ROLE_OWNER, require_manager
from agency.emails import owner_email_send
from agency.errors import StateConflict
from agency.models import User
from agency.services import refuse_unknown_fields

logger = logging.getLogger(__name__)

ROLES = (ROLE_MANAGER, ROLE_OWNER, ROLE_AGENT)
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
USER_FIELDS = ("email", "language", "is_active")
INVITATION_SUBJECT = gettext_lazy("Your account: choose a password")


def account_role(user: User) -> str:
    """``manager``, ``agent`` or ``owner``, whether or not the account is active (lists show
    deactivated accounts with the role they had). Reads ``agent_profile``: load it with
    ``select_related("agent_profile")`` to keep lists at one query."""
    if user.is_staff:
        return ROLE_MANAGER
    if getattr(user, "agent_profile", None) is not None:
        return ROLE_AGENT
    return ROLE_OWNER


def language_clean(language: str | None) -> str:
    """The language of a new or changed account: one of ``settings.LANGUAGES``; empty or None
    gives the language of new accounts (``settings.NEW_ACCOUNT_LANGUAGE``)."""
    if not language:
        return settings.NEW_ACCOUNT_LANGUAGE
    if language not in LANGUAGE_CODES:
        raise ValidationError(
            {
                "language": gettext("Choose one of %(languages)s.")
                % {"languages": ", ".join(LANGUAGE_CODES)}
            }
        )
    return language


def email_validate_unused(email: str, *, exclude_id: int | None = None) -> None:
    """One account per email address (case-insensitive): the password reset page finds accounts
    by address, and two accounts on one address would both get the link."""
    if not email:
        return
    others = User.objects.filter(email__iexact=email)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if others.exists():
        raise ValidationError(
            {"email": gettext("Another account already uses this email address.")}
        )


def password_validate(password: str, user: User) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), reported on
    ``password``."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str = "",
    role: str = ROLE_OWNER,
    language: str | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """A new account (managers only). ``role`` ``manager`` makes it staff; ``owner`` and
    ``agent`` are client accounts (an agent's is then linked by ``seats.services``, which is
    the only caller that may pass ``agent``).

    Without ``password`` the user is invited (``user_invite``), so an email address is then
    required. The username and the email address are unique (email case-insensitive).
    """
    require_manager(actor)
    if role not in ROLES:
        raise ValidationError(
            {"role": gettext("Choose one of %(roles)s.") % {"roles": ", ".join(ROLES)}}
        )
    user = User(
        username=(username or "").strip(),
        email=User.objects.normalize_email((email or "").strip()),
        language=language_clean(language),
        is_staff=role == ROLE_MANAGER,
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if not password and not user.email:
        errors.setdefault("email", []).append(
            gettext("An account without a password needs an email address for its invitation.")
        )
    for check in (
        lambda: email_validate_unused(user.email),
        lambda: password and password_validate(password, user),
    ):
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if not password:
        _invite_after_commit(user)
    return user


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any], actor: User | None = None) -> User:
    """Change ``email``, ``language``, ``is_active`` and/or ``password`` (managers only); any
    other key is refused by name. A manager cannot deactivate their own account (somebody must
    remain who can undo it)."""
    require_manager(actor)
    data = dict(data)
    password = data.pop("password", None)
    refuse_unknown_fields(data=data, fields=USER_FIELDS)
    if "language" in data:
        data["language"] = language_clean(data["language"])
    if "email" in data:
        data["email"] = User.objects.normalize_email((data["email"] or "").strip())
        email_validate_unused(data["email"], exclude_id=user.pk)
    if data.get("is_active") is False and actor is not None and actor.pk == user.pk:
        raise ValidationError({"is_active": gettext("You cannot deactivate your own account.")})
    if password:
        password_validate(password, user)
    changed = [name for name, value in data.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user


def user_invite(*, user: User, actor: User | None = None) -> None:
    """Send ``user`` (again) the email with a link to choose a password, after commit.

    Refused for a deactivated account (``StateConflict``) and for one without an email address
    (``ValidationError`` on ``email``). An earlier link stops working once a password is set.
    """
    require_manager(actor)
    if not user.is_active:
        raise StateConflict(gettext("This account is deactivated; reactivate it first."))
    if not user.email:
        raise ValidationError(
            {"email": gettext("This account has no email address to send the invitation to.")}
        )
    _invite_after_commit(user)


def _invite_after_commit(user: User) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: _queue_invitation(user_id))


def _queue_invitation(user_id: int) -> None:
    from agency.tasks import send_invitation_email

    try:
        send_invitation_email.delay(user_id)
    except Exception:  # the account exists either way; the manager can resend the invitation
        logger.exception("invitation_not_sent user_id=%s", user_id)


def invitation_link(user: User) -> str:
    """The address where ``user`` chooses a password: Django's password reset confirmation page
    with a fresh token, on the site at ``settings.SITE_URL``."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def invitation_send(*, user_id: int) -> bool:
    """Email the invitation now, in the user's language (``User.email_language``); returns
    whether a mail went out (nothing for a deactivated account or one without an address)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return owner_email_send(
        owner=user,
        subject=INVITATION_SUBJECT,
        subject_values={},
        template="registration/invitation_email.txt",
        context=lambda: {
            "link": invitation_link(user),
            "username": user.get_username(),
            "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
