"""The API's endpoints for budgets (docs/architecture.md "The API", docs/api.md "Budgets and orders"): agencies,
budgets with their figures and revisions, the price list and media orders, for staff.

Reads are scoped by budgets.selectors.visible_* (a budget officer sees their agency's only). Orders change only
through the services the admin calls (budgets.services.orders), with the permissions the admin asks for
(budgets.admin.orders.MediaOrderAdmin.STEP_PERMISSIONS); a refusal is the service's message as a 400.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from catalog.models import ListingState
from catalog.rules import reason_text
from mediareg.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from mediareg.api.idempotency import REPLAYED_HEADER
from mediareg.api.views import ReadOnlyViewSet
from partners.models import MediaType

from . import comparison, selectors, services
from .models import (
    Agency,
    Budget,
    BudgetRevision,
    MediaOrder,
    OrderFlag,
    OrderStatus,
    OutletQuota,
    PriceItem,
    PriceStatus,
    ProductKind,
    ProofStatus,
    RevisionReason,
)

# --- pages ------------------------------------------------------------------------------------------------


# --- filters ----------------------------------------------------------------------------------------------


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year): "1.5" is refused rather than read as 1."""

    field_class = forms.IntegerField


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices, label=_("Province, regency or city."))

    class Meta:
        model = Agency
        fields = ["kind"]


class BudgetFilter(django_filters.FilterSet):
    agency = IntegerFilter(field_name="agency__id", label=_("The agency's id."))
    year = IntegerFilter(field_name="year", label=_("The fiscal year, e.g. 2026."))

    class Meta:
        model = Budget
        fields = ["agency", "year"]


class PriceItemFilter(django_filters.FilterSet):
    outlet = IntegerFilter(field_name="outlet__id", label=_("The outlet's id."))
    kind = django_filters.ChoiceFilter(choices=ProductKind.choices, label=_("The kind of product."))
    status = django_filters.ChoiceFilter(choices=PriceStatus.choices, label=_("The price's approval state."))
    valid_on = django_filters.DateFilter(method="filter_valid_on",
                                         label=_("Only prices valid on this date (YYYY-MM-DD)."))

    class Meta:
        model = PriceItem
        fields = ["outlet", "kind", "status", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=value), valid_from__lte=value)


PROOF_NONE = "none"
# Choice sets of the API's own (named in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
PROOF_STATES = [(PROOF_NONE if value == "" else value, text) for value, text in ProofStatus.choices]
SNAPSHOT_LISTING_STATES = [("none", _("no listing")), *ListingState.choices]
PROOF_DECISIONS = [("accept", _("Accept")), ("reject", _("Reject"))]


class OrderFilter(django_filters.FilterSet):
    budget = IntegerFilter(field_name="budget__id", label=_("The budget's id."))
    agency = IntegerFilter(field_name="budget__agency__id", label=_("The agency's id."))
    year = IntegerFilter(field_name="budget__year", label=_("The budget's fiscal year."))
    outlet = IntegerFilter(field_name="outlet__id", label=_("The outlet's id."))
    kind = django_filters.ChoiceFilter(field_name="price_item__kind", choices=ProductKind.choices,
                                       label=_("The kind of product ordered."))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("The order's status."))
    proof = django_filters.ChoiceFilter(
        method="filter_proof", label=_("The proof of publication's state (none: no proof sent yet)."),
        choices=PROOF_STATES)
    order_date_from = django_filters.DateFilter(field_name="order_date", lookup_expr="gte",
                                                label=_("Orders dated on or after this day (YYYY-MM-DD)."))
    order_date_until = django_filters.DateFilter(field_name="order_date", lookup_expr="lte",
                                                 label=_("Orders dated on or before this day (YYYY-MM-DD)."))

    class Meta:
        model = MediaOrder
        fields = ["budget", "agency", "year", "outlet", "kind", "status", "proof", "order_date_from",
                  "order_date_until"]

    def filter_proof(self, queryset, name, value):
        return queryset.filter(proof_status="" if value == PROOF_NONE else value)


# --- what is read -----------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "slug", "kind", "region_code"]


