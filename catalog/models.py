"""E-catalog eligibility and listing.

Eligibility is computed, never typed in (catalog.rules); the current result of each outlet is kept
in Eligibility, and every evaluation that changes it adds an EligibilityChange, so the state on any
past date can be answered (catalog.eligibility.eligibility_on). The listing follows eligibility
(catalog.transitions, driven by catalog.lifecycle); every transition is kept as a ListingTransition.

Longer than our other modules on purpose: the catalog's models are many but small (fields,
constraints, a property or two), the logic is elsewhere, and reading one model's constraints beside
the others' is how the absolute rules are checked; a package of one-model files would spread them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from mediareg.audit import audited
from mediareg.display import local_date, local_datetime
from partners.models import Document, MediaOutlet, VerificationLevel


def _outlet_name(row) -> str:
    """The outlet's name when it was loaded with the row (select_related), else its number: a title must
    not cost a query per row on a list."""
    outlet = row._state.fields_cache.get("outlet")
    return outlet.name if outlet is not None else _("outlet %(id)s") % {"id": row.outlet_id}


class KswpWindow(models.TextChoices):
    FISCAL_YEAR = "fiscal_year", _("dated in the current fiscal year")
    DAYS = "days", _("dated within the last N days")


def parse_reminder_days(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)
    except ValueError as exc:
        raise ValidationError(_("Enter whole numbers of days separated by commas, e.g. 30,14,7.")) from exc
    if not days or any(day < 1 or day > 365 for day in days):
        raise ValidationError(_("Enter whole numbers of days between 1 and 365, e.g. 30,14,7."))
    return days


def validate_reminder_days(value: str) -> None:
    parse_reminder_days(value)


MONTH_CHOICES = sorted(MONTHS.items())
DAY_OF_MONTH = [MinValueValidator(1), MaxValueValidator(31)]
# A common year, so that a recurring day is never 29 February (it would not exist three years in four).
COMMON_YEAR = 2001


@audited
class EligibilityPolicy(models.Model):
    """The thresholds and switches of the eligibility rules; administrators change them in the admin.

    Defaults and their sources: docs/domain.md. There is one policy row.
    """

    min_verification_level = models.CharField(
        _("minimum Dewan Pers verification"), max_length=20, choices=VerificationLevel.choices,
        default=VerificationLevel.FACTUAL,
        help_text=_("DKI Jakarta requires administrative and factual verification."))
    press_council_grace_days = models.PositiveSmallIntegerField(
        _("grace period after leaving the Dewan Pers list (days)"), default=30,
        help_text=_("A verified outlet missing from an imported complete list stays eligible this long, "
                    "for staff to check; outlets have vanished from the public list after data migrations."))
    kswp_window = models.CharField(_("KSWP must be"), max_length=20, choices=KswpWindow.choices,
                                   default=KswpWindow.FISCAL_YEAR)
    kswp_window_days = models.PositiveSmallIntegerField(_("N days for KSWP"), default=365,
                                                        validators=[MinValueValidator(1)])
    skf_max_age_months = models.PositiveSmallIntegerField(
        _("SKF valid for (months)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("A tax clearance letter is valid one month from issue (PER-8/PJ/2025)."))
    kswp_grace_month = models.PositiveSmallIntegerField(
        _("last year's KSWP counts until (month)"), choices=MONTH_CHOICES, default=3,
        help_text=_("Fiscal-year mode: a KSWP dated last year keeps counting into the new year until this day, "
                    "so that nobody is cut off on 1 January."))
    kswp_grace_day = models.PositiveSmallIntegerField(_("last year's KSWP counts until (day)"), default=31,
                                                      validators=DAY_OF_MONTH)
    require_annual_tax_return = models.BooleanField(
        _("require the annual tax return (SPT Tahunan)"), default=True,
        help_text=_("The return for the latest tax year whose filing deadline has passed; until the deadline the "
                    "return of two years back still counts."))
    tax_return_deadline_month = models.PositiveSmallIntegerField(
        _("annual tax return filing deadline (month)"), choices=MONTH_CHOICES, default=4,
        help_text=_("A company files the return for a tax year by this day of the next year (UU KUP: the end of "
                    "the fourth month, 30 April)."))
    tax_return_deadline_day = models.PositiveSmallIntegerField(_("annual tax return filing deadline (day)"),
                                                               default=30, validators=DAY_OF_MONTH)
    tax_notice_month = models.PositiveSmallIntegerField(
        _("year-end tax notice from (month)"), choices=MONTH_CHOICES, default=12,
        help_text=_("From this day until 31 December, companies in the catalog are told once which KSWP and "
                    "annual tax return the new year will need, and by when."))
    tax_notice_day = models.PositiveSmallIntegerField(_("year-end tax notice from (day)"), default=1,
                                                      validators=DAY_OF_MONTH)
    web_rank_rule_enabled = models.BooleanField(_("apply the web traffic rank rule to online media"),
                                                default=False)
    web_rank_threshold = models.PositiveIntegerField(
        _("worst accepted web rank"), default=1_000_000, validators=[MinValueValidator(1)],
        help_text=_("Tranco rank; most regional outlets are outside the top million."))
    suspension_months = models.PositiveSmallIntegerField(_("second warning: suspension (months)"), default=6,
                                                         validators=[MinValueValidator(1)])
    delisting_months = models.PositiveSmallIntegerField(
        _("third warning: delisting (months)"), default=12, validators=[MinValueValidator(1)],
        help_text=_("After this period the outlet may apply again; it is never listed again without a new "
                    "review."))
    reminder_days = models.CharField(_("expiry reminders (days before)"), max_length=50, default="30,14,7",
                                     validators=[validate_reminder_days])
    objection_days = models.PositiveSmallIntegerField(
        _("objection period after a decision (days)"), default=3, validators=[MinValueValidator(1),
                                                                               MaxValueValidator(60)],
        help_text=_("An applicant rejected, or an outlet suspended or delisted by staff, may object until this many "
                    "days after the decision, when no registration window sets its own objection days."))
    staff_summary_emails = models.TextField(
        _("daily summary recipients"), blank=True,
        help_text=_("E-mail addresses, one per line. Empty: the staff in the Verifikator group."))
    # Tiers of outlets (catalog.tiers; default like Kaltim, Pergub 49/2024).
    tier_a_level = models.CharField(
        _("tier A: Dewan Pers verification"), max_length=20, choices=VerificationLevel.choices,
        default=VerificationLevel.FACTUAL,
        help_text=_("The verification, counted as the eligibility rule counts it, that puts an outlet in tier A."))
    tier_b_level = models.CharField(
        _("tier B: Dewan Pers verification"), max_length=20, choices=VerificationLevel.choices,
        default=VerificationLevel.ADMINISTRATIVE,
        help_text=_("Lower than tier A's. “Not verified” puts every outlet below tier A in tier B."))
    tier_c_requires_eligible = models.BooleanField(
        _("tier C requires eligibility"), default=True,
        help_text=_("Tier C is an outlet below tier B that meets the local rules (eligible in the e-catalog) and "
                    "works towards verification. Off: every outlet below tier B is in tier C."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("eligibility policy")
        verbose_name_plural = _("eligibility policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="single_eligibility_policy"),
            models.CheckConstraint(
                condition=Q(tier_a_level=VerificationLevel.FACTUAL,
                            tier_b_level__in=[VerificationLevel.ADMINISTRATIVE, VerificationLevel.NONE])
                | Q(tier_a_level=VerificationLevel.ADMINISTRATIVE, tier_b_level=VerificationLevel.NONE),
                name="policy_tier_a_above_b",
                violation_error_message=_("Tier A needs a higher Dewan Pers verification than tier B.")),
            # Recurring days of the tax calendar: each must exist in a common year (no 29 February).
            *(models.CheckConstraint(
                condition=Q(**{f"{prefix}_month__gte": 1, f"{prefix}_month__lte": 12, f"{prefix}_day__gte": 1})
                & (Q(**{f"{prefix}_day__lte": 28}) | Q(**{f"{prefix}_month__in": [1, 3, 5, 7, 8, 10, 12],
                                                        f"{prefix}_day__lte": 31})
                   | Q(**{f"{prefix}_month__in": [4, 6, 9, 11], f"{prefix}_day__lte": 30})),
                name=f"policy_{prefix}_day_exists")
              for prefix in ("kswp_grace", "tax_return_deadline", "tax_notice")),
        ]

    def __str__(self):
        return str(_("Eligibility policy"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        for month_field, day_field in (("kswp_grace_month", "kswp_grace_day"),
                                       ("tax_return_deadline_month", "tax_return_deadline_day"),
                                       ("tax_notice_month", "tax_notice_day")):
            month, day = getattr(self, month_field), getattr(self, day_field)
            try:
                datetime.date(COMMON_YEAR, month, day)
            except (TypeError, ValueError):
                errors[day_field] = _("This day does not exist in every year of that month.")
        levels = {VerificationLevel.NONE: 0, VerificationLevel.ADMINISTRATIVE: 1, VerificationLevel.FACTUAL: 2}
        if levels.get(self.tier_a_level, 0) <= levels.get(self.tier_b_level, 0):
            errors["tier_b_level"] = _("Tier A needs a higher Dewan Pers verification than tier B.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls) -> EligibilityPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    @property
    def reminder_day_list(self) -> list[int]:
        return parse_reminder_days(self.reminder_days)


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("nightly schedule")
    STAFF = "staff", _("staff")
    APPLICATION = "application", _("application")
    DOCUMENT_REVIEW = "document_review", _("document review")
    DOCUMENT_EXPIRY = "document_expiry", _("document expiry")
    IMPORT = "import", _("import")


class Eligibility(models.Model):
    """The outlet's current result. ``failing_codes`` is ``,code,code,`` so that the admin can filter
    by a failing rule with a plain LIKE on every database."""

    outlet = models.OneToOneField(MediaOutlet, on_delete=models.CASCADE, primary_key=True,
                                  related_name="eligibility", verbose_name=_("outlet"))
    is_eligible = models.BooleanField(_("eligible"), default=False, db_index=True)
    failing_codes = models.CharField(_("failing rules"), max_length=300, blank=True, default="")
    outcomes = models.JSONField(_("rule outcomes"), default=list)
    changed_at = models.DateTimeField(_("result since"))
    evaluated_at = models.DateTimeField(_("last evaluated"))

    class Meta:
        verbose_name = _("eligibility")
        verbose_name_plural = _("eligibility")
        permissions = [("recheck_eligibility", _("Can re-check an outlet's eligibility now"))]

    def __str__(self):
        sentence = _("%(outlet)s is eligible") if self.is_eligible else _("%(outlet)s is not eligible")
        return sentence % {"outlet": _outlet_name(self)}

    @property
    def failing_rule_codes(self) -> list[str]:
        return [code for code in self.failing_codes.split(",") if code]


class EligibilityChange(models.Model):
    """One row each time an outlet's result changed: when, why (trigger) and every rule's outcome."""

    outlet = models.ForeignKey(MediaOutlet, on_delete=models.CASCADE, related_name="eligibility_changes",
                               verbose_name=_("outlet"))
    created_at = models.DateTimeField(_("time"))
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    is_eligible = models.BooleanField(_("eligible"))
    failing_codes = models.CharField(_("failing rules"), max_length=300, blank=True, default="")
    outcomes = models.JSONField(_("rule outcomes"), default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("eligibility change")
        verbose_name_plural = _("eligibility history")
        indexes = [models.Index(fields=["outlet", "-created_at"], name="eligibility_change_lookup")]
        constraints = [models.CheckConstraint(condition=Q(trigger__in=Trigger.values), name="change_trigger_valid")]

    def __str__(self):
        sentence = (_("%(outlet)s became eligible on %(time)s") if self.is_eligible
                    else _("%(outlet)s became not eligible on %(time)s"))
        return sentence % {"outlet": _outlet_name(self), "time": local_datetime(self.created_at)}


class PendingRecheck(models.Model):
    """An outlet waiting for a re-check that a change asked for (catalog.signals.queue_recheck).

    Written in the same transaction as the change and removed by the re-check that has read the change
    (catalog.eligibility.recheck_outlets), so a mark that stays for more than a few minutes means the
    queued task never ran (the broker refused it, or it was lost): the recheck-pending-outlets sweep
    re-checks it, and the nightly re-check of every outlet clears every mark. Staff see the mark on the
    outlet's page and filter the outlet list by it.
    """

    outlet = models.OneToOneField(MediaOutlet, on_delete=models.CASCADE, primary_key=True,
                                  related_name="pending_recheck", verbose_name=_("outlet"))
    since = models.DateTimeField(_("re-check pending since"))
    requested_at = models.DateTimeField(_("last asked for"))
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    # New with every request: a re-check removes only the requests it has read, never a later one.
    token = models.UUIDField(_("request"))

    class Meta:
        ordering = ["since"]
        verbose_name = _("pending re-check")
        verbose_name_plural = _("pending re-checks")
        indexes = [models.Index(fields=["since"], name="pending_recheck_since")]

    def __str__(self):
        return _("Re-check of %(outlet)s pending since %(time)s") % {
            "outlet": _outlet_name(self), "time": local_datetime(self.since)}


class RecheckRun(models.Model):
    """A full re-check of every outlet, so staff can see when it last ran and what it changed.

    One run per day and trigger (catalog.tasks.recheck_all_outlets claims it); its ranges of outlet
    ids are RecheckRange rows, each counted once however often its task is delivered."""

    # Empty for runs recorded before runs were claimed per day (two of those may share a day).
    day = models.DateField(_("day"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=100, blank=True,
                               help_text=_("The message that claimed the run; its redelivery may finish it."))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    batches_done = models.PositiveIntegerField(_("batches done"), default=0)
    outlets_checked = models.PositiveIntegerField(_("outlets checked"), default=0)
    outlets_changed = models.PositiveIntegerField(_("results changed"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("re-check run")
        verbose_name_plural = _("re-check runs")
        constraints = [models.UniqueConstraint(fields=["day", "trigger"], name="one_recheck_run_per_day_and_trigger")]

    def __str__(self):
        return _("Re-check of every outlet (%(trigger)s), started %(time)s") % {
            "trigger": self.get_trigger_display(), "time": local_datetime(self.started_at)}


class RecheckRange(models.Model):
    """One range of outlet ids of a run, and what re-checking it found (set once, when it is done)."""

    run = models.ForeignKey(RecheckRun, on_delete=models.CASCADE, related_name="ranges", verbose_name=_("run"))
    first_id = models.PositiveBigIntegerField(_("first outlet id"))
    last_id = models.PositiveBigIntegerField(_("last outlet id"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outlets_checked = models.PositiveIntegerField(_("outlets checked"), default=0)
    outlets_changed = models.PositiveIntegerField(_("results changed"), default=0)

    class Meta:
        ordering = ["run", "first_id"]
        verbose_name = _("re-check range")
        verbose_name_plural = _("re-check ranges")
        constraints = [models.UniqueConstraint(fields=["run", "first_id"], name="one_recheck_range_per_start")]

    def __str__(self):
        return _("Outlets %(first)s to %(last)s") % {"first": self.first_id, "last": self.last_id}


class ListingState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Under review")
    LISTED = "listed", _("Listed")
    SUSPENDED = "suspended", _("Suspended")
    DELISTED = "delisted", _("Delisted")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class SuspensionCause(models.TextChoices):
    NONE = "", _("—")
    ELIGIBILITY = "eligibility", _("eligibility lost")
    STAFF = "staff", _("staff decision")
    SANCTION = "sanction", _("sanction")


@audited
class Listing(models.Model):
    """The outlet's standing in the e-catalog (see catalog.lifecycle for the allowed transitions)."""

    outlet = models.OneToOneField(MediaOutlet, on_delete=models.CASCADE, related_name="listing",
                                  verbose_name=_("outlet"))
    state = models.CharField(_("state"), max_length=20, choices=ListingState.choices, default=ListingState.APPLIED,
                             db_index=True)
    suspension_cause = models.CharField(_("suspension cause"), max_length=20, choices=SuspensionCause.choices,
                                        blank=True, default="")
    sanction_level = models.PositiveSmallIntegerField(
        _("warnings"), default=0, validators=[MaxValueValidator(3)],
        help_text=_("Catalog sanctions given: 1 first warning, 2 with suspension, 3 with delisting."))
    sanction_ends_on = models.DateField(
        _("sanction ends on"), null=True, blank=True,
        help_text=_("The first day without the sanction: a suspension ends by itself; after a delisting the "
                    "outlet may apply again."))
    reason = models.TextField(_("reason"), blank=True)
    state_since = models.DateTimeField(_("in this state since"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("catalog listing")
        verbose_name_plural = _("catalog listings")
        permissions = [("manage_listing", _("Can list, suspend, delist and sanction outlets in the e-catalog"))]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ListingState.values), name="listing_state_valid"),
            models.CheckConstraint(
                condition=Q(state=ListingState.SUSPENDED, suspension_cause__in=[
                    SuspensionCause.ELIGIBILITY, SuspensionCause.STAFF, SuspensionCause.SANCTION])
                | (~Q(state=ListingState.SUSPENDED) & Q(suspension_cause="")),
                name="listing_suspension_has_cause",
            ),
            # A second warning given while staff hold the outlet suspended runs its period alongside
            # (catalog.lifecycle, "the sanction ladder").
            models.CheckConstraint(
                condition=Q(sanction_ends_on__isnull=True)
                | Q(state=ListingState.SUSPENDED,
                    suspension_cause__in=[SuspensionCause.SANCTION, SuspensionCause.STAFF])
                | Q(state=ListingState.DELISTED),
                name="listing_sanction_end_only_when_sanctioned",
            ),
            models.CheckConstraint(condition=Q(sanction_level__lte=3), name="listing_sanction_level_range"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.get_state_display()}"


