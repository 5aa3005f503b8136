import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")

app = Celery("mediareg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task keeps its worker's database connection as a request keeps gunicorn's: Django's own check before
# and after each task closes it only when it is broken or older than CONN_MAX_AGE (with CONN_HEALTH_CHECKS
# the next query tests it first). Celery's Django fixup would otherwise close it around every task, and
# each task would pay for a new PostgreSQL backend (docs/deployment.md "Database connections"). The
# fixup's own closing is turned off by CELERY_DB_REUSE_MAX in the settings.
@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task=None, **_kwargs):
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's process, maybe inside its transaction: its connection is not ours
    from django.db import close_old_connections

    close_old_connections()
