"""Media outlets, their website domains and their Dewan Pers verification."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Document, MediaOutlet, OutletDomain, PressCompany, PressVerification, VerificationLevel
from .edits import OUTLET_FACT_FIELDS, facts_changed, validated, writing


class DomainTaken(ValidationError):
    """The website belongs to another outlet (``owner``); said in the words of the domain's unique rule."""

    def __init__(self, domain: str, owner: MediaOutlet):
        message = OutletDomain._meta.get_field("domain").error_messages["unique"]
        super().__init__({"domain": ValidationError(message, code="domain_taken")})
        self.domain, self.owner = domain, owner


def outlet_register(*, company: PressCompany, name: str, media_type: str, domain: str = "", actor: str = "",
                    **fields) -> tuple[MediaOutlet, bool]:
    """The outlet a registration means, or a new one; returns it and whether it is new.

    The owner of ``domain`` (in any spelling) when it is this company's, refused (DomainTaken) when it
    is another company's; else the company's outlet of that name (in any letter case); else a new one
    from what was given, which gets the domain. A known outlet is returned as it is."""
    with writing(actor=actor):
        domain = _normalized(domain) if domain else ""
        if domain and (known := _row_of(domain)):
            if known.outlet.company_id != company.pk:
                raise DomainTaken(domain, known.outlet)
            return known.outlet, False
        outlet = MediaOutlet.objects.filter(company=company, name__iexact=name).first()
        created = outlet is None
        if created:
            outlet = MediaOutlet(company=company, name=name, media_type=media_type, **fields)
            outlet_save(outlet)
        if domain:
            outlet_domain_add(outlet, domain)
        return outlet, created


def outlet_save(outlet: MediaOutlet, *, changed: Iterable[str] | None = None, actor: str = "") -> None:
    """Save an outlet that was added or changed (its page, the company page's outlet rows, a
    registration); ``changed`` names the fields a person changed (None for a new outlet). A new outlet,
    or one whose company or media type changed, is re-checked."""
    new = outlet._state.adding
    changed = None if new else set(changed or ())
    with writing(actor=actor):
        validated(outlet, changed=changed)
        outlet.save()
        if not new and "company" in changed:
            # An outlet's documents are its company's too: they move with it.
            Document.objects.filter(outlet=outlet).exclude(company_id=outlet.company_id).update(
                company_id=outlet.company_id, updated_at=timezone.now())
        if new or OUTLET_FACT_FIELDS & changed:
            facts_changed(outlet_ids=[outlet.pk])


# --- domains -----------------------------------------------------------------------------------------


def outlet_domain_add(outlet: MediaOutlet, domain: str, *, actor: str = "") -> tuple[OutletDomain, bool]:
    """Give an outlet a website; returns its row and whether it is new. The domain is normalised (no
    scheme, ``www.``, port or path), primary when the outlet has none yet, and returned as it is when
    the outlet has it already. Another outlet's website is refused (DomainTaken)."""
    with writing(actor=actor):
        domain = _normalized(domain)
        if known := _row_of(domain):
            if known.outlet_id != outlet.pk:
                raise DomainTaken(domain, known.outlet)
            return known, False
        row = OutletDomain(outlet=outlet, domain=domain,
                           is_primary=not outlet.domains.filter(is_primary=True).exists())
        _write(row)
        facts_changed(outlet_ids=[outlet.pk])
        return row, True


def outlet_domains_save(outlet: MediaOutlet, *, saved: Iterable[OutletDomain] = (),
                        deleted: Iterable[OutletDomain] = (), actor: str = "") -> None:
    """The domains of an outlet's page as a person left them: ``saved`` rows added or changed (checked
    by the page's form), ``deleted`` rows removed. One of what remains is primary."""
    with writing(actor=actor):
        for row in deleted:
            row.delete()
        # A row that stops being primary first, so that its successor never meets it.
        for row in sorted(saved, key=lambda row: row.is_primary):
            row.outlet = outlet
            validated(row)
            _write(row)
        domains = list(outlet.domains.all())
        if domains and not any(domain.is_primary for domain in domains):
            OutletDomain.objects.filter(pk=domains[0].pk).update(is_primary=True)
        facts_changed(outlet_ids=[outlet.pk])


def _normalized(domain: str) -> str:
    row = OutletDomain(domain=domain)
    validated(row)  # the field's checks, and OutletDomain.clean normalises it
    return row.domain


def _row_of(domain: str) -> OutletDomain | None:
    return OutletDomain.objects.select_related("outlet").filter(domain=domain).first()


def _write(row: OutletDomain) -> None:
    try:
        with transaction.atomic():  # a savepoint: the insert that loses a race leaves the transaction usable
            row.save()
    except IntegrityError:
        # Another outlet's registration with the same new domain committed first (the insert waited for it).
        known = _row_of(row.domain)
        if known is None or known.outlet_id == row.outlet_id:
            raise
        raise DomainTaken(row.domain, known.outlet) from None


# --- Dewan Pers verification -------------------------------------------------------------------------


def verification_save(verification: PressVerification, *, actor: str = "") -> PressVerification:
    """Save an outlet's Dewan Pers verification (its own page, the outlet page's inline, a registration,
    the Dewan Pers import, seed_demo); its valid-until date follows the certificate (the model's save)."""
    with writing(actor=actor):
        validated(verification)
        verification.save()
        facts_changed(outlet_ids=[verification.outlet_id])
    return verification


def verifications_flag_missing(*, kept: Iterable[int], since: datetime.date, actor: str = "") -> list[int]:
    """A complete Dewan Pers list: flag the verified outlets not in ``kept`` as missing from it since
    ``since``, for staff to check (one UPDATE); an outlet already flagged keeps its date. Returns the
    outlets flagged now."""
    with writing(actor=actor):
        missing = (PressVerification.objects
                   .filter(level__in=[VerificationLevel.ADMINISTRATIVE, VerificationLevel.FACTUAL],
                           missing_from_list_since__isnull=True)
                   .exclude(outlet_id__in=set(kept)))
        flagged = list(missing.values_list("outlet_id", flat=True))
        PressVerification.objects.filter(outlet_id__in=flagged).update(missing_from_list_since=since,
                                                                       updated_at=timezone.now())
        facts_changed(outlet_ids=flagged)
    return flagged
