"""The API's endpoints for budgets (docs/architecture.md "The API", docs/api.md "Budgets and orders"): agencies,
budgets with their figures and revisions, the price list and media orders, for staff.

Reads are scoped by budgets.selectors.visible_* (a budget officer sees their agency's only). Orders change only
through the services the admin calls (budgets.services.orders), with the permissions the admin asks for
(budgets.admin.orders.MediaOrderAdmin.STEP_PERMISSIONS); a refusal is the service's message as a 400. Spend
outside the catalog likewise (budgets.services.other_spend, budgets.admin.other_spend).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from catalog.models import ListingState
from catalog.rules import reason_text
from catalog.tiers import Tier
from mediareg.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from mediareg.api.idempotency import REPLAYED_HEADER
from mediareg.api.views import ReadOnlyViewSet
from partners.models import MediaOutlet, MediaType, PressCompany

from . import comparison, selectors, services
from .models import (
    Agency,
    Budget,
    BudgetRevision,
    DeclaredInterest,
    MediaOrder,
    OrderFlag,
    OrderStatus,
    OtherSpend,
    OtherSpendKind,
    OutletQuota,
    PriceItem,
    PriceStatus,
    ProductKind,
    ProofStatus,
    ReferencePrice,
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


class ReferencePriceFilter(django_filters.FilterSet):
    budget = IntegerFilter(field_name="budget__id", label=_("The budget's id."))
    agency = IntegerFilter(field_name="budget__agency__id", label=_("The agency's id."))
    year = IntegerFilter(field_name="budget__year", label=_("The fiscal year, e.g. 2026."))
    kind = django_filters.ChoiceFilter(choices=ProductKind.choices, label=_("The kind of product."))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("The tier of outlet."))

    class Meta:
        model = ReferencePrice
        fields = ["budget", "agency", "year", "kind", "tier"]


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
    proof_overdue = django_filters.BooleanFilter(
        method="filter_proof_overdue",
        label=_("true: only orders past their proof deadline without proof waiting for review or accepted."))

    class Meta:
        model = MediaOrder
        fields = ["budget", "agency", "year", "outlet", "kind", "status", "proof", "order_date_from",
                  "order_date_until", "proof_overdue"]

    def filter_proof_overdue(self, queryset, name, value):
        overdue = selectors.proof_overdue(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_proof(self, queryset, name, value):
        return queryset.filter(proof_status="" if value == PROOF_NONE else value)


OTHER_SPEND_STATES = [("recorded", _("Recorded")), ("cancelled", _("Cancelled"))]


class OtherSpendFilter(django_filters.FilterSet):
    budget = IntegerFilter(field_name="budget__id", label=_("The budget's id."))
    agency = IntegerFilter(field_name="budget__agency__id", label=_("The agency's id."))
    year = IntegerFilter(field_name="budget__year", label=_("The budget's fiscal year."))
    kind = django_filters.ChoiceFilter(choices=OtherSpendKind.choices, label=_("The kind of spending."))
    status = django_filters.ChoiceFilter(method="filter_status", choices=OTHER_SPEND_STATES,
                                         label=_("Recorded (counted in the budget) or cancelled."))

    class Meta:
        model = OtherSpend
        fields = ["budget", "agency", "year", "kind", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(cancelled_on__isnull=value == "recorded")


# --- what is read -----------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "slug", "kind", "region_code", "conflict_handling"]


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
    remaining_amount = serializers.IntegerField(
        read_only=True, help_text=_("Current amount less what is ordered and what is spent outside the catalog."))
    revisions = RevisionSerializer(many=True, read_only=True)
    quotas = QuotaSerializer(many=True, read_only=True, help_text=_("Fair-distribution quotas per media type."))

    class Meta:
        model = Budget
        fields = ["id", "agency", "agency_name", "year", "account_code", "account_name", "original_amount",
                  "current_amount", "ordered_amount", "paid_amount", "committed_amount", "other_spent_amount",
                  "remaining_amount", "spending_allowed", "policy_reference", "policy_note", "price_comparison_factor",
                  "quotas", "revisions", "created_at", "updated_at"]



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
                  "valid_until", "status", "source", "submitted_at", "reviewed_at", "review_reason", "approval_bound",
                  "approval_bound_source", "above_bound_reason"]


class ReferencePriceSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="budget.agency_id", read_only=True)
    agency_name = serializers.CharField(source="budget.agency.__str__", read_only=True)
    year = serializers.IntegerField(source="budget.year", read_only=True)

    class Meta:
        model = ReferencePrice
        fields = ["id", "budget", "agency", "agency_name", "year", "kind", "tier", "reference_price", "upper_bound",
                  "unit", "source_reference", "created_at", "updated_at"]


class NegotiationSerializer(serializers.Serializer):
    offered = serializers.IntegerField(source="negotiation_offered", help_text=_("Price offered per unit."))
    agreed = serializers.IntegerField(source="negotiation_agreed", help_text=_("Price agreed per unit."))
    agency_negotiator = serializers.CharField(source="negotiated_by_agency")
    outlet_negotiator = serializers.CharField(source="negotiated_by_outlet")
    negotiated_on = serializers.DateField()


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
    (budgets.comparison.compare_page: one query for a page of the list, none per order)."""

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
        if not hasattr(order, "other_agencies"):  # an order the view did not read through compare_page
            comparison.compare_page([order])
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
    tier_on_order_date = serializers.SerializerMethodField(
        help_text=_("The outlet's tier on the order date (A, B, C; null when it reached none or was not kept)."))
    negotiation = serializers.SerializerMethodField(
        help_text=_("The negotiation recorded before an order above the reference price; null without one."))
    price_comparison = PriceComparisonSerializer(source="*", read_only=True)

    class Meta:
        model = MediaOrder
        fields = ["id", "request_key", "budget", "agency", "agency_name", "year", "outlet", "outlet_name",
                  "price_item", "product_kind", "product_description", "unit", "quantity", "unit_price", "amount",
                  "override_reason", "order_date", "service_start", "service_end", "ecatalog_reference",
                  "description", "status", "proof_status", "published_url", "has_proof_file", "proof_content_type",
                  "proof_submitted_at", "proof_reviewed_at", "proof_reason", "proof_due_on", "proof_filed_on",
                  "paid_on", "payment_reference", "cancelled_on", "cancel_reason", "eligibility", "flags",
                  "tier_on_order_date", "reference_price", "reference_source", "negotiation", "price_comparison",
                  "created_at", "updated_at"]
        extra_kwargs = {
            "proof_due_on": {"help_text": _("The deadline for proof of publication, fixed when the order was "
                                            "placed.")},
            "proof_filed_on": {"help_text": _("The day the proof was last filed; after proof_due_on it was a late "
                                              "claim.")},
        }

    @extend_schema_field({"type": "string", "enum": Tier.values, "nullable": True})
    def get_tier_on_order_date(self, order) -> str | None:
        return order.tier_on_order_date or None

    @extend_schema_field(NegotiationSerializer(allow_null=True))
    def get_negotiation(self, order):
        return NegotiationSerializer(order).data if order.negotiation_agreed is not None else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_proof_file(self, order) -> bool:
        return bool(order.proof_file)  # the file itself is served only by the proof view, never by the API


class OtherSpendSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="budget.agency_id", read_only=True)
    agency_name = serializers.CharField(source="budget.agency.__str__", read_only=True)
    year = serializers.IntegerField(source="budget.year", read_only=True)
    kind = serializers.ChoiceField(choices=OtherSpendKind.choices, read_only=True)
    status = serializers.SerializerMethodField(help_text=_("Recorded (counted in the budget) or cancelled."))
    has_evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = OtherSpend
        fields = ["id", "request_key", "budget", "agency", "agency_name", "year", "kind", "description", "recipient",
                  "outlet", "company", "amount", "spent_on", "reference", "status", "has_evidence_file",
                  "evidence_content_type", "cancelled_on", "cancel_reason", "created_at"]

    @extend_schema_field(serializers.ChoiceField(choices=OTHER_SPEND_STATES))
    def get_status(self, spend) -> str:
        return "cancelled" if spend.is_cancelled else "recorded"

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_evidence_file(self, spend) -> bool:
        return bool(spend.evidence_file)  # the file itself only through its permission-checked view


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
    interest_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Why order from an outlet connected to an interest declared to your agency, where its policy "
                    "allows a second approval: the order is then held for a second approver."))
    # The negotiation, needed when the approved price is above the agency's reference price for the product and
    # the outlet's tier (budgets.controls.reference_price, which checks it and refuses what is missing in the admin
    # form's words): the order is then placed at quantity × the price agreed (leave amount out).
    negotiation_offered = WholeNumberField(max_value=RUPIAH_MAX, required=False, allow_null=True, default=None,
                                           help_text=_("Whole rupiah per unit, as the outlet offered it."))
    negotiation_agreed = WholeNumberField(
        max_value=RUPIAH_MAX, required=False, allow_null=True, default=None,
        help_text=_("Whole rupiah per unit, as agreed; the order is quantity × this price."))
    negotiated_by_agency = serializers.CharField(required=False, allow_blank=True, default="",
                                                 max_length=_max_length("negotiated_by_agency"),
                                                 help_text=_("Who negotiated for the agency."))
    negotiated_by_outlet = serializers.CharField(required=False, allow_blank=True, default="",
                                                 max_length=_max_length("negotiated_by_outlet"),
                                                 help_text=_("Who negotiated for the outlet."))
    negotiated_on = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text=_("The day of the negotiation, on or before the order date."))

    comparison_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Reason for a price above other agencies': kept with the hold when the outlet charged another "
                    "agency much less for the same product this year (the order then waits for a second "
                    "approver)."))


