"""The two list imports: the Dewan Pers list of press companies and Tranco-format web rank lists.

Files are written to tmp_path and imported with call_command, as staff would run them.
"""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.eligibility import recheck_outlets
from catalog.models import (
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    OutletWebRank,
    PressCouncilEntry,
    PressCouncilImport,
    Trigger,
    WebRankList,
)
from catalog.web_rank import registrable_domain
from partners.models import (
    LegalForm,
    MediaOutlet,
    OutletDomain,
    PressCompany,
    PressVerification,
    VerificationLevel,
    VerificationSource,
)
from partners.press_council_list import normalize_media_type, normalize_status, parse_list_date
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory, OutletDomainFactory, PressCompanyFactory, PressVerificationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]
DAY = datetime.timedelta(days=1)

HEADER = ("No,Nama Media,Jenis Media,Penanggung Jawab,Pemimpin Redaksi,Badan Hukum,Provinsi,Alamat,Telp,Email,"
          "Website,Status,Tanggal")


def write(tmp_path, text, name="dewan-pers.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def verification_of(outlet):
    return PressVerification.objects.get(outlet=outlet)


GOOD_LIST = "\n".join([
    HEADER,
    "1,Kabar Cempaka,Siber,Budi,Sari,PT Cempaka Kabar Nusantara,DKI Jakarta,Jl. Kramat 1,021-111,"
    "redaksi@kabarcempaka.id,https://kabarcempaka.id atau www.kabarcempaka.co.id,Terverifikasi Administrasi,"
    "2022-04-09",
    "2,Cempaka Pagi,Cetak,Budi,Sari,PT. Cempaka Kabar Nusantara,DKI Jakarta,Jl. Kramat 1,021-111,,,"
    "Terverifikasi Administrasi dan Faktual,09/04/2022",
    "3,Suara Warga TV,Televisi,Ani,Dewi,Yayasan Suara Warga,Jawa Barat,Bandung,,,suarawarga.tv,"
    "Terverifikasi Administratif & Faktual,9 April 2022",
    "4,Radio Kopi,Radio,Ani,Dewi,Koperasi Radio Kopi,Antah Berantah,,,,radiokopi.my.id,"
    "Terverifikasi Secara Administrasi,5 Agustus 2023",
]) + "\n"


# --- normalisation --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, level", [
    ("Terverifikasi Administrasi", "administrative"),
    ("Terverifikasi Administratif", "administrative"),
    ("Terverifikasi Secara Administrasi", "administrative"),
    ("  terverifikasi  ADMINISTRASI ", "administrative"),
    ("Terverifikasi Administrasi & Faktual", "factual"),
    ("Terverifikasi Administratif dan Faktual", "factual"),
    ("Terverifikasi Administrasi dan Faktual", "factual"),
    ("Terverifikasi Faktual", "factual"),
    ("administrative", "administrative"),
    ("factual", "factual"),
    ("Belum Terverifikasi", None),
    ("Terdaftar", None),
    ("", None),
])
def test_status_strings_of_the_list_are_normalised(text, level):
    assert normalize_status(text) == level


@pytest.mark.parametrize("text, media_type", [
    ("Siber", "online"), ("Online", "online"), ("Media Siber", "online"), ("Cetak", "print"), ("PRINT", "print"),
    ("Televisi", "television"), ("TV", "television"), ("Radio", "radio"), ("Podcast", None),
    # Words offices add that do not change the type; alone they name none.
    ("TV lokal", "television"), ("Radio Swasta", "radio"), ("Portal Berita", "online"), ("Lokal", None),
])
def test_media_types_are_normalised(text, media_type):
    assert normalize_media_type(text) == media_type


@pytest.mark.parametrize("text, expected", [
    ("2022-04-09", datetime.date(2022, 4, 9)),
    ("2022-04-09 13:45:00", datetime.date(2022, 4, 9)),
    ("09/04/2022", datetime.date(2022, 4, 9)),
    ("9-4-2022", datetime.date(2022, 4, 9)),
    ("9 April 2022", datetime.date(2022, 4, 9)),
    ("17 Agustus 2021", datetime.date(2021, 8, 17)),
    ("1 Okt 2020", datetime.date(2020, 10, 1)),
    ("", None),
])
def test_list_dates_in_the_formats_seen(text, expected):
    assert parse_list_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2022", "kemarin", "2022/13/01"])
