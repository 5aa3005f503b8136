"""Trigram indexes so that the admin's case-insensitive name search stays an index scan at 50,000
rows (docs/architecture.md "Performance")."""

from django.db import migrations

INDEXES = [
    ("company_legal_name_trgm", "partners_presscompany", "legal_name"),
    ("outlet_name_trgm", "partners_mediaoutlet", "name"),
    ("outletdomain_domain_trgm", "partners_outletdomain", "domain"),
]


def create(apps, schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        # The admin's icontains lookup compiles to UPPER(column::text) LIKE UPPER(...): index that expression.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_reference_data")]
    operations = [migrations.RunPython(create, drop)]
