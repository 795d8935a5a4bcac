"""How a browser session's user is loaded: with the agent it signs in as, in the same query, so
that telling the three roles apart (``agency.access.user_role``) costs no query per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager
        try:
            # ``seats.Agent.user``'s related name; a string, so no import crosses the layers.
            user = users.select_related("agent_profile").get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