def test_unreadable_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_list_date(text)


@pytest.mark.parametrize("domain, parent", [
    ("news.kabar.co.id", "kabar.co.id"), ("kabar.co.id", "kabar.co.id"), ("m.kabar.com", "kabar.com"),
    ("kabar.id", "kabar.id"), ("a.b.pesantren.ponpes.id", "pesantren.ponpes.id"), ("www.bbc.co.uk", "bbc.co.uk"),
    ("kabar.blogspot.com", "kabar.blogspot.com"),
])
def test_registrable_domain(domain, parent):
    assert registrable_domain(domain) == parent


# --- Dewan Pers list ------------------------------------------------------------------------------


def test_good_file_creates_companies_outlets_domains_and_verifications(tmp_path):
    out, err = run("import_press_council", write(tmp_path, GOOD_LIST), date="2024-05-01")

    assert err == "Line 5: used, but province “Antah Berantah” is not known; left empty.\n"
    assert out.strip().splitlines()[-1] == (
        "Dewan Pers list dewan-pers.csv of 2024-05-01: 4 rows, 0 matched, 4 created, 0 not used, "
        "0 flagged as missing; eligibility re-checked for 4 outlet(s), 4 changed.")
    # "PT. Cempaka…" on the second row is the company the first row created.
    cempaka = PressCompany.objects.get(legal_name="PT Cempaka Kabar Nusantara")
    assert PressCompany.objects.count() == 3
    assert MediaOutlet.objects.get(name="Cempaka Pagi").company == cempaka
    assert (cempaka.npwp, cempaka.legal_form, cempaka.province.name) == (None, LegalForm.PT, "DKI Jakarta")
    assert PressCompany.objects.get(legal_name="Yayasan Suara Warga").legal_form == LegalForm.YAYASAN
    kopi_company = PressCompany.objects.get(legal_name="Koperasi Radio Kopi")
    assert (kopi_company.legal_form, kopi_company.province) == (LegalForm.KOPERASI, None)

    kabar = MediaOutlet.objects.get(name="Kabar Cempaka")
    assert (kabar.media_type, kabar.company, kabar.email) == ("online", cempaka, "redaksi@kabarcempaka.id")
    assert list(kabar.domains.values_list("domain", "is_primary")) == [
        ("kabarcempaka.id", True), ("kabarcempaka.co.id", False)]
    verification = verification_of(kabar)
    assert (verification.level, verification.status_date, verification.source) == (
        VerificationLevel.ADMINISTRATIVE, datetime.date(2022, 4, 9), VerificationSource.IMPORT)
    assert verification.checked_at is not None and verification.certificate_number == ""

    # Factual without a certificate number: the date is the status date only; no certificate is invented.
    pagi = verification_of(MediaOutlet.objects.get(name="Cempaka Pagi"))
    assert (pagi.level, pagi.status_date, pagi.certificate_number, pagi.certificate_date, pagi.valid_until) == (
        VerificationLevel.FACTUAL, datetime.date(2022, 4, 9), "", None, None)
    assert MediaOutlet.objects.get(name="Suara Warga TV").media_type == "television"
    assert verification_of(MediaOutlet.objects.get(name="Radio Kopi")).status_date == datetime.date(2023, 8, 5)

    record = PressCouncilImport.objects.get()
    assert (record.list_date, record.rows_read, record.rows_created, record.rows_matched, record.rows_skipped) == (
        datetime.date(2024, 5, 1), 4, 4, 0, 0)
    assert len(record.sha256) == 64 and record.actor == "system:import_press_council"
    entry = record.entries.get(line_number=2)
    assert entry.outcome == PressCouncilEntry.Outcome.CREATED and entry.outlet == kabar
    assert entry.data["Nama Media"] == "Kabar Cempaka" and entry.data["Status"] == "Terverifikasi Administrasi"
    assert EligibilityChange.objects.filter(outlet=kabar, trigger=Trigger.IMPORT).exists()


