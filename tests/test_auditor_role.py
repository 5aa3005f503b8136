"""The Auditor role (issue 11): view permission on every model of the admin and nothing else but the files;
every document and proof file taken out by anyone is written to the data access log, which auditors read;
and the admin's "Export selected as CSV" gives the selected rows as the report's CSV, logged like
/reports/. The walk over every admin page and action is tests/test_auditor_walk.py."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services as budgets
from catalog.eligibility import recheck_outlets
from catalog.models import EligibilityChange
from mediareg import admin_helpers
from mediareg.admin_helpers import staff_name
from mediareg.models import DataAccess
from mediareg.reports import base as reports_base
from mediareg.roles import ROLE_PERMISSIONS
from partners.demo.files import pdf_bytes
from tests.budget_helpers import approved_price, listed_eligible_outlet, make_budget, place
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, StaffUserFactory
from tests.test_every_page_language import everything  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

# The only permissions of the role that are not "view": reading the files (documents, proofs, the evidence of
# spend outside the catalog), and seeing every agency's budgets.
BEYOND_VIEWING = {"partners.download_document", "budgets.download_proof", "budgets.download_spend_evidence",
                  "budgets.view_every_agency"}


def admins_and_inlines():
    """Every ModelAdmin of the site and every inline on its pages, with its model."""
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline_class in model_admin.inlines:
            yield inline_class.model, inline_class(model, admin.site)


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- the role ----------------------------------------------------------------------------------------


def test_every_permission_a_role_lists_exists():
    """A misspelt name would be skipped silently by ensure_roles: each must be a real permission."""
    for role, names in ROLE_PERMISSIONS.items():
        for name in names:
            app_label, codename = name.split(".", 1)
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), \
                f"{role}: no permission {name}"


def test_the_auditor_sees_every_model_of_the_admin_and_its_inlines(auditor):
    """Derived from the admin's registry, so a model registered later without the auditor's view permission
    fails here: add its view permission to mediareg/roles.py."""
    request = as_request(auditor)
    missing = [f"{model._meta.label} ({type(model_admin).__name__})" for model, model_admin in admins_and_inlines()
               if not model_admin.has_view_permission(request)]
    assert missing == [], f"the Auditor group cannot see: {missing}"


def test_the_auditor_may_add_change_or_delete_nothing_in_the_admin(auditor):
    request = as_request(auditor)
    allowed = []
    for model, model_admin in admins_and_inlines():
        inline = isinstance(model_admin, InlineModelAdmin)  # an inline's add check takes the parent object
        checks = {"add": model_admin.has_add_permission(request, None) if inline
                  else model_admin.has_add_permission(request),
                  "change": model_admin.has_change_permission(request, None),
                  "delete": model_admin.has_delete_permission(request, None)}
        allowed += [f"{what} {model._meta.label} ({type(model_admin).__name__})" for what, yes in checks.items() if yes]
    assert allowed == []


def test_the_api_s_default_lets_the_auditor_read_every_model_and_write_none(auditor):
    """No API exists yet (issue 12); its default permission (mediareg.permissions) already answers for an
    endpoint over any model of the admin: reading yes, every writing method no."""
    from types import SimpleNamespace

    from mediareg.permissions import ModelPermissions

    permission, wrong = ModelPermissions(), []
    for model in admin.site._registry:
        view = SimpleNamespace(queryset=model._default_manager.none())
        for method in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"):
            allowed = permission.has_permission(SimpleNamespace(user=auditor, method=method), view)
            if allowed != (method in ("GET", "HEAD", "OPTIONS")):
                wrong.append(f"{method} {model._meta.label}: {allowed}")
    assert wrong == []


def test_the_auditor_holds_only_view_permissions_and_the_files():
    granted = {f"{p.content_type.app_label}.{p.codename}"
               for p in Group.objects.get(name="Auditor").permissions.select_related("content_type")}
    assert {name for name in granted if not name.split(".", 1)[1].startswith("view_")} <= BEYOND_VIEWING
    assert BEYOND_VIEWING <= granted
    # The periodic jobs, the login records, the failed tasks, the outbox, the access log and who has
    # which role, named in the issue and the README.
    assert {"django_celery_beat.view_periodictask", "django_celery_beat.view_crontabschedule",
            "axes.view_accessattempt", "mediareg.view_deadletter", "mediareg.view_dataaccess",
            "mediareg.view_outgoingmail", "mediareg.view_auditevent", "auth.view_user", "auth.view_group"} <= granted


def test_the_auditor_sees_who_has_which_role_but_changes_nobody(client, auditor):
    officer = StaffUserFactory(username="anggaran.uji", groups=["Petugas Anggaran"])
    client.force_login(auditor)
    users = client.get(reverse("admin:auth_user_changelist"))
    assert users.status_code == 200 and "anggaran.uji" in users.content.decode()
    page = client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert "anggaran.uji" in page.content.decode() and "Petugas Anggaran" in page.content.decode()
    assert "/password/" not in page.content.decode()  # the password form refuses them: no link to it
    assert client.get(reverse("admin:auth_group_change", args=[Group.objects.get(name="Auditor").pk])).status_code \
        == 200
    assert client.post(reverse("admin:auth_user_change", args=[officer.pk]), {"is_superuser": "on"}).status_code \
        == 403
    assert client.post(reverse("admin:auth_user_password_change", args=[officer.pk]),
                       {"password1": "x-Very-long-1", "password2": "x-Very-long-1"}).status_code == 403


def test_the_periodic_jobs_actions_are_not_offered_to_auditors(client, auditor):
    """django-celery-beat's own actions name no permission: without ours an auditor could switch jobs off."""
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.order_by("pk").first()
    client.force_login(auditor)
    page = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert page.status_code == 200 and "disable_tasks" not in page.content.decode()
    response = client.post(reverse("admin:django_celery_beat_periodictask_changelist"),
                           {"action": "disable_tasks", "_selected_action": [task.pk], "index": 0})
    # No action of the list is open to the auditor: Django shows the list again, and changes nothing.
    assert response.status_code == 200 and response.context["cl"].result_count
    task.refresh_from_db()
    assert task.enabled is True
    superuser = StaffUserFactory(is_superuser=True)
    client.force_login(superuser)
    assert "disable_tasks" in client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()


