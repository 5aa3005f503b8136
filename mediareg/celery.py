import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")

app = Celery("mediareg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
