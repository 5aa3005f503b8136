"""The API's public open data for budgets (docs/api.md "Public open data"): /api/v1/transparency/, per agency and
fiscal year the budget, its revisions, the spend per month and per outlet and the fair-distribution figures: the
figures of the public /transparency/ page (budgets.public), from the same selectors, with the spend outside the
e-catalog in every total and by kind. No sign-in, no personal data
(no one's name: who entered a revision, who placed or paid an order; no file), cached and throttled
(mediareg.api.public).

Caching follows the page: a money change (an order placed, paid or cancelled, a revision, a policy decision)
changes a budget row, which changes the digest in every cache key (budgets.selectors.budgets_fingerprint, one
query per request), so it shows on the next request; a listing change (who counts as a listed outlet that
received nothing) shows within API_PUBLIC_CACHE_SECONDS.

The URLs are written out rather than made by a router: a year is found by its agency's address name and the
year (/api/v1/transparency/<agency>/<year>/), two parts a router's single lookup does not have.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.urls import path
from django.utils import timezone
from django.utils.text import format_lazy
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

from mediareg.api.pagination import CursorPagination
from mediareg.api.public import PublicViewSet
from partners.models import MediaType

from .models import Agency, Budget, OtherSpendKind, RevisionReason
from .public import WITHOUT_ORDERS_SHOWN
from .selectors import (
    budget_revisions,
    budgets_fingerprint,
    fair_distribution,
    other_spend_by_kind,
    published_budgets,
    spend_by_month,
)

YEAR_MIN, YEAR_MAX = 2000, 2100  # the budget's own range (budget_year_range)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TransparencyFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(field_name="agency__slug", label=_("Agency"), max_length=60,
                                       help_text=_("The agency's address name (slug), e.g. kominfotik-dki."))
    year = YearFilter(field_name="year", label=_("Fiscal year"), min_value=YEAR_MIN, max_value=YEAR_MAX)

    class Meta:
        model = Budget
        fields = []


class PublicAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["slug", "name", "short_name", "kind"]
        read_only_fields = fields


class BudgetYearSerializer(serializers.ModelSerializer):
    """An agency's budget of one year, with its totals (whole rupiah)."""

    agency = PublicAgencySerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text=_("This year's figures in the API."))
    total_amount = serializers.IntegerField(
        source="spent_total", read_only=True,
        help_text=_("All the media spending: orders not cancelled and spend outside the e-catalog, in whole rupiah."))
    remaining_amount = serializers.IntegerField(
        read_only=True, help_text=_("Current − ordered − spent outside the e-catalog."))
    absorption = serializers.FloatField(
        read_only=True, allow_null=True,
        help_text=_("Paid and spent outside the e-catalog ÷ current amount (0 to 1); null for a budget of 0."))
    revision_count = serializers.IntegerField(read_only=True, help_text=_("How many revisions the budget had."))

    class Meta:
        model = Budget
        fields = ["agency", "year", "url", "account_code", "account_name", "original_amount", "current_amount",
                  "ordered_amount", "paid_amount", "other_spent_amount", "total_amount", "remaining_amount",
                  "absorption", "spending_allowed",
                  "revision_count"]
        read_only_fields = fields
        extra_kwargs = {
            "original_amount": {"help_text": _("As first adopted (murni), in whole rupiah.")},
            "current_amount": {"help_text": _("After every revision, in whole rupiah.")},
            "ordered_amount": {"help_text": _("Orders not cancelled (paid ones included), in whole rupiah.")},
            "paid_amount": {"help_text": _("Paid to the outlets (realisasi), in whole rupiah.")},
            "other_spent_amount": {"help_text": _(
                "Spent outside the e-catalog (subscriptions, press gatherings, sponsored events, legislature "
                "publications), not cancelled, in whole rupiah.")},
            "spending_allowed": {"help_text": _("False in a year whose policy was no paid media cooperation.")},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, budget) -> str:
        return reverse("api-transparency-detail", kwargs={"agency": budget.agency.slug, "year": budget.year},
                       request=self.context.get("request"))


class PublicRevisionSerializer(serializers.Serializer):
    revised_on = serializers.DateField(read_only=True)
    amount_before = serializers.IntegerField(read_only=True)
    amount_after = serializers.IntegerField(read_only=True)
    reason = serializers.ChoiceField(choices=RevisionReason.choices, read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True,
                                         help_text=_("The reason in the request's language."))
    reference = serializers.CharField(read_only=True, help_text=_("The decision or document number."))
    note = serializers.CharField(read_only=True, help_text=_("The explanation given, if any."))


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(read_only=True, min_value=1, max_value=12)
    ordered = serializers.IntegerField(read_only=True, help_text=_("Orders placed that month, not cancelled."))
    paid = serializers.IntegerField(read_only=True, help_text=_("Payments made that month."))
    other_spent = serializers.IntegerField(source="other", read_only=True,
                                           help_text=_("Spent outside the e-catalog that month, not cancelled."))


class KindSpendSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OtherSpendKind.choices, read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("The kind in the request's language."))
    entries = serializers.IntegerField(read_only=True)
    amount = serializers.IntegerField(read_only=True, help_text=_("In whole rupiah."))


class OutletSpendSerializer(serializers.Serializer):
    outlet_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    media_type = serializers.ChoiceField(choices=MediaType.choices, read_only=True)
    orders = serializers.IntegerField(read_only=True, help_text=_("Orders not cancelled."))
    ordered = serializers.IntegerField(read_only=True)
    paid = serializers.IntegerField(read_only=True)
    share = serializers.FloatField(read_only=True, help_text=_("Of the year's orders, 0 to 1."))


class OutletNameSerializer(serializers.Serializer):
    outlet_id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)


class FairDistributionSerializer(serializers.Serializer):
    listed_outlets = serializers.IntegerField(
        read_only=True, help_text=_("Outlets in the e-catalog on at least one day of the year."))
    outlets_with_orders = serializers.IntegerField(read_only=True)
    listed_with_orders = serializers.IntegerField(read_only=True)
    listed_without_orders = serializers.IntegerField(source="listed_without_orders_count", read_only=True)
    reach = serializers.FloatField(read_only=True, allow_null=True,
                                   help_text=_("Listed outlets with an order ÷ listed outlets, 0 to 1."))
    top5_share = serializers.FloatField(read_only=True, allow_null=True,
                                        help_text=_("The five largest outlets' share of the year's orders, 0 to 1."))
    hhi = serializers.IntegerField(read_only=True, allow_null=True,
                                   help_text=_("Herfindahl–Hirschman index over outlets, 0 to 10,000: 10,000 "
                                               "when one outlet receives everything."))
    total = serializers.IntegerField(read_only=True, help_text=_("The year's orders, not cancelled."))


class TransparencyYearSerializer(BudgetYearSerializer):
    """A year's figures: the budget, its revisions, spend by month and per outlet, fair distribution."""

    revisions = PublicRevisionSerializer(many=True, read_only=True, source="public_revisions")
    months = MonthSerializer(many=True, read_only=True, source="public_months")
    other_spend = KindSpendSerializer(many=True, read_only=True, source="public_other_spend",
                                      help_text=_("Spend outside the e-catalog by kind (kinds without any left out)."))
    outlets = OutletSpendSerializer(many=True, read_only=True, source="public_fair.per_outlet",
                                    help_text=_("Spend per outlet, largest first."))
    fair_distribution = FairDistributionSerializer(read_only=True, source="public_fair")
    listed_without_orders = OutletNameSerializer(
        many=True, read_only=True, source="public_fair.listed_without_orders",
        help_text=format_lazy(_("Listed outlets that received nothing, by name: the first {rows} (the count is in "
                                "fair_distribution)."), rows=WITHOUT_ORDERS_SHOWN))

    class Meta(BudgetYearSerializer.Meta):
        fields = [*BudgetYearSerializer.Meta.fields, "policy_reference", "policy_note", "revisions", "months",
                  "other_spend", "outlets", "fair_distribution", "listed_without_orders"]
        read_only_fields = fields


class TransparencyPagination(CursorPagination):
    # By agency name, then year (the cursor's tie-break is the id).
    ordering = ("agency_name", "year", "pk")


AGENCY_EXAMPLE = {"slug": "kominfotik-dki", "name": "Dinas Komunikasi, Informatika dan Statistik Provinsi DKI "
                  "Jakarta", "short_name": "Kominfotik DKI", "kind": "province"}
