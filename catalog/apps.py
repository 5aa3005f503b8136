from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """E-catalog eligibility and listing (built on the partners registry)."""

    name = "catalog"
    verbose_name = _("E-catalog")

    def ready(self):
        from partners.signals import documents_changed, registry_changed

        from .signals import recheck_after_document_change, recheck_after_registry_change

        documents_changed.connect(recheck_after_document_change, dispatch_uid="catalog-recheck-documents")
        registry_changed.connect(recheck_after_registry_change, dispatch_uid="catalog-recheck-registry")
