"""The API's endpoints for partners (docs/api.md "Registry"): press companies and document metadata, with the
review decisions on documents, on the app's selectors and services (the same ones the admin calls).

The outlet list lives in catalog.api, since it shows each outlet's eligibility and listing; its registry
filters and columns are defined here (``OutletFilter``, ``OutletSerializer``) and extended there.

A document's file, its stored name and the name it was uploaded under are never part of an answer.
"""

from __future__ import annotations

from django import forms
from django.db.models import Case, Exists, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mediareg.api.fields import LabelField
from mediareg.api.ordering import CursorOrdering
from mediareg.api.views import ReadOnlyViewSet

from . import selectors, services
from .models import (
    CompanyBankAccount,
    CompanyOwner,
    Document,
    DocumentKind,
    LegalForm,
    MediaOutlet,
    MediaType,
    OwnerKind,
    PressCompany,
    ReviewStatus,
    VerificationLevel,
    mask_digits,
)

# "Expiring within N days" takes up to ten years: enough for any document's term.
MAX_DAYS = 3650


# --- filters ------------------------------------------------------------------------------------------


class DaysFilter(filters.NumberFilter):
    """A whole number of days (0 = today only)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_DAYS)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); anything else is an error, not "no filter" as django-filter's boolean would
    take it, so that a typing error never returns every row."""

    def to_python(self, value):
        value = value.strip().lower() if isinstance(value, str) else value
        if value in (None, ""):
            return None
        if value in (True, "true", "1"):
            return True
        if value in (False, "false", "0"):
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = forms.TextInput  # the value as sent (django-filter's widget makes "perhaps" None)
        super().__init__(*args, **kwargs)


class RegistrySearchFilter(filters.CharFilter):
    """The admin's search box (partners.selectors.registry_search): a part of a name, an NPWP in any
    spelling (15 or 16 digits, with or without dots and dashes), a 13-digit NIB, or a website (a URL works)."""

    def __init__(self, *, name_fields, company_path, domain_path=None, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.name_fields, self.company_path, self.domain_path = name_fields, company_path, domain_path

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        return selectors.registry_search(qs, value, name_fields=self.name_fields, company_path=self.company_path,
                                         domain_path=self.domain_path)


def today():
    """Today in Asia/Jakarta, the day every "within N days" counts from (the admin's filters do the same)."""
    return timezone.localdate()


class OutletFilter(filters.FilterSet):
    """The registry's filters of the outlet list (catalog.api adds eligibility and listing)."""

    search = RegistrySearchFilter(
        name_fields=["name", "company__legal_name"], company_path="company__", domain_path="",
        help_text=_("A part of the outlet's or its company's name, the company's NPWP in any format (15 or 16 "
                    "digits, with or without dots and dashes), its NIB, or a website (domain or URL)."))
    media_type = filters.ChoiceFilter(choices=MediaType.choices, help_text=_("The media type."))
    province = filters.CharFilter(field_name="company__province__code", max_length=2,
                                  help_text=_("The company's province, by its two-digit Kemendagri code (31 = DKI "
                                              "Jakarta)."))
    dewan_pers = filters.ChoiceFilter(
        choices=VerificationLevel.choices, method="filter_dewan_pers",
        help_text=_("The Dewan Pers verification level; none includes outlets with no verification record."))
    document_expiring_within = DaysFilter(
        method="filter_expiring",
        help_text=_("Outlets with a document, their own or their company's, not rejected, that expires within this "
                    "many days from today (Asia/Jakarta), today included."))

    def filter_dewan_pers(self, queryset, name, value: str):
        if value == VerificationLevel.NONE:
            return queryset.filter(Q(verification__isnull=True)
                                   | Q(verification__level=VerificationLevel.NONE))
        return queryset.filter(verification__level=value)

    def filter_expiring(self, queryset, name, value: int):
        expiring = selectors.documents_expiring(selectors.the_outlets_documents(), today=today(), within_days=value)
        return queryset.filter(Exists(expiring))


class CompanyFilter(filters.FilterSet):
    search = RegistrySearchFilter(
        name_fields=["legal_name"], company_path="",
        help_text=_("A part of the legal name, the NPWP in any format (15 or 16 digits, with or without dots and "
                    "dashes) or the NIB."))
    legal_form = filters.ChoiceFilter(choices=LegalForm.choices, help_text=_("The legal form."))
    province = filters.CharFilter(field_name="province__code", max_length=2,
                                  help_text=_("The province, by its two-digit Kemendagri code (31 = DKI Jakarta)."))


class DocumentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DocumentKind.choices, help_text=_("The kind of document."))
    review_status = filters.ChoiceFilter(choices=ReviewStatus.choices, help_text=_("The review decision."))
    expiring_within = DaysFilter(
        method="filter_expiring",
        help_text=_("Documents, not rejected, that expire within this many days from today (Asia/Jakarta), today "
                    "included."))
    outlet = IdFilter(method="filter_outlet",
                      help_text=_("The documents that count for this outlet (by id): its own and its company's."))
    company = IdFilter(field_name="company",
                       help_text=_("The documents of this company (by id), its outlets' included."))

    def filter_expiring(self, queryset, name, value: int):
        return selectors.documents_expiring(queryset, today=today(), within_days=value)

    def filter_outlet(self, queryset, name, value: int):
        company = Subquery(
            MediaOutlet.objects.filter(pk=value).values("company_id")[:1])
        return queryset.filter(pk__in=selectors.outlet_documents(value, company).values("pk"))