YEAR_EXAMPLE = {
    "agency": AGENCY_EXAMPLE, "year": 2021,
    "url": "https://mediareg.example.go.id/api/v1/transparency/kominfotik-dki/2021/",
    "account_code": "5.1.02.02.01.0063", "account_name": "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan",
    "original_amount": 15000000000, "current_amount": 5000000000, "ordered_amount": 4200000000,
    "paid_amount": 3900000000, "other_spent_amount": 150000000, "total_amount": 4350000000,
    "remaining_amount": 650000000, "absorption": 0.81, "spending_allowed": True,
    "revision_count": 1,
}
DETAIL_EXAMPLE = {
    **YEAR_EXAMPLE, "policy_reference": "", "policy_note": "",
    "revisions": [{"revised_on": "2021-06-02", "amount_before": 15000000000, "amount_after": 5000000000,
                   "reason": "refocusing", "reason_label": "Refocusing dan realokasi", "reference": "DPPA 12/2021",
                   "note": "Dana dialihkan untuk penanganan COVID-19."}],
    "months": [{"month": month, "ordered": 350000000, "paid": 325000000, "other_spent": 12500000}
               for month in range(1, 13)],
    "other_spend": [{"kind": "subscription", "label": "Langganan surat kabar atau majalah", "entries": 4,
                     "amount": 30000000},
                    {"kind": "press_gathering", "label": "Pertemuan pers", "entries": 6, "amount": 120000000}],
    "outlets": [{"outlet_id": 42, "name": "Kabar Betawi", "media_type": "online", "orders": 3,
                 "ordered": 300000000, "paid": 300000000, "share": 0.0714}],
    "fair_distribution": {"listed_outlets": 50, "outlets_with_orders": 31, "listed_with_orders": 30,
                          "listed_without_orders": 20, "reach": 0.6, "top5_share": 0.32, "hhi": 412,
                          "total": 4200000000},
    "listed_without_orders": [{"outlet_id": 77, "name": "Suara Pinggiran"}],
}
AGENCY_PARAMETER = OpenApiParameter("agency", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$",
                                    description=_("The agency's address name (slug)."))
YEAR_PARAMETER = OpenApiParameter("year", {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
                                  OpenApiParameter.PATH,
                                  description=_("The fiscal year (January to December)."))


@extend_schema_view(
    list=extend_schema(
        summary=_("Media budgets per agency and year"),
        description=_("Every agency's media budget of every year with its totals, as on the public /transparency/ "
                      "page, by agency and year, in cursor pages. Open to everyone, no personal data. A money "
                      "change shows on the next request; anonymous use is throttled per address (429 with "
                      "Retry-After)."),
        examples=[OpenApiExample("A page", response_only=True,
                                 value={"next": None, "previous": None, "results": [YEAR_EXAMPLE]})],
    ),
    retrieve=extend_schema(
        summary=_("An agency's media spending in one year"),
        description=_("The budget and its totals (orders and spend outside the e-catalog), its revisions (date, "
                      "before, after, reason, reference), spend per month, spend outside the e-catalog by kind, "
                      "spend per outlet (ordered, paid), and how evenly the orders went to the outlets of "
                      "the e-catalog: the figures of /transparency/?agency=…&year=…. 404 when the agency has no "
                      "budget that year. Listed outlets are those in the e-catalog on at least one day of the "
                      "year; a listing change shows within API_PUBLIC_CACHE_SECONDS (2 minutes by default)."),
        parameters=[AGENCY_PARAMETER, YEAR_PARAMETER],
        examples=[OpenApiExample("A year", response_only=True, value=DETAIL_EXAMPLE)],
    ),
)
class TransparencyViewSet(PublicViewSet):
    filterset_class = TransparencyFilter
    pagination_class = TransparencyPagination

    def get_queryset(self):
        return published_budgets()

    def get_serializer_class(self):
        return TransparencyYearSerializer if self.action == "retrieve" else BudgetYearSerializer

    def cache_version(self) -> str:
        # Who counts as listed during the current year depends on the day (budgets.selectors.listed_during).
        return f"{budgets_fingerprint()}:{timezone.localdate().isoformat()}"

    def get_object(self):
        year = self.kwargs["year"]
        budget = None
        if year.isascii() and year.isdigit() and YEAR_MIN <= int(year) <= YEAR_MAX:
            budget = published_budgets().filter(agency__slug=self.kwargs["agency"], year=year).first()
        if budget is None:
            raise NotFound()
        budget.public_revisions = list(budget_revisions(budget))
        budget.public_months = spend_by_month(budget)
        budget.public_other_spend = other_spend_by_kind(budget)
        budget.public_fair = fair_distribution(budget.agency, budget.year, without_orders_rows=WITHOUT_ORDERS_SHOWN)
        return budget


urlpatterns = [
    path("transparency/", TransparencyViewSet.as_view({"get": "list"}, basename="api-transparency"),
         name="api-transparency-list"),
    # Any text in both parts reaches the view, so that what names no year gets the API's 404 (JSON), not the
    # site's page.
    path("transparency/<str:agency>/<str:year>/",
         TransparencyViewSet.as_view({"get": "retrieve"}, basename="api-transparency"),
         name="api-transparency-detail"),
]
