"""The demo register's data: invented Jakarta press companies and their outlets, and the names, places,
numbers and wordings the plan draws from (partners.demo.plan). Data only; every name and domain is
invented.
"""

from __future__ import annotations

from ..models import CompetencyLevel, DocumentKind, LegalForm, MediaType

# The plan draws from one generator with this seed, so that every run plans the same register.
RANDOM_SEED = 2021
JAKARTA_PROVINCE_CODE = "31"

ONLINE, PRINT, TV, RADIO = MediaType.ONLINE, MediaType.PRINT, MediaType.TELEVISION, MediaType.RADIO
PT, PT_PERORANGAN = LegalForm.PT, LegalForm.PT_PERORANGAN
YAYASAN, KOPERASI = LegalForm.YAYASAN, LegalForm.KOPERASI

# (legal form, legal name, regency/city, [(outlet name, media type), ...])
COMPANIES = [
    (PT, "PT Cempaka Kabar Nusantara", "Jakarta Pusat",
     [("Kabar Cempaka", ONLINE), ("Cempaka Pagi", PRINT)]),
    (PT, "PT Lintas Menteng Media", "Jakarta Pusat", [("Lintas Menteng", ONLINE)]),
    (PT, "PT Gerbang Warta Betawi", "Jakarta Timur",
     [("Gerbang Betawi", ONLINE), ("Radio Gerbang 98,4 FM", RADIO)]),
    (PT, "PT Sunda Kelapa Pratama Media", "Jakarta Utara", [("Pelabuhan Kabar", ONLINE)]),
    (PT, "PT Teras Ibukota Multimedia", "Jakarta Selatan",
     [("Teras Ibukota", ONLINE), ("Teras Ibukota TV", TV)]),
    (PT, "PT Cahaya Monas Informasi", "Jakarta Pusat", [("Sorot Monas", ONLINE)]),
    (PT, "PT Jendela Kramat Media", "Jakarta Pusat", [("Jendela Kramat", ONLINE)]),
    (PT, "PT Arus Ciliwung Mandiri", "Jakarta Timur",
     [("Arus Ciliwung", ONLINE), ("Arus Ciliwung Mingguan", PRINT)]),
    (PT, "PT Kabar Pesisir Seribu", "Kepulauan Seribu", [("Kabar Pesisir Seribu", ONLINE)]),
    (PT, "PT Gema Tanjung Priok Media", "Jakarta Utara",
     [("Gema Priok", ONLINE), ("Radio Gema Priok 101,2 FM", RADIO)]),
    (PT, "PT Pantau Kali Besar Digital", "Jakarta Barat", [("Pantau Kali Besar", ONLINE)]),
    (PT, "PT Suluh Kebayoran Pers", "Jakarta Selatan",
     [("Suluh Kebayoran", ONLINE), ("Tabloid Suluh", PRINT)]),
    (PT, "PT Nadi Metropolitan Media", "Jakarta Barat",
     [("Nadi Metro", ONLINE), ("Nadi Metro Harian", PRINT), ("Nadi Metro TV", TV)]),
    (PT, "PT Rawamangun Cipta Informasi", "Jakarta Timur", [("Catatan Rawamangun", ONLINE)]),
    (PT, "PT Kemuning Sinar Media", "Jakarta Barat", [("Sinar Kemuning", ONLINE)]),
    (PT, "PT Semanggi Kabar Utama", "Jakarta Selatan", [("Simpang Semanggi", ONLINE)]),
    (PT, "PT Angin Timur Siaran", "Jakarta Timur", [("Radio Angin Timur 95,7 FM", RADIO)]),
    (PT, "PT Cikini Raya Multimedia", "Jakarta Pusat",
     [("Kabar Cikini", ONLINE), ("Radio Cikini 90,5 FM", RADIO)]),
    (PT, "PT Dermaga Sunter Media", "Jakarta Utara", [("Dermaga Sunter", ONLINE)]),
    (PT, "PT Laras Kota Penyiaran", "Jakarta Selatan",
     [("Laras Kota TV", TV), ("Radio Laras 103,9 FM", RADIO)]),
    (PT, "PT Ruang Warga Digital", "Jakarta Selatan", [("Ruang Warga", ONLINE)]),
    (PT, "PT Bintang Kemayoran Pers", "Jakarta Pusat",
     [("Bintang Kemayoran", ONLINE), ("Bintang Kemayoran Pekanan", PRINT)]),
    (PT, "PT Condet Lestari Media", "Jakarta Timur", [("Kabar Condet", ONLINE)]),
    (PT, "PT Lensa Grogol Media", "Jakarta Barat", [("Lensa Grogol", ONLINE)]),
    (PT, "PT Kilas Cengkareng Informasi", "Jakarta Barat", [("Kilas Cengkareng", ONLINE)]),
    (PT, "PT Pelita Marunda Media", "Jakarta Utara",
     [("Pelita Marunda", ONLINE), ("Radio Pelita Marunda 89,1 FM", RADIO)]),
    (PT, "PT Jejak Kuningan Digital", "Jakarta Selatan", [("Jejak Kuningan", ONLINE)]),
    (PT, "PT Gelora Matraman Pers", "Jakarta Timur", [("Gelora Matraman", PRINT)]),
    (PT, "PT Pilar Senayan Media", "Jakarta Pusat", [("Pilar Senayan", ONLINE), ("Pilar Senayan TV", TV)]),
    (YAYASAN, "Yayasan Cakrawala Warga Jakarta", "Jakarta Timur",
     [("Cakrawala Warga", ONLINE), ("Radio Komunitas Cakrawala 107,7 FM", RADIO)]),
    (YAYASAN, "Yayasan Literasi Pesisir Utara", "Jakarta Utara", [("Literasi Pesisir", ONLINE)]),
    (YAYASAN, "Yayasan Kabar Kampung Betawi", "Jakarta Selatan",
     [("Kabar Kampung", ONLINE), ("Kampung Betawi Bulanan", PRINT)]),
    (KOPERASI, "Koperasi Jurnalis Ibukota Sejahtera", "Jakarta Pusat", [("Lembar Ibukota", ONLINE)]),
    (KOPERASI, "Koperasi Pers Warga Cilincing", "Jakarta Utara", [("Catatan Cilincing", ONLINE)]),
    # A single-founder PT perorangan: Dewan Pers does not accept it for the press (docs/domain.md, "Legal
    # form and KBLI").
    (PT_PERORANGAN, "PT Kabar Kilat Dani Pratama", "Jakarta Barat", [("Kabar Kilat Jakarta", ONLINE)]),
]

