"""An auditor sees everything and changes nothing (issue 11): every URL of every ModelAdmin of the site
(admin.site._registry, so a model or a page added later is walked without editing this file) is asked
with GET and with POST, and every action of every list is posted, as a member of the Auditor group, with a
row of every model in the database (the `everything` fixture of tests/test_every_page_language.py).

- GET: the lists, the record pages and their history answer 200, view-only; an add or delete page, and the
  decision and step pages (custom URLs from ModelAdmin.get_urls), refuse.
- POST: 403, 405, or a redirect to a page, or the list or history page shown again; never a change. The
  only action that succeeds is "Export selected as CSV", which writes a line in the data access log and
  nothing else.
- The database: every row of every table (the audit trail's events among them) is the same after each
  admin's walk as before it, apart from the data access log, whose new lines are exactly the auditor's
  exports.
- /reports/ and the report files answer GET and refuse POST.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.messages import SUCCESS, get_messages
from django.urls import reverse

from budgets.admin.orders import MediaOrderAdmin
from catalog.admin.applications import ApplicationAdmin
from mediareg.models import AuditEvent, DataAccess
from mediareg.reports import visible_reports
from tests.factories import StaffUserFactory
from tests.test_every_page_language import everything  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

# The words the decision and step pages take (<str:decision>, <str:step>); each is tried on every such
# page, a word a page does not know answers 404.
WORDS = sorted({*ApplicationAdmin.DECISIONS, *MediaOrderAdmin.STEP_PERMISSIONS, "accept", "reject", "approve",
                "apply", "ignore"})
# What a person would post to change something, for every form a page might have: a confirmation, a reason,
# a revision, a policy, a publication, a payment.
PAYLOAD = {"post": "yes", "apply": "1", "confirmed": "1", "reason": "Uji jalan auditor", "_save": "1",
           "amount_after": "1", "revised_on": "2026-11-26", "reference": "DPPA 9", "spending_allowed": "on",
           "policy_reference": "Ingub 1", "published_url": "https://warta.example/1", "paid_on": "2026-11-26",
           "payment_reference": "SP2D-9", "name": "Uji", "is_superuser": "on", "enabled": "on"}
# An action's confirmation or reason page posts its answer without "_save" (which would mean the list's
# own edit form).
CONFIRMED = {key: value for key, value in PAYLOAD.items() if key != "_save"}
EXPORT = "export_selected_csv"
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Rows that change without anyone changing data: the session of the signed-in auditor (and its messages).
NOT_DATA = {"sessions.Session"}


def snapshot() -> dict[str, list]:
    """Every row of every table, apart from the sessions and the data access log (counted on its own)."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.proxy or not model._meta.managed or label in NOT_DATA or model is DataAccess:
            continue
        rows[label] = list(model._base_manager.order_by("pk").values_list())
    rows["mediareg.AuditEvent (count)"] = [AuditEvent.objects.count()]
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def kind_of(route: str) -> str:
    return {"": "list", "add/": "add", "<path:object_id>/history/": "history", "<path:object_id>/change/": "change",
            "<path:object_id>/delete/": "delete", "<path:object_id>/": "redirect",
            # Pages that only read (the outlets sharing an owner, bank account, phone or address).
            "connected/": "page"}.get(route, "custom")


def first_row(client, model) -> tuple[str, str]:
    """The list's address and the (admin-quoted) id of its first row as the auditor's list shows it."""
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(changelist)
    if response.status_code == 302:  # a single-row model whose list opens its one page (the policy)
        return changelist, response.url.removeprefix(changelist).removesuffix("/change/")
    assert response.status_code == 200, f"{changelist}: {response.status_code}"
    rows = response.context["cl"].result_list
    assert rows, f"{model._meta.label} has no row the auditor sees: add one to the `everything` fixture"
    change = response.context["cl"].url_for_result(rows[0])
    return changelist, change.removeprefix(changelist).removesuffix("/change/")


