"""The registry's search box: names by substring, NPWP, NIB and domains by their canonical value
(partners.selectors.registry_search, which the API's search filters call too)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..selectors import registry_search


class RegistrySearchMixin:
    search_name_fields: list[str] = []
    search_company_path = ""
    search_domain_path: str | None = None
    search_help_text = _("Name, NPWP (any format), NIB or website domain")

    def get_search_results(self, request, queryset, search_term):
        filtered = registry_search(queryset, search_term, name_fields=self.search_name_fields,
                                   company_path=self.search_company_path, domain_path=self.search_domain_path)
        return filtered, False