def test_importing_the_same_file_twice_creates_nothing_new(tmp_path):
    path = write(tmp_path, GOOD_LIST)
    run("import_press_council", path)
    counts = (PressCompany.objects.count(), MediaOutlet.objects.count(), OutletDomain.objects.count(),
              PressVerification.objects.count())
    out, _err = run("import_press_council", path)

    assert (PressCompany.objects.count(), MediaOutlet.objects.count(), OutletDomain.objects.count(),
            PressVerification.objects.count()) == counts == (3, 4, 4, 4)
    second = PressCouncilImport.objects.order_by("-pk").first()
    assert (second.rows_matched, second.rows_created) == (4, 0)
    assert set(second.entries.values_list("outcome", flat=True)) == {"matched"}
    assert PressCouncilImport.objects.count() == 2 and PressCouncilEntry.objects.count() == 8
    assert "4 matched, 0 created" in out


def test_messy_website_cell_matches_an_existing_outlet(tmp_path):
    outlet = MediaOutletFactory(name="Lintas Menteng")
    OutletDomainFactory(outlet=outlet, domain="lintasmenteng.com", is_primary=True)
    PressVerificationFactory(outlet=outlet, administrative=True,
                             missing_from_list_since=timezone.localdate() - 3 * DAY)
    cell = '"htpps://WWW.LintasMenteng.com/berita atau redaksi@lintasmenteng.com / lintasmenteng.co.id; "'
    path = write(tmp_path, f"{HEADER}\n1,LINTAS MENTENG (baru),Siber,,,PT Lain,,,,,{cell},"
                           "Terverifikasi Administrasi & Faktual,2023-11-30\n")
    run("import_press_council", path)

    assert MediaOutlet.objects.count() == 1
    verification = verification_of(outlet)
    assert (verification.level, verification.status_date, verification.missing_from_list_since) == (
        VerificationLevel.FACTUAL, datetime.date(2023, 11, 30), None)
    # The new site is added to the outlet; the primary stays.
    assert list(outlet.domains.values_list("domain", "is_primary")) == [
        ("lintasmenteng.com", True), ("lintasmenteng.co.id", False)]
    entry = PressCouncilEntry.objects.get()
    assert (entry.outcome, entry.outlet_id, entry.line_number) == ("matched", outlet.pk, 2)


def test_outlet_without_website_matches_by_name_unless_several_have_it(tmp_path):
    unique = MediaOutletFactory(name="Warta Kota Tua")
    MediaOutletFactory(name="Radar Pagi")
    MediaOutletFactory(name="radar pagi")
    path = write(tmp_path, f"{HEADER}\n1,warta kota tua,Siber,,,PT X,,,,,,Terverifikasi Administrasi,\n"
                           "2,Radar Pagi,Cetak,,,PT Y,,,,,,Terverifikasi Administrasi,\n")
    out, err = run("import_press_council", path)

    assert verification_of(unique).level == VerificationLevel.ADMINISTRATIVE
    assert "Line 3: not used: several outlets are called “Radar Pagi”" in err
    assert PressCouncilEntry.objects.get(line_number=3).outcome == "skipped"
    assert MediaOutlet.objects.count() == 3
    assert "1 matched, 0 created, 1 not used" in out


def test_a_domain_of_another_outlet_is_not_taken(tmp_path):
    other = OutletDomainFactory(domain="bersama.id").outlet
    path = write(tmp_path, f"{HEADER}\n1,Kabar Baru,Siber,,,PT Kabar Baru,,,,,kabarbaru.id / bersama.id,"
                           "Terverifikasi Administrasi,\n")
    # bersama.id matches the other outlet: the row is that outlet, not a new one.
    run("import_press_council", path)
    assert MediaOutlet.objects.count() == 1
    assert set(other.domains.values_list("domain", flat=True)) == {"bersama.id", "kabarbaru.id"}

    third = OutletDomainFactory(domain="ketiga.id").outlet
    path = write(tmp_path, f"{HEADER}\n1,Kabar Lain,Siber,,,PT Kabar Lain,,,,,kabarlain.id,"
                           "Terverifikasi Administrasi,\n2,Kabar Lain,Siber,,,PT Kabar Lain,,,,,"
                           "kabarlain.id atau ketiga.id,Terverifikasi Administrasi,\n", name="b.csv")
    _out, err = run("import_press_council", path)
    assert "its websites belong to different outlets" in err
    assert list(third.domains.values_list("domain", flat=True)) == ["ketiga.id"]


