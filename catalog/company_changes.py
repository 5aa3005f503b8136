"""Company data typed in an application that differs from the known company's record.

The public form never changes a known company (catalog.applications): the differences are stored as a
CompanyChangeProposal beside the application, and staff apply the ticked ones or ignore them from the
application's page in the admin. Applying records who did it, on the proposal and in the company's
audit trail, and saves through partners.services.company_save, which re-checks the company's outlets
(at once inside the admin's staff edit).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import services
from partners.models import KbliCode, PressCompany

from .models import CompanyChangeProposal


class ChangesRefused(ValidationError):
    pass


# Company fields of the form that a proposal may change: the company's field → the form's field.
COMPANY_FORM_FIELDS = {"legal_name": "legal_name", "legal_form": "legal_form", "nib": "nib", "address": "address",
                       "province": "province", "regency_city": "regency_city", "email": "company_email",
                       "phone": "company_phone"}
PROPOSABLE_FIELDS = [*COMPANY_FORM_FIELDS, "kbli_codes"]


def company_values(company: PressCompany) -> dict:
    """The company's record in the form a proposal stores (province id, sorted KBLI codes)."""
    values = {field: getattr(company, field) for field in COMPANY_FORM_FIELDS if field != "province"}
    values["province"] = company.province_id
    values["kbli_codes"] = sorted(company.kbli_codes.values_list("code", flat=True))
    return values


def _typed_values(data) -> dict:
    values = {field: data[name] for field, name in COMPANY_FORM_FIELDS.items() if field != "province"}
    values["province"] = data["province"].pk if data["province"] else None
    values["kbli_codes"] = sorted(code.code for code in data["kbli_codes"])
    return values


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        # Spacing, line endings and letter case are not a change worth a reviewer's time.
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return a == b


def differences(record: dict, data) -> dict:
    """What the form typed that differs from the company's record (company_values): {field: typed value}."""
    typed = _typed_values(data)
    return {field: typed[field] for field in PROPOSABLE_FIELDS
            if typed[field] not in ("", None) and not _same(typed[field], record[field])}


def apply_changes(proposal: CompanyChangeProposal, *, user, fields=None) -> list[str]:
    """Copy the chosen fields of the proposal (all when ``fields`` is None) into the company; returns
    the fields applied. The proposal keeps who applied what and when; the company's audit trail keeps
    the change with the same person. The company's outlets are re-checked when an eligibility fact
    changed (KBLI codes, the legal form)."""
    with transaction.atomic():
        proposal = _open_proposal(proposal)
        chosen = [field for field in proposal.proposed if fields is None or field in fields]
        if not chosen:
            raise ChangesRefused(_("Tick at least one change to apply."), code="nothing_chosen")
        company = PressCompany.objects.select_for_update().get(pk=proposal.company_id)
        for field in chosen:
            if field == "province":
                company.province_id = proposal.proposed[field]
            elif field != "kbli_codes":
                setattr(company, field, proposal.proposed[field])
        codes = (KbliCode.objects.filter(code__in=proposal.proposed["kbli_codes"]) if "kbli_codes" in chosen
                 else None)
        try:
            # Only what changes is checked: an old record's other quirks are not the reviewer's question here.
            services.company_save(company, changed=chosen, kbli_codes=codes)
        except ValidationError as exc:
            raise ChangesRefused(" ".join(exc.messages), code="invalid_company") from exc
        _close_proposal(proposal, CompanyChangeProposal.Status.APPLIED, user, applied_fields=chosen)
    return chosen


@transaction.atomic
def ignore_changes(proposal: CompanyChangeProposal, *, user) -> None:
    """Leave the company as it is; the proposal stays with the application as a record."""
    _close_proposal(_open_proposal(proposal), CompanyChangeProposal.Status.IGNORED, user)


def _open_proposal(proposal: CompanyChangeProposal) -> CompanyChangeProposal:
    proposal = CompanyChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CompanyChangeProposal.Status.OPEN:
        raise ChangesRefused(_("These changes have already been applied or ignored."), code="decided")
    return proposal


def _close_proposal(proposal: CompanyChangeProposal, status: str, user, applied_fields=()) -> None:
    proposal.status, proposal.decided_by, proposal.decided_at = status, user, timezone.now()
    proposal.applied_fields = list(applied_fields)
    proposal.save(update_fields=["status", "decided_by", "decided_at", "applied_fields"])