class RevisionSerializer(serializers.ModelSerializer):
    reason = serializers.ChoiceField(choices=RevisionReason.choices, read_only=True)

    class Meta:
        model = BudgetRevision
        fields = ["id", "amount_before", "amount_after", "reason", "note", "revised_on", "reference", "created_at"]


class QuotaSerializer(serializers.ModelSerializer):
    """A fair-distribution quota (budgets.controls.quota): per outlet of the media type, at most this share of
    the budget's current amount and/or this many orders in the year. Either may be null, not both."""

    media_type = serializers.ChoiceField(choices=MediaType.choices)
    max_share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False,
                                                 default=None, min_value=Decimal("0.01"), max_value=Decimal("100"))
    max_orders = serializers.IntegerField(allow_null=True, required=False, default=None, min_value=1,
                                          max_value=2**31 - 1)

    class Meta:
        model = OutletQuota
        fields = ["media_type", "max_share_percent", "max_orders"]


class BudgetSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.__str__", read_only=True)
    committed_amount = serializers.IntegerField(read_only=True, help_text=_("Ordered and not yet paid."))
    remaining_amount = serializers.IntegerField(read_only=True,
                                                help_text=_("Current amount less what is ordered."))
    revisions = RevisionSerializer(many=True, read_only=True)
    quotas = QuotaSerializer(many=True, read_only=True, help_text=_("Fair-distribution quotas per media type."))

    class Meta:
        model = Budget
        fields = ["id", "agency", "agency_name", "year", "account_code", "account_name", "original_amount",
                  "current_amount", "ordered_amount", "paid_amount", "committed_amount", "remaining_amount",
                  "spending_allowed", "policy_reference", "policy_note", "price_comparison_factor", "quotas",
                  "revisions", "created_at", "updated_at"]


class BudgetControlsInput(serializers.Serializer):
    price_comparison_factor = serializers.DecimalField(
        max_digits=4, decimal_places=2, help_text=_("At least 1.00: an order whose unit price is more than this many "
                                                    "times the lowest other agency's price is held."))
    quotas = QuotaSerializer(many=True, required=False, default=list,
                             help_text=_("Every quota of the budget: a media type left out has none."))


class PriceItemSerializer(serializers.ModelSerializer):
    outlet_name = serializers.CharField(source="outlet.name", read_only=True)
    description = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = PriceItem
        fields = ["id", "outlet", "outlet_name", "kind", "description", "unit", "unit_price", "valid_from",
                  "valid_until", "status", "source", "submitted_at", "reviewed_at", "review_reason"]


class OutcomeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    reason = serializers.SerializerMethodField(help_text=_("In the request's language."))

    @extend_schema_field(OpenApiTypes.STR)
    def get_reason(self, outcome) -> str:
        return reason_text(outcome.get("reason"))


class NamedBlankChoiceField(serializers.ChoiceField):
    """A stored state where "" (nothing yet) reads as ``blank``, a word a program can match like the others."""

    def __init__(self, *, choices, blank: str, **kwargs):
        self.blank = blank
        super().__init__(choices=choices, read_only=True, **kwargs)

    def to_representation(self, value):
        return value if value in self.choice_strings_to_values else self.blank


class EligibilitySnapshotSerializer(serializers.Serializer):
    """What the catalog said about the outlet on the order date, kept with the order as it was."""

    eligible = serializers.BooleanField(source="eligible_on_order_date", read_only=True)
    listing_state = NamedBlankChoiceField(source="listing_state_on_order_date", blank="none",
                                          choices=SNAPSHOT_LISTING_STATES)
    eligible_since = serializers.DateTimeField(source="eligibility_since", read_only=True, allow_null=True)
    outcomes = OutcomeSerializer(source="eligibility_outcomes", many=True, read_only=True)