def negotiation_answers(data: dict) -> dict:
    """The order's answers to the reference price control, from the input's negotiation fields."""
    negotiation = {"offered": data["negotiation_offered"], "agreed": data["negotiation_agreed"],
                   "agency_negotiator": data["negotiated_by_agency"], "outlet_negotiator": data["negotiated_by_outlet"],
                   "negotiated_on": data["negotiated_on"]}
    return {"negotiation": negotiation} if any(v not in (None, "") for v in negotiation.values()) else {}


class PriceApproveInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=_("Required when the price is above the upper bound of the reference "
                                               "price that applies."))


class ReferencePriceInput(serializers.Serializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all(),
                                                help_text=_("The budget's id: its agency and fiscal year."))
    kind = serializers.ChoiceField(choices=ProductKind.choices)
    tier = serializers.ChoiceField(choices=Tier.choices)
    reference_price = WholeNumberField(max_value=RUPIAH_MAX, help_text=_("Whole rupiah per unit."))
    upper_bound = WholeNumberField(max_value=RUPIAH_MAX,
                                   help_text=_("Whole rupiah per unit, not below the reference price."))
    unit = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=ReferencePrice._meta.get_field("unit").max_length)
    source_reference = serializers.CharField(
        required=False, allow_blank=True, default="",
        max_length=ReferencePrice._meta.get_field("source_reference").max_length,
        help_text=_("The regulation that sets it, e.g. the Perkada's number."))


class OrderPublishInput(serializers.Serializer):
    published_url = serializers.URLField(required=False, allow_blank=True, default="",
                                         max_length=_max_length("published_url"))
    proof_file = serializers.FileField(required=False, allow_null=True, default=None,
                                       help_text=_("PDF, JPEG or PNG (multipart/form-data only), checked by its "
                                                   "content and size."))
    late_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Required after the proof deadline (proof_due_on): why the proof comes late. A late claim "
                    "waits for a second approval before payment."))


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