def test_same_outlet_in_two_rows_keeps_the_latest_date(tmp_path):
    path = write(tmp_path, "\n".join([
        HEADER,
        "1,Sorot Monas,Siber,,,PT Cahaya Monas,,,,,https://sorotmonas.com,Terverifikasi Administrasi,2023-06-01",
        "2,Sorot Monas,Siber,,,PT Cahaya Monas,,,,,sorotmonas.com atau sorotmonas.id,"
        "Terverifikasi Administrasi dan Faktual,2021-01-15",
        "3,Sorot Monas,Siber,,,PT Cahaya Monas,,,,,sorotmonas.com,Terverifikasi Administrasi,",
    ]) + "\n")
    _out, err = run("import_press_council", path)

    outlet = MediaOutlet.objects.get()
    verification = verification_of(outlet)
    assert (verification.level, verification.status_date) == (VerificationLevel.ADMINISTRATIVE,
                                                               datetime.date(2023, 6, 1))
    assert set(outlet.domains.values_list("domain", flat=True)) == {"sorotmonas.com", "sorotmonas.id"}
    assert PressCompany.objects.count() == 1
    entries = {e.line_number: e for e in PressCouncilEntry.objects.all()}
    assert {e.outlet_id for e in entries.values()} == {outlet.pk}
    assert "same outlet as line 2" in entries[3].problem and "same outlet as line 2" in entries[4].problem
    assert "this row has the latest date" in entries[2].problem
    assert "Line 3: used, but same outlet as line 2" in err


def test_bad_rows_are_reported_with_their_line_numbers(tmp_path):
    path = write(tmp_path, "\n".join([
        HEADER,
        '1,Kabar Baik,Siber,,,PT Kabar Baik,,"Jl. Panjang 1\nRT 01/RW 02",,,kabarbaik.id,Terverifikasi Administrasi,',
        "2,Kabar Aneh,Siber,,,PT Aneh,,,,,kabaraneh.id,Terdaftar,",
        "3,Kabar Podcast,Podcast,,,PT Podcast,,,,,podcast.id,Terverifikasi Administrasi,",
        "4,,Siber,,,PT Tanpa Nama,,,,,tanpanama.id,Terverifikasi Administrasi,",
        "5,Kabar Kapan,Siber,,,PT Kapan,,,,,kapan.id,Terverifikasi Administrasi,kemarin",
        "",
        "6,Kabar Yatim,Siber,,,,,,,,yatim.id,Terverifikasi Administrasi,",
        "7,Kabar Bagus,Radio,,,PT Bagus,,,,,,Terverifikasi Faktual,2020-02-02",
    ]) + "\n")
    out, err = run("import_press_council", path)

    # The first row spans lines 2-3 (a line break inside the quoted address).
    assert "Line 4: not used: status “Terdaftar” is not recognised" in err
    assert "Line 5: not used: media type “Podcast” is not recognised" in err
    assert "Line 6: not used: the outlet name is empty" in err
    assert "Line 7: not used: date “kemarin” is not understood" in err
    assert "Line 9: not used: a new outlet needs its legal entity (Badan Hukum)" in err
    assert "Line 2" not in err and "Line 10" not in err
    assert out.strip().splitlines()[-1].startswith("Dewan Pers list dewan-pers.csv of ")
    assert "7 rows, 0 matched, 2 created, 5 not used" in out
    record = PressCouncilImport.objects.get()
    skipped = dict(record.entries.filter(outcome="skipped").values_list("line_number", "problem"))
    assert sorted(skipped) == [4, 5, 6, 7, 9]
    assert record.entries.get(line_number=4).data["Status"] == "Terdaftar"
    assert MediaOutlet.objects.count() == 2
    assert not OutletDomain.objects.filter(domain="kabaraneh.id").exists()


