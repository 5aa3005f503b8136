"""The API's endpoints for catalog (docs/api.md "Registry"): the outlet list with eligibility and listing, the
eligibility history, listings with their transitions and the application queue with its decisions, on the
app's selectors and services (the same ones the admin calls)."""

from __future__ import annotations

import datetime
import functools

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mediareg.admin_helpers import count_of
from mediareg.api.fields import LabelField
from mediareg.api.ordering import CursorOrdering
from mediareg.api.views import ReadOnlyViewSet
from partners import services as registry_services
from partners.api import (
    BooleanFilter,
    CompanyRefSerializer,
    IdFilter,
    OutletFilter,
    OutletSerializer,
    RefSerializer,
    today,
)
from partners.models import MediaOutlet

from . import applications, objections, selectors
from .models import (
    Application,
    EligibilityChange,
    Listing,
    ListingState,
    ListingTransition,
    Objection,
    ObjectionFile,
    ObjectionStatus,
    SuspensionCause,
    Trigger,
)
from .rules import RULE_TITLES, reason_text

# Transitions shown with each listing, the newest first (the admin's listing page shows as many).
LISTING_TRANSITIONS = 20
# What the admin calls a decision on an application (catalog.admin.applications: has_decide_permission).
DECIDE = ["catalog.manage_listing"]


# --- serializers --------------------------------------------------------------------------------------


class RuleOutcomeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(RULE_TITLES), read_only=True)
    title = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text=_("Why, in the request's language."))


@functools.lru_cache(maxsize=8)
def _rule_titles(language: str) -> dict[str, str]:
    # Translated once per language, not for each rule of each row of a page (bench/api.py).
    return {code: str(title) for code, title in RULE_TITLES.items()}


def rule_outcomes(outcomes) -> list[dict]:
    """Each rule's outcome as the admin's outlet page shows it (title, passed, reason), in the request's
    language."""
    titles = _rule_titles(translation.get_language())
    return [{"code": o.get("code", ""), "title": titles.get(o.get("code", ""), o.get("code", "")),
             "passed": bool(o.get("passed")), "reason": reason_text(o.get("reason"))} for o in outcomes or []]


def failing_rules(failing_codes: str) -> list[str]:
    return [code for code in (failing_codes or "").split(",") if code]


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField(read_only=True)
    since = serializers.DateTimeField(read_only=True, help_text=_("When the result last changed."))
    evaluated_at = serializers.DateTimeField(read_only=True, help_text=_("When it was last evaluated."))
    failing_rules = serializers.ListField(child=serializers.CharField(), read_only=True,
                                          help_text=_("The codes of the rules it fails (see rules)."))
    rules = RuleOutcomeSerializer(many=True, read_only=True)


class ListingStandingSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ListingState.choices, read_only=True)
    state_label = serializers.CharField(read_only=True)
    since = serializers.DateTimeField(read_only=True)
    suspension_cause = serializers.ChoiceField(choices=SuspensionCause.choices, read_only=True,
                                               help_text=_("Empty unless suspended."))
    sanction_ends_on = serializers.DateField(read_only=True, allow_null=True)


def eligibility_of(outlet) -> dict | None:
    """The stored result (catalog.admin.common.stored_result: none until it has been evaluated)."""
    result = getattr(outlet, "eligibility", None)
    if result is None or not result.outcomes:
        return None
    return {"eligible": result.is_eligible, "since": result.changed_at, "evaluated_at": result.evaluated_at,
            "failing_rules": failing_rules(result.failing_codes), "rules": rule_outcomes(result.outcomes)}


def standing_of(outlet) -> dict | None:
    listing = getattr(outlet, "listing", None)
    if listing is None:
        return None
    return {"state": listing.state, "state_label": listing.get_state_display(), "since": listing.state_since,
            "suspension_cause": listing.suspension_cause, "sanction_ends_on": listing.sanction_ends_on}


class CatalogOutletSerializer(OutletSerializer):
    eligibility = serializers.SerializerMethodField(
        help_text=_("The stored result of the eligibility rules; null until the outlet has been checked."))
    listing = serializers.SerializerMethodField(help_text=_("The e-catalog listing; null when it never applied."))

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, outlet):
        return eligibility_of(outlet)

    @extend_schema_field(ListingStandingSerializer(allow_null=True))
    def get_listing(self, outlet):
        return standing_of(outlet)


class EligibilityChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    outlet = RefSerializer(read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    trigger = serializers.ChoiceField(choices=Trigger.choices, read_only=True)
    trigger_label = LabelField(Trigger.choices, source="trigger")
    actor = serializers.CharField(read_only=True, help_text=_("The staff member's user name, or the job."))
    from_eligible = serializers.BooleanField(source="was_eligible", read_only=True, allow_null=True,
                                             help_text=_("The result before; null for the first evaluation."))
    to_eligible = serializers.BooleanField(source="is_eligible", read_only=True)
    failing_rules = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(),
                                               help_text=_("The codes of the rules it fails (see rules).")))
    def get_failing_rules(self, change):
        return failing_rules(change.failing_codes)

    @extend_schema_field(RuleOutcomeSerializer(many=True))
    def get_rules(self, change):
        return rule_outcomes(change.outcomes)


class TransitionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    action = serializers.CharField(read_only=True)
    # Listing states (the values of ``state``), as plain strings: one enum per name in the schema.
    from_state = serializers.CharField(read_only=True, help_text=_("A listing state; empty for the first "
                                                                    "transition."))
    to_state = serializers.CharField(read_only=True, help_text=_("A listing state."))
    by = serializers.CharField(source="actor_label", read_only=True)
    reason = serializers.CharField(read_only=True)


class ListingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    outlet = RefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=ListingState.choices, read_only=True)
    state_label = LabelField(ListingState.choices, source="state")
    state_since = serializers.DateTimeField(read_only=True)
    suspension_cause = serializers.ChoiceField(choices=SuspensionCause.choices, read_only=True)
    sanction_level = serializers.IntegerField(read_only=True)
    sanction_ends_on = serializers.DateField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    transitions = TransitionSerializer(source="recent_transitions", many=True, read_only=True,
                                       help_text=_("The latest transitions, newest first (at most 20)."))


class ApplicationDocumentsSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=Application.Status.choices, read_only=True)
    status_label = LabelField(Application.Status.choices, source="status")
    submitted_at = serializers.DateTimeField(read_only=True)
    outlet = RefSerializer(read_only=True)
    company = CompanyRefSerializer(read_only=True)
    documents = serializers.SerializerMethodField(help_text=_("The documents it carries, and those waiting for "
                                                              "review."))
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True, help_text=_("The reason given to the applicant."))

    @extend_schema_field(ApplicationDocumentsSerializer)
    def get_documents(self, application):
        return {"total": application.documents_n, "pending": application.pending_n}


class ReasonInput(serializers.Serializer):
    # Blank is let through: the service refuses it with the admin's own message.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                   help_text=_("E-mailed to the applicant and shown on the status page."))


# --- filters ------------------------------------------------------------------------------------------


class CatalogOutletFilter(OutletFilter):
    eligible = BooleanFilter(field_name="eligibility__is_eligible",
                                     help_text=_("The stored eligibility result (outlets not checked yet match "
                                                 "neither)."))
    listing = filters.ChoiceFilter(choices=[*ListingState.choices, ("none", _("not applied"))],
                                   method="filter_listing", help_text=_("The e-catalog listing state; none: never "
                                                                        "applied."))

    def filter_listing(self, queryset, name, value: str):
        if value == "none":
            return queryset.filter(listing__isnull=True)
        return queryset.filter(listing__state=value)


class EligibilityChangeFilter(filters.FilterSet):
    outlet = IdFilter(field_name="outlet", help_text=_("The outlet (by id)."))
    date_from = filters.DateFilter(method="filter_from", help_text=_("Changes on or after this day (Asia/Jakarta)."))
    date_to = filters.DateFilter(method="filter_to", help_text=_("Changes on or before this day (Asia/Jakarta)."))

    # The first and last days a calendar can take have no midnight in Asia/Jakarta that the database can store
    # (or no next day): they bound nothing.
    def filter_from(self, queryset, name, value: datetime.date):
        if value <= datetime.date.min + datetime.timedelta(days=1):
            return queryset
        return queryset.filter(created_at__gte=selectors.start_of_day(value))

    def filter_to(self, queryset, name, value: datetime.date):
        if value >= datetime.date.max - datetime.timedelta(days=1):
            return queryset
        return queryset.filter(created_at__lt=selectors.start_of_day(value + datetime.timedelta(days=1)))


class ListingFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=ListingState.choices, help_text=_("The listing state."))
    outlet = IdFilter(field_name="outlet", help_text=_("The outlet (by id)."))


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Application.Status.choices, help_text=_("The application's status."))
    outlet = IdFilter(field_name="outlet", help_text=_("The outlet (by id)."))


# --- endpoints ----------------------------------------------------------------------------------------

OUTLET_EXAMPLE = {
    "id": 41, "name": "Kabar Nusantara", "media_type": "online", "media_type_label": "Siber (daring)",
    "company": {"id": 12, "name": "PT Kabar Nusantara Media"}, "province": {"code": "31", "name": "DKI Jakarta"},
    "website": "kabarnusantara.id",
    "dewan_pers": {"level": "factual", "level_label": "Terverifikasi administratif dan faktual",
                   "certificate_valid_until": "2029-04-11"},
    "documents": {"pending": 0, "expiring": 1, "soonest_expiry": "2026-12-10"},
    "created_at": "2026-03-02T09:15:00+07:00",
    "eligibility": {"eligible": False, "since": "2026-11-11T01:00:12+07:00",
                    "evaluated_at": "2026-11-26T01:00:09+07:00",
                    "failing_rules": ["tax_status"],
                    "rules": [{"code": "tax_status", "title": "Status pajak terkini (KSWP atau SKF)", "passed": False,
                               "reason": "Tidak ada SKF atau KSWP yang berlaku."}]},
    "listing": {"state": "suspended", "state_label": "Ditangguhkan", "since": "2026-11-11T01:00:12+07:00",
                "suspension_cause": "eligibility", "sanction_ends_on": None},
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Media outlets"),
        description=_("The registry's outlets with their company, website, Dewan Pers level, documents, stored "
                      "eligibility result (every rule with its reason) and e-catalog listing; in name order by "
                      "default."),
        examples=[OpenApiExample("An outlet", value=OUTLET_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("A media outlet"),
                           examples=[OpenApiExample("An outlet", value=OUTLET_EXAMPLE, response_only=True)]),
)
class OutletViewSet(ReadOnlyViewSet):
    serializer_class = CatalogOutletSerializer
    filterset_class = CatalogOutletFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"name": "name", "created": "created_at", "id": "pk"}
    ordering = ["name", "pk"]

    def get_queryset(self):
        return selectors.outlet_list(MediaOutlet.objects.select_related("company__province"), today=today())


