import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
# This process serves web requests: its SQL statements get the web time limit (settings,
# DATABASE_STATEMENT_TIMEOUT), which jobs and commands do not have.
os.environ.setdefault("MEDIAREG_WEB_SERVER", "true")
application = get_wsgi_application()
