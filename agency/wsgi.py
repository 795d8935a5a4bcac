import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.base")

application = get_wsgi_application()

# A server process loads the URLconf, and with it every view, as it starts rather than on its
# first request; then everything loaded so far (Django, the apps, their views: some 140,000
# objects that live as long as the process) is left out of the cyclic garbage collector, whose
# full collections walked all of them (some 50 ms) every few hundred requests. Garbage made
# while serving is collected as ever.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf
gc.freeze()
