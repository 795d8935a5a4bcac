"""The manager's own API tokens: the list, and revoking one or all (``agency.tokens``)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext

from agency.tokens import token_revoke, tokens_revoke_all, user_tokens
from web.views.base import ManagerPage


class TokenListView(ManagerPage):
    template_name = "manager/account/tokens.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tokens=list(user_tokens(user=self.request.user)), **kwargs)


class TokenRevokeView(ManagerPage):
    """POST: end one of one's own tokens (by its key prefix), or all of them."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        key = kwargs.get("key")
        if key is None:
            count = tokens_revoke_all(user=request.user)
            messages.success(request, gettext("%(count)d API tokens revoked.") % {"count": count})
        elif token_revoke(user=request.user, token_key=key):
            messages.success(request, gettext("Token %(key)s… revoked.") % {"key": key})
        else:
            messages.error(request, gettext("No such token: it has ended already."))
        return redirect("web:token-list")