def urls_of(model_admin, changelist: str, object_id: str) -> list[tuple[str, str]]:
    """(kind, address) of each URL the ModelAdmin serves (ModelAdmin.get_urls: Django's and its own), with
    the first row's id and each word of WORDS for the decision and step pages."""
    urls = []
    for pattern in model_admin.get_urls():
        route = str(pattern.pattern)
        words = [name for _converter, name in PARAMETER.findall(route) if name not in ("object_id", "id")]
        assert len(words) <= 1, f"{route}: walk each of its words"
        fills = [{words[0]: word} for word in WORDS] if words else [{}]
        for fill in fills:
            path = PARAMETER.sub(lambda m, fill=fill: fill.get(m.group(2), object_id), route)
            urls.append((kind_of(route), changelist + path))
    return urls


def action_names(model_admin) -> list[str]:
    """Every action the list's class defines or the site adds, whether or not it is offered to the auditor,
    and the export (offered when its report exists)."""
    return sorted({name for _func, name, _description in model_admin._get_base_actions()} | {EXPORT})


def no_success_message(response) -> bool:
    return not any(message.level == SUCCESS for message in get_messages(response.wsgi_request))


def walk_admin(client, model, model_admin) -> tuple[list[str], int, int]:
    """Ask every URL and action of one ModelAdmin; returns what went against the rules, how many exports
    succeeded, and how many requests were made."""
    wrong, exports = [], 0
    changelist, object_id = first_row(client, model)
    urls = urls_of(model_admin, changelist, object_id)
    asked = 2 * len(urls)
    for kind, url in urls:
        got = client.get(url)
        if kind in ("list", "history", "change", "page"):
            expected = {302} if kind == "list" and model._meta.label == "catalog.EligibilityPolicy" else {200}
            if got.status_code not in expected:
                wrong.append(f"GET {url}: {got.status_code}, expected {expected}")
            elif kind == "change" and (got.context["has_change_permission"] or got.context["has_delete_permission"]
                                       or 'name="_save"' in got.content.decode()):
                wrong.append(f"GET {url}: the page offers a change")
        elif kind == "redirect":
            if got.status_code != 302:
                wrong.append(f"GET {url}: {got.status_code}")
        elif got.status_code not in (403, 404, 405):
            wrong.append(f"GET {url}: {got.status_code} (add, delete, decision and step pages refuse auditors)")

        posted = client.post(url, PAYLOAD)
        allowed = {"list": {200, 302}, "history": {200}, "redirect": {302}, "page": {405}}.get(kind, {403, 404, 405})
        if posted.status_code not in allowed:
            wrong.append(f"POST {url}: {posted.status_code}, expected one of {sorted(allowed)}")
        elif posted.status_code == 200 and not posted["Content-Type"].startswith("text/html"):
            wrong.append(f"POST {url}: answered {posted['Content-Type']}")
        elif posted.status_code == 302 and not posted.url.startswith("/admin/"):
            wrong.append(f"POST {url}: sent to {posted.url}")
        if not no_success_message(posted):
            wrong.append(f"POST {url}: a success message")

    if model._meta.label == "catalog.EligibilityPolicy":
        return wrong, exports, asked  # no list, no actions: its one page
    for name in action_names(model_admin):
        # From the list's action bar; the same with "select all"; and as the confirmation or reason page
        # posts it (Django's second way in, without "index").
        for extra in ({"index": "0"}, {"index": "0", "select_across": "1"}, CONFIRMED):
            data = {"action": name, "_selected_action": [unquote(object_id)], **extra}
            response = client.post(changelist, data)
            asked += 1
            if response.status_code == 200 and response["Content-Type"].startswith("text/csv"):
                if name != EXPORT:
                    wrong.append(f"action {name} on {changelist}: a file")
                b"".join(response.streaming_content)  # sent to the end, so the log line is completed
                exports += 1
            elif response.status_code == 302 and response.url.startswith(changelist):
                pass  # Django refused an action the auditor is not offered, and sends back to the list
            elif response.status_code == 200 and response["Content-Type"].startswith("text/html") \
                    and response.context and "cl" in response.context:
                pass  # no action at all is offered on this list: Django shows it again
            else:
                wrong.append(f"action {name} on {changelist} ({extra}): {response.status_code}")
            if not no_success_message(response):
                wrong.append(f"action {name} on {changelist}: a success message")
    return wrong, exports, asked


