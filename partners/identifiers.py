"""Indonesian registry numbers and web domains: parse what people type, store one canonical form.

NPWP rules (docs/domain.md "NPWP, NIK and NIB"): the legacy 15-digit number (``01.312.166.0-091.000``) has a Luhn check
digit over its first nine digits; since PMK 112/2022 entities use 16 digits, the legacy number with
a leading 0, and resident individuals use their NIK. python-stdnum implements both checks.

Tax invoices to buyers without an NPWP carry the placeholder ``00.000.000.0-000.000``; it passes the
Luhn check (all zeros) but names nobody, so it is refused wherever an NPWP is typed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

_NPWP_SEPARATORS = re.compile(r"[\s.\-/]")
# The canonical 16 digits of the placeholder start with the leading 0 and the legacy taxpayer part's
# nine zeros.
PLACEHOLDER_NPWP_PREFIX = "0" * 10


def normalize_npwp(value: str) -> str:
    """Return the canonical 16-digit NPWP for any accepted spelling, or raise ValidationError."""
    digits = _NPWP_SEPARATORS.sub("", value or "")
    if not digits:
        raise ValidationError(_("Enter the NPWP."), code="required")
    if not digits.isdigit():
        raise ValidationError(_("An NPWP contains only digits, dots and dashes."), code="npwp_format")
    if len(digits) not in (15, 16):
        raise ValidationError(
            _("An NPWP has 15 digits (old form, 99.999.999.9-999.999) or 16 digits; this one has %(n)d."),
            code="npwp_length",
            params={"n": len(digits)},
        )
    try:
        stdnum_npwp.validate(digits)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("This NPWP's check digit is wrong; please check the number for a typing error."),
            code="npwp_checksum",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        # Only a 16-digit number not starting with 0 reaches stdnum's NIK checks.
        raise ValidationError(
            _("This 16-digit number is not a valid NIK (region code or date of birth is wrong)."),
            code="npwp_nik",
        ) from exc
    npwp16 = digits if len(digits) == 16 else "0" + digits
    if is_placeholder_npwp(npwp16):
        raise ValidationError(
            _("00.000.000.0-000.000 is the placeholder written on tax invoices for buyers without an NPWP; "
              "enter the company's own NPWP, or leave the field empty if it is not known yet."),
            code="npwp_placeholder",
        )
    return npwp16


def normalize_company_npwp(value: str) -> str:
    """The canonical NPWP of a press company, or ValidationError: a company is a legal entity, so a
    NIK-shaped number (16 digits not starting with 0) is refused whether or not it is a valid NIK.

    The one place this rule lives: the admin form, the public form, the model and the eligibility rule
    call it; the database refuses the same numbers (PressCompany's constraints)."""
    digits = _NPWP_SEPARATORS.sub("", value or "")
    if digits.isdigit() and is_nik_form(digits):
        raise ValidationError(
            _("A press company is a legal entity: its 16-digit NPWP starts with 0. "
              "A number without the leading 0 is a person's NIK."),
            code="npwp_is_nik",
        )
    return normalize_npwp(value)


def is_placeholder_npwp(npwp16: str) -> bool:
    """The invoice placeholder: no taxpayer in the first nine digits of the legacy number (type, serial,
    check digit), whatever tax office or branch follows."""
    return len(npwp16) == 16 and npwp16.startswith(PLACEHOLDER_NPWP_PREFIX)


def is_nik_form(npwp16: str) -> bool:
    """A 16-digit NPWP that does not start with 0 is a person's NIK."""
    return len(npwp16) == 16 and not npwp16.startswith("0")


def format_npwp(npwp16: str) -> str:
    """The legacy punctuation where the number has a legacy form, the plain 16 digits otherwise."""
    if len(npwp16) == 16 and npwp16.startswith("0"):
        return stdnum_npwp.format(npwp16[1:])
    return npwp16


def looks_like_npwp(value: str) -> str | None:
    """For search boxes: the canonical NPWP if ``value`` is one, else None (never raises)."""
    try:
        return normalize_npwp(value)
    except ValidationError:
        return None


def validate_nik(value: str) -> str:
    digits = _NPWP_SEPARATORS.sub("", value or "")
    try:
        return stdnum_nik.validate(digits)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(_("Enter a valid 16-digit NIK."), code="nik") from exc


def normalize_account_number(value: str) -> str:
    """A bank account number as digits: spaces, dots and dashes typed between them are removed."""
    digits = _NPWP_SEPARATORS.sub("", value or "")
    if not (digits.isdigit() and 6 <= len(digits) <= 20):
        raise ValidationError(_("A bank account number has 6 to 20 digits."), code="account_number")
    return digits


def normalize_nib(value: str) -> str:
    """NIB (Nomor Induk Berusaha from OSS) is 13 digits."""
    digits = re.sub(r"\s", "", value or "")
    if not (digits.isdigit() and len(digits) == 13):
        raise ValidationError(_("An NIB has exactly 13 digits."), code="nib")
    return digits


_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME_TYPOS = re.compile(r"^(h?t+p+s?|hxxps?)(:/*|;//)", re.IGNORECASE)


def normalize_domain(value: str) -> str:
    """Reduce a website as people write it to its host name: lower case, no scheme, no ``www.``,
    no port, path or trailing dot; internationalised names in their ASCII (punycode) form.

    Accepts the messy spellings seen on the Dewan Pers list, such as ``htpps://`` (docs/domain.md, "Press
    companies and outlets").
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a website address."), code="required")
    if "@" in raw.split("/")[0] and "://" not in raw:
        raise ValidationError(_("This looks like an e-mail address, not a website."), code="domain_email")
    raw = _SCHEME_TYPOS.sub("", raw)
    try:
        host = urlsplit("//" + raw.lstrip("/")).hostname or ""
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: http://[::1
        raise ValidationError(_("%(value)s is not a valid website address."), code="domain",
                              params={"value": value}) from exc
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValidationError(_("%(value)s is not a valid website address."), code="domain",
                              params={"value": value}) from exc
    labels = host.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValidationError(_("%(value)s is not a valid website address."), code="domain",
                              params={"value": value})
    return host


def split_websites(cell: str) -> list[str]:
    """The Dewan Pers list puts several sites in one cell (" atau ", " / ", "; ", ","); return the
    normalised domains, without duplicates or e-mail addresses, in their original order."""
    parts = re.split(r"\s+atau\s+|\s+/\s+|[;,\s]+", cell or "", flags=re.IGNORECASE)
    domains: list[str] = []
    for part in parts:
        try:
            domain = normalize_domain(part)
        except ValidationError:
            continue
        if domain not in domains:
            domains.append(domain)
    return domains
