"""Agencies, their yearly media budgets, the e-catalog price list and the media orders paid from them.

The absolute rules are database constraints, so that no code path can break them: a budget's orders and
its spend outside the catalog never exceed its current amount together (``ordered_amount`` and
``other_spent_amount`` are kept in the transaction that places or cancels an order or records or cancels
other spend, with the budget row locked, see budgets.services.orders and .other_spend), paid never
exceeds ordered, an order's amount is quantity × unit price unless a reason says why not, payment needs
accepted proof, and budget revisions are only ever added (a trigger refuses UPDATE and DELETE, migration
0002). docs/domain.md "Budgets and orders" explains the rules; docs/architecture.md "Money" how they are
kept under concurrency.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.tiers import Tier
from mediareg.audit import audited
from mediareg.money import format_rupiah
from partners.models import MediaOutlet, MediaType, PressCompany

from .regions import region_code_problem

# The account regional media spend sits on (Permendagri 90/2019, Kepmendagri 050-5889/2021): data, not a
# constant, so an agency that books it elsewhere changes it per budget.
DEFAULT_ACCOUNT_CODE = "5.1.02.02.01.0055"
DEFAULT_ACCOUNT_NAME = "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan"


class Rupiah(models.BigIntegerField):
    """Whole rupiah (an APBD line reaches trillions; BIGINT holds them)."""


class ConflictHandling(models.TextChoices):
    REFUSE = "refuse", _("Refuse the order")
    SECOND_APPROVAL = "second_approval", _("Place it with a reason, held for a second approver")


@audited
class Agency(models.Model):
    """An office that owns media budgets: a province's Kominfotik, a regency's or a city's Diskominfo."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency")
        CITY = "city", _("City")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True,
                                  help_text=_("Shown where space is short, e.g. 'Kominfotik DKI'."))
    slug = models.SlugField(_("address name"), max_length=60, unique=True,
                            help_text=_("The agency's part of the public transparency page's address."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region_code = models.CharField(_("region code (Kemendagri)"), max_length=13, blank=True)
    conflict_handling = models.CharField(
        _("orders to outlets of a declared interest"), max_length=20, choices=ConflictHandling.choices,
        default=ConflictHandling.REFUSE,
        help_text=_("An order to an outlet connected to an interest declared to this agency is refused, or placed "
                    "with the reason given and held for a second approver (docs: \"Owners and conflicts of "
                    "interest\")."))
    # The agency's proof-of-publication deadlines: days after the end of an order's service period, per media
    # type and print frequency (budgets.deadlines; defaults as Mojokerto's rules, docs/domain.md "Proof
    # deadlines"). Each agency writes its own rules (a Perbup or Pergub), so they are the agency's.
    proof_days_online = models.PositiveSmallIntegerField(_("online"), default=2, validators=[MaxValueValidator(365)])
    proof_days_daily_print = models.PositiveSmallIntegerField(_("daily print"), default=2,
                                                              validators=[MaxValueValidator(365)])
    proof_days_weekly_print = models.PositiveSmallIntegerField(_("weekly print"), default=7,
                                                               validators=[MaxValueValidator(365)])
    proof_days_monthly_print = models.PositiveSmallIntegerField(_("monthly print"), default=10,
                                                                validators=[MaxValueValidator(365)])
    proof_days_other_print = models.PositiveSmallIntegerField(
        _("other print"), default=7, validators=[MaxValueValidator(365)],
        help_text=_("Print whose frequency is not stated or is neither daily, weekly nor monthly."))
    proof_days_television = models.PositiveSmallIntegerField(_("television"), default=7,
                                                             validators=[MaxValueValidator(365)])
    proof_days_radio = models.PositiveSmallIntegerField(_("radio"), default=7, validators=[MaxValueValidator(365)])
    proof_deadline_reference = models.CharField(
        _("reference of the proof deadlines"), max_length=200, blank=True,
        help_text=_("The regional head's regulation that sets them, e.g. the Perbup's number."))
    # The budget-year defaults: what every new budget of the agency starts with when its form or caller gives
    # nothing else (budgets.services.budget_create). Each budget keeps its own copy, so changing a default
    # later leaves the budgets already made as they are.
    default_account_code = models.CharField(
        _("default account code"), max_length=30, default=DEFAULT_ACCOUNT_CODE,
        help_text=_("The account new budgets are booked on (Permendagri 90/2019)."))
    default_account_name = models.CharField(_("default account name"), max_length=200, default=DEFAULT_ACCOUNT_NAME)
    default_price_comparison_factor = models.DecimalField(
        _("default price comparison factor"), max_digits=4, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("99.99"))],
        help_text=_("New budgets start with it: an order whose unit price is more than this many times the lowest "
                    "another agency paid waits for a second approver. 1.50 is 50% above."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        permissions = [("view_every_agency", _("Can see the budgets and orders of every agency"))]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["province", "regency", "city"]),
                                              name="agency_kind_valid"),
                       models.CheckConstraint(condition=Q(conflict_handling__in=ConflictHandling.values),
                                              name="agency_conflict_handling_valid"),
                       models.CheckConstraint(
                           condition=Q(proof_days_online__lte=365, proof_days_daily_print__lte=365,
                                       proof_days_weekly_print__lte=365, proof_days_monthly_print__lte=365,
                                       proof_days_other_print__lte=365, proof_days_television__lte=365,
                                       proof_days_radio__lte=365),
                           name="agency_proof_days_within_a_year"),
                       models.CheckConstraint(condition=Q(default_price_comparison_factor__gte=Decimal("1.00")),
                                              name="agency_default_price_comparison_factor_at_least_one"),
                       # One agency per region (budgets.regions); agencies made before codes were checked may
                       # have none.
                       models.UniqueConstraint(fields=["region_code"], condition=~Q(region_code=""),
                                               name="agency_region_code_unique")]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        super().clean()
        self.region_code = (self.region_code or "").strip()
        if self.region_code and self.kind:
            problem = region_code_problem(self.kind, self.region_code)
            if problem:
                raise ValidationError({"region_code": problem})


