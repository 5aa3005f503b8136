from django.db import migrations, models

PLACEHOLDER_PREFIX = "0" * 10  # identifiers.PLACEHOLDER_NPWP_PREFIX, frozen here as migrations must be


def clear_npwps_that_name_no_company(apps, schema_editor):
    """Rows the new constraints would refuse lose their NPWP before the constraints are added.

    Every form already refused a NIK (so none is expected), but the invoice placeholder
    00.000.000.0-000.000 passed them. Neither identifies the company: empty is what the admin asks
    for when the NPWP is not known, and the eligibility rule fails such a company until staff enter
    the real number. The audit trail keeps the old value (its trigger records this update)."""
    from mediareg.audit import audit_context

    PressCompany = apps.get_model("partners", "PressCompany")
    offending = PressCompany.objects.filter(npwp__isnull=False).filter(
        ~models.Q(npwp__startswith="0") | models.Q(npwp__startswith=PLACEHOLDER_PREFIX))
    with audit_context(actor="system:migration partners.0006"):
        for pk, name in offending.values_list("pk", "legal_name"):
            print(f"\n  Company {pk} ({name}): its NPWP was a NIK or the invoice placeholder and is now "
                  "empty; the audit trail keeps the old value.", end="")
        offending.update(npwp=None)


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_name_order_indexes'),
    ]

    operations = [
        migrations.RunPython(clear_npwps_that_name_no_company, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='presscompany',
            constraint=models.CheckConstraint(condition=models.Q(('npwp__isnull', True), ('npwp__startswith', '0'), _connector='OR'), name='company_npwp_not_nik', violation_error_message="A press company's NPWP cannot be a person's NIK."),
        ),
        migrations.AddConstraint(
            model_name='presscompany',
            constraint=models.CheckConstraint(condition=models.Q(('npwp__isnull', True), models.Q(('npwp__startswith', '0000000000'), _negated=True), _connector='OR'), name='company_npwp_not_placeholder', violation_error_message='The invoice placeholder 00.000.000.0-000.000 is not an NPWP.'),
        ),
    ]
