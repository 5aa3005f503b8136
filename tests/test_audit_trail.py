"""Every change to the registry leaves an audit event, whichever path wrote it (docs/architecture.md)."""

import getpass
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.urls import reverse

from mediareg.audit import audit_context
from mediareg.models import AuditEvent
from partners.models import Document, PressCompany
from tests.factories import DocumentFactory, PressCompanyFactory

pytestmark = pytest.mark.django_db


def events_of(obj):
    return list(AuditEvent.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))


def test_admin_edit_records_the_user_and_the_change(admin_client, admin_user):
    company = PressCompanyFactory(legal_name="PT Lama")
    data = {
        "legal_name": "PT Baru", "legal_form": company.legal_form, "npwp": company.npwp, "nib": company.nib,
        "address": "", "province": "", "regency_city": "", "postal_code": "", "email": "", "phone": "",
        "outlets-TOTAL_FORMS": "0", "outlets-INITIAL_FORMS": "0",
        "owners-TOTAL_FORMS": "0", "owners-INITIAL_FORMS": "0",
        "bank_accounts-TOTAL_FORMS": "0", "bank_accounts-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:partners_presscompany_change", args=[company.pk]), data)
    assert response.status_code == 302
    update = [event for event in events_of(company) if event.pgh_label == "update"][-1]
    assert update.pgh_diff["legal_name"] == ["PT Lama", "PT Baru"]
    assert update.pgh_context["user"] == admin_user.pk
    assert update.pgh_context["url"].endswith(f"/{company.pk}/change/")


def test_bulk_update_and_admin_action_are_recorded_once_per_changed_row(admin_client):
    documents = DocumentFactory.create_batch(4)
    with audit_context(actor="system:test"):
        Document.objects.filter(pk__in=[d.pk for d in documents[:2]]).update(number="BARU")
    for document in documents[:2]:
        updates = [e for e in events_of(document) if e.pgh_label == "update"]
        assert len(updates) == 1 and updates[0].pgh_context["actor"] == "system:test"
    for document in documents[2:]:
        assert [e.pgh_label for e in events_of(document)] == ["insert"]

    admin_client.post(reverse("admin:partners_document_changelist"),
                      {"action": "accept_documents", "_selected_action": [d.pk for d in documents]})
    for document in documents:
        assert [e.pgh_label for e in events_of(document)].count("update") == (2 if document in documents[:2] else 1)


def test_saving_without_a_change_writes_no_event():
    company = PressCompanyFactory()
    company.save()
    assert [e.pgh_label for e in events_of(company)] == ["insert"]


def test_deletion_is_recorded():
    company = PressCompanyFactory()
    pk = company.pk
    PressCompany.objects.filter(pk=pk).delete()
    assert AuditEvent.objects.filter(pgh_obj_model="partners.PressCompany", pgh_obj_id=str(pk),
                                     pgh_label="delete").count() == 1


def test_audit_trail_page_shows_a_company_and_its_parts(admin_client):
    document = DocumentFactory()
    url = reverse("admin:mediareg_auditevent_changelist")
    response = admin_client.get(url, {"obj": f"partners.presscompany:{document.company_id}", "method": "references"})
    assert response.status_code == 200
    models_seen = {event.pgh_model for event in response.context["cl"].result_list}
    assert {"partners.PressCompanyEvent", "partners.DocumentEvent"} <= models_seen


def test_auditor_sees_the_trail_and_cannot_change_the_registry(client):

    from tests.factories import StaffUserFactory

    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    company = PressCompanyFactory()
    assert client.get(reverse("admin:mediareg_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_presscompany_change", args=[company.pk])).status_code == 200
    response = client.post(reverse("admin:partners_presscompany_change", args=[company.pk]), {"legal_name": "X"})
    assert response.status_code == 403


def test_rejecting_twice_with_the_same_reason_records_one_decision(admin_user):
    from partners.services import documents_reject

    document = DocumentFactory()
    queryset = Document.objects.filter(pk=document.pk)
    assert documents_reject(queryset, by=admin_user, reason="Buram") == 1
    first = Document.objects.get(pk=document.pk).reviewed_at
    assert documents_reject(queryset, by=admin_user, reason="Buram") == 0
    assert Document.objects.get(pk=document.pk).reviewed_at == first
    assert [e.pgh_label for e in events_of(document)].count("update") == 1
    assert documents_reject(queryset, by=admin_user, reason="Tidak terbaca") == 1  # a new reason is a new decision


@pytest.mark.django_db(transaction=True)
def test_a_change_made_in_manage_py_shell_names_the_command_and_the_operating_system_account():
    """Commands run without a signed-in user: the audit trail names the command and who ran it."""
    company = PressCompanyFactory(legal_name="PT Lama")
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))}
    code = ("from partners.models import PressCompany; "
            f"PressCompany.objects.filter(pk={company.pk}).update(legal_name='PT Baru')")
    subprocess.run(  # noqa: S603 (our interpreter, our command)
        [sys.executable, "manage.py", "shell", "-c", code], cwd=Path(__file__).resolve().parent.parent,
        env=env, check=True, timeout=120, capture_output=True)
    (update,) = [event for event in events_of(company) if event.pgh_label == "update"]
    assert update.pgh_diff["legal_name"] == ["PT Lama", "PT Baru"]
    assert update.pgh_context["actor"] == "command:shell"
    assert update.pgh_context["os_user"] == getpass.getuser()
