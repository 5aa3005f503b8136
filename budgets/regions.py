"""Region codes of the Ministry of Home Affairs (Kemendagri, Permendagri 72/2019 on the codes and data of
government regions): a province is two digits ("31", DKI Jakarta); a regency or a city adds two more after a
dot, 01-70 for a regency ("63.03", Kabupaten Banjar) and 71-99 for a city ("31.71", Jakarta Pusat).
README "A new agency" says where it is asked for."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_PROVINCE = re.compile(r"\d{2}")
_DISTRICT = re.compile(r"(\d{2})\.(\d{2})")


def normalise_region_code(code: str) -> str:
    return (code or "").strip()


def region_code_problem(kind: str, code: str) -> str | None:
    """Why ``code`` is not a region code of an agency of ``kind`` (province, regency, city), or None."""
    code = normalise_region_code(code)
    if kind == "province":
        if _PROVINCE.fullmatch(code) and int(code) >= 11:
            return None
        return _("A province's region code is two digits, e.g. 31 for DKI Jakarta.")
    match = _DISTRICT.fullmatch(code)
    if kind == "regency":
        if match and int(match[1]) >= 11 and 1 <= int(match[2]) <= 70:
            return None
        return _("A regency's region code is the province's two digits, a dot and 01 to 70, e.g. 63.03 for "
                 "Kabupaten Banjar.")
    if kind == "city":
        if match and int(match[1]) >= 11 and 71 <= int(match[2]) <= 99:
            return None
        return _("A city's region code is the province's two digits, a dot and 71 to 99, e.g. 31.71 for "
                 "Jakarta Pusat.")
    return _("The kind of agency is province, regency or city.")
