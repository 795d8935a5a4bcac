"""API tokens (knox): how many an account holds, how long they last, and how they end.

* A token lasts ``REST_KNOX["TOKEN_TTL"]`` (7 days unless ``API_TOKEN_TTL_HOURS`` says
  otherwise). A client renews it before it expires with ``POST /api/v1/auth/token/refresh/``
  (the old token ends, a new one is returned), or signs in again.
* An account holds at most ``API_TOKEN_LIMIT_PER_USER`` live tokens (10): signing in once more
  ends the oldest (``token_create``); expired tokens are removed then too.
* ``POST /api/v1/auth/logout/`` ends the token it is sent with, ``/logoutall/`` all of the
  account's; a new password (changed, reset or set by a manager) and a deactivation end them all
  (``agency.models.User.save``). The manager app lists one's tokens with a revoke button.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from knox.models import get_token_model

from agency.models import User


def token_limit() -> int:
    return settings.API_TOKEN_LIMIT_PER_USER


def user_tokens(*, user: User) -> QuerySet:
    """The account's live tokens, newest first (their key prefix, creation and expiry)."""
    return (
        get_token_model()
        .objects.filter(user=user, expiry__gt=timezone.now())
        .order_by("-created", "-token_key")
    )


@transaction.atomic
def token_create(*, user: User) -> tuple[object, str]:
    """A new token for ``user``: returns (the stored token, the secret to hand out once). Expired
    tokens go, and the oldest live ones beyond the limit (counting the new one)."""
    tokens = get_token_model().objects.filter(user=user)
    tokens.filter(expiry__lte=timezone.now()).delete()
    keep = token_limit() - 1
    newest_first = tokens.order_by("-created", "-token_key").values_list("digest", flat=True)
    surplus = list(newest_first[keep:])
    if surplus:
        get_token_model().objects.filter(digest__in=surplus).delete()
    return get_token_model().objects.create(user=user)


def tokens_prune_expired() -> int:
    """Delete every expired token, of every account; how many. Safe to run twice (the second
    run finds none): an expired token already refuses to sign anything in."""
    deleted, _ = get_token_model().objects.filter(expiry__lte=timezone.now()).delete()
    return deleted


def token_revoke(*, user: User, token_key: str) -> bool:
    """End ``user``'s token(s) whose key prefix is ``token_key``; whether one was ended. Another
    account's token is never touched (it is simply not found)."""
    deleted, _ = get_token_model().objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0


def tokens_revoke_all(*, user: User) -> int:
    """End every token of ``user``; returns how many."""
    deleted, _ = get_token_model().objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def token_refresh(*, user: User, current) -> tuple[object, str]:
    """Replace the token ``current`` (the one the request came with) by a new one."""
    if current is not None:
        get_token_model().objects.filter(digest=current.digest).delete()
    return token_create(user=user)
