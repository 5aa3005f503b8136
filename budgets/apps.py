from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """Yearly media-spend budgets and media orders."""

    name = "budgets"
    verbose_name = _("Media budgets")