# --- serializers --------------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    """Another record named in a row: its id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="legal_name", read_only=True)


class ProvinceSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("Kemendagri code"))
    name = serializers.CharField(read_only=True)


class DewanPersSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=VerificationLevel.choices, read_only=True)
    level_label = serializers.CharField(read_only=True)
    certificate_valid_until = serializers.DateField(read_only=True, allow_null=True)


class DocumentCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField(read_only=True, help_text=_("Documents waiting for review."))
    expiring = serializers.IntegerField(
        read_only=True, help_text=_("Documents, not rejected, expiring within 30 days (today included)."))
    soonest_expiry = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The soonest expiry date of those, or null."))


def document_counts(row) -> dict:
    """What partners.selectors.outlet_list / company_list annotate on a row."""
    return {"pending": row.pending_n, "expiring": row.expiring_n, "soonest_expiry": row.expiring_on}


class OutletSerializer(serializers.Serializer):
    """An outlet's registry facts; catalog.api adds its eligibility and listing."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    media_type = serializers.ChoiceField(choices=MediaType.choices, read_only=True)
    media_type_label = LabelField(MediaType.choices, source="media_type")
    publication_frequency = serializers.CharField(
        read_only=True, help_text=_("For print: daily, weekly, monthly or other; empty when not stated. The "
                                    "deadline for proof of publication of an order depends on it."))
    company = CompanyRefSerializer(read_only=True)
    province = serializers.SerializerMethodField()
    website = serializers.CharField(source="primary_domain_name", read_only=True, allow_null=True,
                                    help_text=_("The primary domain (or the first), normalised."))
    dewan_pers = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField(
        help_text=_("Its own documents and its company's (a company's document counts for each of its outlets)."))
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(ProvinceSerializer(allow_null=True))
    def get_province(self, outlet):
        # Plain dicts, not a serializer per row: building one costs more than the whole row's query
        # (bench/api.py).
        province = outlet.company.province
        return None if province is None else {"code": province.code, "name": province.name}

    @extend_schema_field(DewanPersSerializer)
    def get_dewan_pers(self, outlet):
        verification = getattr(outlet, "verification", None)
        level = verification.level if verification is not None else VerificationLevel.NONE
        return {"level": level, "level_label": str(VerificationLevel(level).label),
                "certificate_valid_until": verification.valid_until if verification is not None else None}

    @extend_schema_field(DocumentCountsSerializer)
    def get_documents(self, outlet):
        return document_counts(outlet)


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    legal_name = serializers.CharField(read_only=True)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices, read_only=True)
    legal_form_label = LabelField(LegalForm.choices, source="legal_form")
    npwp = serializers.CharField(read_only=True, allow_null=True,
                                 help_text=_("The 16 digits as stored; null when not known yet."))
    npwp_display = serializers.CharField(read_only=True, help_text=_("The legacy punctuated form where it has one."))
    nib = serializers.CharField(read_only=True)
    province = ProvinceSerializer(read_only=True, allow_null=True)
    regency_city = serializers.CharField(read_only=True)
    outlets = serializers.IntegerField(source="outlets_n", read_only=True)
    documents = serializers.SerializerMethodField(help_text=_("Its documents, its outlets' included."))
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(DocumentCountsSerializer)
    def get_documents(self, company):
        return document_counts(company)


class DocumentSerializer(serializers.Serializer):
    """A document's metadata; never its file or file names."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, read_only=True)
    kind_label = LabelField(DocumentKind.choices, source="kind")
    owner = serializers.ChoiceField(choices=[("company", "company"), ("outlet", "outlet")], read_only=True,
                                    source="owner_kind", help_text=_("Whose document it is."))
    company = CompanyRefSerializer(read_only=True)
    outlet = RefSerializer(read_only=True, allow_null=True, help_text=_("Null for a company document."))
    issue_date = serializers.DateField(read_only=True, allow_null=True, help_text=_("Valid from."))
    expiry_date = serializers.DateField(read_only=True, allow_null=True,
                                        help_text=_("Valid until (this day included); null when it does not expire."))
    tax_year = serializers.IntegerField(read_only=True, allow_null=True)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    review_status_label = LabelField(ReviewStatus.choices, source="review_status")
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    rejection_reason = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class RejectInput(serializers.Serializer):
    # Blank is let through: the service refuses it with the admin's own message.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text=_("Shown to the outlet: what is wrong and what to send instead."))


