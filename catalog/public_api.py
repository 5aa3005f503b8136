"""The API's public open data for catalog (docs/api.md "Public open data"): /api/v1/catalog/, the outlets listed
in the e-catalog, the same set and facts as the public /catalog/ page (catalog.public), from the same selectors
(catalog.selectors.public_outlets, public_outlet). No sign-in, no personal data (the selectors return public facts
only: no person's name, phone, e-mail, NPWP or document), cached and throttled (mediareg.api.public)."""

from __future__ import annotations

import django_filters
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter

from mediareg.api.pagination import CursorPagination
from mediareg.api.public import PublicViewSet
from partners.models import MediaType, VerificationLevel

from .public import MAX_QUERY_LENGTH
from .selectors import CatalogFilters, public_outlet, public_outlets
from .tiers import Tier

FILTERS = ("q", "media_type", "province", "level", "tier")
MAX_ID_DIGITS = 18


class PublicCatalogFilter(django_filters.FilterSet):
    """The filters of the /catalog/ page, applied by its selector (catalog.selectors.public_outlets)."""

    q = django_filters.CharFilter(
        label=_("Name or website"), max_length=MAX_QUERY_LENGTH,
        help_text=_("A part of the outlet's name or of one of its web addresses; a pasted address "
                    "(https://www.kabar.id/berita) searches by its host name."))
    media_type = django_filters.ChoiceFilter(label=_("Media type"), choices=MediaType.choices)
    province = django_filters.CharFilter(
        label=_("Province"), max_length=2,
        help_text=_("The Kemendagri code of the province of the outlet's company, e.g. 31 (DKI Jakarta)."))
    level = django_filters.ChoiceFilter(label=_("Dewan Pers verification"), choices=VerificationLevel.choices)
    tier = django_filters.ChoiceFilter(
        label=_("Tier"), choices=Tier.choices,
        help_text=_("The outlet's tier today (A: factual Dewan Pers verification, B: administrative, C: meets the "
                    "local rules and works towards verification; as the policy defines them)."))

    def filter_queryset(self, queryset):
        values = {name: self.form.cleaned_data.get(name) or "" for name in FILTERS}
        values["q"] = " ".join(values["q"].split())
        return public_outlets(CatalogFilters(**values), outlets=queryset)


class PublicOutletSerializer(serializers.Serializer):
    """A listed outlet's public facts (catalog.selectors.PublicOutlet, or one of its rows)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("This outlet in the API."))
    name = serializers.CharField(read_only=True)
    media_type = serializers.ChoiceField(choices=MediaType.choices, read_only=True)
    media_type_label = serializers.SerializerMethodField(help_text=_("The media type in the request's language."))
    domain = serializers.CharField(read_only=True, allow_null=True,
                                   help_text=_("The outlet's primary web address (host name), if it has one."))
    website = serializers.SerializerMethodField(help_text=_("https:// and the domain, if it has one."))
    level = serializers.ChoiceField(choices=VerificationLevel.choices, read_only=True,
                                    help_text=_("Dewan Pers verification: factual, administrative or none."))
    level_label = serializers.SerializerMethodField(help_text=_("The level in the request's language."))
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True, allow_null=True,
                                   help_text=_("The outlet's tier today, computed from the registry and the policy "
                                               "(A, B or C; null when it reaches none)."))
    province = serializers.SerializerMethodField(help_text=_("The province of the outlet's company."))
    province_code = serializers.SerializerMethodField(help_text=_("Its Kemendagri code."))
    listed_since = serializers.DateTimeField(read_only=True,
                                             help_text=_("Since when the outlet is listed (this time)."))
    first_listed = serializers.DateTimeField(read_only=True, allow_null=True,
                                             help_text=_("When the outlet was first listed."))

    @staticmethod
    def _value(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        return reverse("api-catalog-detail", args=[self._value(row, "pk")], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.STR)
    def get_media_type_label(self, row) -> str:
        value = self._value(row, "media_type")
        return str(MediaType(value).label) if value in MediaType.values else value

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_website(self, row) -> str | None:
        domain = self._value(row, "domain")
        return f"https://{domain}/" if domain else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_level_label(self, row) -> str:
        value = self._value(row, "level")
        return str(VerificationLevel(value).label) if value in VerificationLevel.values else value

    @extend_schema_field({"type": "string", "nullable": True})
    def get_province(self, row) -> str | None:
        return self._value(row, "province") or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_province_code(self, row) -> str | None:
        return self._value(row, "province_code") or None


class PublicCatalogPagination(CursorPagination):
    # The page's order: by name regardless of case, then id (the cursor's tie-break).
    ordering = ("sort_name", "pk")


OUTLET_EXAMPLE = {
    "id": 42, "url": "https://mediareg.example.go.id/api/v1/catalog/42/", "name": "Kabar Betawi",
    "media_type": "online", "media_type_label": "Media siber (online)", "domain": "kabarbetawi.co.id",
    "website": "https://kabarbetawi.co.id/", "level": "factual", "level_label": "Terverifikasi faktual",
    "tier": "A", "province": "DKI Jakarta", "province_code": "31", "listed_since": "2026-08-17T09:00:00+07:00",
    "first_listed": "2024-03-01T10:15:00+07:00",
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Outlets listed in the e-catalog"),
        description=_("The outlets listed in the e-catalog now, as on the public /catalog/ page, in name order, "
                      "in cursor pages. Open to everyone, no personal data. Answers are cached for a short time "
                      "(API_PUBLIC_CACHE_SECONDS, 2 minutes by default): a newly listed or suspended outlet shows "
                      "within it. Anonymous use is throttled per address (429 with Retry-After)."),
        examples=[OpenApiExample("A page", response_only=True, value={
            "next": "https://mediareg.example.go.id/api/v1/catalog/?cursor=cD1LQUJBUg%3D%3D", "previous": None,
            "results": [OUTLET_EXAMPLE]})],
    ),
    retrieve=extend_schema(
        summary=_("One listed outlet"),
        description=_("The public facts of an outlet listed in the e-catalog now; 404 for any other outlet "
                      "(applied, suspended, delisted, unknown)."),
        parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH,
                                     description=_("The outlet's id."))],
        examples=[OpenApiExample("An outlet", response_only=True, value=OUTLET_EXAMPLE)],
    ),
)
class PublicCatalogViewSet(PublicViewSet):
    serializer_class = PublicOutletSerializer
    filterset_class = PublicCatalogFilter
    pagination_class = PublicCatalogPagination
    # Anything in the address reaches the view, so that what is not an outlet id gets the API's 404 (JSON), not the
    # site's page.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return public_outlets().annotate(sort_name=Upper("name"))

    def get_object(self):
        pk = self.kwargs["pk"]
        # Outlet ids are bigints: a longer number would make PostgreSQL refuse the comparison (an error, not a 404).
        if not (pk.isascii() and pk.isdigit() and len(pk) <= MAX_ID_DIGITS):
            raise NotFound()
        found = public_outlet(int(pk))
        if found is None:
            raise NotFound()
        return found


router = SimpleRouter()
router.register("catalog", PublicCatalogViewSet, basename="api-catalog")

urlpatterns = router.urls