def test_a_missing_required_column_is_a_command_error_naming_it(tmp_path):
    path = write(tmp_path, "Nama Media,Jenis Media,Website\nKabar,Siber,kabar.id\n")
    with pytest.raises(CommandError, match=r"no column for status \(Status\)"):
        run("import_press_council", path)
    assert not PressCouncilImport.objects.exists()


def test_missing_file_and_unreadable_encoding_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run("import_press_council", tmp_path / "tidak-ada.csv")
    path = tmp_path / "rusak.csv"
    path.write_bytes(b"Nama Media,Jenis Media,Status\n\x81\x8d\x8f,Siber,Terverifikasi Administrasi\n")
    with pytest.raises(CommandError, match="neither UTF-8 nor Windows-1252"):
        run("import_press_council", path)
    with pytest.raises(CommandError, match="not a date"):
        run("import_press_council", path, "--date", "01/05/2024")
    with pytest.raises(CommandError, match="not a date"):
        run("import_web_rank", path, date="01/05/2024")


def test_semicolon_delimiter_bom_and_english_headers(tmp_path):
    text = ("\ufeffOutlet Name; Media Type ;Company;Website;STATUS;approved_date;Certificate Number\n"
            "Kabar Sore;Online;PT Kabar Sore;kabarsore.id;Terverifikasi Administrasi & Faktual;2022-04-09;"
            "975/DP-Verifikasi/K/IV/2022\n")
    out, err = run("import_press_council", write(tmp_path, text))

    assert err == ""
    verification = verification_of(MediaOutlet.objects.get(name="Kabar Sore"))
    assert (verification.level, verification.certificate_number, verification.certificate_date,
            verification.valid_until) == (VerificationLevel.FACTUAL, "975/DP-Verifikasi/K/IV/2022",
                                          datetime.date(2022, 4, 9), datetime.date(2027, 4, 8))
    entry = PressCouncilEntry.objects.get()
    assert entry.data["Outlet Name"] == "Kabar Sore"  # the BOM is not part of the first header
    assert "1 created" in out


def test_cp1252_file_is_read_with_a_note(tmp_path):
    text = f"{HEADER}\n1,Kabar Café,Siber,,,PT Café Media,,,,,kabarcafe.id,Terverifikasi Administrasi,\n"
    _out, err = run("import_press_council", write(tmp_path, text, encoding="cp1252"))
    assert "read as Windows-1252" in err
    assert MediaOutlet.objects.filter(name="Kabar Café").exists()


def test_factual_row_keeps_a_staff_certificate_and_a_downgrade_removes_it(tmp_path):
    outlet = MediaOutletFactory()
    OutletDomainFactory(outlet=outlet, domain="faktual.id")
    staff = PressVerificationFactory(outlet=outlet, factual=True)
    path = write(tmp_path, f"{HEADER}\n1,X,Siber,,,PT X,,,,,faktual.id,Terverifikasi Faktual,2024-01-02\n")
    run("import_press_council", path)
    verification = verification_of(outlet)
    assert (verification.certificate_number, verification.certificate_date, verification.valid_until) == (
        staff.certificate_number, staff.certificate_date, staff.valid_until)
    assert verification.status_date == datetime.date(2024, 1, 2)

    path = write(tmp_path, f"{HEADER}\n1,X,Siber,,,PT X,,,,,faktual.id,Terverifikasi Administrasi,2024-03-04\n",
                 name="b.csv")
    _out, err = run("import_press_council", path)
    verification = verification_of(outlet)
    assert (verification.level, verification.certificate_number, verification.certificate_date,
            verification.valid_until) == (VerificationLevel.ADMINISTRATIVE, "", None, None)
    assert f"certificate {staff.certificate_number} removed" in err


