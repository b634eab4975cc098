"""WSGI entry point (used by `vigil serve` and by any production WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")

application = get_wsgi_application()