class ListingTransition(models.Model):
    """One row per listing transition, with who (a person or the system) and why."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="transitions",
                                verbose_name=_("listing"))
    created_at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=ListingState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ListingState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("staff"))
    actor_label = models.CharField(_("by"), max_length=150,
                                   help_text=_("The staff member's user name, or system: and the job's name."))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("listing transition")
        verbose_name_plural = _("listing transitions")
        indexes = [models.Index(fields=["to_state", "created_at"], name="listing_transition_by_state")]

    def __str__(self):
        states = dict(ListingState.choices)
        return _("%(from)s → %(to)s on %(time)s") % {
            "from": states.get(self.from_state, "-"), "to": states.get(self.to_state, self.to_state),
            "time": local_datetime(self.created_at)}


class ExpiryReminder(models.Model):
    """A reminder that a document is about to expire. The unique key makes each reminder happen once:
    a second run, or a retried task, finds the row and does not send again."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="expiry_reminders",
                                 verbose_name=_("document"))
    expiry_date = models.DateField(_("expiry date reminded of"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("due since"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["document", "expiry_date", "days_before"], name="one_reminder_each"),
        ]

    def __str__(self):
        return _("Reminder %(days)s days before %(date)s") % {
            "days": self.days_before, "date": local_date(self.expiry_date)}


class TaxYearNotice(models.Model):
    """The notice a company gets once in December: which KSWP and annual tax return the new year needs,
    and by when (catalog.reminders). The unique key makes it happen once per company and year."""

    company = models.ForeignKey("partners.PressCompany", on_delete=models.CASCADE, related_name="tax_year_notices",
                                verbose_name=_("company"))
    year = models.PositiveSmallIntegerField(_("for the year"))
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("due since"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "company"]
        verbose_name = _("year-end tax notice")
        verbose_name_plural = _("year-end tax notices")
        constraints = [models.UniqueConstraint(fields=["company", "year"], name="one_tax_notice_per_year")]

    def __str__(self):
        return _("Notice of tax year %(year)s") % {"year": self.year}


class StaffSummary(models.Model):
    """The daily e-mail to staff about the outlets suspended since the previous one (catalog.reminders);
    one per day at most. Sent summaries cover one unbroken run of time: each starts where the previous
    sent one ended, so a suspension is in exactly one of them."""

    day = models.DateField(_("day"), unique=True, help_text=_("The last day the summary covers."))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    outlet_count = models.PositiveIntegerField(_("outlets"), default=0)
    period_start = models.DateTimeField(_("covers from"), null=True, blank=True)
    period_end = models.DateTimeField(_("covers until"), null=True, blank=True,
                                      help_text=_("Midnight after the day, not included."))

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily staff summary")
        verbose_name_plural = _("daily staff summaries")

    def __str__(self):
        return _("Summary of %(day)s") % {"day": local_date(self.day)}


class PressCouncilImport(models.Model):
    """Evidence of what the Dewan Pers list said on a date: the file's fingerprint, the outcome
    counts, and every row as read (PressCouncilEntry)."""

    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    list_date = models.DateField(_("list date"))
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    complete = models.BooleanField(_("complete list"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_matched = models.PositiveIntegerField(_("matched"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    outlets_flagged = models.PositiveIntegerField(_("flagged as missing"), default=0)
    actor = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("Dewan Pers list import")
        verbose_name_plural = _("Dewan Pers list imports")

    def __str__(self):
        return f"{self.file_name} ({self.list_date})"


class PressCouncilEntry(models.Model):
    class Outcome(models.TextChoices):
        MATCHED = "matched", _("matched an existing outlet")
        CREATED = "created", _("created a new outlet")
        SKIPPED = "skipped", _("could not be used")

    source = models.ForeignKey(PressCouncilImport, on_delete=models.CASCADE, related_name="entries",
                               verbose_name=_("import"))
    line_number = models.PositiveIntegerField(_("line"))
    data = models.JSONField(_("row as read"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    problem = models.TextField(_("problem"), blank=True)
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="press_council_entries", verbose_name=_("outlet"))

    class Meta:
        ordering = ["source", "line_number"]
        verbose_name = _("Dewan Pers list row")
        verbose_name_plural = _("Dewan Pers list rows")

    def __str__(self):
        return _("Line %(line)s") % {"line": self.line_number}


class WebRankList(models.Model):
    """One imported traffic-rank list (Tranco: a daily list with an id, docs/domain.md "Traffic rank")."""

    source = models.CharField(_("source"), max_length=30, default="tranco")
    list_id = models.CharField(_("list id"), max_length=50)
    list_date = models.DateField(_("list date"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    outlets_ranked = models.PositiveIntegerField(_("outlets ranked"), default=0)

    class Meta:
        ordering = ["-list_date", "-imported_at"]
        verbose_name = _("web rank list")
        verbose_name_plural = _("web rank lists")
        constraints = [models.UniqueConstraint(fields=["source", "list_id"], name="web_rank_list_unique")]

    def __str__(self):
        return f"{self.source} {self.list_id} ({self.list_date})"


class OutletWebRank(models.Model):
    """An online outlet's rank in one list; ``rank`` is empty when the outlet is not ranked, which is
    normal for regional media."""

    rank_list = models.ForeignKey(WebRankList, on_delete=models.CASCADE, related_name="ranks",
                                  verbose_name=_("list"))
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.CASCADE, related_name="web_ranks",
                               verbose_name=_("outlet"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    domain = models.CharField(_("ranked domain"), max_length=253, blank=True)

    class Meta:
        verbose_name = _("web rank")
        verbose_name_plural = _("web ranks")
        constraints = [models.UniqueConstraint(fields=["rank_list", "outlet"], name="one_rank_per_list")]
        indexes = [models.Index(fields=["outlet", "rank_list"], name="web_rank_by_outlet")]

    def __str__(self):
        return f"{self.outlet_id}: {self.rank or '-'}"


def _on_or_after(field: str, *earlier: str) -> Q:
    """``field`` is empty, or on or after the latest of the ``earlier`` stages that is set (the first of
    them found, latest stage first); a CHECK passes when every compared value is empty."""
    previous = Coalesce(*(models.F(name) for name in earlier)) if len(earlier) > 1 else models.F(earlier[0])
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": previous})


class RegistrationWindow(models.Model):
    """A period in which the public form takes applications (many offices take them once a year,
    docs/domain.md "How regional offices run it"). With no window at all the form is always open.

    The later stages are optional, in the order Pemda publish them (docs/domain.md "Objection window"):
    registration (opens_on to closes_on, which alone opens and closes the form), the first list, the
    objection days (masa sanggah) and the final list."""

    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    first_list_on = models.DateField(_("first list published on"), null=True, blank=True)
    first_list_until = models.DateField(_("first list shown until"), null=True, blank=True,
                                        help_text=_("Empty: the first list is published on one day."))
    objection_opens_on = models.DateField(_("objections from"), null=True, blank=True,
                                          help_text=_("The first day of the objection period (masa sanggah)."))
    objection_closes_on = models.DateField(_("objections until"), null=True, blank=True,
                                           help_text=_("The last day an objection is accepted."))
    final_list_on = models.DateField(_("final list published on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("For staff, e.g. the announcement this window comes from."))

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("registration window")
        verbose_name_plural = _("registration windows")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                   name="window_closes_after_opening",
                                   violation_error_message=_("A window closes on or after its opening.")),
            models.CheckConstraint(
                condition=_on_or_after("first_list_on", "closes_on"), name="window_first_list_after_registration",
                violation_error_message=_("The first list comes on or after the end of registration.")),
            models.CheckConstraint(
                condition=Q(first_list_until__isnull=True) | Q(first_list_on__isnull=False,
                                                               first_list_until__gte=models.F("first_list_on")),
                name="window_first_list_days_in_order",
                violation_error_message=_("The first list is shown until a day on or after its publication.")),
            models.CheckConstraint(
                condition=Q(objection_opens_on__isnull=True, objection_closes_on__isnull=True)
                | Q(objection_opens_on__isnull=False, objection_closes_on__isnull=False,
                    objection_closes_on__gte=models.F("objection_opens_on")),
                name="window_objection_days_in_order",
                violation_error_message=_("Give both objection days, the last on or after the first.")),
            models.CheckConstraint(
                condition=_on_or_after("objection_opens_on", "first_list_until", "first_list_on", "closes_on"),
                name="window_objections_after_first_list",
                violation_error_message=_("The objection days come after registration and the first list.")),
            models.CheckConstraint(
                condition=_on_or_after("final_list_on", "objection_closes_on", "first_list_until", "first_list_on",
                                       "closes_on"),
                name="window_final_list_last",
                violation_error_message=_("The final list comes after the objection days and the first list.")),
        ]

    def __str__(self):
        return f"{local_date(self.opens_on)} – {local_date(self.closes_on)}"

    @property
    def has_objection_days(self) -> bool:
        return self.objection_opens_on is not None and self.objection_closes_on is not None


@audited
class Application(models.Model):
    """An outlet's application to the e-catalog, from the public form."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        UNDER_REVIEW = "under_review", _("Under review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(_("tracking code"), max_length=32, unique=True)
    submission_key = models.CharField(_("submission key"), max_length=64, unique=True, editable=False,
                                      help_text=_("The form's one-time key: a page sent twice is one application."))
    company = models.ForeignKey("partners.PressCompany", on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("company"))
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("outlet"))
    documents = models.ManyToManyField(Document, blank=True, related_name="applications",
                                       verbose_name=_("documents"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    applicant_email = models.EmailField(_("applicant e-mail"))
    language = models.CharField(_("language"), max_length=5, default="id")
    client_ip = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_reason = models.TextField(_("reason given to the applicant"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["submitted", "under_review", "changes_requested",
                                                           "approved", "rejected"]),
                                   name="application_status_valid"),
            models.CheckConstraint(condition=~Q(status__in=["rejected", "changes_requested"])
                                   | ~Q(decision_reason=""), name="application_decision_has_reason"),
        ]

    def __str__(self):
        # The day in Asia/Jakarta: an application sent at 01:00 WIB is that day's, not the previous (UTC) one.
        return _("%(outlet)s, submitted %(date)s") % {"outlet": self.outlet, "date": local_date(self.submitted_at)}


@audited
class CompanyChangeProposal(models.Model):
    """Company data an application typed that differs from its known company's record.

    An anonymous form never changes a known company: anyone who knows an NPWP could otherwise redirect
    its reminder e-mails, take another company's NIB or add the KBLI code the eligibility rule trusts.
    The differences wait here, beside the application, for staff to apply (all or some) or ignore
    (catalog.company_changes); who decided is kept.

    Values are stored as the company stores them: the province's id, KBLI codes as a sorted list.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for staff")
        APPLIED = "applied", _("applied to the company")
        IGNORED = "ignored", _("ignored")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="company_changes",
                                       verbose_name=_("application"))
    company = models.ForeignKey("partners.PressCompany", on_delete=models.CASCADE, related_name="change_proposals",
                                verbose_name=_("company"))
    proposed = models.JSONField(_("typed in the application"))
    on_record = models.JSONField(_("on record when the application came"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    applied_fields = models.JSONField(_("fields applied"), default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposed company change")
        verbose_name_plural = _("proposed company changes")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "applied", "ignored"]),
                                   name="company_change_status_valid"),
        ]

    def __str__(self):
        return f"{self.company_id}: {', '.join(self.proposed)}"


def objection_upload_to(instance, filename: str) -> str:
    """A random name under objections/ and a year/month folder, as for documents (partners.models)."""
    from partners.models import document_upload_to

    return f"objections/{document_upload_to(instance, filename)}"


def objection_storage():
    from partners.models import document_storage

    return document_storage()


class ObjectionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


@audited
class Objection(models.Model):
    """An objection (sanggahan) to one decision: an application rejected, or a listing suspended or
    delisted by staff (a ListingTransition with a staff member as actor). Filed from the application's
    status page or the outlet's renewal link within the objection period (catalog.objections), decided by
    staff with a reason. ``opens_on`` and ``deadline`` are the period as it was when filed."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="objection", verbose_name=_("application rejected"))
    transition = models.OneToOneField(ListingTransition, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="objection", verbose_name=_("listing decision"))
    outlet = models.ForeignKey(MediaOutlet, on_delete=models.CASCADE, related_name="objections",
                               verbose_name=_("outlet"))
    decision_at = models.DateTimeField(_("decision objected to, taken"))
    objected_reason = models.TextField(_("reason given for the decision"), blank=True,
                                       help_text=_("As it stood when the objection was filed."))
    statement = models.TextField(_("statement"))
    filed_at = models.DateTimeField(_("filed"), db_index=True)
    opens_on = models.DateField(_("objection period from"))
    deadline = models.DateField(_("objection period until"))
    language = models.CharField(_("language"), max_length=5, default="id")
    client_ip = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.WAITING, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_reason = models.TextField(_("reason given"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        permissions = [("decide_objection", _("Can uphold or dismiss objections"))]
        indexes = [models.Index(fields=["status", "deadline"], name="objection_by_status_deadline")]
        constraints = [
            # One decision objected to: an application or a listing transition, never both.
            models.CheckConstraint(condition=Q(application__isnull=False, transition__isnull=True)
                                   | Q(application__isnull=True, transition__isnull=False),
                                   name="objection_one_decision"),
            models.CheckConstraint(condition=Q(status__in=ObjectionStatus.values), name="objection_status_valid"),
            models.CheckConstraint(condition=Q(deadline__gte=models.F("opens_on")), name="objection_period_in_order"),
            models.CheckConstraint(condition=~Q(statement=""), name="objection_has_statement"),
            models.CheckConstraint(
                condition=Q(status=ObjectionStatus.WAITING, decided_at__isnull=True, decision_reason="")
                | (~Q(status=ObjectionStatus.WAITING) & Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="objection_decided_with_reason"),
        ]

    def __str__(self):
        return _("Objection of %(outlet)s, filed %(date)s") % {
            "outlet": _outlet_name(self), "date": local_date(self.filed_at)}

    @property
    def is_waiting(self) -> bool:
        return self.status == ObjectionStatus.WAITING

    @property
    def decision_label(self) -> str:
        """The decision objected to, in words (the transition is selected with the row where it is shown)."""
        return decision_label(None if self.application_id else self.transition.action)


def decision_label(action: str | None) -> str:
    """A decision that may be objected to: an application's rejection (None), or a listing action."""
    if action is None:
        return _("Rejection of the application")
    return str({"suspend": _("Suspension by staff"), "delist": _("Delisting by staff"),
                "warning_2_suspension": _("Second warning with suspension"),
                "warning_3_delisting": _("Third warning with delisting"),
                "revoke": _("Revocation")}.get(action, action))


@audited
class ObjectionFile(models.Model):
    """A file sent with an objection: checked like a document (partners.uploads), stored under a random
    name beside the documents, served only to staff who may download documents (catalog.views)."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files",
                                  verbose_name=_("objection"))
    file = models.FileField(_("file"), upload_to=objection_upload_to, storage=objection_storage, max_length=200)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)

    class Meta:
        ordering = ["objection", "pk"]
        verbose_name = _("objection file")
        verbose_name_plural = _("objection files")

    def __str__(self):
        return self.original_filename or str(_("file %(id)s") % {"id": self.pk})
