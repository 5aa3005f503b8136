"""NPWP, NIB and website domains as people type them (docs/domain.md)."""

import pytest
from django.core.exceptions import ValidationError

from partners.identifiers import (
    format_npwp,
    is_nik_form,
    looks_like_npwp,
    normalize_domain,
    normalize_nib,
    normalize_npwp,
    split_websites,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("01.312.166.0-091.000", "0013121660091000"),  # legacy, punctuated
        ("013121660091000", "0013121660091000"),  # legacy, digits only
        ("  01 312 166 0 091 000 ", "0013121660091000"),  # spaces
        ("0013121660091000", "0013121660091000"),  # 16-digit entity form
        ("02.183.241.5-000.000", "0021832415000000"),
        ("3171014101900001", "3171014101900001"),  # a resident's NIK (born 1 Jan 1990, woman: day + 40)
    ],
)
def test_npwp_accepts_both_forms_and_normalises_to_16_digits(typed, canonical):
    assert normalize_npwp(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("01.312.166.1-091.000", "npwp_checksum"),  # one digit off: Luhn fails
        ("216090524017001", "npwp_checksum"),  # python-stdnum's own negative example
        ("0013121661091000", "npwp_checksum"),  # 16-digit form with a wrong check digit
        ("01.312.166", "npwp_length"),
        ("00131216600910001", "npwp_length"),
        ("01.312.166.O-091.000", "npwp_format"),  # letter O for zero
        ("3171014113900001", "npwp_nik"),  # NIK with month 13
        ("", "required"),
    ],
)
def test_npwp_rejects_bad_numbers_with_a_specific_reason(typed, code):
    with pytest.raises(ValidationError) as caught:
        normalize_npwp(typed)
    assert caught.value.code == code


def test_npwp_display_uses_legacy_punctuation_only_where_it_applies():
    assert format_npwp("0013121660091000") == "01.312.166.0-091.000"
    assert format_npwp("3171014101900001") == "3171014101900001"
    assert is_nik_form("3171014101900001") and not is_nik_form("0013121660091000")


def test_looks_like_npwp_never_raises():
    assert looks_like_npwp("Kabar Betawi") is None
    assert looks_like_npwp("013121660091000") == "0013121660091000"


def test_nib_has_13_digits():
    assert normalize_nib("9120 0010 3456 7") == "9120001034567"
    with pytest.raises(ValidationError):
        normalize_nib("912000103456")


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("https://www.Kabar-Betawi.co.id/berita/1", "kabar-betawi.co.id"),
        ("htpps://suarajakarta.id", "suarajakarta.id"),  # misspelt scheme from the Dewan Pers list
        ("suarajakarta.id.", "suarajakarta.id"),
        ("http://beritakota.com:8080/?a=1", "beritakota.com"),
        ("bücher-jakarta.id", "xn--bcher-jakarta-wob.id"),
        ("m.kabarbetawi.com", "m.kabarbetawi.com"),
    ],
)
def test_domains_are_normalised(typed, domain):
    assert normalize_domain(typed) == domain


@pytest.mark.parametrize("typed", ["redaksi@kabarbetawi.id", "localhost", "http://", "not a site", "1.2.3.4", "",
                                   "http://[::1"])
def test_bad_websites_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_domain(typed)


def test_messy_website_cells_split_into_unique_domains():
    cell = "www.kabarbetawi.id atau kabarbetawi.com / https://kabarbetawi.id; redaksi@kabarbetawi.id"
    assert split_websites(cell) == ["kabarbetawi.id", "kabarbetawi.com"]