HISTORY_EXAMPLE = {
    "id": 9001, "outlet": {"id": 41, "name": "Kabar Nusantara"}, "at": "2026-11-11T01:00:12+07:00",
    "trigger": "schedule", "trigger_label": "jadwal malam", "actor": "system:recheck", "from_eligible": True,
    "to_eligible": False, "failing_rules": ["tax_status"],
    "rules": [{"code": "tax_status", "title": "Status pajak terkini (KSWP atau SKF)", "passed": False,
               "reason": "Tidak ada SKF atau KSWP yang berlaku."}],
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Eligibility history"),
        description=_("Each change of an outlet's eligibility result: when, why, from and to, and every rule's "
                      "outcome; the newest first by default."),
        examples=[OpenApiExample("A change", value=HISTORY_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("An eligibility change"),
                           examples=[OpenApiExample("A change", value=HISTORY_EXAMPLE, response_only=True)]),
)
class EligibilityHistoryViewSet(ReadOnlyViewSet):
    serializer_class = EligibilityChangeSerializer
    filterset_class = EligibilityChangeFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"time": "created_at", "id": "pk"}
    ordering = ["-pk"]

    def get_queryset(self):
        earlier = EligibilityChange.objects.filter(outlet_id=OuterRef("outlet_id")).filter(
            Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
        return EligibilityChange.objects.select_related("outlet").annotate(
            was_eligible=Subquery(earlier.order_by("-created_at", "-pk").values("is_eligible")[:1]))


LISTING_EXAMPLE = {
    "id": 17, "outlet": {"id": 41, "name": "Kabar Nusantara"}, "state": "listed", "state_label": "Tercantum",
    "state_since": "2026-08-17T09:00:00+07:00", "suspension_cause": "", "sanction_level": 0, "sanction_ends_on": None,
    "reason": "", "updated_at": "2026-08-17T09:00:00+07:00",
    "transitions": [{"id": 55, "at": "2026-08-17T09:00:00+07:00", "action": "approve", "from_state": "under_review",
                     "to_state": "listed", "by": "rina.verifikator", "reason": ""}],
}


@extend_schema_view(
    list=extend_schema(
        summary=_("E-catalog listings"),
        description=_("Each outlet's standing in the e-catalog, with its latest transitions (who, when, why)."),
        examples=[OpenApiExample("A listing", value=LISTING_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("An e-catalog listing"),
                           examples=[OpenApiExample("A listing", value=LISTING_EXAMPLE, response_only=True)]),
)
class ListingViewSet(ReadOnlyViewSet):
    serializer_class = ListingSerializer
    filterset_class = ListingFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"since": "state_since", "id": "pk"}
    ordering = ["-pk"]

    def get_queryset(self):
        # A sliced prefetch: one query for the latest transitions of every listing on the page.
        recent = ListingTransition.objects.order_by("-created_at", "-pk")[:LISTING_TRANSITIONS]
        return Listing.objects.select_related("outlet").prefetch_related(
            Prefetch("transitions", queryset=recent, to_attr="recent_transitions"))


APPLICATION_EXAMPLE = {
    "id": 7, "status": "submitted", "status_label": "Diajukan, menunggu pemeriksaan",
    "submitted_at": "2026-11-20T13:45:00+07:00", "outlet": {"id": 41, "name": "Kabar Nusantara"},
    "company": {"id": 12, "name": "PT Kabar Nusantara Media"}, "documents": {"total": 6, "pending": 2},
    "decided_at": None, "decision_reason": "",
}
REFUSED = {"non_field_errors": ["Pengajuan ini sudah diputuskan."]}


def decision_schema(summary, description, *, reason: bool):
    return extend_schema(
        summary=summary, description=description, request=ReasonInput if reason else None,
        responses={200: ApplicationSerializer},
        examples=[
            *([OpenApiExample("A reason", value={"reason": "Unggah SKF yang masih berlaku."}, request_only=True)]
              if reason else []),
            OpenApiExample("Decided", value=APPLICATION_EXAMPLE, response_only=True),
            OpenApiExample("Refused", value=REFUSED, response_only=True, status_codes=["400"]),
        ])


@extend_schema_view(
    list=extend_schema(
        summary=_("Applications (review queue)"),
        description=_("Applications from the public form with their status and documents, the oldest first by "
                      "default (a queue)."),
        examples=[OpenApiExample("An application", value=APPLICATION_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary=_("An application"),
                           examples=[OpenApiExample("An application", value=APPLICATION_EXAMPLE,
                                                    response_only=True)]),
)
class ApplicationViewSet(ReadOnlyViewSet):
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"submitted": "submitted_at", "id": "pk"}
    ordering = ["submitted_at", "pk"]
    action_permissions = {"start_review": DECIDE, "approve": DECIDE, "request_changes": DECIDE, "reject": DECIDE}

    def get_queryset(self):
        return selectors.application_queue(Application.objects.select_related("outlet", "company"))

    def get_serializer_class(self):
        return ReasonInput if self.action in ("request_changes", "reject") else ApplicationSerializer

    def decide(self, request, decision) -> Response:
        """``decision(application)`` as the admin's decision buttons run it (catalog.admin.applications
        decide_view): in a staff edit, so the outlet is re-checked at once in the person's name."""
        application = self.get_object()
        with registry_services.staff_edit(request.user):
            decision(application)
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    def reason(self, request) -> str:
        given = ReasonInput(data=request.data)
        given.is_valid(raise_exception=True)
        return given.validated_data["reason"]

    @decision_schema(_("Start the review"), _("Marks a submitted application as under review (the admin's “Start "
                                              "the review”)."), reason=False)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self.decide(request, lambda a: applications.start_review(a, user=request.user))

    @decision_schema(_("Approve an application"), _(
        "Lists the outlet if it is eligible (after a fresh re-check), as the admin's “Approve”; refused with the "
        "reasons when it is not, or when the application was already decided. Documents not accepted yet do "
        "not stop it (the admin asks for a confirmation; here the call is the confirmation)."), reason=False)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.decide(request, lambda a: applications.approve_application(a, user=request.user))

    @decision_schema(_("Ask the applicant for changes"), _(
        "The reason is e-mailed to the applicant and shown on the status page; refused without a reason or when "
        "the application was already decided."), reason=True)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        reason = self.reason(request)
        return self.decide(request, lambda a: applications.request_changes(a, user=request.user, reason=reason))

    @decision_schema(_("Reject an application"), _(
        "The reason is e-mailed to the applicant; refused without a reason or when the application was already "
        "decided."), reason=True)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = self.reason(request)
        return self.decide(request, lambda a: applications.reject_application(a, user=request.user, reason=reason))


# --- objections ------------------------------------------------------------------------------------------

OBJECTION_DECIDE = ["catalog.decide_objection"]


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    outlet = RefSerializer(read_only=True)
    application = serializers.IntegerField(source="application_id", read_only=True, allow_null=True,
                                           help_text=_("The application rejected (by id), if that is the decision."))
    listing_action = serializers.CharField(source="transition.action", read_only=True, allow_null=True,
                                           default=None, help_text=_("The staff listing decision objected to."))
    decision = serializers.CharField(source="decision_label", read_only=True,
                                     help_text=_("The decision objected to, in words."))
    decision_at = serializers.DateTimeField(read_only=True)
    objected_reason = serializers.CharField(read_only=True, help_text=_("The reason staff gave for the decision."))
    statement = serializers.CharField(read_only=True)
    files = serializers.IntegerField(source="files_n", read_only=True, help_text=_("How many files came with it."))
    filed_at = serializers.DateTimeField(read_only=True)
    opens_on = serializers.DateField(read_only=True)
    deadline = serializers.DateField(read_only=True, help_text=_("The last day of the objection period."))
    status = serializers.ChoiceField(choices=ObjectionStatus.choices, read_only=True)
    status_label = LabelField(ObjectionStatus.choices, source="status")
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True)


class ObjectionReasonInput(serializers.Serializer):
    # Blank is let through: the service refuses it with the admin's own message.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                   help_text=_("E-mailed to the objector and shown on the status or renewal page."))


class ObjectionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ObjectionStatus.choices, help_text=_("The objection's status."))
    outlet = IdFilter(field_name="outlet", help_text=_("The outlet (by id)."))


@extend_schema_view(
    list=extend_schema(summary=_("Objections (masa sanggah)"),
                       description=_("Objections to rejected applications and to staff listing decisions, the "
                                     "soonest deadline first by default.")),
    retrieve=extend_schema(summary=_("An objection")),
)
class ObjectionViewSet(ReadOnlyViewSet):
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    filter_backends = [filters.DjangoFilterBackend, CursorOrdering]
    ordering_fields = {"deadline": "deadline", "id": "pk"}
    ordering = ["deadline", "pk"]
    action_permissions = {"uphold": OBJECTION_DECIDE, "dismiss": OBJECTION_DECIDE}

    def get_queryset(self):
        return Objection.objects.select_related("outlet", "transition").annotate(
            files_n=count_of(ObjectionFile, "objection"))

    def get_serializer_class(self):
        return ObjectionReasonInput if self.action in ("uphold", "dismiss") else ObjectionSerializer

    def decide(self, request, *, uphold: bool) -> Response:
        """As the admin's buttons (catalog.admin.objections decide_view): in a staff edit, so a listing taken
        back is re-checked at once in the person's name; refused with the admin's words."""
        objection = self.get_object()
        given = ObjectionReasonInput(data=request.data)
        given.is_valid(raise_exception=True)
        with registry_services.staff_edit(request.user):
            objections.decide_objection(objection, user=request.user, uphold=uphold,
                                        reason=given.validated_data["reason"])
        return Response(ObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data)

    @extend_schema(summary=_("Uphold an objection"), request=ObjectionReasonInput,
                   responses={200: ObjectionSerializer},
                   description=_("Takes the decision back (a rejected application goes back under review, a "
                                 "suspension or delisting is lifted); refused without a reason or when already "
                                 "decided."))
    @action(detail=True, methods=["post"])
    def uphold(self, request, pk=None):
        return self.decide(request, uphold=True)

    @extend_schema(summary=_("Dismiss an objection"), request=ObjectionReasonInput,
                   responses={200: ObjectionSerializer},
                   description=_("Refused without a reason or when already decided."))
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self.decide(request, uphold=False)


router = SimpleRouter()
router.register("outlets", OutletViewSet, basename="api-outlet")
router.register("eligibility-history", EligibilityHistoryViewSet, basename="api-eligibility-history")
router.register("listings", ListingViewSet, basename="api-listing")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("objections", ObjectionViewSet, basename="api-objection")

urlpatterns = router.urls