# --- endpoints ----------------------------------------------------------------------------------------

COMPANY_EXAMPLE = {
    "id": 12, "legal_name": "PT Kabar Nusantara Media", "legal_form": "pt",
    "legal_form_label": "Perseroan Terbatas (PT)",
    "npwp": "0013121660091000", "npwp_display": "01.312.166.0-091.000", "nib": "9120001234567",
    "province": {"code": "31", "name": "DKI Jakarta"}, "regency_city": "Jakarta Pusat", "outlets": 2,
    "documents": {"pending": 1, "expiring": 1, "soonest_expiry": "2026-12-10"},
    "created_at": "2026-03-02T09:15:00+07:00", "updated_at": "2026-11-20T14:02:11+07:00",
}
DOCUMENT_EXAMPLE = {
    "id": 345, "kind": "skf", "kind_label": "Surat Keterangan Fiskal (SKF)", "owner": "company",
    "company": {"id": 12, "name": "PT Kabar Nusantara Media"}, "outlet": None,
    "issue_date": "2026-11-10", "expiry_date": "2026-12-10", "tax_year": None,
    "review_status": "accepted", "review_status_label": "Diterima", "reviewed_at": "2026-11-12T10:01:00+07:00",
    "rejection_reason": "", "uploaded_at": "2026-11-11T08:30:00+07:00", "updated_at": "2026-11-12T10:01:00+07:00",
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Press companies"),
        description=_("The companies of the registry, in name order by default, with their outlet count and their "
                      "documents (their outlets' included) waiting for review or expiring within 30 days."),
        examples=[OpenApiExample("A company", value=COMPANY_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(
        summary=_("A press company"),
        examples=[OpenApiExample("A company", value=COMPANY_EXAMPLE, response_only=True)]),
)
class CompanyViewSet(ReadOnlyViewSet):
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"name": "legal_name", "created": "created_at", "id": "pk"}
    ordering = ["legal_name", "pk"]

    def get_queryset(self):
        return selectors.company_list(PressCompany.objects.select_related("province"), today=today())


@extend_schema_view(
    list=extend_schema(
        summary=_("Documents (metadata only)"),
        description=_("The registry's documents: kind, owner, validity dates and review decision, newest first by "
                      "default. Never the file or its names: staff open files in the admin, where each download is "
                      "logged."),
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(
        summary=_("A document (metadata only)"),
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)]),
)
class DocumentViewSet(ReadOnlyViewSet):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"uploaded": "created_at", "id": "pk"}
    ordering = ["-pk"]
    # The admin's review actions ask for the same permission (partners.admin.documents).
    action_permissions = {"accept": ["partners.review_document"], "reject": ["partners.review_document"]}

    def get_queryset(self):
        return Document.objects.select_related("company", "outlet").annotate(
            owner_kind=Case(
                When(outlet__isnull=True, then=Value("company")),
                default=Value("outlet")))

    def get_serializer_class(self):
        return RejectInput if self.action == "reject" else DocumentSerializer

    def decided(self, document) -> Response:
        return Response(DocumentSerializer(self.get_queryset().get(pk=document.pk)).data)

    @extend_schema(
        summary=_("Accept a document"),
        description=_("The review decision of the admin's “Accept” button (partners.services.documents_accept): the "
                      "outlets it counts for are re-checked at once. Accepting an accepted document changes "
                      "nothing. Needs the permission to review documents."),
        request=None, responses={200: DocumentSerializer},
        examples=[OpenApiExample("Accepted", value=DOCUMENT_EXAMPLE, response_only=True)])
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        document = self.get_object()
        with services.staff_edit(request.user):  # as the admin's actions: re-checked at once, in the person's name
            services.documents_accept(Document.objects.filter(pk=document.pk), by=request.user)
        return self.decided(document)

    @extend_schema(
        summary=_("Reject a document"),
        description=_("The review decision of the admin's “Reject” button (partners.services.documents_reject), with "
                      "the reason shown to the outlet; refused without a reason. Rejecting again with the same "
                      "reason changes nothing. Needs the permission to review documents."),
        request=RejectInput, responses={200: DocumentSerializer},
        examples=[
            OpenApiExample("A reason", value={"reason": "Pindaian tidak terbaca; unggah ulang."}, request_only=True),
            OpenApiExample("Rejected", response_only=True, value={
                **DOCUMENT_EXAMPLE, "review_status": "rejected", "review_status_label": "Ditolak",
                "rejection_reason": "Pindaian tidak terbaca; unggah ulang."}),
        ])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        document = self.get_object()
        given = RejectInput(data=request.data)
        given.is_valid(raise_exception=True)
        with services.staff_edit(request.user):
            services.documents_reject(Document.objects.filter(pk=document.pk), by=request.user,
                                      reason=given.validated_data["reason"])
        return self.decided(document)


