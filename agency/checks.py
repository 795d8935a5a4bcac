"""System checks of the agency's own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "your-secret", "insecure")
"""Words that mark a secret key copied from an example file (``.env.example``) or a default."""


@register(Tags.security, deploy=True)
def secret_key_is_not_a_placeholder(app_configs, **kwargs) -> list[Error]:
    """A production secret key is never the example's placeholder: sessions, password-reset
    links and invitation tokens signed with a published key can be forged."""
    key = str(settings.SECRET_KEY).lower()
    if any(marker in key for marker in PLACEHOLDER_MARKERS):
        return [
            Error(
                "DJANGO_SECRET_KEY is a placeholder (as in .env.example).",
                hint="Set it to a long random string, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id="agency.E001",
            )
        ]
    return []
