"""Load what the eligibility rules need for a batch of outlets in a fixed number of queries.

Five reads whatever the batch size: the outlets with their company, verification and listing; the
companies' documents of the kinds the rules look at; and, when the web rank rule is on, the latest
rank list and the outlets' ranks in it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef

from partners.models import Document, DocumentKind, MediaOutlet, PressCompany, VerificationLevel

from .models import EligibilityPolicy, ListingState, OutletWebRank, SuspensionCause, WebRankList
from .rules import DocumentFact, OutletFacts

RULE_DOCUMENT_KINDS = [
    DocumentKind.KSWP, DocumentKind.SKF, DocumentKind.ANNUAL_TAX_RETURN,
    DocumentKind.DEED, DocumentKind.LAW_MINISTRY_APPROVAL, DocumentKind.NIB,
]


def load_facts(outlet_ids, policy: EligibilityPolicy) -> dict[int, OutletFacts]:
    press_kbli = PressCompany.kbli_codes.through.objects.filter(
        presscompany_id=OuterRef("company_id"), kblicode__is_press=True)
    rows = (
        MediaOutlet.objects.filter(pk__in=outlet_ids)
        .annotate(has_press_kbli=Exists(press_kbli))
        .values("pk", "media_type", "company_id", "company__legal_form", "company__npwp", "has_press_kbli",
                "verification__level", "verification__valid_until", "verification__missing_from_list_since",
                "listing__state", "listing__suspension_cause")
    )
    facts: dict[int, OutletFacts] = {}
    outlets_of_company: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        facts[row["pk"]] = OutletFacts(
            outlet_id=row["pk"],
            media_type=row["media_type"],
            legal_form=row["company__legal_form"],
            npwp=row["company__npwp"],
            has_press_kbli=row["has_press_kbli"],
            verification_level=row["verification__level"] or VerificationLevel.NONE,
            certificate_valid_until=row["verification__valid_until"],
            missing_from_list_since=row["verification__missing_from_list_since"],
            suspended_by_staff=_held_by_staff(row["listing__state"], row["listing__suspension_cause"]),
        )
        outlets_of_company[row["company_id"]].append(row["pk"])

    documents = Document.objects.filter(
        company_id__in=list(outlets_of_company), outlet__isnull=True, kind__in=RULE_DOCUMENT_KINDS,
    ).values_list("company_id", "kind", "review_status", "issue_date", "expiry_date", "tax_year")
    for company_id, kind, status, issue_date, expiry_date, tax_year in documents:
        fact = DocumentFact(kind, status, issue_date, expiry_date, tax_year)
        for outlet_id in outlets_of_company[company_id]:
            facts[outlet_id].company_documents.append(fact)

    if policy.web_rank_rule_enabled:
        latest = WebRankList.objects.order_by("-list_date", "-imported_at").first()
        if latest is not None:
            ranks = dict(OutletWebRank.objects.filter(rank_list=latest, outlet_id__in=list(facts))
                         .values_list("outlet_id", "rank"))
            for outlet_id, outlet_facts in facts.items():
                outlet_facts.web_rank_list = f"{latest.list_id} ({latest.list_date:%Y-%m-%d})"
                outlet_facts.web_rank = ranks.get(outlet_id)
    return facts


def _held_by_staff(state: str | None, cause: str | None) -> bool:
    """Staff decisions (suspension, sanction, delisting, revocation) hold an outlet out of the catalog
    whatever its documents say; an automatic suspension for lost eligibility does not."""
    if state == ListingState.SUSPENDED:
        return cause in (SuspensionCause.STAFF, SuspensionCause.SANCTION)
    return state in (ListingState.DELISTED, ListingState.REVOKED)