@audited
class AgencyStaff(models.Model):
    """The agency a staff member works for (one each). Budget officers see and change only its budgets."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="agency_staff", verbose_name=_("staff member"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("agency staff member")
        verbose_name_plural = _("agency staff")

    def __str__(self):
        return f"{self.user} ({self.agency})"


@audited
class Budget(models.Model):
    """An agency's media budget for one fiscal year (January to December).

    ``current_amount`` is the original amount (murni) after every revision (perubahan, refocusing);
    ``ordered_amount`` is the sum of the year's orders that are not cancelled (paid ones included) and
    ``paid_amount`` the sum of the paid ones (realisasi); ``other_spent_amount`` is the sum of the spend
    outside the catalog that is not cancelled (subscriptions, press gatherings, ...: OtherSpend). All three
    are written only by budgets.services, with the budget row locked.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("fiscal year"),
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    account_code = models.CharField(_("account code"), max_length=30, default=DEFAULT_ACCOUNT_CODE)
    account_name = models.CharField(_("account name"), max_length=200, default=DEFAULT_ACCOUNT_NAME)
    original_amount = Rupiah(_("original amount (murni)"), validators=[MinValueValidator(0)])
    current_amount = Rupiah(_("current amount (after revisions)"), validators=[MinValueValidator(0)])
    ordered_amount = Rupiah(_("ordered"), default=0, editable=False)
    paid_amount = Rupiah(_("paid (realisasi)"), default=0, editable=False)
    # db_default too, so rows inserted by SQL (bench/export.py) need not name it.
    other_spent_amount = Rupiah(_("spent outside the catalog"), default=0, db_default=0, editable=False)
    spending_allowed = models.BooleanField(
        _("media spending allowed"), default=True,
        help_text=_("Off when the regional head's policy is no paid media cooperation this year: no order "
                    "can be placed."))
    policy_reference = models.CharField(_("policy decision reference"), max_length=200, blank=True)
    policy_note = models.TextField(_("policy note"), blank=True)
    # budgets.controls.price_comparison: an order whose unit price is more than this many times the lowest
    # another agency paid the same outlet for the same kind of product that year waits for a second approver.
    price_comparison_factor = models.DecimalField(
        _("price comparison factor"), max_digits=4, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1.00"))],
        help_text=_("An order whose unit price is more than this many times the lowest price another agency "
                    "paid the same outlet for the same kind of product in the year waits for a second "
                    "approver. 1.50 is 50% above."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["agency__name", "-year"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="budget_one_per_agency_and_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="budget_year_range"),
            models.CheckConstraint(condition=Q(original_amount__gte=0, current_amount__gte=0),
                                   name="budget_amounts_not_negative"),
            # The backstop of budgets.services.orders.order_place and other_spend.other_spend_record:
            # whatever the code does, the orders and the spend outside the catalog of a budget never exceed
            # it together, and nothing is paid that was not ordered.
            models.CheckConstraint(condition=Q(ordered_amount__lte=F("current_amount") - F("other_spent_amount")),
                                   name="budget_spend_within_amount"),
            models.CheckConstraint(condition=Q(other_spent_amount__gte=0), name="budget_other_spend_not_negative"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0, paid_amount__lte=F("ordered_amount")),
                                   name="budget_paid_within_ordered"),
            models.CheckConstraint(condition=Q(price_comparison_factor__gte=Decimal("1.00")),
                                   name="budget_price_comparison_factor_at_least_one"),
        ]

    def __str__(self):
        return f"{self.agency} {self.year}"

    @property
    def committed_amount(self) -> int:
        """Ordered and not yet paid."""
        return self.ordered_amount - self.paid_amount

    @property
    def spent_total(self) -> int:
        """Everything the budget holds: orders (paid ones included) and spend outside the catalog."""
        return self.ordered_amount + self.other_spent_amount

    @property
    def remaining_amount(self) -> int:
        return self.current_amount - self.spent_total

    @property
    def realised_amount(self) -> int:
        """Realisasi: orders paid, and spend outside the catalog (recorded once it is paid, with its SP2D or
        receipt)."""
        return self.paid_amount + self.other_spent_amount

    @property
    def absorption(self) -> float | None:
        """Serapan: realised ÷ budget, as a fraction for display (never stored or summed as money)."""
        return self.realised_amount / self.current_amount if self.current_amount else None


@audited
class OutletQuota(models.Model):
    """A fair-distribution quota of one budget (an agency's year) for the outlets of one media type: no
    outlet of that type may receive more than ``max_share_percent`` of the budget's current amount, or more
    than ``max_orders`` orders, counting the year's orders that are not cancelled. Either limit may be left
    empty, not both. budgets.controls.quota refuses an order that would break it; set by
    budgets.services.budget_set_controls."""

    budget = models.ForeignKey("Budget", on_delete=models.CASCADE, related_name="quotas", verbose_name=_("budget"))
    media_type = models.CharField(_("media type"), max_length=20, choices=MediaType.choices)
    max_share_percent = models.DecimalField(
        _("maximum share of the budget per outlet (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    max_orders = models.PositiveIntegerField(_("maximum orders per outlet"), null=True, blank=True,
                                             validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["budget", "media_type"]
        verbose_name = _("outlet quota")
        verbose_name_plural = _("outlet quotas")
        constraints = [
            models.UniqueConstraint(fields=["budget", "media_type"], name="outlet_quota_one_per_media_type"),
            models.CheckConstraint(condition=Q(media_type__in=MediaType.values), name="outlet_quota_media_type_valid"),
            models.CheckConstraint(condition=Q(max_share_percent__isnull=False) | Q(max_orders__isnull=False),
                                   name="outlet_quota_has_a_limit"),
            models.CheckConstraint(condition=Q(max_share_percent__isnull=True)
                                   | Q(max_share_percent__gt=0, max_share_percent__lte=100),
                                   name="outlet_quota_share_range"),
            models.CheckConstraint(condition=Q(max_orders__isnull=True) | Q(max_orders__gte=1),
                                   name="outlet_quota_orders_positive"),
        ]

    def __str__(self):
        return f"{self.budget} {self.get_media_type_display()}"


class RevisionReason(models.TextChoices):
    AMENDMENT = "amendment", _("Budget amendment (APBD-Perubahan)")
    REFOCUSING = "refocusing", _("Refocusing and reallocation")
    SHIFT = "shift", _("Shift between activities (pergeseran)")
    CORRECTION = "correction", _("Correction of an entry error")
    OTHER = "other", _("Other")


@audited
class BudgetRevision(models.Model):
    """One change of a budget's amount. Only ever added (a database trigger refuses changes and deletions):
    the chain of revisions is how the current amount came about."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("budget"))
    amount_before = Rupiah(_("before"))
    amount_after = Rupiah(_("after"), validators=[MinValueValidator(0)])
    reason = models.CharField(_("reason"), max_length=20, choices=RevisionReason.choices)
    note = models.TextField(_("explanation"), blank=True)
    revised_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=200,
                                 help_text=_("The decision or document number, e.g. the DPPA or the Perkada."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["revised_on", "pk"]
        verbose_name = _("budget revision")
        verbose_name_plural = _("budget revisions")
        constraints = [
            models.CheckConstraint(condition=Q(amount_before__gte=0, amount_after__gte=0),
                                   name="revision_amounts_not_negative"),
            models.CheckConstraint(condition=Q(reason__in=RevisionReason.values), name="revision_reason_valid"),
            models.CheckConstraint(condition=~Q(amount_before=F("amount_after")), name="revision_changes_amount"),
        ]

    def __str__(self):
        return _("%(before)s → %(after)s on %(date)s") % {
            "before": format_rupiah(self.amount_before), "after": format_rupiah(self.amount_after),
            "date": self.revised_on.isoformat()}


class ProductKind(models.TextChoices):
    ADVERTORIAL = "advertorial", _("Advertorial")
    BANNER = "banner", _("Banner")
    VIDEO = "video", _("Video")
    RADIO_SPOT = "radio_spot", _("Radio spot")
    PRINT_AD = "print_ad", _("Print advertisement")
    SOCIAL_POST = "social_post", _("Social-media post")
    TV_SPOT = "tv_spot", _("TV spot")
    OTHER = "other", _("Other")


class PriceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def proof_upload_to(instance, filename: str) -> str:
    """A random name under proofs/ and a year/month folder, as for documents (partners.models)."""
    from partners.models import document_upload_to

    return f"proofs/{document_upload_to(instance, filename)}"


def document_storage():
    from partners.models import document_storage

    return document_storage()


@audited
class PriceItem(models.Model):
    """One product of a listed outlet in the e-catalog price list, with its unit price and validity.

    Submitted by the outlet (status page or renewal link) or entered by staff, and approved by staff before
    it can be ordered. An approved price is never edited: a new price is a new item, and approving it ends
    the previous one of the same product the day before (budgets.services.prices). Orders copy the unit
    price, so a price change never alters a past order.
    """

    class Source(models.TextChoices):
        OUTLET = "outlet", _("the outlet")
        STAFF = "staff", _("staff")

    outlet = models.ForeignKey(MediaOutlet, on_delete=models.PROTECT, related_name="price_items",
                               verbose_name=_("outlet"))
    kind = models.CharField(_("product"), max_length=20, choices=ProductKind.choices)
    name = models.CharField(_("description"), max_length=200,
                            help_text=_("What is delivered, e.g. 'Advertorial 600 words with 2 photos'."))
    unit = models.CharField(_("unit"), max_length=60, default="item",
                            help_text=_("What one unit is: per article, per day, per 30-second spot, ..."))
    unit_price = Rupiah(_("unit price"), validators=[MinValueValidator(1)])
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty: until a new price of the product is approved."))
    status = models.CharField(_("status"), max_length=10, choices=PriceStatus.choices, default=PriceStatus.SUBMITTED,
                              db_index=True)
    source = models.CharField(_("entered by"), max_length=10, choices=Source.choices, default=Source.STAFF)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    # The reference price's upper bound the approval was checked against (docs/domain.md "Tiers and reference
    # prices"): empty when none applied. A price above it was approved only with a reason.
    approval_bound = Rupiah(_("upper bound at approval"), null=True, blank=True,
                            help_text=_("The upper bound of the reference price that applied when it was approved."))
    approval_bound_source = models.CharField(_("upper bound from"), max_length=300, blank=True)
    above_bound_reason = models.TextField(_("reason for a price above the upper bound"), blank=True)

    class Meta:
        ordering = ["outlet__name", "kind", "-valid_from"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list")
        permissions = [("approve_priceitem", _("Can approve or reject price list items"))]
        indexes = [models.Index(fields=["outlet", "status", "valid_from"], name="price_item_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="price_positive"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                                   name="price_validity_in_order"),
            models.CheckConstraint(condition=Q(kind__in=ProductKind.values), name="price_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PriceStatus.values), name="price_status_valid"),
            models.CheckConstraint(condition=~Q(status=PriceStatus.REJECTED) | ~Q(review_reason=""),
                                   name="price_rejection_has_reason"),
            # Approved above the upper bound only with a reason (budgets.services.prices.price_approve).
            models.CheckConstraint(condition=Q(approval_bound__isnull=True) | Q(unit_price__lte=F("approval_bound"))
                                   | ~Q(above_bound_reason=""), name="price_above_bound_has_reason"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.name} ({format_rupiah(self.unit_price)}/{self.unit})"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    @property
    def above_bound(self) -> bool:
        return self.approval_bound is not None and self.unit_price > self.approval_bound


@audited
class ReferencePrice(models.Model):
    """An agency's reference price and its upper bound for one kind of product and tier of outlet in a fiscal
    year, like a Standar Harga Satuan (SHS) set by a regional head's regulation (docs/domain.md "Tiers and
    reference prices"). A price list item above the upper bound is approved only with a reason; an order at a
    price above the reference records the negotiation before it is placed."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="reference_prices",
                               verbose_name=_("budget"), help_text=_("The agency and fiscal year it applies to."))
    kind = models.CharField(_("product"), max_length=20, choices=ProductKind.choices)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    reference_price = Rupiah(_("reference price"), validators=[MinValueValidator(1)])
    upper_bound = Rupiah(_("upper bound"), validators=[MinValueValidator(1)],
                         help_text=_("The highest price that may be approved without a reason."))
    unit = models.CharField(_("unit"), max_length=60, default="item",
                            help_text=_("What one unit is: per article, per day, per 30-second spot, ..."))
    source_reference = models.CharField(
        _("source"), max_length=200,
        help_text=_("The regulation that sets it, e.g. 'Perkada 12/2026 tentang Standar Harga Satuan'."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["budget__agency__name", "-budget__year", "kind", "tier"]
        verbose_name = _("reference price")
        verbose_name_plural = _("reference prices")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind", "tier"], name="reference_price_one_per_kind_and_tier",
                                    violation_error_message=_("This budget already has a reference price for this "
                                                              "product and tier.")),
            models.CheckConstraint(condition=Q(reference_price__gt=0), name="reference_price_positive"),
            models.CheckConstraint(condition=Q(upper_bound__gte=F("reference_price")),
                                   name="reference_price_bound_not_below",
                                   violation_error_message=_("The upper bound cannot be below the reference "
                                                             "price.")),
            models.CheckConstraint(condition=Q(kind__in=ProductKind.values), name="reference_price_kind_valid"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="reference_price_tier_valid"),
        ]

    def __str__(self):
        return _("%(budget)s: %(kind)s, tier %(tier)s, %(price)s (up to %(bound)s)") % {
            "budget": self.budget, "kind": self.get_kind_display(), "tier": self.tier,
            "price": format_rupiah(self.reference_price), "bound": format_rupiah(self.upper_bound)}

    @property
    def source_text(self) -> str:
        """Where the figure comes from, as kept with the price or order checked against it."""
        return f"{self.budget}: {self.source_reference}"


class OrderStatus(models.TextChoices):
    COMMITTED = "committed", _("Committed")
    PUBLISHED = "published", _("Published")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class ProofStatus(models.TextChoices):
    NONE = "", _("No proof yet")
    PENDING = "pending", _("Proof waiting for review")
    ACCEPTED = "accepted", _("Proof accepted")
    REJECTED = "rejected", _("Proof rejected")


@audited
class MediaOrder(models.Model):
    """A media order (pesanan) to a listed outlet, paid from one budget.

    Placed only by budgets.services.orders.order_place, which checks the policy, the outlet's listing and
    eligibility on the order date, the approved price and the budget, and keeps a snapshot of the
    eligibility result so the order shows what the catalog said that day, whatever happens later.
    """

    request_key = models.UUIDField(
        _("request key"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Identifies one placement: the same form sent twice (a double click, a retried request) "
                    "is recorded once."))
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="orders", verbose_name=_("budget"))
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.PROTECT, related_name="media_orders",
                               verbose_name=_("outlet"))
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="orders",
                                   verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = Rupiah(_("unit price"), help_text=_("The approved price on the order date, copied."))
    amount = Rupiah(_("amount"))
    override_reason = models.TextField(
        _("reason for a different amount"), blank=True,
        help_text=_("Required when the amount is not quantity × unit price (a negotiated discount, ...)."))
    order_date = models.DateField(_("order date"), db_index=True)
    service_start = models.DateField(_("service from"))
    service_end = models.DateField(_("service until"))
    ecatalog_reference = models.CharField(_("e-catalog order reference"), max_length=100, blank=True)
    description = models.TextField(_("what is published"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.COMMITTED,
                              db_index=True)
    # The catalog's answer on the order date (catalog.eligibility.eligibility_on), kept as it was.
    eligible_on_order_date = models.BooleanField(_("eligible on the order date"))
    listing_state_on_order_date = models.CharField(_("listing on the order date"), max_length=20)
    eligibility_outcomes = models.JSONField(_("eligibility reasons on the order date"), default=list)
    eligibility_since = models.DateTimeField(_("eligible since"), null=True, blank=True)
    # The reference price in force for the order (its agency and year, the product's kind, the outlet's tier on
    # the order date), and the negotiation recorded when the approved price was above it
    # (budgets.controls.reference_price; docs/domain.md "Tiers and reference prices").
    tier_on_order_date = models.CharField(_("tier on the order date"), max_length=1, choices=Tier.choices,
                                          blank=True)
    reference_price = Rupiah(_("reference price"), null=True, blank=True,
                             help_text=_("The agency's reference price for the product and tier, when one was set."))
    reference_source = models.CharField(_("reference price from"), max_length=300, blank=True)
    negotiation_offered = Rupiah(_("price offered"), null=True, blank=True)
    negotiation_agreed = Rupiah(_("price agreed"), null=True, blank=True)
    negotiated_by_agency = models.CharField(_("negotiated for the agency by"), max_length=200, blank=True)
    negotiated_by_outlet = models.CharField(_("negotiated for the outlet by"), max_length=200, blank=True)
    negotiated_on = models.DateField(_("negotiated on"), null=True, blank=True)
    # Proof of publication, reviewed by staff before payment.
    published_url = models.URLField(_("published link"), max_length=500, blank=True)
    proof_file = models.FileField(_("screenshot or scan"), upload_to=proof_upload_to, storage=document_storage,
                                  max_length=200, blank=True)
    proof_original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    proof_content_type = models.CharField(_("file type"), max_length=50, blank=True)
    proof_status = models.CharField(_("proof"), max_length=10, choices=ProofStatus.choices, blank=True, default="",
                                    db_index=True)
    proof_submitted_at = models.DateTimeField(_("proof submitted"), null=True, blank=True)
    proof_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+", verbose_name=_("proof reviewed by"))
    proof_reviewed_at = models.DateTimeField(_("proof reviewed"), null=True, blank=True)
    proof_reason = models.TextField(_("proof review reason"), blank=True)
    # The deadline for proof, fixed when the order is placed (budgets.deadlines, the agency's rules of that
    # day), and the day the proof was last filed: a proof filed after the deadline is held for a second
    # approver (FlagRule.LATE_PROOF). Empty only for rows written around order_place.
    proof_due_on = models.DateField(_("proof due by"), null=True, blank=True, db_index=True)
    proof_filed_on = models.DateField(_("proof filed on"), null=True, blank=True)
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference (SP2D)"), max_length=100, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("placed by"))
    created_at = models.DateTimeField(_("placed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-order_date", "-pk"]
        verbose_name = _("media order")
        verbose_name_plural = _("media orders")
        permissions = [
            ("review_proof", _("Can accept or reject proof of publication")),
            ("pay_mediaorder", _("Can record the payment of a media order")),
            ("cancel_mediaorder", _("Can cancel a media order")),
            ("download_proof", _("Can download proof of publication files")),
        ]
        indexes = [
            models.Index(fields=["budget", "status"], name="order_budget_status"),
            models.Index(fields=["outlet", "order_date"], name="order_outlet_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0, amount__gt=0), name="order_amount_positive"),
            models.CheckConstraint(condition=Q(amount=F("quantity") * F("unit_price")) | ~Q(override_reason=""),
                                   name="order_override_has_reason"),
            models.CheckConstraint(condition=Q(service_end__gte=F("service_start")),
                                   name="order_service_period_in_order"),
            models.CheckConstraint(condition=Q(proof_status__in=ProofStatus.values), name="order_proof_status_valid"),
            # Payment without accepted proof is refused, here as well as in the service.
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.PAID)
                | Q(proof_status=ProofStatus.ACCEPTED, paid_on__isnull=False) & ~Q(payment_reference=""),
                name="order_paid_has_proof_and_payment"),
            models.CheckConstraint(condition=Q(status=OrderStatus.PAID) | Q(paid_on__isnull=True),
                                   name="order_payment_only_when_paid"),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.CANCELLED) | Q(cancelled_on__isnull=False) & ~Q(cancel_reason=""),
                name="order_cancel_has_reason"),
            models.CheckConstraint(condition=~Q(status=OrderStatus.PUBLISHED) | ~Q(proof_status=""),
                                   name="order_published_has_proof"),
            # A negotiation is recorded whole (both prices, both sides' names, the day) or not at all; the price
            # agreed is never above the price offered.
            models.CheckConstraint(
                condition=Q(negotiation_offered__isnull=True, negotiation_agreed__isnull=True,
                            negotiated_on__isnull=True, negotiated_by_agency="", negotiated_by_outlet="")
                | (Q(negotiation_offered__isnull=False, negotiation_agreed__gt=0,
                     negotiation_agreed__lte=F("negotiation_offered"), negotiated_on__isnull=False)
                   & ~Q(negotiated_by_agency="") & ~Q(negotiated_by_outlet="")),
                name="order_negotiation_complete"),
            # Above the reference price only with a recorded negotiation (budgets.controls.reference_price).
            models.CheckConstraint(
                condition=Q(reference_price__isnull=True) | Q(unit_price__lte=F("reference_price"))
                | Q(negotiation_agreed__isnull=False), name="order_above_reference_negotiated"),
        ]

    def __str__(self):
        return _("Order %(pk)s: %(outlet)s, %(amount)s") % {
            "pk": self.pk, "outlet": self.outlet_id and self.outlet, "amount": format_rupiah(self.amount)}