@pytest.mark.slow  # every URL and action of some forty admin pages, twice or thrice each
def test_an_auditor_walks_every_admin_url_and_action_and_writes_nothing(client, everything):  # noqa: F811
    auditor = StaffUserFactory(username="auditor.jalan", groups=["Auditor"])
    client.force_login(auditor)
    log_before = set(DataAccess.objects.values_list("pk", flat=True))
    assert client.get(reverse("admin:index")).status_code == 200
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        assert client.get(reverse("admin:app_list", args=[app_label])).status_code == 200, app_label

    wrong, exports, walked, asked = [], 0, 0, 0
    for model, model_admin in admin.site._registry.items():
        before = snapshot()
        found, exported, requests = walk_admin(client, model, model_admin)
        changed = changed_tables(before, snapshot())
        wrong += found + [f"walking {model._meta.label} changed {table}" for table in changed]
        exports += exported
        walked += 1
        asked += requests

    assert wrong == [], f"{len(wrong)} things an auditor could do:\n" + "\n".join(wrong)
    assert walked == len(admin.site._registry) > 30
    assert asked > 20 * walked, asked  # each admin's six pages twice, its own pages, and each action thrice
    print(f"auditor walk: {walked} admins, {asked} requests, {exports} exports")  # noqa: T201 (shown with -s)
    # The exports are the only writes: one line each in the data access log, the auditor's, completed.
    added = DataAccess.objects.exclude(pk__in=log_before)
    assert exports >= 3  # the eligibility history's at least, each way of selecting
    assert added.count() == exports
    assert set(added.values_list("kind", "user", "file_format")) == {("report", auditor.pk, "csv")}
    assert not added.filter(rows=None).exists()


def test_the_report_pages_answer_only_get_and_each_file_is_logged(client, auditor):
    client.force_login(auditor)
    reports = visible_reports(auditor)
    assert reports  # the eligibility history at least
    assert client.get("/reports/").status_code == 200
    assert client.post("/reports/").status_code == 405
    before = snapshot()
    for report in reports:
        for file_format in ("csv", "xlsx"):
            url = f"/reports/{report.name}.{file_format}"
            response = client.get(url)
            assert response.status_code == 200, url
            b"".join(response.streaming_content)
            assert client.post(url).status_code == 405, url
            assert client.put(url).status_code == 405, url
            assert client.delete(url).status_code == 405, url
    assert changed_tables(before, snapshot()) == []
    assert DataAccess.objects.filter(user=auditor, kind="report").count() == 2 * len(reports)


def test_an_auditor_opens_every_file_and_posts_to_none(client, everything):  # noqa: F811
    """Document and proof files: GET gives the file (logged), any other method 405."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from budgets import services
    from budgets.models import MediaOrder
    from partners.demo.files import pdf_bytes
    from partners.models import Document

    auditor = StaffUserFactory(username="auditor.berkas", groups=["Auditor"])
    client.force_login(auditor)
    document = Document.objects.order_by("pk").first()
    urls = [document.get_download_url(), document.get_preview_url()]
    published = MediaOrder.objects.get(status="published")
    order = services.order_publish(published, user=None, proof_file=SimpleUploadedFile(
        "bukti.pdf", pdf_bytes("Bukti tayang"), content_type="application/pdf"), today=published.proof_filed_on)
    urls += [reverse("order-proof", args=[order.pk]), reverse("order-proof-preview", args=[order.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content)
        assert client.post(url).status_code == 405, url
    assert DataAccess.objects.filter(user=auditor).count() == len(urls)
