import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
# This process serves web requests: its SQL statements get the web time limit (see mediareg/wsgi.py).
os.environ.setdefault("MEDIAREG_WEB_SERVER", "true")
application = get_asgi_application()