# Mid-year: the grace period's 31 days must not cross into a new fiscal year (this year's KSWP).
@time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
def test_complete_list_flags_a_missing_verified_outlet_with_a_grace_period(tmp_path):
    today = timezone.localdate()
    missing = eligible_outlet()
    listed = eligible_outlet()
    listed_domain = listed.domains.get().domain
    unverified = MediaOutletFactory()
    PressVerificationFactory(outlet=unverified)
    path = write(tmp_path, f"{HEADER}\n1,{listed.name},Siber,,,,,,,,{listed_domain},"
                           f"Terverifikasi Administrasi dan Faktual,{today - 400 * DAY}\n")
    out, _err = run("import_press_council", path, "--complete", date=today.isoformat(), grace_days=45)

    assert verification_of(missing).missing_from_list_since == today
    assert verification_of(listed).missing_from_list_since is None
    assert verification_of(unverified).missing_from_list_since is None
    assert PressCouncilImport.objects.get().outlets_flagged == 1
    assert "1 verified outlet(s) are missing from this complete list" in out
    assert f"until {today + 45 * DAY} (45 days). The eligibility rule applies the policy's 30 days" in out
    assert "1 flagged as missing" in out.strip().splitlines()[-1]
    # Re-checked by the import: still eligible within the grace period.
    assert Eligibility.objects.get(pk=missing.pk).is_eligible
    assert EligibilityChange.objects.filter(outlet=missing, trigger=Trigger.IMPORT).exists()

    recheck_outlets([missing.pk], trigger=Trigger.SCHEDULE, today=today + 30 * DAY)
    assert Eligibility.objects.get(pk=missing.pk).is_eligible
    recheck_outlets([missing.pk], trigger=Trigger.SCHEDULE, today=today + 31 * DAY)
    result = Eligibility.objects.get(pk=missing.pk)
    assert not result.is_eligible and result.failing_rule_codes == ["press_council"]
    assert "grace period ended" in next(o for o in result.outcomes if not o["passed"])["reason"]["en"]

    # A later flag does not move the date; being on a list again clears it.
    run("import_press_council", path, "--complete", date=(today + 5 * DAY).isoformat())
    assert verification_of(missing).missing_from_list_since == today
    domain = missing.domains.get().domain
    back = write(tmp_path, f"{HEADER}\n1,{missing.name},Siber,,,,,,,,{domain},Terverifikasi Faktual,\n",
                 name="back.csv")
    run("import_press_council", back)
    assert verification_of(missing).missing_from_list_since is None


def test_company_names_are_reused_case_insensitively(tmp_path):
    company = PressCompanyFactory(legal_name="PT Gerbang Warta Betawi")
    path = write(tmp_path, f"{HEADER}\n1,Gerbang Betawi,Siber,,,pt.  gerbang warta betawi,,,,,gerbang.id,"
                           "Terverifikasi Administrasi,\n")
    run("import_press_council", path)
    assert MediaOutlet.objects.get().company == company
    assert PressCompany.objects.count() == 1


# --- web rank list --------------------------------------------------------------------------------


def online_outlet(*domains):
    outlet = MediaOutletFactory()
    for index, domain in enumerate(domains):
        OutletDomainFactory(outlet=outlet, domain=domain, is_primary=index == 0)
    return outlet


TRANCO = "\n".join([
    "1,google.com", "2,facebook.com", "3,kabar.co.id", "4,detik.com", "5,sorot.id", "6,sorot.com",
    "7,sorot.id",
]) + "\n"


def test_web_rank_import_keeps_best_rank_parent_match_and_not_ranked(tmp_path):
    exact = online_outlet("detik.com")
    parent = online_outlet("news.kabar.co.id")
    best_of_two = online_outlet("sorot.com", "sorot.id")
    unranked = online_outlet("kabar-desa.id")
    MediaOutletFactory()  # no website: no row
    path = write(tmp_path, TRANCO, name="tranco_LJL44.csv")
    out, err = run("import_web_rank", path, date="2024-05-01")

    rank_list = WebRankList.objects.get()
    assert (rank_list.source, rank_list.list_id, rank_list.list_date, rank_list.rows_read,
            rank_list.outlets_ranked) == ("tranco", "tranco_LJL44", datetime.date(2024, 5, 1), 7, 3)
    ranks = {r.outlet_id: (r.rank, r.domain) for r in OutletWebRank.objects.all()}
    assert ranks == {exact.pk: (4, "detik.com"), parent.pk: (3, "kabar.co.id"), best_of_two.pk: (5, "sorot.id"),
                     unranked.pk: (None, "")}
    assert err == ""
    assert out.strip() == ("Web rank list tranco tranco_LJL44 of 2024-05-01: 7 rows read, 3 of 4 outlet(s) with a "
                           "website ranked, 1 not ranked, 0 malformed line(s) skipped.")


