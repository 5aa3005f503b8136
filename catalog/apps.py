from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """E-catalog eligibility and listing (built on the partners registry)."""

    name = "catalog"
    verbose_name = _("E-catalog")

    def ready(self):
        from django.utils.functional import lazy
        from django.utils.translation import gettext

        from mediareg.display import name_system_actors
        from partners import signals as registry

        from . import home_panels
        from .home_connected import staff_home_panels as connected_outlets_panels
        from .models import Trigger
        from .press_council import keep_evidence, recheck_after_import
        from .signals import recheck_after_document_change, recheck_after_registry_change

        registry.documents_changed.connect(recheck_after_document_change, dispatch_uid="catalog-recheck-documents")
        registry.registry_changed.connect(recheck_after_registry_change, dispatch_uid="catalog-recheck-registry")
        registry.press_council_list_applied.connect(keep_evidence, dispatch_uid="catalog-press-council-evidence")
        registry.press_council_list_imported.connect(recheck_after_import, dispatch_uid="catalog-press-council-recheck")

        # Registry panels that are not the catalog's own selectors.staff_home (catalog/admin/home.py).
        home_panels.register(connected_outlets_panels)

        # The re-check jobs run as "system:<trigger>" (catalog.eligibility): the audit trail names them.
        def after(trigger):
            return gettext("Re-check after: %(trigger)s") % {"trigger": trigger.label}

        name_system_actors({trigger.value: lazy(after, str)(trigger) for trigger in Trigger})