class OtherSpendRecordInput(serializers.Serializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all(),
                                                help_text=_("The budget's id: one of your agency's."))
    kind = serializers.ChoiceField(choices=OtherSpendKind.choices)
    description = serializers.CharField(help_text=_("What was paid for."))
    recipient = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=OtherSpend._meta.get_field("recipient").max_length,
                                      help_text=_("Who was paid; may be left out when outlet or company is given."))
    outlet = serializers.PrimaryKeyRelatedField(queryset=MediaOutlet.objects.all(), required=False, allow_null=True,
                                                default=None, help_text=_("An outlet of the registry that was paid."))
    company = serializers.PrimaryKeyRelatedField(queryset=PressCompany.objects.all(), required=False,
                                                 allow_null=True, default=None,
                                                 help_text=_("A company of the registry that was paid."))
    amount = WholeNumberField(max_value=RUPIAH_MAX, help_text=_("Whole rupiah, at least 1."))
    spent_on = serializers.DateField(help_text=_("The payment date, in the budget's year, not after today."))
    reference = serializers.CharField(max_length=OtherSpend._meta.get_field("reference").max_length,
                                      help_text=_("The SP2D or receipt number."))
    evidence_file = serializers.FileField(help_text=_("The receipt, invoice or SP2D: PDF, JPEG or PNG "
                                                      "(multipart/form-data), checked by its content and size."))


class OtherSpendCancelInput(serializers.Serializer):
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
    "committed_amount": 1538000000, "other_spent_amount": 62000000, "remaining_amount": 900000000,
    "spending_allowed": True,
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
    "proof_reason": "", "proof_due_on": "2026-09-23", "proof_filed_on": "2026-09-22", "paid_on": "2026-10-01",
    "payment_reference": "SP2D-00123/2026", "cancelled_on": None, "cancel_reason": "", "flags": [],
    "tier_on_order_date": "A", "reference_price": 12000000,
    "reference_source": "Kominfotik DKI 2026: Pergub 12/2025 SHS", "negotiation": None,
    "eligibility": {"eligible": True, "listing_state": "listed", "eligible_since": "2026-08-17T10:00:00+07:00",
                    "outcomes": [{"code": "npwp_valid", "passed": True, "reason": "NPWP perusahaan valid."}]},
    "created_at": "2026-09-14T10:20:00+07:00", "updated_at": "2026-10-01T14:00:00+07:00",
}
OVER_BUDGET = OpenApiExample(
    "Refused: over budget", status_codes=["400"], response_only=True,
    value={"non_field_errors": ["Pesanan sebesar Rp 20.000.000 ini melebihi anggaran: sisa Rp 5.000.000 dari "
                                "Rp 10.000.000.000 (Rp 9.995.000.000 sudah dipesan)."]})
