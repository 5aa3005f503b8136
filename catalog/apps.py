from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """E-catalog eligibility and listing (built on the partners registry)."""

    name = "catalog"
    verbose_name = _("E-catalog")

    def ready(self):
        from partners.signals import documents_changed

        from .signals import recheck_after_document_change

        documents_changed.connect(recheck_after_document_change, dispatch_uid="catalog-recheck-documents")