class OrderFlagSerializer(serializers.ModelSerializer):
    """A hold of an integrity control and its second approval (budgets.services.flags); who raised and who
    approved it are staff names, as on the order's admin page."""

    finding = serializers.SerializerMethodField()
    raised_by = serializers.CharField(source="raised_by.get_username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.get_username", read_only=True, default=None)
    waiting = serializers.BooleanField(read_only=True)

    class Meta:
        model = OrderFlag
        fields = ["rule", "finding", "reason", "raised_at", "raised_by", "waiting", "approved_at", "approved_by",
                  "approval_reason"]

    def get_finding(self, flag) -> str:
        return reason_text(flag.detail)


class PriceComparisonSerializer(serializers.Serializer):
    """What the same outlet charged other agencies for the same kind of product in the order's year
    (budgets.comparison.with_comparison; the order list's query annotates it, no query per order)."""

    effective_unit_price = serializers.IntegerField(read_only=True, help_text=_("Amount ÷ quantity, whole rupiah."))
    lowest_other_price = serializers.IntegerField(
        source="other_lowest_price", read_only=True, allow_null=True,
        help_text=_("The lowest effective unit price another agency paid; null: none."))
    lowest_other_agency = serializers.CharField(source="other_lowest_agency", read_only=True, allow_null=True)
    lowest_other_order = serializers.IntegerField(source="other_lowest_order", read_only=True, allow_null=True)
    other_agencies = serializers.IntegerField(read_only=True, help_text=_("How many other agencies ordered it."))
    factor = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True,
                                      source="budget.price_comparison_factor")
    above_factor = serializers.BooleanField(read_only=True, help_text=_(
        "The order's unit price is more than the factor times the lowest other agency's price."))

    def to_representation(self, order):
        if not hasattr(order, "other_agencies"):  # not read through the list's query
            order = comparison.with_comparison(MediaOrder.objects.select_related("budget")).get(pk=order.pk)
        lowest, unit = order.other_lowest_price, order.effective_unit_price
        order.above_factor = lowest is not None and unit > lowest * order.budget.price_comparison_factor
        return super().to_representation(order)


class OrderSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="budget.agency_id", read_only=True)
    agency_name = serializers.CharField(source="budget.agency.__str__", read_only=True)
    year = serializers.IntegerField(source="budget.year", read_only=True)
    outlet_name = serializers.CharField(source="outlet.name", read_only=True)
    product_kind = serializers.ChoiceField(source="price_item.kind", choices=ProductKind.choices, read_only=True)
    product_description = serializers.CharField(source="price_item.name", read_only=True)
    unit = serializers.CharField(source="price_item.unit", read_only=True)
    proof_status = NamedBlankChoiceField(choices=PROOF_STATES, blank=PROOF_NONE)
    has_proof_file = serializers.SerializerMethodField()
    eligibility = EligibilitySnapshotSerializer(source="*", read_only=True)
    flags = OrderFlagSerializer(many=True, read_only=True)
    price_comparison = PriceComparisonSerializer(source="*", read_only=True)

    class Meta:
        model = MediaOrder
        fields = ["id", "request_key", "budget", "agency", "agency_name", "year", "outlet", "outlet_name",
                  "price_item", "product_kind", "product_description", "unit", "quantity", "unit_price", "amount",
                  "override_reason", "order_date", "service_start", "service_end", "ecatalog_reference",
                  "description", "status", "proof_status", "published_url", "has_proof_file", "proof_content_type",
                  "proof_submitted_at", "proof_reviewed_at", "proof_reason", "paid_on", "payment_reference",
                  "cancelled_on", "cancel_reason", "eligibility", "flags", "price_comparison", "created_at",
                  "updated_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_proof_file(self, order) -> bool:
        return bool(order.proof_file)  # the file itself is served only by the proof view, never by the API


# --- what is written --------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberField(serializers.Field):
    """A quantity or an amount passed to the service as sent (an integer, or digits as text): order_place says
    what a whole number is (no float, fraction or exponent, which would round money) and refuses the rest. Only
    the column's own limit is checked here, as a form field's would be, so that a number too large to store is a
    400 and not a database error."""

    default_error_messages = {"max_value": serializers.IntegerField.default_error_messages["max_value"]}

    def __init__(self, *, max_value: int, **kwargs):
        self.max_value = max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = str(data).strip()
        if not isinstance(data, bool) and (isinstance(data, int) or text.isdigit()) and int(text) > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return data

    def to_representation(self, value):
        return value


QUANTITY_MAX = 2**31 - 1  # PostgreSQL's integer (MediaOrder.quantity)
RUPIAH_MAX = 2**63 - 1  # bigint (budgets.models.Rupiah)


def _max_length(field: str) -> int:
    return MediaOrder._meta.get_field(field).max_length


class OrderPlaceInput(serializers.Serializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all(),
                                                help_text=_("The budget's id: one of your agency's."))
    price_item = serializers.PrimaryKeyRelatedField(
        queryset=PriceItem.objects.all(), help_text=_("An approved price, valid on the order date."))
    quantity = WholeNumberField(max_value=QUANTITY_MAX, help_text=_("Whole number, at least 1."))
    order_date = serializers.DateField()
    service_start = serializers.DateField()
    service_end = serializers.DateField()
    amount = WholeNumberField(max_value=RUPIAH_MAX, required=False, allow_null=True, default=None,
                              help_text=_("Whole rupiah. Leave out for quantity × the approved price; a different "
                                          "amount needs override_reason."))
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    ecatalog_reference = serializers.CharField(required=False, allow_blank=True, default="",
                                               max_length=_max_length("ecatalog_reference"))
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text=_("What is published."))
    comparison_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Reason for a price above other agencies': kept with the hold when the outlet charged another "
                    "agency much less for the same product this year (the order then waits for a second "
                    "approver)."))