OTHER_SPEND_EXAMPLE = {
    "id": 5, "request_key": "0b6f2e1c-7a3d-5c4b-8e2f-1d9a6c3b7e40", "budget": 3, "agency": 1,
    "agency_name": "Kominfotik DKI", "year": 2026, "kind": "subscription",
    "description": "Langganan Harian Kota Banjar, Januari sampai Desember", "recipient": "PT Harian Kota Banjar",
    "outlet": 17, "company": 9, "amount": 3600000, "spent_on": "2026-01-15", "reference": "SP2D-00012/2026",
    "status": "recorded", "has_evidence_file": True, "evidence_content_type": "application/pdf",
    "cancelled_on": None, "cancel_reason": "", "created_at": "2026-01-15T10:00:00+07:00",
}
OTHER_SPEND_OVER_BUDGET = OpenApiExample(
    "Refused: over budget", status_codes=["400"], response_only=True,
    value={"non_field_errors": ["Belanja sebesar Rp 6.000.000 ini melebihi anggaran: sisa Rp 5.000.000 dari "
                                "Rp 25.000.000 (Rp 10.000.000 sudah dipesan dan Rp 10.000.000 dibelanjakan di "
                                "luar katalog)."]})
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

    action_permissions = {"approve": ["budgets.approve_priceitem"]}

    def get_queryset(self):
        return PriceItem.objects.select_related("outlet")

    @extend_schema(
        summary=_("Approve a price"), tags=["budgets"], request=PriceApproveInput, responses={200: PriceItemSerializer},
        description=_("Through the same service as the admin: only a price waiting for approval; a price above the "
                    "upper bound of the reference price that applies (your agency's for the year of its first day, "
                    "the product's kind and the outlet's tier that day; the lowest of any agency's for someone of no "
                    "agency) needs a reason, kept with the price. Needs the permission to approve prices."),
        examples=[OpenApiExample("Above the bound", request_only=True,
                                 value={"reason": "Jangkauan nasional; harga pasar sebanding."})])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        item = self.get_object()
        serializer = PriceApproveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.price_approve(item, user=request.user, reason=serializer.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Reference prices"), tags=["budgets"],
        description=_("Each agency's reference price and upper bound per fiscal year, kind of product and tier of "
                    "outlet (Standar Harga Satuan), in whole rupiah per unit. A budget officer sees their agency's "
                    "only.")),
    retrieve=extend_schema(summary=_("One reference price"), tags=["budgets"]),
)
class ReferencePriceViewSet(ReadOnlyViewSet):
    queryset = ReferencePrice.objects.all()
    serializer_class = ReferencePriceSerializer
    filterset_class = ReferencePriceFilter
    ordering = ("-pk",)

    def get_queryset(self):
        return ReferencePrice.objects.select_related("budget__agency").filter(
            budget__in=selectors.visible_budgets(self.request.user))

    @extend_schema(
        summary=_("Set a reference price"), tags=["budgets"], request=ReferencePriceInput,
        responses={201: ReferencePriceSerializer},
        description=_("For one of your agency's budgets: refused (400, with the reason) when the upper bound is below "
                    "the price, the regulation is not named, or the budget already has one for the kind and tier."),
        examples=[OpenApiExample("A reference price", request_only=True, value={
            "budget": 3, "kind": "advertorial", "tier": "A", "reference_price": 2000000, "upper_bound": 2500000,
            "unit": "artikel", "source_reference": "Pergub 49/2024 lampiran SHS"})])
    def create(self, request, *args, **kwargs):
        serializer = ReferencePriceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = services.reference_price_save(
            data["budget"], kind=data["kind"], tier=data["tier"], reference_price=data["reference_price"],
            upper_bound=data["upper_bound"], unit=data["unit"], source_reference=data["source_reference"],
            user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=row.pk)).data, status=status.HTTP_201_CREATED)


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
        return selectors.visible_orders(
            self.request.user, MediaOrder.objects.select_related("budget__agency", "outlet", "price_item")
            .prefetch_related(Prefetch("flags", queryset=flags)))

    def paginate_queryset(self, queryset):
        """The page, with what other agencies paid for each order's product (one query for the page)."""
        page = super().paginate_queryset(queryset)
        return comparison.compare_page(page) if page is not None else page

    def get_object(self):
        return comparison.compare_page([super().get_object()])[0]

    def answer(self, order: MediaOrder, code=status.HTTP_200_OK, headers=None) -> Response:
        """The order as the list shows it, read again after the service's write."""
        order = comparison.compare_page([self.get_queryset().get(pk=order.pk)])[0]
        return Response(self.get_serializer(order).data, status=code, headers=headers)

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
            request_key=request_key, user=request.user,
            answers={"interest_reason": data["interest_reason"], "comparison_reason": data["comparison_reason"],
                     **negotiation_answers(data)})
        if already_placed:
            return self.answer(order, headers={REPLAYED_HEADER: "true"})
        return self.answer(order, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Record the publication"), tags=["orders"],
        request={"application/json": OrderPublishInput, "multipart/form-data": OrderPublishInput},
        responses=ORDER_ANSWER,
        description=_("The published link and/or a screenshot or scan (multipart): the proof then waits for "
                    "review. After the order's proof deadline it is refused without late_reason; with one, the "
                    "order is held for a second approval before payment. Needs the permission to change orders."),
        examples=[OpenApiExample("A link", request_only=True,
                                 value={"published_url": "https://kabarmartapura.example/berita/vaksin"})])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        order = self.get_object()
        data = self.valid_input(OrderPublishInput)
        services.order_publish(order, published_url=data["published_url"], proof_file=data["proof_file"],
                               user=request.user, late_reason=data["late_reason"])
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


