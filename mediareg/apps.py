import logging
import os
import sys

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("mediareg")


class MediaRegConfig(AppConfig):
    name = "mediareg"
    verbose_name = "MediaReg"

    def ready(self):
        from . import periodic, roles, third_party

        third_party.speak_the_chosen_language()
        # Each app's reports (partners.reports, catalog.reports, budgets.reports) register themselves.
        autodiscover_modules("reports")

        # Not tied to one sender: permissions of later apps exist only after their own post_migrate,
        # so the (idempotent, cheap) handlers run after each app and the last run sees everything.
        post_migrate.connect(periodic.ensure_periodic_tasks_after_migrate, dispatch_uid="mediareg-periodic")
        post_migrate.connect(roles.ensure_roles_after_migrate, dispatch_uid="mediareg-roles")
        if settings.EMBEDDED_DEFAULTS and not _is_autoreload_parent():
            logger.warning(
                "Embedded defaults in use (%s); set DATABASE_URL, REDIS_URL, EMAIL_HOST and SECRET_KEY for production, "
                "and STORAGE_URL for more than one machine.",
                "; ".join(settings.EMBEDDED_DEFAULTS),
            )


def _is_autoreload_parent() -> bool:
    # runserver's reloader imports the project twice; report once, from the serving process.
    return len(sys.argv) > 1 and sys.argv[1] == "runserver" and os.environ.get("RUN_MAIN") != "true"


class LoginAttemptsConfig(AxesAppConfig):
    """django-axes under a name staff read in their language on the admin's home page."""

    verbose_name = _("Login attempts")