# --- owners and bank accounts (private numbers masked unless permitted) --------------------------------------


class PrivateNumberField(serializers.CharField):
    """A private number (an owner's NIK, a bank account number): whole for staff with the permission
    ``partners.view_private_numbers``, else its last four digits (docs/domain.md "Owners and conflicts of
    interest")."""

    def to_representation(self, value):
        request = self.context.get("request")
        if request is not None and request.user.has_perm("partners.view_private_numbers"):
            return value
        return mask_digits(value)


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRefSerializer(help_text=_("The company the person owns shares of or controls."))
    name = serializers.CharField()
    identity_number = PrivateNumberField(help_text=_("The NIK, masked (last four digits) without the permission "
                                                     "to see private numbers."))
    kind = serializers.CharField()
    kind_label = LabelField(OwnerKind.choices, source="kind")
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    position = serializers.CharField()
    updated_at = serializers.DateTimeField()


class BankAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRefSerializer()
    bank_name = serializers.CharField()
    account_number = PrivateNumberField(help_text=_("Masked (last four digits) without the permission to see "
                                                    "private numbers."))
    account_holder = serializers.CharField()
    updated_at = serializers.DateTimeField()


class CompanyIdFilter(filters.FilterSet):
    company = IdFilter(field_name="company_id", help_text=_("Only this company's."))


@extend_schema_view(
    list=extend_schema(summary=_("Owners and shareholders of press companies"),
                       description=_("Shareholders and beneficial owners with their share; the identity number is "
                                     "masked unless you may see private numbers.")),
    retrieve=extend_schema(summary=_("An owner or shareholder")),
)
class OwnerViewSet(ReadOnlyViewSet):
    serializer_class = OwnerSerializer
    filterset_class = CompanyIdFilter
    ordering = ["company_id", "pk"]

    def get_queryset(self):
        return CompanyOwner.objects.select_related("company").order_by("company_id", "pk")


@extend_schema_view(
    list=extend_schema(summary=_("Bank accounts of press companies"),
                       description=_("The account number is masked unless you may see private numbers.")),
    retrieve=extend_schema(summary=_("A bank account")),
)
class BankAccountViewSet(ReadOnlyViewSet):
    serializer_class = BankAccountSerializer
    filterset_class = CompanyIdFilter
    ordering = ["company_id", "pk"]

    def get_queryset(self):
        return CompanyBankAccount.objects.select_related("company").order_by("company_id", "pk")


router = SimpleRouter()
router.register("companies", CompanyViewSet, basename="api-company")
router.register("documents", DocumentViewSet, basename="api-document")
router.register("owners", OwnerViewSet, basename="api-owner")
router.register("bank-accounts", BankAccountViewSet, basename="api-bank-account")

urlpatterns = router.urls