# Companies whose NIB lists only supporting KBLI codes, no press code: not eligible.
WITHOUT_PRESS_KBLI = {
    "PT Kilas Cengkareng Informasi", "PT Dermaga Sunter Media", "Koperasi Pers Warga Cilincing",
}

PRESS_KBLI = {ONLINE: "63122", PRINT: "58130", TV: "60202", RADIO: "60102"}
SUPPORTING_KBLI = ["73100", "74142", "82302"]

# regency/city: (streets, postal code range, tax office (KPP) codes, regional tax office (Kanwil))
REGIONS = {
    "Jakarta Pusat": (
        ["Jl. Kebon Sirih", "Jl. Cikini Raya", "Jl. Salemba Raya", "Jl. Kramat Raya", "Jl. Kwitang",
         "Jl. Percetakan Negara"], (10110, 10750), ["071", "072", "073", "074"], "04"),
    "Jakarta Utara": (
        ["Jl. Yos Sudarso", "Jl. Danau Sunter Utara", "Jl. Pluit Raya", "Jl. Enggano", "Jl. Plumpang Semper"],
        (14110, 14470), ["043", "044", "045", "046"], "21"),
    "Jakarta Barat": (
        ["Jl. Panjang", "Jl. Daan Mogot", "Jl. Letjen S. Parman", "Jl. Tanjung Duren Raya",
         "Jl. Kedoya Raya"],
        (11110, 11850), ["031", "032", "033", "034", "035"], "06"),
    "Jakarta Selatan": (
        ["Jl. Kemang Raya", "Jl. Warung Buncit Raya", "Jl. Fatmawati Raya", "Jl. Ciputat Raya",
         "Jl. Tebet Raya", "Jl. Kapten Tendean"], (12110, 12960), ["012", "013", "014", "015", "016"], "05"),
    "Jakarta Timur": (
        ["Jl. Pemuda", "Jl. Pramuka", "Jl. D.I. Panjaitan", "Jl. Raya Condet", "Jl. Matraman Raya",
         "Jl. Dewi Sartika"], (13110, 13960), ["001", "002", "003", "004"], "20"),
    "Kepulauan Seribu": (
        ["Jl. Dermaga Pulau Pramuka", "Jl. Pulau Panggang", "Jl. Pulau Kelapa"],
        (14510, 14540), ["074"], "04"),
}