class FlagRule(models.TextChoices):
    """Why an order waits for a second approver (docs/domain.md "Integrity controls"). Each control that
    holds an order rather than refusing it adds its rule here."""

    PRICE_COMPARISON = "price_comparison", _("Price far above what other agencies paid the outlet")
    LATE_PROOF = "late_proof", _("Proof of publication filed after the deadline")
    DECLARED_INTEREST = "declared_interest", _("Outlet connected to a declared interest of the agency")


@audited
class OrderFlag(models.Model):
    """A control that holds an order for a second approver: the order stands (its amount is committed in the
    budget), but it cannot be paid until someone other than the person who placed it, or who filed what
    raised the flag, approves it with a reason (budgets.services.flags). Raised only by the services."""

    order = models.ForeignKey(MediaOrder, on_delete=models.PROTECT, related_name="flags", verbose_name=_("order"))
    rule = models.CharField(_("rule"), max_length=30, choices=FlagRule.choices)
    # What the control found, in both languages ({"id": ..., "en": ...}, catalog.rules.render_reason).
    detail = models.JSONField(_("finding"), default=dict)
    reason = models.TextField(_("reason given"), blank=True,
                              help_text=_("Why the person who placed the order or filed the proof went ahead."))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("raised by"))
    approved_at = models.DateTimeField(_("second approval"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("second approver"))
    approval_reason = models.TextField(_("second approver's reason"), blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = _("order flag")
        verbose_name_plural = _("order flags")
        permissions = [("approve_orderflag", _("Can give the second approval of a flagged order"))]
        indexes = [models.Index(fields=["order", "approved_at"], name="order_flag_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(rule__in=FlagRule.values), name="order_flag_rule_valid"),
            models.UniqueConstraint(fields=["order", "rule"], name="order_flag_one_per_rule"),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approval_reason="")
                | Q(approved_at__isnull=False) & ~Q(approval_reason=""),
                name="order_flag_approval_has_reason"),
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("raised_by")),
                                   name="order_flag_second_person"),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} ({self.order_id})"

    @property
    def waiting(self) -> bool:
        return self.approved_at is None