# --- the files and their log -------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def order_with_proof():
    budget = make_budget(year=2026)
    order = place(budget, approved_price(listed_eligible_outlet("Warta Bukti")))
    proof = SimpleUploadedFile("bukti tayang.pdf", pdf_bytes("Bukti tayang"), content_type="application/pdf")
    return budgets.order_publish(order, proof_file=proof, user=None, today=order.proof_due_on)


def logged() -> list[tuple]:
    return list(DataAccess.objects.order_by("pk").values_list("kind", "name", "user__username", "filters"))


def test_each_document_download_and_preview_is_logged_with_who(client, auditor):
    document = DocumentFactory()
    client.force_login(auditor)

    download = client.get(document.get_download_url())
    assert download.status_code == 200 and body(download).startswith(b"%PDF-")
    preview = client.get(document.get_preview_url())
    assert preview.status_code == 200 and preview["Content-Disposition"].startswith("inline;")
    earlier = client.get(reverse("partners:document-earlier-file", args=[document.pk, document.file.name]))
    assert earlier.status_code == 200

    assert logged() == [
        ("document_download", str(document.pk), "auditor.uji", {}),
        ("document_preview", str(document.pk), "auditor.uji", {}),
        ("document_download", str(document.pk), "auditor.uji", {"earlier_file": document.file.name}),
    ]


def test_a_preview_that_falls_back_to_a_download_is_logged_as_a_download(client):
    document = DocumentFactory()
    document.file.save("catatan.txt", SimpleUploadedFile("catatan.txt", b"plain text"), save=True)
    member = StaffUserFactory(username="rina", permissions=["partners.download_document"])
    client.force_login(member)
    assert client.get(document.get_preview_url())["Content-Disposition"].startswith("attachment;")
    assert logged() == [("document_download", str(document.pk), "rina", {})]


def test_a_refused_or_missing_file_is_not_logged(client):
    document = DocumentFactory()
    client.force_login(StaffUserFactory(permissions=["partners.view_document"]))
    assert client.get(document.get_download_url()).status_code == 403
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    assert client.get(reverse("partners:document-download", args=[999999])).status_code == 404
    assert DataAccess.objects.count() == 0


def test_each_proof_download_and_preview_is_logged_with_who(client, auditor, order_with_proof):
    client.force_login(auditor)
    download = client.get(reverse("order-proof", args=[order_with_proof.pk]))
    assert download.status_code == 200 and body(download).startswith(b"%PDF-")
    preview = client.get(reverse("order-proof-preview", args=[order_with_proof.pk]))
    assert preview.status_code == 200 and preview["Content-Disposition"].startswith("inline;")
    assert logged() == [("proof_download", str(order_with_proof.pk), "auditor.uji", {}),
                        ("proof_preview", str(order_with_proof.pk), "auditor.uji", {})]


