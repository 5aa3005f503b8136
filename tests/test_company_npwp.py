"""A press company's NPWP: one rule (partners.identifiers.normalize_company_npwp) for every place it is
typed, the database and the eligibility rule. Refused: a person's NIK and the all-zero placeholder of
tax invoices (00.000.000.0-000.000, which passes the Luhn check)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from mediareg.models import AuditEvent
from partners.identifiers import normalize_company_npwp, normalize_npwp
from partners.models import PressCompany
from tests.apply_helpers import APPLY, assert_refused_and_nothing_stored, error_beside, form_data, form_files
from tests.factories import PressCompanyFactory
from tests.test_admin_registry import company_form_data, errors_of
from tests.test_eligibility_rules import eligible_facts, failing, reason

PLACEHOLDERS = ["00.000.000.0-000.000", "000000000000000", "0000000000000000", "00.000.000.0-091.000"]
A_NIK = "3171014101900001"  # a valid NIK: a resident woman born 1 January 1990
AN_INVALID_NIK = "3171014113900001"  # NIK-shaped, but month 13


@pytest.mark.parametrize("typed", PLACEHOLDERS)
def test_the_invoice_placeholder_is_not_an_npwp(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_npwp(typed)
    assert caught.value.code == "npwp_placeholder"


@pytest.mark.parametrize("typed", [A_NIK, AN_INVALID_NIK, "3171-0141-0190-0001"])
def test_any_nik_shaped_number_is_refused_as_a_company_npwp_with_the_same_reason(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_company_npwp(typed)
    assert caught.value.code == "npwp_is_nik"


def test_a_company_npwp_in_either_form_is_accepted():
    assert normalize_company_npwp("01.312.166.0-091.000") == normalize_company_npwp("0013121660091000")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["00.000.000.0-000.000", A_NIK])
def test_the_admin_refuses_them_beside_the_field(admin_client, typed):
    response = admin_client.post(reverse("admin:partners_presscompany_add"), company_form_data(npwp=typed))
    assert response.status_code == 200
    assert errors_of(response, "npwp")
    assert not PressCompany.objects.exists()


@pytest.mark.django_db
def test_the_admin_explains_the_placeholder_in_indonesian(admin_client):
    response = admin_client.post(reverse("admin:partners_presscompany_add"),
                                 company_form_data(npwp="00.000.000.0-000.000"))
    (message,) = errors_of(response, "npwp")
    assert message.startswith("00.000.000.0-000.000 adalah nomor pengganti")


@pytest.mark.django_db
def test_the_public_form_refuses_the_placeholder(client, django_capture_on_commit_callbacks,
                                                private_document_storage):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, {**form_data(npwp="00.000.000.0-000.000"), **form_files()})
    assert_refused_and_nothing_stored(response, private_document_storage)
    assert "00.000.000.0-000.000" in error_beside(response, "npwp")


@pytest.mark.django_db
def test_the_model_refuses_them_when_cleaned():
    for typed in ("00.000.000.0-000.000", A_NIK):
        company = PressCompanyFactory.build(npwp=typed)
        with pytest.raises(ValidationError) as caught:
            company.full_clean()
        assert "npwp" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("stored", [A_NIK, "0000000000000000", "0000000000091000"])
def test_the_database_refuses_them_whatever_writes(stored):
    company = PressCompanyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PressCompany.objects.filter(pk=company.pk).update(npwp=stored)


def test_the_eligibility_rule_refuses_the_placeholder_and_a_nik_with_their_reasons():
    assert "npwp" in failing(eligible_facts(npwp="0000000000000000"))
    assert "placeholder" in reason(eligible_facts(npwp="0000000000000000"), "npwp")
    assert "NIK" in reason(eligible_facts(npwp=A_NIK), "npwp")
    assert "NIK" in reason(eligible_facts(npwp=AN_INVALID_NIK), "npwp")
    assert "not valid" in reason(eligible_facts(npwp="0013121661091000"), "npwp")
    assert "npwp" not in failing(eligible_facts(npwp="0013121660091000"))


BEFORE, CONSTRAINTS = ("partners", "0005_name_order_indexes"), ("partners", "0006_company_npwp_not_nik_or_placeholder")


@pytest.mark.django_db
def test_the_migration_empties_a_stored_placeholder_and_the_audit_trail_keeps_it():
    """The forms accepted the placeholder until now; the constraints must not fail on such a row.
    PostgreSQL changes schemas inside the test's transaction, which rolls it all back afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("partners", "PressCompany")
    placeholder = old.objects.create(legal_name="PT Tanpa NPWP", npwp="0000000000000000")
    kept = old.objects.create(legal_name="PT Ber-NPWP", npwp="0013121660091000")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
    executor = MigrationExecutor(connection)
    executor.migrate([CONSTRAINTS])
    # Back to the latest schema: migrating partners back took the apps that build on it back too, and
    # the audit trail reads every app's event tables.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert PressCompany.objects.get(pk=placeholder.pk).npwp is None
    assert PressCompany.objects.get(pk=kept.pk).npwp == "0013121660091000"
    (update,) = [e for e in AuditEvent.objects.filter(pgh_obj_model="partners.PressCompany",
                                                      pgh_obj_id=str(placeholder.pk)) if e.pgh_label == "update"]
    assert update.pgh_diff["npwp"] == ["0000000000000000", None]
    assert update.pgh_context["actor"] == "system:migration partners.0006"
