from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """E-catalog eligibility and listing (built on the partners registry)."""

    name = "catalog"
    verbose_name = _("E-catalog")
