"""The register of press companies, their media outlets, Dewan Pers verification and documents.

Facts and their sources are in docs/domain.md. Rules that
are absolute are database constraints; rules that need a person's judgement live in forms and in
the eligibility rules of the catalog app.

About 500 lines on purpose: the registry's models with their constraints, kept together so that the
absolute rules read in one place; the logic is in services, identifiers and the imports.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

import pghistory
from django.conf import settings
from django.contrib.admin import display as admin_display
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediareg.audit import audited
from mediareg.dates import add_years

from .identifiers import (
    PLACEHOLDER_NPWP_PREFIX,
    format_npwp,
    normalize_account_number,
    normalize_company_npwp,
    normalize_domain,
    validate_nik,
)
from .storage import documents

# A factual-verification certificate is valid five years from signing (docs/domain.md "Dewan Pers verification").
VERIFICATION_VALIDITY_YEARS = 5



class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Province(models.Model):
    """The 38 provinces, with Kemendagri region codes (loaded by a data migration)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class KbliCode(models.Model):
    """Standard industrial classification (KBLI) codes that a company's NIB lists."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    title = models.CharField(_("title"), max_length=200)
    is_press = models.BooleanField(
        _("press business"), default=False,
        help_text=_("Accepted by Dewan Pers as a press business code (print, web portal, news agency, TV, radio)."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("KBLI code")
        verbose_name_plural = _("KBLI codes")

    def __str__(self):
        return f"{self.code} {self.title}"


class LegalForm(models.TextChoices):
    PT = "pt", _("Limited company (PT)")
    PT_PERORANGAN = "pt_perorangan", _("Single-founder PT (PT perorangan)")
    YAYASAN = "yayasan", _("Foundation (yayasan)")
    KOPERASI = "koperasi", _("Cooperative (koperasi)")
    CV = "cv", _("Limited partnership (CV)")
    OTHER = "other", _("Other")


# Dewan Pers accepts a PT, yayasan or koperasi; not a PT perorangan (docs/domain.md "Legal form and KBLI").
PRESS_LEGAL_FORMS = frozenset({LegalForm.PT, LegalForm.YAYASAN, LegalForm.KOPERASI})


@audited
class PressCompany(TimeStamped):
    """The legal entity (perusahaan pers) that publishes one or more outlets."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.PT)
    # Empty only for companies imported from the Dewan Pers list, which does not publish NPWPs; the
    # eligibility rules fail such a company until staff enter the number.
    npwp = models.CharField(
        _("NPWP"), max_length=16, unique=True, null=True, blank=True,
        help_text=_("Stored as 16 digits; the old 15-digit form (99.999.999.9-999.999) is accepted too."),
        error_messages={"unique": _("A company with this NPWP is already registered.")},
    )
    nib = models.CharField(_("NIB"), max_length=13, blank=True, help_text=_("Business ID from OSS, 13 digits."))
    kbli_codes = models.ManyToManyField(KbliCode, verbose_name=_("KBLI codes"), blank=True, related_name="companies")
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="companies")
    regency_city = models.CharField(_("regency/city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("press company")
        verbose_name_plural = _("press companies")
        # The admin lists in name order: an index lets a page be read in order instead of sorting 50,000 rows.
        indexes = [models.Index(fields=["legal_name", "id"], name="company_name_order_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(npwp__isnull=True) | Q(npwp__regex=r"^[0-9]{16}$"),
                                   name="company_npwp_16_digits"),
            # A legal entity's 16-digit NPWP is its legacy number with a leading 0; 16 digits without
            # it are a person's NIK (identifiers.normalize_company_npwp gives the message first).
            models.CheckConstraint(condition=Q(npwp__isnull=True) | Q(npwp__startswith="0"),
                                   name="company_npwp_not_nik",
                                   violation_error_message=_("A press company's NPWP cannot be a person's NIK.")),
            models.CheckConstraint(condition=Q(npwp__isnull=True) | ~Q(npwp__startswith=PLACEHOLDER_NPWP_PREFIX),
                                   name="company_npwp_not_placeholder",
                                   violation_error_message=_("The invoice placeholder 00.000.000.0-000.000 is "
                                                             "not an NPWP.")),
            models.CheckConstraint(condition=Q(nib="") | Q(nib__regex=r"^[0-9]{13}$"), name="company_nib_13_digits"),
            models.UniqueConstraint(fields=["nib"], condition=~Q(nib=""), name="company_nib_unique",
                                    violation_error_message=_("A company with this NIB is already registered.")),
            models.CheckConstraint(condition=Q(legal_form__in=LegalForm.values), name="company_legal_form_valid"),
        ]

    def __str__(self):
        return self.legal_name

    def clean(self):
        if self.npwp:
            try:
                self.npwp = normalize_company_npwp(self.npwp)
            except ValidationError as exc:
                raise ValidationError({"npwp": exc.messages}) from exc

    @property
    def npwp_display(self) -> str:
        return format_npwp(self.npwp) if self.npwp else ""

    @property
    def legal_form_accepted(self) -> bool:
        return self.legal_form in PRESS_LEGAL_FORMS


pghistory.track(
    pghistory.InsertEvent("kbli.add"), pghistory.DeleteEvent("kbli.remove"),
    obj_field=None, app_label="partners", model_name="CompanyKbliEvent",
)(PressCompany.kbli_codes.through)


class MediaType(models.TextChoices):
    ONLINE = "online", _("Online (siber)")
    PRINT = "print", _("Print (cetak)")
    TELEVISION = "television", _("Television")
    RADIO = "radio", _("Radio")


class PublicationFrequency(models.TextChoices):
    """How often a print outlet appears: the proof-of-publication deadlines of local rules differ for daily,
    weekly and monthly print (budgets.deadlines). Blank when not known or not print."""

    NONE = "", _("Not stated")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    OTHER = "other", _("Other")


class CompetencyLevel(models.TextChoices):
    """Journalist competency test (UKW) levels."""

    NONE = "", _("No certificate")
    MUDA = "muda", _("Muda (junior)")
    MADYA = "madya", _("Madya (middle)")
    UTAMA = "utama", _("Utama (senior)")


@audited
class MediaOutlet(TimeStamped):
    """A brand the public reads, watches or hears. Dewan Pers verifies outlets; the e-catalog lists them."""

    company = models.ForeignKey(PressCompany, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="outlets")
    name = models.CharField(_("name"), max_length=200)
    media_type = models.CharField(_("media type"), max_length=20, choices=MediaType.choices)
    publication_frequency = models.CharField(
        _("publication frequency"), max_length=10, choices=PublicationFrequency.choices, blank=True, default="",
        help_text=_("For print: daily, weekly or monthly. The deadline for proof of publication of an order "
                    "depends on it."))
    person_in_charge = models.CharField(_("person in charge (penanggung jawab)"), max_length=200, blank=True)
    editor_in_chief = models.CharField(_("editor-in-chief"), max_length=200, blank=True)
    editor_competency = models.CharField(_("editor's competency level (UKW)"), max_length=10,
                                         choices=CompetencyLevel.choices, blank=True)
    editor_certificate_no = models.CharField(_("editor's competency certificate no."), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("media outlet")
        verbose_name_plural = _("media outlets")
        indexes = [models.Index(fields=["name", "id"], name="outlet_name_order_idx"),
                   # The public e-catalog's order (/catalog/, /api/v1/catalog/): its first page walks this index
                   # instead of sorting every listed outlet (220 ms to 20 ms at 50,000 outlets, bench/api.py).
                   models.Index(Upper("name"), "id", name="outlet_upper_name_order_idx")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "company", name="outlet_name_unique_per_company",
                                    violation_error_message=_("This company already has an outlet with this name.")),
            models.CheckConstraint(condition=Q(media_type__in=MediaType.values), name="outlet_media_type_valid"),
            models.CheckConstraint(condition=Q(publication_frequency__in=PublicationFrequency.values),
                                   name="outlet_publication_frequency_valid"),
            models.CheckConstraint(
                condition=Q(editor_competency__in=CompetencyLevel.values), name="outlet_editor_competency_valid"),
            models.CheckConstraint(condition=Q(editor_competency="") | ~Q(editor_certificate_no=""),
                                   name="outlet_competency_needs_certificate",
                                   violation_error_message=_("Enter the certificate number of the competency level.")),
        ]

    def __str__(self):
        return self.name


@audited
class OutletDomain(models.Model):
    """A web domain of an outlet, normalised (see identifiers.normalize_domain); an outlet may have several."""

    outlet = models.ForeignKey(MediaOutlet, verbose_name=_("outlet"), on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        _("domain"), max_length=253, unique=True,
        error_messages={"unique": _("This domain already belongs to another outlet.")},
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "domain"]
        verbose_name = _("website domain")
        verbose_name_plural = _("website domains")
        constraints = [
            models.CheckConstraint(condition=Q(domain=Lower("domain")) & Q(domain__contains="."),
                                   name="domain_normalised"),
            models.UniqueConstraint(fields=["outlet"], condition=Q(is_primary=True), name="one_primary_domain",
                                    violation_error_message=_("An outlet has only one primary domain.")),
        ]

    def __str__(self):
        return self.domain

    def clean(self):
        if self.domain:
            try:
                self.domain = normalize_domain(self.domain)
            except ValidationError as exc:
                raise ValidationError({"domain": exc.messages}) from exc


class VerificationLevel(models.TextChoices):
    """Dewan Pers verification (docs/domain.md): administrative first, then factual."""

    NONE = "none", _("Not verified")
    ADMINISTRATIVE = "administrative", _("Administratively verified")
    FACTUAL = "factual", _("Administratively and factually verified")


class VerificationSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported from the Dewan Pers list")


@audited
class PressVerification(TimeStamped):
    """An outlet's standing with Dewan Pers. Only factual verification carries a certificate."""

    outlet = models.OneToOneField(MediaOutlet, verbose_name=_("outlet"), on_delete=models.CASCADE,
                                  related_name="verification")
    level = models.CharField(_("level"), max_length=20, choices=VerificationLevel.choices,
                             default=VerificationLevel.NONE)
    status_date = models.DateField(_("status date"), null=True, blank=True,
                                   help_text=_("The date Dewan Pers gives for this level."))
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True,
                                          help_text=_("For example 975/DP-Verifikasi/K/IV/2022."))
    certificate_date = models.DateField(_("certificate signing date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False,
                                   help_text=_("Five years from signing, less one day."))
    source = models.CharField(_("source"), max_length=10, choices=VerificationSource.choices,
                              default=VerificationSource.STAFF)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    missing_from_list_since = models.DateField(
        _("missing from the Dewan Pers list since"), null=True, blank=True,
        help_text=_("Set when a complete list import no longer shows this outlet; staff check it and clear "
                    "the date. After the grace period the verification no longer counts."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("Dewan Pers verification")
        verbose_name_plural = _("Dewan Pers verifications")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=VerificationLevel.values), name="verification_level_valid"),
            models.CheckConstraint(
                condition=Q(level=VerificationLevel.FACTUAL)
                | (Q(certificate_number="") & Q(certificate_date__isnull=True)),
                name="certificate_only_for_factual",
                violation_error_message=_("Only factual verification has a certificate."),
            ),
            models.CheckConstraint(
                condition=Q(certificate_date__isnull=True) | ~Q(certificate_number=""),
                name="certificate_date_needs_number",
                violation_error_message=_("Enter the certificate number with its signing date."),
            ),
            models.CheckConstraint(
                condition=Q(certificate_date__isnull=True, valid_until__isnull=True)
                | Q(valid_until__gt=models.F("certificate_date")),
                name="verification_valid_until_after_signing",
            ),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.get_level_display()}"

    def save(self, *args, **kwargs):
        self.valid_until = self.compute_valid_until(self.certificate_date)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "certificate_date" in update_fields:
            kwargs["update_fields"] = {*update_fields, "valid_until"}
        super().save(*args, **kwargs)

    @staticmethod
    def compute_valid_until(certificate_date: datetime.date | None) -> datetime.date | None:
        if certificate_date is None:
            return None
        return add_years(certificate_date, VERIFICATION_VALIDITY_YEARS) - datetime.timedelta(days=1)


class Owner(models.TextChoices):
    COMPANY = "company", _("company")
    OUTLET = "outlet", _("outlet")


class DocumentKind(models.TextChoices):
    """The documents Dewan Pers, the e-catalog and regional offices ask for (docs/domain.md)."""

    DEED = "deed", _("Deed of establishment")
    DEED_AMENDMENT = "deed_amendment", _("Deed of amendment")
    LAW_MINISTRY_APPROVAL = "law_ministry_approval", _("Ministry of Law approval (SK Kemenkumham)")
    NIB = "nib", _("Business ID (NIB)")
    NPWP_CARD = "npwp_card", _("NPWP card")
    KSWP = "kswp", _("Tax status confirmation (KSWP)")
    SKF = "skf", _("Tax clearance letter (SKF)")
    ANNUAL_TAX_RETURN = "annual_tax_return", _("Annual tax return (SPT Tahunan)")
    PKP_LETTER = "pkp_letter", _("VAT registration (PKP) letter or non-PKP statement")
    BANK_ACCOUNT_LETTER = "bank_account_letter", _("Company bank account letter")
    PRESS_COUNCIL_CERTIFICATE = "press_council_certificate", _("Dewan Pers verification certificate")
    EDITORIAL_BOX = "editorial_box", _("Editorial box (masthead)")
    RATE_CARD = "rate_card", _("Rate card")
    COMPETENCY_CERTIFICATE = "competency_certificate", _("Editor's competency (UKW) certificate")
    BROADCAST_LICENCE = "broadcast_licence", _("Broadcasting licence (IPP)")
    OTHER = "other", _("Other")


# Which owner each kind belongs to, and whether it runs out. An SKF is valid one month from issue
# (docs/domain.md "Tax status"); a Dewan Pers certificate five years; a broadcasting licence has its own term.
KIND_OWNER = {
    DocumentKind.PRESS_COUNCIL_CERTIFICATE: Owner.OUTLET,
    DocumentKind.EDITORIAL_BOX: Owner.OUTLET,
    DocumentKind.RATE_CARD: Owner.OUTLET,
    DocumentKind.COMPETENCY_CERTIFICATE: Owner.OUTLET,
    DocumentKind.BROADCAST_LICENCE: Owner.OUTLET,
}
KINDS_WITH_EXPIRY = frozenset({
    DocumentKind.SKF, DocumentKind.PRESS_COUNCIL_CERTIFICATE, DocumentKind.BROADCAST_LICENCE,
})


def owner_of_kind(kind: str) -> str:
    """Outlet documents are listed in KIND_OWNER; all others belong to the company (OTHER: either)."""
    return KIND_OWNER.get(kind, Owner.COMPANY)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


def document_upload_to(instance: Document, filename: str) -> str:
    """A random name under a year/month folder; the applicant's file name is kept only as metadata."""
    suffix = PurePosixPath(filename).suffix.lower()
    suffix = suffix if suffix in {".pdf", ".jpg", ".png"} else ""
    today = timezone.localdate()
    return f"{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def document_storage():
    """storages["documents"], the folder or the bucket (partners.storage.DocumentStorage)."""
    return documents


class DocumentQuerySet(models.QuerySet):
    def expiring_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=days))

    def expired(self, today: datetime.date | None = None):
        return self.filter(expiry_date__lt=today or timezone.localdate())


