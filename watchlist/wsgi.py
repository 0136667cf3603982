"""WSGI entry point for gunicorn: `gunicorn -c watchlist/gunicorn.conf.py watchlist.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchlist.settings")

application = get_wsgi_application()
