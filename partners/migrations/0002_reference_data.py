"""Provinces (Kemendagri codes) and the KBLI codes a press company's NIB may list (docs/domain.md "Legal form and KBLI")."""

from django.db import migrations

PROVINCES = [
    ("11", "Aceh"), ("12", "Sumatera Utara"), ("13", "Sumatera Barat"), ("14", "Riau"), ("15", "Jambi"),
    ("16", "Sumatera Selatan"), ("17", "Bengkulu"), ("18", "Lampung"), ("19", "Kepulauan Bangka Belitung"),
    ("21", "Kepulauan Riau"), ("31", "DKI Jakarta"), ("32", "Jawa Barat"), ("33", "Jawa Tengah"),
    ("34", "DI Yogyakarta"), ("35", "Jawa Timur"), ("36", "Banten"), ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"), ("53", "Nusa Tenggara Timur"), ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"), ("63", "Kalimantan Selatan"), ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"), ("71", "Sulawesi Utara"), ("72", "Sulawesi Tengah"), ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"), ("75", "Gorontalo"), ("76", "Sulawesi Barat"), ("81", "Maluku"),
    ("82", "Maluku Utara"), ("91", "Papua"), ("92", "Papua Barat"), ("93", "Papua Selatan"),
    ("94", "Papua Tengah"), ("95", "Papua Pegunungan"), ("96", "Papua Barat Daya"),
]

KBLI = [
    ("58130", "Penerbitan surat kabar, jurnal dan buletin atau majalah", True),
    ("63122", "Portal web dan/atau platform digital dengan tujuan komersial", True),
    ("63912", "Kegiatan kantor berita oleh swasta", True),
    ("60202", "Aktivitas penyiaran dan pemrograman televisi swasta", True),
    ("60102", "Aktivitas radio swasta", True),
    ("73100", "Periklanan", False),
    ("82302", "Penyelenggara acara khusus (event organizer)", False),
    ("18111", "Industri pencetakan umum", False),
    ("74142", "Aktivitas desain komunikasi visual", False),
]


def load(apps, schema_editor):
    Province = apps.get_model("partners", "Province")
    KbliCode = apps.get_model("partners", "KbliCode")
    for code, name in PROVINCES:
        Province.objects.update_or_create(code=code, defaults={"name": name})
    for code, title, is_press in KBLI:
        KbliCode.objects.update_or_create(code=code, defaults={"title": title, "is_press": is_press})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