@extend_schema_view(
    list=extend_schema(
        summary=_("Spend outside the catalog"), tags=["other spend"],
        description=_("Media spending recorded against a budget without an e-catalog order: newspaper "
                    "subscriptions, press gatherings, sponsored events, legislature publications. Each with its "
                    "kind, amount in whole rupiah, date, payment reference and whether it is cancelled; the "
                    "evidence file itself is downloaded in the back office only. A budget officer sees their "
                    "agency's only."),
        examples=[OpenApiExample("An entry", value=OTHER_SPEND_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("One entry of spend outside the catalog"), tags=["other spend"],
                           examples=[OpenApiExample("An entry", value=OTHER_SPEND_EXAMPLE, response_only=True)]),
)
class OtherSpendViewSet(ReadOnlyViewSet):
    queryset = OtherSpend.objects.all()
    serializer_class = OtherSpendSerializer
    filterset_class = OtherSpendFilter
    ordering = ("-spent_on", "-pk")
    # Recording is the model's add permission, as on the admin's add form; cancelling the admin's.
    action_permissions = {"cancel": ["budgets.cancel_otherspend"]}

    def get_queryset(self):
        return selectors.visible_other_spends(self.request.user, OtherSpend.objects.select_related("budget__agency"))

    def answer(self, spend: OtherSpend, code=status.HTTP_200_OK, headers=None) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=spend.pk)).data, status=code, headers=headers)

    def valid_input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary=_("Record spend outside the catalog"), tags=["other spend"],
        request={"multipart/form-data": OtherSpendRecordInput},
        responses={201: OtherSpendSerializer, 200: OtherSpendSerializer},
        description=_("Through the same service as the admin's form: refused (400, with the reason) without the "
                    "payment reference or evidence, with evidence that is not a PDF, JPEG or PNG or too large, "
                    "dated outside the budget's year or after today, in a year whose media spending is off, or "
                    "when the budget's orders and other spend with this one would exceed it; the budget row is "
                    "locked. With an Idempotency-Key the entry is recorded once (a repeat gets the first answer "
                    "with Idempotent-Replayed)."),
        examples=[OTHER_SPEND_OVER_BUDGET])
    def create(self, request, *args, **kwargs):
        data = self.valid_input(OtherSpendRecordInput)
        request_key = request_key_for(request.user, request.headers.get(IDEMPOTENCY_HEADER))
        already = request_key is not None and OtherSpend.objects.filter(request_key=request_key).exists()
        spend = services.other_spend_record(
            budget=data["budget"], kind=data["kind"], description=data["description"], recipient=data["recipient"],
            outlet=data["outlet"], company=data["company"], amount=data["amount"], spent_on=data["spent_on"],
            reference=data["reference"], evidence_file=data["evidence_file"], request_key=request_key,
            user=request.user)
        if already:
            return self.answer(spend, headers={REPLAYED_HEADER: "true"})
        return self.answer(spend, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Cancel spend outside the catalog"), tags=["other spend"], request=OtherSpendCancelInput,
        responses={200: OtherSpendSerializer},
        description=_("With the reason; the amount is free again in the budget. Needs the permission to cancel "
                    "spend outside the catalog."),
        examples=[OpenApiExample("A cancellation", request_only=True, value={"reason": "Dicatat dua kali."})])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        spend = self.get_object()
        data = self.valid_input(OtherSpendCancelInput)
        services.other_spend_cancel(spend, reason=data["reason"], user=request.user)
        return self.answer(spend)


