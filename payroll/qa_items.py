"""The quality review sheet's built-in items (质检评分表), named in the reader's language.

A fresh database gets these (migration ``0002``); the agency may change their points, retire
them or add its own items, which carry their own names.
"""

from django.utils.translation import gettext_lazy as _

# code: (label, points, fatal). Points of the weighted items add up to 100.
BUILTIN_ITEMS = {
    "greeting": (_("Greeting and courtesy"), 10, False),
    "response": (_("Timely replies"), 20, False),
    "accuracy": (_("Accurate product answers"), 25, False),
    "resolution": (_("Problem solved"), 25, False),
    "selling": (_("Recommends and closes the sale"), 20, False),
    "abuse": (_("Rude or abusive to the buyer"), 0, True),
    "privacy": (_("Leaks buyer information"), 0, True),
    "promise": (_("Unauthorised promise or off-platform deal"), 0, True),
}


def builtin_label(code: str | None) -> str:
    """The translated name of a built-in item, or "" for an item the agency added."""
    if code is None or code not in BUILTIN_ITEMS:
        return ""
    return str(BUILTIN_ITEMS[code][0])