class OtherSpendKind(models.TextChoices):
    """Media spending that does not go through the e-catalog (docs/domain.md "Spend outside the catalog")."""

    SUBSCRIPTION = "subscription", _("Newspaper or magazine subscription")
    PRESS_GATHERING = "press_gathering", _("Press gathering")
    SPONSORED_EVENT = "sponsored_event", _("Sponsored event")
    LEGISLATURE_PUBLICATION = "legislature_publication", _("Legislature (DPRD) publication")
    OTHER = "other", _("Other")


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under spend-evidence/ and a year/month folder, as for proofs of publication."""
    from partners.models import document_upload_to

    return f"spend-evidence/{document_upload_to(instance, filename)}"


@audited
class OtherSpend(models.Model):
    """Media money spent outside the e-catalog and recorded against the same budget: a newspaper subscription,
    a press gathering, a sponsored event, a legislature's publication. Paid already, so recorded with its
    payment reference and evidence; never edited or deleted: a wrong entry is cancelled with a reason and its
    amount is free again. Recorded and cancelled only by budgets.services.other_spend, which keeps the
    budget's ``other_spent_amount`` with the budget row locked, so the budget's remaining amount and the
    public total count it."""

    request_key = models.UUIDField(
        _("request key"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Identifies one entry: the same form sent twice is recorded once."))
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="other_spends",
                               verbose_name=_("budget"))
    kind = models.CharField(_("kind"), max_length=30, choices=OtherSpendKind.choices)
    description = models.TextField(_("what was paid for"))
    recipient = models.CharField(_("paid to"), max_length=200,
                                 help_text=_("The name of the outlet, company, organiser or person paid."))
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="other_spends", verbose_name=_("outlet in the registry"))
    company = models.ForeignKey(PressCompany, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="other_spends", verbose_name=_("company in the registry"))
    amount = Rupiah(_("amount"), validators=[MinValueValidator(1)])
    spent_on = models.DateField(_("date spent"), db_index=True)
    reference = models.CharField(_("payment reference (SP2D or receipt)"), max_length=100)
    evidence_file = models.FileField(_("evidence"), upload_to=evidence_upload_to, storage=document_storage,
                                     max_length=200)
    evidence_original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    evidence_content_type = models.CharField(_("file type"), max_length=50, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("spend outside the catalog")
        verbose_name_plural = _("spend outside the catalog")
        permissions = [
            ("cancel_otherspend", _("Can cancel spend outside the catalog")),
            ("download_spend_evidence", _("Can download the evidence of spend outside the catalog")),
        ]
        indexes = [models.Index(fields=["budget", "kind"], name="other_spend_budget_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OtherSpendKind.values), name="other_spend_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="other_spend_amount_positive"),
            models.CheckConstraint(condition=~Q(reference="") & ~Q(recipient="") & ~Q(evidence_file=""),
                                   name="other_spend_has_reference_and_evidence"),
            models.CheckConstraint(condition=Q(cancelled_on__isnull=True) | ~Q(cancel_reason=""),
                                   name="other_spend_cancel_has_reason"),
        ]

    def __str__(self):
        return _("%(kind)s: %(recipient)s, %(amount)s") % {
            "kind": self.get_kind_display(), "recipient": self.recipient, "amount": format_rupiah(self.amount)}

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_on is not None


# --- declared interests (docs/domain.md "Owners and conflicts of interest") --------------------------------


class InterestRole(models.TextChoices):
    OFFICIAL = "official", _("Official of the agency")
    LEGISLATOR = "legislator", _("Member of the regional legislature (DPRD)")
    OTHER = "other", _("Other")


class InterestRelation(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    OTHER_FAMILY = "other_family", _("Other family")


@audited
class DeclaredInterest(models.Model):
    """An interest declared to an agency: a person (an official of the agency, a DPRD member, ...) who, or
    whose family, owns or controls media outlets or press companies. An order of the agency to such an
    outlet (or an outlet of such a company, or of a company the person is an owner of by name) is refused
    or held for a second approver, as the agency's ``conflict_handling`` says (budgets.controls.interests).
    Written only by budgets.services.interests."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="declared_interests",
                               verbose_name=_("agency"))
    person_name = models.CharField(_("person's name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=InterestRole.choices)
    position = models.CharField(_("position"), max_length=200, blank=True,
                                help_text=_("e.g. Head of the agency, member of Commission I of the DPRD."))
    relation = models.CharField(_("whose interest"), max_length=20, choices=InterestRelation.choices,
                                default=InterestRelation.SELF,
                                help_text=_("Who owns or controls the outlets: the person or their family."))
    outlets = models.ManyToManyField(MediaOutlet, blank=True, related_name="declared_interests",
                                     verbose_name=_("outlets"))
    companies = models.ManyToManyField("partners.PressCompany", blank=True, related_name="declared_interests",
                                       verbose_name=_("press companies"),
                                       help_text=_("Every outlet of these companies is covered."))
    declared_on = models.DateField(_("declared on"))
    reference = models.CharField(_("source or reference"), max_length=200, blank=True,
                                 help_text=_("e.g. the declaration form's number, LHKPN, a news report."))
    active_until = models.DateField(_("active until"), null=True, blank=True,
                                    help_text=_("Empty while it lasts; the last day it counts."))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["agency", "person_name", "pk"]
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")
        indexes = [models.Index(fields=["agency", "active_until"], name="declared_interest_agency")]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=InterestRole.values), name="declared_interest_role_valid"),
            models.CheckConstraint(condition=Q(relation__in=InterestRelation.values),
                                   name="declared_interest_relation_valid"),
            models.CheckConstraint(condition=Q(active_until__isnull=True) | Q(active_until__gte=F("declared_on")),
                                   name="declared_interest_ends_after_declared",
                                   violation_error_message=_("The interest cannot end before it was declared.")),
        ]

    def __str__(self):
        return f"{self.person_name} ({self.get_role_display()})"

    def in_force_on(self, day) -> bool:
        return self.active_until is None or self.active_until >= day