@audited
class Document(TimeStamped):
    """A document of a company or of one of its outlets, with its review decision."""

    company = models.ForeignKey(PressCompany, verbose_name=_("company"), on_delete=models.CASCADE,
                                related_name="documents")
    outlet = models.ForeignKey(MediaOutlet, verbose_name=_("outlet"), on_delete=models.CASCADE,
                               null=True, blank=True, related_name="documents",
                               help_text=_("Set for outlet documents such as the Dewan Pers certificate."))
    kind = models.CharField(_("kind"), max_length=40, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    tax_year = models.PositiveSmallIntegerField(_("tax year"), null=True, blank=True,
                                                help_text=_("For annual tax returns."))
    file = models.FileField(_("file"), upload_to=document_upload_to, storage=document_storage, max_length=200)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=50, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0, editable=False)
    review_status = models.CharField(_("review"), max_length=10, choices=ReviewStatus.choices,
                                     default=ReviewStatus.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        permissions = [
            ("review_document", _("Can accept or reject documents")),
            ("download_document", _("Can download document files")),
        ]
        indexes = [models.Index(fields=["expiry_date"], name="document_expiry_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(condition=Q(review_status__in=ReviewStatus.values), name="document_review_valid"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(issue_date__isnull=True)
                | Q(expiry_date__gte=models.F("issue_date")),
                name="document_expiry_not_before_issue",
                violation_error_message=_("The expiry date cannot be before the issue date."),
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.REJECTED) | ~Q(rejection_reason=""),
                name="document_rejection_has_reason",
                violation_error_message=_("Give the reason for rejecting the document."),
            ),
            models.CheckConstraint(
                condition=Q(review_status=ReviewStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="document_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.PENDING)
                | Q(reviewed_at__isnull=True, reviewed_by__isnull=True, rejection_reason=""),
                name="document_pending_has_no_decision",
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.ACCEPTED) | Q(rejection_reason=""),
                name="document_accepted_has_no_rejection_reason",
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.number}".strip() + f" ({self.outlet or self.company})"

    def clean(self):
        errors = {}
        if self.issue_date and self.expiry_date and self.expiry_date < self.issue_date:
            errors["expiry_date"] = _("The expiry date cannot be before the issue date.")
        if self.kind in KINDS_WITH_EXPIRY and not self.expiry_date:
            errors["expiry_date"] = _("This kind of document has an expiry date; enter it.")
        if self.kind == DocumentKind.ANNUAL_TAX_RETURN and not self.tax_year:
            errors["tax_year"] = _("Enter the tax year the return is for.")
        if self.outlet_id and self.company_id and self.outlet.company_id != self.company_id:
            errors["outlet"] = _("This outlet belongs to another company.")
        if owner_of_kind(self.kind) == Owner.OUTLET and self.kind and not self.outlet_id:
            errors["outlet"] = _("This kind of document belongs to an outlet; choose the outlet.")
        if errors:
            raise ValidationError(errors)

    @property
    def owner(self):
        return self.outlet if self.outlet_id else self.company

    def is_expired(self, today: datetime.date | None = None) -> bool:
        """Judged on the calendar date in Asia/Jakarta: a document expiring today is still valid today."""
        return self.expiry_date is not None and self.expiry_date < (today or timezone.localdate())

    def get_download_url(self):
        return reverse("partners:document-download", args=[self.pk])

    def get_preview_url(self):
        return reverse("partners:document-preview", args=[self.pk])

    def earlier_files(self) -> list[dict]:
        """The files this document had before its current one, oldest first, from its audit trail (one
        query): each with the name it was uploaded under, when it came and when it was replaced."""
        if not self.pk:
            return []
        events = (self.pgh_event_model.objects.filter(pgh_obj_id=self.pk).order_by("pgh_id")
                  .values_list("file", "original_filename", "pgh_created_at"))
        files: list[dict] = []
        for name, original_filename, at in events:
            if files and files[-1]["name"] == name:
                continue
            if files:
                files[-1]["replaced_at"] = at
            files.append({"name": name, "original_filename": original_filename, "since": at, "replaced_at": None,
                          "url": reverse("partners:document-earlier-file", args=[self.pk, name])})
        return [version for version in files if version["name"] != self.file.name]


# --- owners and bank accounts (docs/domain.md "Owners and conflicts of interest") ---------------------------


class OwnerKind(models.TextChoices):
    SHAREHOLDER = "shareholder", _("Shareholder")
    BENEFICIAL_OWNER = "beneficial_owner", _("Beneficial owner")
    BOTH = "both", _("Shareholder and beneficial owner")


def mask_digits(value: str, shown: int = 4) -> str:
    """A private number as staff without the permission see it: its last ``shown`` digits."""
    return "•" * max(0, len(value) - shown) + value[-shown:] if value else ""


@audited
class CompanyOwner(TimeStamped):
    """A shareholder or beneficial owner of a press company (from its deed or its OSS beneficial-owner
    statement). The identity number (NIK) is personal data (UU 27/2022): never public, masked in the back
    office except for staff with ``partners.view_private_numbers``. Shares are written only by
    partners.services.owners, which keeps a company's shares at 100 % at most."""

    company = models.ForeignKey(PressCompany, verbose_name=_("company"), on_delete=models.CASCADE,
                                related_name="owners")
    name = models.CharField(_("name"), max_length=200)
    identity_number = models.CharField(_("identity number (NIK)"), max_length=16, blank=True,
                                       help_text=_("16 digits. Personal data: shown only to staff with the "
                                                   "permission."))
    kind = models.CharField(_("kind"), max_length=20, choices=OwnerKind.choices, default=OwnerKind.SHAREHOLDER)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                        help_text=_("0 to 100; empty for a beneficial owner without shares."))
    position = models.CharField(_("position"), max_length=100, blank=True,
                                help_text=_("e.g. director, commissioner (direktur, komisaris)."))

    class Meta:
        ordering = ["company", "-share_percent", "name", "pk"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners and shareholders")
        permissions = [("view_private_numbers",
                        _("Can see owners' identity numbers and companies' bank account numbers in full"))]
        constraints = [
            models.CheckConstraint(condition=Q(identity_number="") | Q(identity_number__regex=r"^[0-9]{16}$"),
                                   name="owner_identity_number_16_digits"),
            models.CheckConstraint(condition=Q(share_percent__isnull=True)
                                   | Q(share_percent__gte=0, share_percent__lte=100),
                                   name="owner_share_0_to_100"),
            models.CheckConstraint(condition=Q(kind="beneficial_owner") | Q(share_percent__isnull=False),
                                   name="owner_shareholder_has_share",
                                   violation_error_message=_("Enter the share of a shareholder.")),
            models.CheckConstraint(condition=Q(kind__in=OwnerKind.values), name="owner_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.identity_number:
            try:
                self.identity_number = validate_nik(self.identity_number)
            except ValidationError as exc:
                errors["identity_number"] = exc.messages
        if self.kind != OwnerKind.BENEFICIAL_OWNER and self.share_percent is None:
            errors["share_percent"] = [_("Enter the share of a shareholder.")]
        if errors:
            raise ValidationError(errors)

    @property
    @admin_display(description=_("identity number (NIK)"))
    def identity_masked(self) -> str:
        return mask_digits(self.identity_number)


@audited
class CompanyBankAccount(TimeStamped):
    """A bank account a press company is paid into. The number is kept as digits and, like an owner's
    NIK, shown in full only to staff with ``partners.view_private_numbers`` (a small company's account is
    often a person's)."""

    company = models.ForeignKey(PressCompany, verbose_name=_("company"), on_delete=models.CASCADE,
                                related_name="bank_accounts")
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=20,
                                      help_text=_("Digits only; spaces, dots and dashes are removed."))
    account_holder = models.CharField(_("account holder"), max_length=200)

    class Meta:
        ordering = ["company", "bank_name", "pk"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.CheckConstraint(condition=Q(account_number__regex=r"^[0-9]{6,20}$"),
                                   name="bank_account_number_digits"),
            models.UniqueConstraint(fields=["company", "bank_name", "account_number"],
                                    name="bank_account_once_per_company",
                                    violation_error_message=_("This company already has this account.")),
        ]

    def __str__(self):
        return f"{self.bank_name} {self.account_masked}"

    def clean(self):
        if self.account_number:
            try:
                self.account_number = normalize_account_number(self.account_number)
            except ValidationError as exc:
                raise ValidationError({"account_number": exc.messages}) from exc

    @property
    @admin_display(description=_("account number"))
    def account_masked(self) -> str:
        return mask_digits(self.account_number)