class OrderPublishInput(serializers.Serializer):
    published_url = serializers.URLField(required=False, allow_blank=True, default="",
                                         max_length=_max_length("published_url"))
    proof_file = serializers.FileField(required=False, allow_null=True, default=None,
                                       help_text=_("PDF, JPEG or PNG (multipart/form-data only), checked by its "
                                                   "content and size."))


class ProofReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=PROOF_DECISIONS)
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=_("Required to reject."))


class OrderPayInput(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=_max_length("payment_reference"),
                                      help_text=_("The SP2D number."))


class OrderApproveInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="",
                                   help_text=_("Why the held order may go ahead (required)."))


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# An order's request key made from the caller's Idempotency-Key, so that the service's own guard against a
# repeated placement (the admin form's hidden key) holds for the API too, after the stored answer has expired.
REQUEST_KEY_NAMESPACE = uuid.UUID("5b8e2a4c-3f1d-4c8e-9a57-2d6f0b1e7c93")


def request_key_for(user, idempotency_key: str | None) -> uuid.UUID | None:
    if not idempotency_key or not idempotency_key.strip():
        return None
    return uuid.uuid5(REQUEST_KEY_NAMESPACE, f"{user.pk}:{idempotency_key.strip()}")


# --- examples ---------------------------------------------------------------------------------------------

