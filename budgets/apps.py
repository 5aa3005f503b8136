from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """Yearly media-spend budgets and media orders."""

    name = "budgets"
    verbose_name = _("Media budgets")

    def ready(self):
        # The staff home is the catalog's, which may not import budgets: budgets adds its panels.
        from catalog import home_panels

        from . import home_reference
        from .home import staff_home_panels
        from .home_distribution import staff_home_panels as distribution_panels
        from .home_proofs import proof_panels

        home_panels.register(staff_home_panels)
        home_panels.register(proof_panels)
        home_panels.register(home_reference.staff_home_panels)
        home_panels.register(distribution_panels)