# --- declared interests -----------------------------------------------------------------------------------


class DeclaredInterestSerializer(serializers.ModelSerializer):
    """A declared interest as read and written; the agency is the caller's own unless a superuser names one."""

    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False,
                                                help_text=_("Your own agency when left out."))
    outlets = serializers.PrimaryKeyRelatedField(queryset=MediaOutlet.objects.all(), many=True, required=False)
    companies = serializers.PrimaryKeyRelatedField(queryset=PressCompany.objects.all(), many=True, required=False)

    class Meta:
        model = DeclaredInterest
        fields = ["id", "agency", "person_name", "role", "position", "relation", "outlets", "companies",
                  "declared_on", "reference", "active_until", "note", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # The service checks the model (BudgetRefused): the serializer leaves constraint checks to it.
        validators = []


INTEREST_EXAMPLE = {
    "id": 4, "agency": 2, "person_name": "H. Ahmad Fauzi", "role": "legislator", "position": "Anggota Komisi I",
    "relation": "self", "outlets": [17], "companies": [], "declared_on": "2026-02-10",
    "reference": "Formulir pernyataan 04/DPRD/2026", "active_until": None, "note": "",
    "created_at": "2026-02-10T09:00:00+07:00", "updated_at": "2026-02-10T09:00:00+07:00",
}


@extend_schema_view(
    list=extend_schema(summary=_("Declared interests"), tags=["budgets"],
                       description=_("The interests declared to your agency (every agency's for auditors): who "
                                     "owns or controls which outlets or companies, they or their family. An order "
                                     "to such an outlet is refused or held for a second approver."),
                       examples=[OpenApiExample("An interest", value=INTEREST_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("One declared interest"), tags=["budgets"]),
    create=extend_schema(summary=_("Record a declared interest"), tags=["budgets"]),
    update=extend_schema(summary=_("Change a declared interest"), tags=["budgets"]),
    partial_update=extend_schema(summary=_("Change part of a declared interest"), tags=["budgets"]),
    destroy=extend_schema(summary=_("Remove a declared interest"), tags=["budgets"]),
)
class DeclaredInterestViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                              ReadOnlyViewSet):
    queryset = DeclaredInterest.objects.all()
    serializer_class = DeclaredInterestSerializer
    ordering = ("pk",)

    def get_queryset(self):
        return selectors.visible_interests(self.request.user).prefetch_related("outlets", "companies")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        agency = data.pop("agency", None) if self.request.user.is_superuser else None
        data.pop("agency", None)
        agency = agency or services.agency_of(self.request.user)
        if agency is None:
            raise services.BudgetRefused(_("You do not work for an agency: name the agency."), code="no_agency")
        self._save(DeclaredInterest(agency=agency), data, serializer)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        agency = data.pop("agency", None)
        interest = serializer.instance
        if agency is not None and self.request.user.is_superuser:
            interest.agency = agency
        self._save(interest, data, serializer)

    def _save(self, interest, data, serializer):
        outlets, companies = data.pop("outlets", None), data.pop("companies", None)
        for name, value in data.items():
            setattr(interest, name, value)
        serializer.instance = services.interest_save(interest, outlets=outlets, companies=companies,
                                                     user=self.request.user)

    def perform_destroy(self, instance):
        services.interest_delete(instance, user=self.request.user)


router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="api-agency")
router.register("budgets", BudgetViewSet, basename="api-budget")
router.register("price-items", PriceItemViewSet, basename="api-price-item")
router.register("reference-prices", ReferencePriceViewSet, basename="api-reference-price")
router.register("orders", OrderViewSet, basename="api-order")
router.register("other-spend", OtherSpendViewSet, basename="api-other-spend")
router.register("declared-interests", DeclaredInterestViewSet, basename="api-declared-interest")

urlpatterns = router.urls
