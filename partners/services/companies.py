"""Press companies: registering one (the public form, the Dewan Pers import, seed_demo) and saving one
a person added or changed (the company page, a change proposal staff apply)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..identifiers import normalize_company_npwp
from ..models import KbliCode, LegalForm, PressCompany
from .edits import COMPANY_FACT_FIELDS, facts_changed, validated, writing

# The same words as the database constraint's (PressCompany.Meta), so that every interface says it alike.
NIB_TAKEN = _("A company with this NIB is already registered.")


def company_check_nib(nib: str, *, company: PressCompany | None = None, npwp: str | None = None) -> None:
    """Refuse an NIB another company holds; ``company`` (or the company with ``npwp``) may keep its own."""
    if not nib:
        return
    others = PressCompany.objects.filter(nib=nib)
    if company is not None and company.pk:
        others = others.exclude(pk=company.pk)
    if npwp:
        others = others.exclude(npwp=npwp)
    if others.exists():
        raise ValidationError({"nib": ValidationError(NIB_TAKEN, code="nib_taken")})


def company_register(*, npwp: str | None, legal_name: str, legal_form: str = LegalForm.PT, nib: str = "",
                     kbli_codes: Iterable[KbliCode] = (), actor: str = "", **fields) -> tuple[PressCompany, bool]:
    """The company with this NPWP (typed in any form), or a new one from what was given; returns it and
    whether it is new.

    A known company is returned as it is, locked until the transaction ends, so that registrations for
    one company wait for each other: what was typed differently is for the caller to propose to staff,
    never written (catalog.company_changes). Without an NPWP (the Dewan Pers list has none) the company
    is new. Refused with a ValidationError by field: an NPWP no company can have (a NIK, the invoice
    placeholder), an NIB another company holds, or a field its model refuses; also when a registration
    with the same NIB commits while this one runs."""
    if npwp:
        try:
            npwp = normalize_company_npwp(npwp)
        except ValidationError as exc:
            raise ValidationError({"npwp": exc}) from exc
    npwp = npwp or None
    with writing(actor=actor):
        if known := _locked(npwp):
            company_check_nib(nib, npwp=npwp)
            return known, False
        company = PressCompany(npwp=npwp, legal_name=legal_name, legal_form=legal_form, nib=nib, **fields)
        try:
            # A savepoint: the insert that loses a race leaves the transaction usable for the answer below.
            with transaction.atomic():
                company_save(company, kbli_codes=kbli_codes)  # checks the NIB
        except IntegrityError:
            # Another registration of this NPWP, or of this NIB, committed while this one ran (the insert
            # waited for it): the same answer as had it come first.
            if known := _locked(npwp):
                return known, False
            company_check_nib(nib, npwp=npwp)
            raise
        return company, True


def _locked(npwp: str | None) -> PressCompany | None:
    return PressCompany.objects.select_for_update().filter(npwp=npwp).first() if npwp else None


def company_save(company: PressCompany, *, changed: Iterable[str] | None = None,
                 kbli_codes: Iterable[KbliCode] | None = None, actor: str = "") -> None:
    """Save a company that was added or changed; ``changed`` names the fields a person changed (None
    for a new company: all of them), and only those are checked. ``kbli_codes``, when given, become
    the company's codes. Its NPWP, legal form and KBLI codes count for every outlet of the company,
    which is re-checked when one of them changed."""
    new = company._state.adding
    changed = None if new else set(changed or ())
    with writing(actor=actor):
        validated(company, changed=changed)
        if changed is None or "nib" in changed:
            company_check_nib(company.nib, company=company)
        company.save()
        codes_changed = kbli_codes is not None and _set_kbli(company, kbli_codes, new=new)
        # A new company has no outlet yet: each outlet asks for its own re-check when it is added.
        if not new and (codes_changed or COMPANY_FACT_FIELDS & changed):
            facts_changed(company_ids=[company.pk])


def _set_kbli(company: PressCompany, kbli_codes: Iterable[KbliCode], *, new: bool) -> bool:
    wanted = {code.pk for code in kbli_codes}
    before = set() if new else set(company.kbli_codes.values_list("pk", flat=True))
    if new:
        company.kbli_codes.add(*wanted)
    elif wanted != before:
        company.kbli_codes.set(wanted)
    return wanted != before