FIRST_NAMES = [
    "Agus", "Ahmad", "Andi", "Ani", "Arif", "Bambang", "Budi", "Citra", "Dani", "Dewi", "Dimas", "Eka",
    "Fajar", "Fitri", "Gilang", "Hadi", "Hendra", "Indah", "Irfan", "Joko", "Kartika", "Lestari", "Maya",
    "Nur", "Putri", "Rahmat", "Rina", "Rizki", "Sari", "Siti", "Taufik", "Teguh", "Wahyu", "Wulan", "Yanti",
    "Yusuf",
]
LAST_NAMES = [
    "Hidayat", "Kurniawan", "Lubis", "Nasution", "Pratama", "Purba", "Rahmawati", "Saputra", "Setiawan",
    "Siregar", "Situmorang", "Susanto", "Wibowo", "Wijaya", "Hakim", "Harahap", "Gunawan", "Permana",
    "Santoso", "Utami", "Maulana", "Ramadhan", "Syahputra", "Handayani",
]
UKW_ORGANISATIONS = ["PWI", "AJI", "IJTI", "LPDS", "UPDM"]
UKW_CODE = {CompetencyLevel.MUDA: "WM", CompetencyLevel.MADYA: "WMd", CompetencyLevel.UTAMA: "WU"}
# Legal entity approvals from the Ministry of Law (AHU) carry a code for the kind of entity.
AHU_CODE = {PT: "01.01", YAYASAN: "01.04", KOPERASI: "01.26", PT_PERORANGAN: "01.30"}

REJECTION_REASONS = [
    "Pindaian tidak terbaca; unggah ulang dengan resolusi yang lebih baik.",
    "Nama badan hukum pada dokumen tidak sama dengan akta pendirian.",
    "Nomor NPWP pada dokumen berbeda dengan data perusahaan.",
    "Halaman pengesahan dan tanda tangan tidak lengkap.",
    "Dokumen sudah tidak berlaku pada saat diunggah.",
    "Dokumen yang diunggah bukan dokumen yang diminta.",
]

# kind: (title on the demo PDF, original file name stem)
DOCUMENT_TITLES = {
    DocumentKind.DEED: ("Akta Pendirian", "akta-pendirian"),
    DocumentKind.DEED_AMENDMENT: ("Akta Perubahan", "akta-perubahan"),
    DocumentKind.LAW_MINISTRY_APPROVAL: ("SK Pengesahan Kemenkumham", "sk-kemenkumham"),
    DocumentKind.NIB: ("Nomor Induk Berusaha (NIB)", "nib-oss"),
    DocumentKind.NPWP_CARD: ("Kartu NPWP Badan", "npwp-badan"),
    DocumentKind.KSWP: ("Konfirmasi Status Wajib Pajak (KSWP)", "kswp"),
    DocumentKind.SKF: ("Surat Keterangan Fiskal", "skf"),
    DocumentKind.ANNUAL_TAX_RETURN: ("Bukti Penerimaan SPT Tahunan PPh Badan", "spt-tahunan"),
    DocumentKind.PKP_LETTER: ("Surat Pengukuhan PKP", "surat-pkp"),
    DocumentKind.BANK_ACCOUNT_LETTER: ("Surat Keterangan Rekening Bank", "rekening-perusahaan"),
    DocumentKind.PRESS_COUNCIL_CERTIFICATE: ("Sertifikat Verifikasi Dewan Pers", "sertifikat-dewan-pers"),
    DocumentKind.EDITORIAL_BOX: ("Box Redaksi", "box-redaksi"),
    DocumentKind.RATE_CARD: ("Rate Card Iklan dan Advertorial", "rate-card"),
    DocumentKind.COMPETENCY_CERTIFICATE: ("Sertifikat Uji Kompetensi Wartawan", "sertifikat-ukw"),
    DocumentKind.BROADCAST_LICENCE: ("Izin Penyelenggaraan Penyiaran (IPP)", "ipp"),
    DocumentKind.OTHER: ("Foto Kantor dan Papan Nama", "foto-kantor"),
}

# A broadcasting licence (IPP) runs ten years for television, five for radio.
BROADCAST_LICENCE_YEARS = {TV: 10, RADIO: 5}

# Besides the three levels, the plan marks factual certificates that are past, or within a few
# weeks of, the end of their five years.
LAPSED, LAPSING = "factual-lapsed", "factual-lapsing"

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