BUDGET_EXAMPLE = {
    "id": 3, "agency": 1, "agency_name": "Kominfotik DKI", "year": 2026, "account_code": "5.1.02.02.01.0055",
    "account_name": "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan", "original_amount": 15000000000,
    "current_amount": 10000000000, "ordered_amount": 9038000000, "paid_amount": 7500000000,
    "committed_amount": 1538000000, "remaining_amount": 962000000, "spending_allowed": True,
    "policy_reference": "", "policy_note": "",
    "revisions": [{"id": 7, "amount_before": 15000000000, "amount_after": 10000000000, "reason": "refocusing",
                   "note": "Refocusing anggaran", "revised_on": "2026-04-02", "reference": "Pergub 12/2026",
                   "created_at": "2026-04-02T09:15:00+07:00"}],
    "created_at": "2026-01-05T08:00:00+07:00", "updated_at": "2026-09-14T10:20:00+07:00",
}
ORDER_EXAMPLE = {
    "id": 42, "request_key": "6f1c8a0e-2b7d-5e3f-9c41-0a8d7b6e5f21", "budget": 3, "agency": 1,
    "agency_name": "Kominfotik DKI", "year": 2026, "outlet": 17, "outlet_name": "Kabar Martapura",
    "price_item": 55, "product_kind": "advertorial", "product_description": "Advertorial 600 kata dengan 2 foto",
    "unit": "artikel", "quantity": 2, "unit_price": 10000000, "amount": 20000000, "override_reason": "",
    "order_date": "2026-09-14", "service_start": "2026-09-14", "service_end": "2026-09-21",
    "ecatalog_reference": "EPURCH-2026-0042", "description": "Sosialisasi vaksinasi", "status": "paid",
    "proof_status": "accepted", "published_url": "https://kabarmartapura.example/berita/vaksin",
    "has_proof_file": True, "proof_content_type": "application/pdf",
    "proof_submitted_at": "2026-09-22T11:00:00+07:00", "proof_reviewed_at": "2026-09-23T09:30:00+07:00",
    "proof_reason": "", "paid_on": "2026-10-01", "payment_reference": "SP2D-00123/2026", "cancelled_on": None,
    "cancel_reason": "",
    "eligibility": {"eligible": True, "listing_state": "listed", "eligible_since": "2026-08-17T10:00:00+07:00",
                    "outcomes": [{"code": "npwp_valid", "passed": True, "reason": "NPWP perusahaan valid."}]},
    "created_at": "2026-09-14T10:20:00+07:00", "updated_at": "2026-10-01T14:00:00+07:00",
}
OVER_BUDGET = OpenApiExample(
    "Refused: over budget", status_codes=["400"], response_only=True,
    value={"non_field_errors": ["Pesanan sebesar Rp 20.000.000 ini melebihi anggaran: sisa Rp 5.000.000 dari "
                                "Rp 10.000.000.000 (Rp 9.995.000.000 sudah dipesan)."]})
PAY_WITHOUT_PROOF = OpenApiExample(
    "Refused: no accepted proof", status_codes=["400"], response_only=True,
    value={"non_field_errors": ["Pembayaran memerlukan bukti tayang yang diterima; pesanan ini belum "
                                "memilikinya."]})