def test_the_auditor_reads_the_log_with_links_to_the_document_and_the_order(client, auditor, order_with_proof):
    document = DocumentFactory()
    officer = StaffUserFactory(username="rina", first_name="Rina", last_name="Wati",
                               permissions=["partners.download_document"])
    client.force_login(officer)
    body(client.get(document.get_download_url()))
    client.force_login(auditor)
    body(client.get(reverse("order-proof-preview", args=[order_with_proof.pk])))

    page = client.get(reverse("admin:mediareg_dataaccess_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("admin:partners_document_change", args=[document.pk]) in html
    assert reverse("admin:budgets_mediaorder_change", args=[order_with_proof.pk]) in html
    assert "Rina Wati" in html and staff_name(auditor) in html  # who, by name
    entry = DataAccess.objects.get(kind="document_download")
    assert client.get(reverse("admin:mediareg_dataaccess_change", args=[entry.pk])).status_code == 200
    # Nobody edits or removes the log, auditors least of all.
    assert client.post(reverse("admin:mediareg_dataaccess_delete", args=[entry.pk]), {"post": "yes"}).status_code \
        == 403
    assert DataAccess.objects.filter(pk=entry.pk).exists()


# --- "Export selected as CSV" --------------------------------------------------------------------------

HISTORY_LIST = "/admin/catalog/eligibilitychange/"


@pytest.fixture
def history():
    outlets = [eligible_outlet(name=name) for name in ("Warta Satu", "Warta Dua", '=HYPERLINK("http://x","y")')]
    recheck_outlets([outlet.pk for outlet in outlets], trigger="staff")
    return list(EligibilityChange.objects.order_by("pk"))


def export(client, url, selected, **extra):
    return client.post(url, {"action": "export_selected_csv", "_selected_action": [row.pk for row in selected],
                             "index": 0, **extra})


def read_csv(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_action_exports_exactly_the_selected_rows_and_is_logged(client, auditor, history):
    client.force_login(auditor)
    assert "export_selected_csv" in client.get(HISTORY_LIST).content.decode()
    selected = [history[0], history[2]]

    response = export(client, HISTORY_LIST, selected)

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mediareg-eligibility-history-full-')
    rows = read_csv(response)
    assert rows[1][0] == "waktu"  # the header in the person's language, Indonesian by default
    assert sorted(row[1] for row in rows[2:]) == sorted(str(change.outlet_id) for change in selected)
    assert "'=HYPERLINK(\"http://x\",\"y\")" in {row[2] for row in rows[2:]}  # the same inert cells
    entry = DataAccess.objects.get()
    assert (entry.user, entry.kind, entry.name, entry.file_format, entry.profile, entry.rows) == (
        auditor, "report", "eligibility-history", "csv", "full", 2)
    assert entry.filters == {"ids": sorted(change.pk for change in selected)}


def test_the_action_gives_the_same_file_as_the_reports_page(client, auditor, history):
    client.force_login(auditor)
    from_list = read_csv(export(client, HISTORY_LIST, history))
    from_page = read_csv(client.get("/reports/eligibility-history.csv"))
    assert from_list[1:] == from_page[1:]  # after the title line, which names the moment


def test_a_list_whose_report_does_not_exist_offers_no_export(client, auditor, history, monkeypatch):
    monkeypatch.delitem(reports_base.REGISTRY, "eligibility-history")
    client.force_login(auditor)
    assert "export_selected_csv" not in client.get(HISTORY_LIST).content.decode()
    response = export(client, HISTORY_LIST, history[:1])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")  # the list again
    assert DataAccess.objects.count() == 0


def test_too_large_a_selection_is_sent_to_the_reports_page(english, auditor, history, monkeypatch):
    monkeypatch.setattr(admin_helpers, "EXPORT_SELECTION_LIMIT", 2)
    english.force_login(auditor)
    response = export(english, HISTORY_LIST, history)
    assert response.status_code == 302
    assert "take the whole report from the reports page" in english.get(response.url).content.decode()
    assert DataAccess.objects.count() == 0


def test_the_export_runs_the_same_queries_for_1_and_all_rows(client, auditor, history):
    client.force_login(auditor)
    counts = []
    for selected in (history[:1], history):
        with CaptureQueriesContext(connection) as queries:
            read_csv(export(client, HISTORY_LIST, selected))
        counts.append(len(queries))
    assert counts[0] == counts[1]


EXPORTING_LISTS = {"partners.MediaOutlet": "outlets", "partners.Document": "documents",
                   "catalog.EligibilityChange": "eligibility-history", "budgets.MediaOrder": "spend-ledger"}


def test_the_main_lists_offer_the_export_of_their_report():
    exporting = {model._meta.label: model_admin.export_report for model, model_admin in admin.site._registry.items()
                 if isinstance(model_admin, admin_helpers.ExportSelectedMixin)}
    assert exporting == EXPORTING_LISTS


@pytest.mark.parametrize("label", sorted(EXPORTING_LISTS))
def test_each_list_exports_one_selected_row_as_one_row_once_its_report_exists(
        client, auditor, everything, label):  # noqa: F811
    """Each list offers the action exactly when its report is registered (the outlets, documents and spend
    ledger reports come with other parts of issue 11), and the report then takes only the selected row
    (``ReportFilters.ids``): one record, one row of the file."""
    model = apps.get_model(label)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.force_login(auditor)
    page = client.get(changelist)
    report = reports_base.get_report(EXPORTING_LISTS[label])
    assert ("export_selected_csv" in page.content.decode()) == (report is not None)
    if report is None:
        return
    first = page.context["cl"].result_list[0]
    assert len(page.context["cl"].result_list) > 1 or model.objects.count() > 1, "select one row among several"
    rows = read_csv(export(client, changelist, [first]))
    assert len(rows) == 2 + 1, f"{report.name}: one selected record gave {len(rows) - 2} rows"
