"""How API callers sign in: knox tokens, or a browser's session.

Both then answer the caller in its language (``agency.middleware.speak_api_language``): DRF
authenticates inside the view, after every middleware, so this is the first moment a token's user
is known. Kept apart from ``agency.api``: DRF imports these classes while it loads its views.
"""

import binascii
import datetime
import threading
from hmac import compare_digest

from django.conf import settings
from django.db import connections, router
from django.db.models import Q
from django.db.models.query import get_related_populators
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions

from agency.db import bound_cursor
from agency.middleware import speak_api_language


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's tokens; the caller then hears the API in its language (``agency.middleware``).

    The token's user is loaded with the agent it signs in as, in the same query, as
    ``agency.backends.ModelBackend`` does for sessions: every view asks ``agency.access`` for the
    caller's role, and that must not cost a query per request. That query is all a token costs.
    """

    def authenticate_credentials(self, token):
        # Knox's own lookup, with the agent joined to the user and expired tokens left out in
        # the same query. Knox would also read every token of the account and delete the
        # expired ones, on every request: a query or more each time, and writes on a read.
        # Expired tokens are deleted hourly instead (``agency.tasks.prune_expired_tokens``).
        message = _("Invalid token.")
        token = token.decode("utf-8")
        candidates = _token_lookup().candidates(token[: CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates:
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
            _refuse_manager_without_two_factor(result[0])
        return result


class _TokenLookup:
    """Knox's token lookup (live tokens of a key prefix, user and agent joined) as a query
    compiled once per thread and database connection and run with each request's key.

    Compiling it (three tables, every column of the user and the agent) cost more than running
    it, on every request. The rows become the same objects the queryset would build: Django's
    compiler converts them and its related populators attach the user and the agent.
    """

    KEY = "\x00token-key"  # stand-ins, found again among the compiled parameters
    NOW = datetime.datetime(2000, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

    def __init__(self, using: str) -> None:
        self.using = using
        queryset = (
            get_token_model()
            .objects.using(using)
            .filter(Q(expiry__isnull=True) | Q(expiry__gt=self.NOW), token_key=self.KEY)
            # ``seats.Agent.user``'s related name; a string, so no import crosses the layers.
            .select_related("user", "user__agent_profile")
        )
        self.compiler = queryset.query.get_compiler(using=using)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        ops = connections[using].ops
        self.key_at = self.params.index(self.KEY)
        self.now_at = self.params.index(ops.adapt_datetimefield_value(self.NOW))
        klass_info, select = self.compiler.klass_info, self.compiler.select
        fields = klass_info["select_fields"]
        self.model_slice = slice(fields[0], fields[-1] + 1)
        self.init_list = [column[0].target.attname for column in select[self.model_slice]]
        self.populators = get_related_populators(klass_info, select, using)
        # What ``compiler.results_iter`` would look up on every call: the columns' converters.
        columns = [column[0] for column in select[0 : self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)

    def candidates(self, token_key: str) -> list:
        connection = connections[self.using]
        params = list(self.params)
        params[self.key_at] = token_key
        params[self.now_at] = connection.ops.adapt_datetimefield_value(timezone.now())
        with bound_cursor(self.using) as cursor:  # prepared after a few requests
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        tokens = []
        for row in rows:
            auth_token = get_token_model().from_db(
                self.using, self.init_list, row[self.model_slice]
            )
            for populator in self.populators:
                populator.populate(row, auth_token)
            tokens.append(auth_token)
        return tokens


_compiled = threading.local()


def _token_lookup() -> _TokenLookup:
    """This thread's compiled lookup (a compiler belongs to one thread's connection)."""
    using = router.db_for_read(get_token_model())
    lookups = _compiled.__dict__.setdefault("lookups", {})
    if using not in lookups:
        lookups[using] = _TokenLookup(using)
    return lookups[using]


def _refuse_manager_without_two_factor(user) -> None:
    """While two-step verification is required, a manager's token obtained before they set it
    up (the setting switched on since) stops working until they do (``agency.two_factor``)."""
    if not settings.AGENCY_REQUIRE_2FA:
        return
    # Imported here: DRF imports this module before the apps' models are ready.
    from agency.access import is_manager
    from agency.two_factor import totp_device

    if is_manager(user) and totp_device(user=user) is None:
        raise exceptions.AuthenticationFailed(
            _("Set up two-step verification first: it is required for managers.")
        )


class SessionAuthentication(authentication.SessionAuthentication):
    """A browser's session; the caller then hears the API in its language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
        return result