# --- the endpoints ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Agencies"), tags=["budgets"],
                       description=_("The agencies you may see: your own, or every agency for auditors.")),
    retrieve=extend_schema(summary=_("One agency"), tags=["budgets"]),
)
class AgencyViewSet(ReadOnlyViewSet):
    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    ordering = ("name", "pk")

    def get_queryset(self):
        return selectors.visible_agencies(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary=_("Budgets with their figures"), tags=["budgets"],
        description=_("Each agency's media budget per fiscal year, with its figures in whole rupiah (original, "
                    "current after revisions, ordered, paid, committed, remaining), the spending policy and "
                    "its revisions, oldest first. A budget officer sees their agency's budgets only."),
        examples=[OpenApiExample("A budget", value=BUDGET_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("One budget with its figures and revisions"), tags=["budgets"],
                           examples=[OpenApiExample("A budget", value=BUDGET_EXAMPLE, response_only=True)]),
)
class BudgetViewSet(ReadOnlyViewSet):
    queryset = Budget.objects.all()
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    ordering = ("-year", "pk")

    action_permissions = {"controls": ["budgets.change_budget"]}

    def get_queryset(self):
        revisions = BudgetRevision.objects.order_by("revised_on", "pk")
        return selectors.visible_budgets(self.request.user, Budget.objects.select_related("agency")
                                         .prefetch_related(Prefetch("revisions", queryset=revisions), "quotas"))

    @extend_schema(
        summary=_("Set the price comparison factor and the quotas"), tags=["budgets"], request=BudgetControlsInput,
        responses={200: BudgetSerializer},
        description=_("The budget's integrity settings, as on the admin's page: the price comparison factor and "
                    "every fair-distribution quota per media type (a media type left out has none). Needs the "
                    "permission to change budgets, for your own agency."),
        examples=[OpenApiExample("A quota on online outlets", request_only=True, value={
            "price_comparison_factor": "1.50",
            "quotas": [{"media_type": "online", "max_share_percent": "10.00", "max_orders": 12}]})])
    @action(detail=True, methods=["post"])
    def controls(self, request, pk=None):
        budget = self.get_object()
        serializer = BudgetControlsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        media_types = [quota["media_type"] for quota in data["quotas"]]
        if len(set(media_types)) != len(media_types):
            raise serializers.ValidationError({"quotas": [_("One quota per media type.")]})
        services.budget_set_controls(
            budget, price_comparison_factor=data["price_comparison_factor"], user=request.user,
            quotas={q["media_type"]: (q["max_share_percent"], q["max_orders"]) for q in data["quotas"]})
        return Response(self.get_serializer(self.get_queryset().get(pk=budget.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("The e-catalog price list"), tags=["budgets"],
        description=_("Every outlet's products with their unit price in whole rupiah, validity and approval "
                    "state. Shared by every agency. Only an approved price valid on the order date can be "
                    "ordered.")),
    retrieve=extend_schema(summary=_("One price"), tags=["budgets"]),
)
class PriceItemViewSet(ReadOnlyViewSet):
    queryset = PriceItem.objects.all()
    serializer_class = PriceItemSerializer
    filterset_class = PriceItemFilter
    ordering = ("-pk",)

    def get_queryset(self):
        return PriceItem.objects.select_related("outlet")


ORDER_ANSWER = {200: OrderSerializer}


@extend_schema_view(
    list=extend_schema(
        summary=_("Media orders"), tags=["orders"],
        description=_("Orders with their amount in whole rupiah, dates, status, proof of publication, payment "
                    "and the outlet's eligibility on the order date as it was kept. A budget officer sees "
                    "their agency's orders only."),
        examples=[OpenApiExample("An order", value=ORDER_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("One media order"), tags=["orders"],
                           examples=[OpenApiExample("An order", value=ORDER_EXAMPLE, response_only=True)]),
)
class OrderViewSet(ReadOnlyViewSet):
    queryset = MediaOrder.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering = ("-order_date", "-pk")
    # The admin's permission for each step (budgets.admin.orders.MediaOrderAdmin.STEP_PERMISSIONS); placing an
    # order is the model's add permission, as on the admin's add form.
    action_permissions = {"publish": ["budgets.change_mediaorder"], "review_proof": ["budgets.review_proof"],
                          "pay": ["budgets.pay_mediaorder"], "cancel": ["budgets.cancel_mediaorder"],
                          "approve": ["budgets.approve_orderflag"]}

    def get_queryset(self):
        flags = OrderFlag.objects.select_related("raised_by", "approved_by").order_by("raised_at", "pk")
        return comparison.with_comparison(selectors.visible_orders(
            self.request.user, MediaOrder.objects.select_related("budget__agency", "outlet", "price_item")
            .prefetch_related(Prefetch("flags", queryset=flags))))

    def answer(self, order: MediaOrder, code=status.HTTP_200_OK, headers=None) -> Response:
        """The order as the list shows it, read again after the service's write."""
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=code,
                        headers=headers)

    def valid_input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary=_("Place an order"), tags=["orders"], request=OrderPlaceInput,
        responses={201: OrderSerializer, 200: OrderSerializer},
        description=_("Through the same service as the admin's order form: refused (400, with the reason) when "
                    "the year's spending is off, the outlet was not listed or not eligible on the order date, the "
                    "price is not approved for that date, the dates are outside the budget's year, or the budget "
                    "would be exceeded; the budget row is locked, so racing orders never overspend. With an "
                    "Idempotency-Key the order is placed once: a repeat gets the first answer (201) with "
                    "Idempotent-Replayed; once that answer has expired, the order placed with the key is "
                    "answered (200, Idempotent-Replayed)."),
        examples=[OpenApiExample("An order", request_only=True, value={
            "budget": 3, "price_item": 55, "quantity": 2, "order_date": "2026-09-14", "service_start": "2026-09-14",
            "service_end": "2026-09-21", "ecatalog_reference": "EPURCH-2026-0042",
            "description": "Sosialisasi vaksinasi"}), OVER_BUDGET])
    def create(self, request, *args, **kwargs):
        data = self.valid_input(OrderPlaceInput)
        request_key = request_key_for(request.user, request.headers.get(IDEMPOTENCY_HEADER))
        already_placed = request_key is not None and MediaOrder.objects.filter(request_key=request_key).exists()
        order = services.order_place(
            budget=data["budget"], price_item=data["price_item"], quantity=data["quantity"],
            order_date=data["order_date"], service_start=data["service_start"], service_end=data["service_end"],
            amount=data["amount"], override_reason=data["override_reason"],
            ecatalog_reference=data["ecatalog_reference"], description=data["description"],
            request_key=request_key, user=request.user, answers={"comparison_reason": data["comparison_reason"]})
        if already_placed:
            return self.answer(order, headers={REPLAYED_HEADER: "true"})
        return self.answer(order, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Record the publication"), tags=["orders"],
        request={"application/json": OrderPublishInput, "multipart/form-data": OrderPublishInput},
        responses=ORDER_ANSWER,
        description=_("The published link and/or a screenshot or scan (multipart): the proof then waits for "
                    "review. Needs the permission to change orders."),
        examples=[OpenApiExample("A link", request_only=True,
                                 value={"published_url": "https://kabarmartapura.example/berita/vaksin"})])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(OrderPublishInput)
        services.order_publish(order, published_url=data["published_url"], proof_file=data["proof_file"],
                               user=request.user)
        return self.answer(order)

    @extend_schema(
        summary=_("Accept or reject the proof"), tags=["orders"], request=ProofReviewInput, responses=ORDER_ANSWER,
        description=_("Only proof waiting for review; a rejection needs its reason. Needs the permission to "
                    "review proof."),
        examples=[OpenApiExample("A rejection", request_only=True,
                                 value={"decision": "reject", "reason": "Tautan tidak dapat dibuka."})])
    @action(detail=True, methods=["post"], url_path="review-proof")
    def review_proof(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(ProofReviewInput)
        services.order_review_proof(order, accept=data["decision"] == "accept", reason=data["reason"],
                                    user=request.user)
        return self.answer(order)

    @extend_schema(
        summary=_("Record the payment"), tags=["orders"], request=OrderPayInput, responses=ORDER_ANSWER,
        description=_("Refused without accepted proof of publication, for a cancelled or paid order, or with a "
                    "payment date before the order date or after today. Needs the permission to pay orders."),
        examples=[OpenApiExample("A payment", request_only=True,
                                 value={"paid_on": "2026-10-01", "reference": "SP2D-00123/2026"}),
                  PAY_WITHOUT_PROOF])
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(OrderPayInput)
        services.order_pay(order, paid_on=data["paid_on"], reference=data["reference"], user=request.user)
        return self.answer(order)

    @extend_schema(
        summary=_("Cancel an order"), tags=["orders"], request=OrderCancelInput, responses=ORDER_ANSWER,
        description=_("An unpaid order, with the reason; its amount is free again in the budget. Needs the "
                    "permission to cancel orders."),
        examples=[OpenApiExample("A cancellation", request_only=True,
                                 value={"reason": "Salah memilih media; dipesan ulang."})])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(OrderCancelInput)
        services.order_cancel(order, reason=data["reason"], user=request.user)
        return self.answer(order)

    @extend_schema(
        summary=_("Give the second approval of a held order"), tags=["orders"], request=OrderApproveInput,
        responses=ORDER_ANSWER,
        description=_("Approves every flag of the order that waits (an integrity control held it: a price far "
                    "above other agencies', a late proof, a declared interest), with the reason. Refused for the "
                    "person who placed the order or raised the flag, and without a reason. Needs the permission "
                    "to give the second approval (the PPK role)."),
        examples=[OpenApiExample("An approval", request_only=True,
                                 value={"reason": "Harga sesuai hasil negosiasi tercatat."})])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(OrderApproveInput)
        services.order_approve(order, reason=data["reason"], user=request.user)
        return self.answer(order)


router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="api-agency")
router.register("budgets", BudgetViewSet, basename="api-budget")
router.register("price-items", PriceItemViewSet, basename="api-price-item")
router.register("orders", OrderViewSet, basename="api-order")

urlpatterns = router.urls