def test_an_exact_subdomain_rank_counts_before_its_parent(tmp_path):
    outlet = online_outlet("regional.kabar.co.id")
    path = write(tmp_path, "\ufeff3,kabar.co.id\r\n900,regional.kabar.co.id\r\n", name="full.csv")
    out, err = run("import_web_rank", path)
    assert OutletWebRank.objects.get(outlet=outlet).rank == 900
    assert WebRankList.objects.get().rows_read == 2 and err == ""  # a BOM and CRLF line ends are fine


def test_malformed_rank_lines_are_reported_and_skipped(tmp_path):
    outlet = online_outlet("kabar.id")
    lines = ["rank,domain", "1,google.com", "dua,kabar.id", "3", "4,kabar.id", "", "5,", "6,a.com,extra"]
    lines += [f"x{n},bad{n}.com" for n in range(25)]
    out, err = run("import_web_rank", write(tmp_path, "\n".join(lines) + "\n", name="l.csv"), list_id="L1")

    assert OutletWebRank.objects.get(outlet=outlet).rank == 4
    assert "Line 3: not “rank,domain”, skipped: dua,kabar.id" in err
    assert "Line 4: not “rank,domain”, skipped: 3" in err
    assert "Line 7:" in err and "Line 8:" in err
    assert "Line 1:" not in err and "Line 6:" not in err  # a header and a blank line are not errors
    assert err.count("Line ") == 20
    assert "29 malformed lines in all (the first 20 are shown)" in err
    assert "2 rows read" in out and "29 malformed line(s) skipped" in out


def test_reimporting_a_list_id_replaces_its_ranks(tmp_path):
    outlet = online_outlet("kabar.id")
    run("import_web_rank", write(tmp_path, "10,kabar.id\n", name="a.csv"), list_id="LJL44", date="2024-05-01")
    first = WebRankList.objects.get()
    out, _err = run("import_web_rank", write(tmp_path, "20,other.id\n", name="b.csv"), list_id="LJL44",
                    date="2024-05-02")

    assert WebRankList.objects.get().pk == first.pk
    assert WebRankList.objects.get().list_date == datetime.date(2024, 5, 2)
    assert list(OutletWebRank.objects.values_list("outlet_id", "rank")) == [(outlet.pk, None)]
    assert "replaced the earlier import of this list" in out
    run("import_web_rank", write(tmp_path, "10,kabar.id\n", name="c.csv"), list_id="OTHER")
    assert OutletWebRank.objects.count() == 2  # another list id is another list


def test_zip_input_with_top_1m_csv(tmp_path):
    outlet = online_outlet("kabar.co.id")
    path = tmp_path / "tranco_LJL44-1m.csv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("top-1m.csv", TRANCO)
    out, _err = run("import_web_rank", path)
    assert OutletWebRank.objects.get(outlet=outlet).rank == 3
    assert WebRankList.objects.get().list_id == "tranco_LJL44-1m"
    assert "7 rows read" in out

    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(CommandError, match="holds no top-1m.csv"):
        run("import_web_rank", empty)


def test_missing_rank_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run("import_web_rank", tmp_path / "top-1m.csv")


def test_web_rank_import_rechecks_online_outlets_when_the_rule_is_on(tmp_path):
    policy = EligibilityPolicy.load()
    policy.web_rank_rule_enabled, policy.web_rank_threshold = True, 100
    policy.save()
    good = eligible_outlet()
    domain = good.domains.get().domain
    out, _err = run("import_web_rank", write(tmp_path, f"50,{domain}\n", name="t.csv"))

    result = Eligibility.objects.get(pk=good.pk)
    assert result.is_eligible
    assert "Ranked 50" in next(o for o in result.outcomes if o["code"] == "web_rank")["reason"]["en"]
    assert "eligibility re-checked for 1 online outlet(s)" in out
