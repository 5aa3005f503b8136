"""import_outlets: an office's spreadsheet of outlets (README "A spreadsheet of outlets").

Files are written to tmp_path and imported with call_command, as staff would run them; the report is
read back as the CSV staff open. Messages are compared in English (translation.override) or by code.
"""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from catalog.models import PendingRecheck
from mediareg.models import AuditEvent
from partners.identifiers import format_npwp
from partners.models import MediaOutlet, OutletDomain, PressCompany, Province
from partners.outlet_import import province_index, province_key
from partners.outlet_sheet import TEMPLATE_HEADERS
from tests.factories import (
    MediaOutletFactory,
    OutletDomainFactory,
    PressCompanyFactory,
    StaffUserFactory,
    make_npwp,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

HEADER = "Nama Perusahaan,NPWP,Nama Media,Jenis Media,Website,Provinsi,Kabupaten/Kota,Alamat,Telepon,Email"
NPWP_A, NPWP_B = make_npwp(7001), make_npwp(7002)


def write(tmp_path, lines, name="media.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_outlets", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def report_of(tmp_path, path, *args):
    report = tmp_path / "hasil.csv"
    out, _err = run(path, "--report", report, *args)
    with report.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return out, rows


def counts():
    return (PressCompany.objects.count(), MediaOutlet.objects.count(), OutletDomain.objects.count(),
            AuditEvent.objects.count())


GOOD = [
    HEADER,
    f"PT Kabar Banjar Mandiri,{format_npwp(NPWP_A)},Kabar Banjar,Online,https://www.kabarbanjar.co.id/,"
    "Kalsel,Kabupaten Banjar,Jl. A. Yani Km 37,0511-4721234,redaksi@kabarbanjar.co.id",
    f"PT. Kabar Banjar Mandiri,{NPWP_A},Banjar Pos,Koran,,Provinsi Kalimantan Selatan,,,,",
    f"Yayasan Suara Martapura,{format_npwp(NPWP_B)},Radio Suara Martapura,Radio,,kalimantan selatan,,,,",
]


def test_a_good_file_creates_companies_outlets_and_domains_through_the_services(tmp_path):
    out, rows = report_of(tmp_path, write(tmp_path, GOOD))

    assert out.strip() == "media.csv: 3 rows, 3 created, 0 matched, 0 refused."
    assert [(r["Row"], r["Outcome"], r["Company"], r["Outlet"], r["Code"]) for r in rows] == [
        ("2", "created", "PT Kabar Banjar Mandiri", "Kabar Banjar", ""),
        ("3", "created", "PT Kabar Banjar Mandiri", "Banjar Pos", ""),
        ("4", "created", "Yayasan Suara Martapura", "Radio Suara Martapura", "")]
    company = PressCompany.objects.get(npwp=NPWP_A)
    assert (company.legal_name, company.legal_form, company.province.name, company.regency_city) == (
        "PT Kabar Banjar Mandiri", "pt", "Kalimantan Selatan", "Kabupaten Banjar")
    assert PressCompany.objects.get(npwp=NPWP_B).legal_form == "yayasan"
    kabar = MediaOutlet.objects.get(name="Kabar Banjar")
    assert (kabar.company, kabar.media_type, kabar.phone, kabar.email) == (
        company, "online", "0511-4721234", "redaksi@kabarbanjar.co.id")
    assert list(kabar.domains.values_list("domain", "is_primary")) == [("kabarbanjar.co.id", True)]
    assert MediaOutlet.objects.get(name="Banjar Pos").media_type == "print"
    # Written under the import's name in the audit trail.
    assert AuditEvent.objects.filter(pgh_obj_model="partners.MediaOutlet", pgh_obj_id=str(kabar.pk),
                                     pgh_context__actor="system:import_outlets").exists()
    # Their eligibility is re-checked by a worker once the run has committed.
    assert set(PendingRecheck.objects.values_list("outlet__name", "trigger")) == {
        (name, "import") for name in ("Kabar Banjar", "Banjar Pos", "Radio Suara Martapura")}


def test_rerunning_the_file_matches_every_row_and_writes_nothing(tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    before = counts()
    out, rows = report_of(tmp_path, path)

    assert counts() == before  # no company, outlet, domain or audit event more
    assert out.strip() == "media.csv: 3 rows, 0 created, 3 matched, 0 refused."
    assert {r["Outcome"] for r in rows} == {"matched"}


def test_dry_run_checks_everything_and_writes_nothing(tmp_path):
    path = write(tmp_path, [*GOOD, f"PT Lain,{NPWP_B},Kabar Lain,Online,kabarbanjar.co.id,,,,,"])
    before = counts()
    out, rows = report_of(tmp_path, path, "--dry-run")

    assert counts() == before and not PendingRecheck.objects.exists()
    assert out.strip() == "media.csv: 4 rows, 3 created, 0 matched, 1 refused. Dry run: nothing was saved."
    # The same report as the real run: the website the first row would create is the first row's.
    assert [r["Code"] for r in rows] == ["", "", "", "duplicate"]
    out, _rows = report_of(tmp_path, path)
    assert out.strip() == "media.csv: 4 rows, 3 created, 0 matched, 1 refused."


def test_npwp_with_or_without_punctuation_matches_the_existing_company(tmp_path):
    company = PressCompanyFactory(npwp=NPWP_A, legal_name="PT Kabar Banjar Mandiri")
    existing = MediaOutletFactory(company=company, name="Kabar Banjar", media_type="online")
    OutletDomainFactory(outlet=existing, domain="kabarbanjar.co.id", is_primary=True)
    legacy = NPWP_A[1:]  # the 15-digit legacy form, without the leading 0 of the 16-digit one
    path = write(tmp_path, [
        HEADER,
        f"PT Kabar Banjar,{format_npwp(NPWP_A)},Kabar Banjar,Online,kabarbanjar.co.id,,,,,",
        f"Kabar Banjar Mandiri,{legacy},Banjar Pos,Cetak,,,,,,",
        f"PT KABAR BANJAR MANDIRI,{legacy[:2]} {legacy[2:5]} {legacy[5:]},Banjar TV,TV,,,,,,",
        f"PT Kabar Banjar Mandiri,{legacy[1:]},Banjar FM,Radio,,,,,,",  # 14 digits: a number column's lost 0
    ])
    out, rows = report_of(tmp_path, path)

    assert [r["Outcome"] for r in rows] == ["matched", "created", "created", "created"]
    assert PressCompany.objects.count() == 1
    assert set(company.outlets.values_list("name", flat=True)) == {"Kabar Banjar", "Banjar Pos", "Banjar TV",
                                                                   "Banjar FM"}
    # The report names the company as the registry has it.
    assert {r["Company"] for r in rows} == {"PT Kabar Banjar Mandiri"}


def test_an_outlet_is_matched_by_name_within_its_company_and_gets_its_website(tmp_path):
    company = PressCompanyFactory(npwp=NPWP_A)
    existing = MediaOutletFactory(company=company, name="Kabar Banjar", media_type="online")
    out, rows = report_of(tmp_path, write(tmp_path, [
        HEADER, f"{company.legal_name},{NPWP_A},KABAR BANJAR,Online,kabarbanjar.co.id,,,,,"]))

    assert (rows[0]["Outcome"], rows[0]["Reason"]) == ("matched", "Website kabarbanjar.co.id added to the outlet.")
    assert list(existing.domains.values_list("domain", flat=True)) == ["kabarbanjar.co.id"]
    assert MediaOutlet.objects.count() == 1


REFUSALS = [
    # (row after the header, code)
    (f"PT A,{NPWP_A},,Online,a.co.id,,,,,", "missing_cell"),
    (f",{NPWP_A},Kabar A,Online,a.co.id,,,,,", "missing_cell"),
    ("PT A,,Kabar A,Online,a.co.id,,,,,", "missing_cell"),
    (f"PT A,{NPWP_A},Kabar A,,a.co.id,,,,,", "missing_cell"),
    (f"PT A,{NPWP_A},Kabar A,Majalah Dinding Digital,a.co.id,,,,,", "media_type_unknown"),
    (f"PT A,{NPWP_A},Kabar A,Siber,,,,,,", "online_without_website"),
    (f"PT A,{NPWP_A},Kabar A,Online,redaksi@a.co.id,,,,,", "website_invalid"),
    (f"PT A,{NPWP_A},Kabar A,Online,kabar a,,,,,", "website_invalid"),
    ("PT A,01.312.166.1-091.000,Kabar A,Online,a.co.id,,,,,", "npwp_invalid"),
    ("PT A,12345,Kabar A,Online,a.co.id,,,,,", "npwp_invalid"),
    ("PT A,3171011508850001,Kabar A,Online,a.co.id,,,,,", "npwp_is_nik"),
    ("PT A,00.000.000.0-000.000,Kabar A,Online,a.co.id,,,,,", "npwp_placeholder"),
    (f"PT A,{NPWP_A},Kabar A,Online,a.co.id,Antah Berantah,,,,", "province_unknown"),
    (f"PT A,{NPWP_A},Kabar A,Online,a.co.id,,,,,redaksi at a.co.id", "email_invalid"),
    # Longer than the registry keeps: refused in the registry's words, never stored cut short.
    (f"PT A,{NPWP_A},{'Kabar ' * 40},Online,a.co.id,,,,,", "invalid"),
    (f"PT A,{NPWP_A},Kabar A,Online,a.co.id,,,,0511-4721234 / 0812-3456-7890 / 0813-1111-2222,", "invalid"),
]


@pytest.mark.parametrize("line, code", REFUSALS)
def test_each_refusal_has_its_code_and_a_reason_and_writes_nothing(tmp_path, line, code):
    before = counts()
    out, rows = report_of(tmp_path, write(tmp_path, [HEADER, line]))

    assert [(r["Outcome"], r["Code"]) for r in rows] == [("refused", code)]
    assert rows[0]["Reason"] and out.strip() == "media.csv: 1 rows, 0 created, 0 matched, 1 refused."
    assert counts() == before


def test_refusal_reasons_say_what_is_wrong(tmp_path):
    _out, err = run(write(tmp_path, [HEADER, REFUSALS[0][0], REFUSALS[5][0], REFUSALS[12][0]]))
    assert err.splitlines() == [
        "Row 2 refused (missing_cell): Empty cell: Nama Media.",
        "Row 3 refused (online_without_website): An online outlet needs its website (column Website).",
        "Row 4 refused (province_unknown): Province “Antah Berantah” is not known (write e.g. Kalimantan "
        "Selatan, Kalsel, DKI Jakarta).",
    ]


def test_a_website_of_another_company_is_refused(tmp_path):
    other = MediaOutletFactory(name="Kabar Lain", company=PressCompanyFactory(legal_name="PT Lain"))
    OutletDomainFactory(outlet=other, domain="kabarlain.id", is_primary=True)
    no_npwp = MediaOutletFactory(name="Warta Lama", company=PressCompanyFactory(legal_name="PT Warta", npwp=None))
    OutletDomainFactory(outlet=no_npwp, domain="wartalama.id", is_primary=True)
    before = counts()
    _out, rows = report_of(tmp_path, write(tmp_path, [
        HEADER,
        f"PT Kabar Banjar,{NPWP_A},Kabar Lain,Online,https://kabarlain.id,,,,,",
        f"PT Warta,{NPWP_B},Warta Lama,Online,wartalama.id,,,,,",
    ]))

    assert [(r["Outcome"], r["Code"]) for r in rows] == [("refused", "domain_other_company")] * 2
    assert "“Kabar Lain” of another company (“PT Lain”)" in rows[0]["Reason"]
    assert "has no NPWP in the registry yet" in rows[1]["Reason"]
    assert counts() == before


def test_duplicate_rows_in_the_file_are_refused_naming_the_first(tmp_path):
    _out, rows = report_of(tmp_path, write(tmp_path, [
        HEADER,
        f"PT Kabar Banjar,{NPWP_A},Kabar Banjar,Online,kabarbanjar.co.id,,,,,",
        f"PT Kabar Banjar,{NPWP_A},Kabar Banjar,Online,kabarbanjar.co.id,,,,,",  # the same row again
        f"PT Kabar Banjar,{format_npwp(NPWP_A)},kabar banjar,Cetak,,,,,,",  # the same name in the company
        f"PT Lain,{NPWP_B},Kabar Banjar Dua,Online,www.kabarbanjar.co.id,,,,,",  # the same website
    ]))

    assert [(r["Outcome"], r["Code"]) for r in rows] == [
        ("created", ""), ("refused", "duplicate"), ("refused", "duplicate"), ("refused", "duplicate")]
    assert {r["Reason"] for r in rows[1:]} == {"Same outlet as row 2 of this file."}
    assert MediaOutlet.objects.count() == 1 and PressCompany.objects.count() == 1


def test_semicolons_and_a_byte_order_mark_as_excel_saves(tmp_path):
    lines = [HEADER.upper().replace("NAMA MEDIA", "Media").replace("TELEPON", "No. HP").replace(",", ";"),
             f"PT Kabar Banjar;{format_npwp(NPWP_A)};Kabar Banjar;siber;kabarbanjar.co.id;DKI;;"
             "\"Jl. Kramat 1; Jakarta\";812345678;"]
    path = write(tmp_path, lines)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out, _err = run(path)

    assert out.strip() == "media.csv: 1 rows, 1 created, 0 matched, 0 refused."
    outlet = MediaOutlet.objects.get(name="Kabar Banjar")
    assert (outlet.phone, outlet.company.address, outlet.company.province.name) == (
        "0812345678", "Jl. Kramat 1; Jakarta", "DKI Jakarta")


def test_xlsx_first_sheet_with_numbers_as_excel_keeps_them(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["  nama perusahaan ", "N.P.W.P", "Nama Media", "JENIS", "Alamat Website", "Provinsi", "Catatan"])
    sheet.append(["PT Kabar Banjar", int(NPWP_A), "Kabar Banjar", "Online", "kabarbanjar.co.id", "Jatim", "x"])
    sheet.append([None] * 7)  # an empty row is left out
    sheet.append(["PT Kabar Banjar", format_npwp(NPWP_A), "Banjar TV", "Televisi", None, "Kalimantan Selatan"])
    workbook.create_sheet("Lain").append(["nothing here"])
    path = tmp_path / "media.xlsx"
    workbook.save(path)
    _out, rows = report_of(tmp_path, path)

    assert [(r["Row"], r["Outcome"]) for r in rows] == [("2", "created"), ("4", "created")]
    assert PressCompany.objects.get().npwp == NPWP_A
    assert PressCompany.objects.get().province.name == "Jawa Timur"


def test_xlsx_rows_past_the_size_the_file_claims_are_read_too(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nama Perusahaan", "NPWP", "Nama Media", "Jenis Media", "Website"])
    for number in range(1, 6):
        sheet.append(["PT Kabar Banjar", format_npwp(NPWP_A), f"Kabar {number}", "Online", f"kabar{number}.co.id"])
    saved = tmp_path / "saved.xlsx"
    workbook.save(saved)
    # Some exporters write a <dimension> smaller than the sheet; read-only openpyxl would stop there.
    path = tmp_path / "media.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C2"', data)
            target.writestr(item, data)
    _out, rows = report_of(tmp_path, path)

    assert [r["Outcome"] for r in rows] == ["created"] * 5
    assert MediaOutlet.objects.count() == 5


def test_a_title_above_the_header_is_skipped(tmp_path):
    path = write(tmp_path, ["Daftar Media Kabupaten Banjar 2026;;;", ";;;",
                            "Nama Perusahaan;NPWP;Nama Media;Jenis Media;Website",
                            f"PT Kabar Banjar;{NPWP_A};Kabar Banjar;Online;kabarbanjar.co.id"])
    _out, rows = report_of(tmp_path, path)
    assert [(r["Row"], r["Outcome"]) for r in rows] == [("4", "created")]

    workbook = openpyxl.Workbook()
    workbook.active.append(["Daftar Media Kabupaten Banjar 2026"])
    workbook.active.append(["Nama Perusahaan", "NPWP", "Nama Media", "Jenis Media", "Website"])
    workbook.active.append(["PT Kabar Banjar", NPWP_A, "Banjar Pos", "Cetak"])
    workbook.save(tmp_path / "media.xlsx")
    _out, rows = report_of(tmp_path, tmp_path / "media.xlsx")
    assert [(r["Row"], r["Outcome"]) for r in rows] == [("3", "created")]


def test_a_matched_outlet_keeps_its_media_type_and_the_report_says_so(tmp_path):
    company = PressCompanyFactory(npwp=NPWP_A)
    MediaOutletFactory(company=company, name="Banjar Pos", media_type="print")
    _out, rows = report_of(tmp_path, write(tmp_path, [HEADER, f"{company.legal_name},{NPWP_A},Banjar Pos,Radio,,,,,,"]))

    assert (rows[0]["Outcome"], rows[0]["Reason"]) == (
        "matched", "The file says Radio, the registry Print (cetak); the registry was not changed.")
    assert MediaOutlet.objects.get().media_type == "print"


@pytest.mark.parametrize("spelling, name", [
    ("DKI", "DKI Jakarta"), ("Jakarta", "DKI Jakarta"), ("dki jakarta", "DKI Jakarta"),
    ("Provinsi DKI Jakarta", "DKI Jakarta"), ("Jatim", "Jawa Timur"), ("JAWA TIMUR", "Jawa Timur"),
    ("Kalsel", "Kalimantan Selatan"), ("Prov. Kalimantan Selatan", "Kalimantan Selatan"),
    ("kalimantan-selatan", "Kalimantan Selatan"), ("D.I. Yogyakarta", "DI Yogyakarta"), ("Jogja", "DI Yogyakarta"),
    ("NTB", "Nusa Tenggara Barat"), ("63", "Kalimantan Selatan"),
])
def test_province_spellings(spelling, name):
    assert province_index()[province_key(spelling)] == Province.objects.get(name=name).pk


def test_unreadable_files_and_missing_columns_stop_the_command(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "nothing.csv")
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "nothing.xlsx")
    with pytest.raises(CommandError, match="old Excel file"):
        run(tmp_path / "nothing.xls")
    with pytest.raises(CommandError, match="no column “NPWP”"):
        run(write(tmp_path, ["Nama Perusahaan,Nama Media,Jenis Media", "PT A,Kabar A,Online"]))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="not a readable XLSX"):
        run(broken)
    with pytest.raises(CommandError, match="is empty"):
        run(write(tmp_path, [""]))


def test_the_queries_of_a_rerun_do_not_grow_with_the_rows(tmp_path, django_assert_max_num_queries):
    lines = [HEADER] + [f"PT Pers {n},{make_npwp(7100 + n)},Kabar {n},Online,kabar{n}.id,Kalsel,,,,"
                        for n in range(40)]
    path = write(tmp_path, lines)
    run(path)
    # Provinces, companies by NPWP, outlets by website, outlets by name in those companies, and the run's
    # transaction (a savepoint and its release inside the test's): the same six for 40 rows as for one.
    with django_assert_max_num_queries(6):
        out, _err = run(path)
    assert "0 created, 40 matched" in out


def test_templates_from_the_command(tmp_path):
    run("--template", tmp_path / "t.xlsx")
    run("--template", tmp_path / "t.csv")

    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert workbook.sheetnames == ["Media", "Petunjuk"]
    rows = list(workbook["Media"].iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_HEADERS and rows[1][0] == "PT Kabar Banjar Mandiri"
    guide = [row for row in workbook["Petunjuk"].iter_rows(values_only=True) if row[0]]
    assert [row[0] for row in guide[1:]] == TEMPLATE_HEADERS
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbfNama Perusahaan,NPWP,")
    # The example row is what the importer takes.
    out, _err = run(tmp_path / "t.xlsx", "--dry-run")
    assert "1 created" in out
    out, _err = run(tmp_path / "t.csv", "--dry-run")
    assert "1 created" in out
    with pytest.raises(CommandError):
        run("--template", tmp_path / "t.ods")
    with pytest.raises(CommandError):
        run()


# --- the admin's buttons -------------------------------------------------------------------------------------


def test_outlet_list_offers_the_templates_to_who_may_add_outlets(client):
    adder = StaffUserFactory(permissions=["partners.view_mediaoutlet", "partners.add_mediaoutlet"])
    viewer = StaffUserFactory(permissions=["partners.view_mediaoutlet"])
    xlsx_url = reverse("admin:partners_mediaoutlet_import_template", args=["xlsx"])
    csv_url = reverse("admin:partners_mediaoutlet_import_template", args=["csv"])

    client.force_login(adder)
    page = client.get(reverse("admin:partners_mediaoutlet_changelist")).content.decode()
    assert xlsx_url in page and csv_url in page
    response = client.get(xlsx_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="template-import-media.xlsx"' in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["Media", "Petunjuk"]
    response = client.get(csv_url)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbfNama Perusahaan")
    assert client.get(reverse("admin:partners_mediaoutlet_import_template", args=["ods"])).status_code == 404
    assert client.post(xlsx_url).status_code == 405

    client.force_login(viewer)
    page = client.get(reverse("admin:partners_mediaoutlet_changelist")).content.decode()
    assert xlsx_url not in page and csv_url not in page
    assert client.get(xlsx_url).status_code == 403