for _through, _name in ((DeclaredInterest.outlets.through, "DeclaredInterestOutletEvent"),
                        (DeclaredInterest.companies.through, "DeclaredInterestCompanyEvent")):
    pghistory.track(pghistory.InsertEvent("interest.add"), pghistory.DeleteEvent("interest.remove"),
                    obj_field=None, app_label="budgets", model_name=_name)(_through)


class ProofReminder(models.Model):
    """An e-mail about the proof of one order and deadline, claimed once (budgets.proof_reminders): the unique
    key means a second run of the job, or a redelivered task, finds the row and sends nothing again."""

    class Kind(models.TextChoices):
        DUE = "due", _("Proof due soon")
        OVERDUE = "overdue", _("Proof overdue")

    order = models.ForeignKey(MediaOrder, on_delete=models.CASCADE, related_name="proof_reminders",
                              verbose_name=_("order"))
    due_on = models.DateField(_("proof due by"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    sent_at = models.DateTimeField(_("queued"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proof reminder")
        verbose_name_plural = _("proof reminders")
        constraints = [
            models.UniqueConstraint(fields=["order", "due_on", "kind"], name="one_proof_reminder_each"),
            models.CheckConstraint(condition=Q(kind__in=["due", "overdue"]), name="proof_reminder_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.order_id}, {self.due_on.isoformat()})"
