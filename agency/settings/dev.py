"""Local development: DEBUG on, SQLite and in-process tasks unless the environment says otherwise.

``manage.py`` uses this module by default; servers (wsgi, Celery) default to ``base``.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from agency.settings.base import *  # noqa: E402,F403
