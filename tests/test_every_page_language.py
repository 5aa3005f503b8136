"""Every page in the language the person chose: no English on an Indonesian page, no Indonesian on an
English one, and no raw values (True/False/None) shown as values.

Every admin model (admin.site._registry, so models other parts add later are covered without editing
this file) is visited: changelist, add page, change page and history page of one object, plus the
admin's own pages and the public pages, in both languages. The visible text (tags, scripts and styles
stripped; button values, titles and placeholders kept) is searched for common words of the other
language that cannot be names. The data is built with language-neutral names ("Portal Uji 0001"
is not in either list); official Indonesian reference data (KBLI titles) is taken out of the text
before the search, as it exists only in Indonesian.

A failure names the page, the word and the text around it.
"""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

from budgets.models import Budget
from catalog import lifecycle
from catalog.eligibility import recheck_outlets
from catalog.models import (
    Application,
    ExpiryReminder,
    Objection,
    PressCouncilEntry,
    PressCouncilImport,
    RecheckRun,
    RegistrationWindow,
    StaffSummary,
    TaxYearNotice,
    Trigger,
    WebRankList,
)
from catalog.renewal import renewal_token
from mediareg.access import record_access
from mediareg.api.tokens import token_create
from mediareg.audit import audit_context
from mediareg.mail import render_mail
from mediareg.models import DataAccess, DeadLetter, OutgoingMail
from mediareg.outbox import queue_mail
from partners.models import KbliCode, Province
from tests.catalog_helpers import eligible_outlet, listed_outlet
from tests.factories import TEST_PASSWORD, DocumentFactory, StaffUserFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

# English words that never belong on an Indonesian page (and are no one's name). Matched as whole
# words; lower-case entries in any case, capitalised ones exactly ("No" alone, not the "No." of nomor).
ENGLISH = {
    "the", "and", "of", "with", "without", "from", "for", "is", "are", "not", "this", "that", "has", "been",
    "was", "by", "all", "every", "when", "which", "outlet", "outlets", "company", "companies", "document",
    "documents", "expired", "expires", "eligible", "ineligible", "pending", "accepted", "rejected", "review",
    "yesterday", "today", "days", "hours", "minutes", "Add", "Change", "Delete", "Save", "History", "Search",
    "Yes", "No", "None", "True", "False", "Select", "Home", "View", "Unknown", "Created", "Updated", "Show",
    "Hide", "Clear", "Submit", "Required", "Optional", "Name", "Date", "Description", "Enabled", "Task",
    "Schedule", "Every", "At", "Run", "Last", "to", "on", "in", "at", "or", "if", "be", "an", "it", "as", "Human",
    "readable", "translation", "Scheduler", "Events", "Back", "event", "events", "Failed", "access",
}
# Indonesian words that never belong on an English page.
INDONESIAN = {
    "dan", "yang", "dengan", "untuk", "atau", "dari", "pada", "ini", "itu", "belum", "sudah", "oleh", "akan",
    "tidak", "dokumen", "perusahaan", "tanggal", "hari", "setiap", "pukul", "layak", "ditolak", "diterima",
    "disetujui", "menunggu", "berlaku", "berakhir", "Tambah", "Ubah", "Hapus", "Simpan", "Riwayat", "Cari",
    "Ya", "Tidak", "Semua", "Lihat", "Pilih", "Kembali", "Bahasa", "sistem", "Perintah", "Tugas", "ke", "di",
    "sebagai", "jika", "telah", "harus", "dapat", "setelah", "sesudah", "sebelum", "sampai", "hingga", "tugas",
    "jadwal", "berkala", "pengajuan", "petugas", "aturan", "pemeriksaan", "ulang", "peristiwa", "hubungan",
}
# The words of the other language each page may show, and why.
ALLOWED = {
    # Language names in the language switch are written in their own language, so that a person who
    # cannot read the current one still finds theirs ("Bahasa Indonesia" on the English page).
    "en": {"Bahasa"},
    "id": set(),
}
# A value on its own (a table cell, after a label's colon), not the word in a sentence ("None available").
RAW_VALUES = re.compile(r"(?:^|[|:] )(True|False|None)(?= \||$|[,.;)])")
# A language shown by its code ("Bahasa: id") instead of its name.
RAW_LANGUAGE = re.compile(r"(?:^|[|:] )(id|en)(?= \||$)")
# Internal actor names of the audit context ("system:seed_demo", "command:shell"), never shown as such.
# A bare "system" in a table cell is the actor of a job that did not name itself.
RAW_ACTORS = re.compile(r"\b(?:system|command|task|public):[\w.]+|(?:^|\| )system(?= \||$)")
# Identifiers are not words: task and job names (catalog.tasks.recheck_all_outlets, send-pending-mail),
# e-mail addresses, file names. A word joined to another by "_", "." or "-" is skipped.
WORD = re.compile(r"(?<![\w.@/-])[^\W\d_]+(?:'[^\W\d_]+)?(?![\w@/-]|\.\w)")
PUBLIC_PAGE_NAMES = ["home", "apply", "application-status-lookup", "catalog", "transparency", "password-reset",
                     "password-reset-done"]


class VisibleText(HTMLParser):
    """The text a person reads: text nodes outside script/style/template, and the words shown by
    attributes (button values, titles, placeholders, alternative texts, labels for screen readers)."""

    # textarea: what a person typed (a periodic job's description, a reason) is data, like an input's value.
    HIDDEN = {"script", "style", "template", "noscript", "textarea"}
    SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
            return
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset") and attributes.get("value"):
            self.parts.append(attributes["value"])
        for name in self.SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " | ".join(parser.parts)


def reference_texts() -> list[str]:
    """Texts that are data in one language whatever the page's: official Indonesian names kept as
    published (KBLI titles, provinces), the roles' group names, the time zones' names, and the e-mails
    in the outbox, written in their recipient's language (the outbox page names it). Longest first."""
    texts = [*KbliCode.objects.values_list("title", flat=True), *Province.objects.values_list("name", flat=True)]
    # The budget's account (Permendagri 90/2019), named in Indonesian only.
    texts += Budget.objects.values_list("account_name", flat=True)
    # The roles' groups (mediareg.roles): names administrators give and may change, like a user's.
    texts += Group.objects.values_list("name", flat=True)
    # Budget accounts are named as the regional chart of accounts names them (Permendagri 90/2019).
    texts += Budget.objects.values_list("account_name", flat=True)
    texts += [zone.replace("_", " ") for zone in zoneinfo.available_timezones()]  # time zones, as the list shows them
    for subject, body in OutgoingMail.objects.values_list("subject", "body"):
        texts += [subject, *(line.strip() for line in body.splitlines() if line.strip())]
    return sorted(texts, key=len, reverse=True)


def offences(text: str, language: str, reference: list[str]) -> list[str]:
    for official in reference:
        text = text.replace(official, "…")
    foreign = ENGLISH if language == "id" else INDONESIAN
    allowed = ALLOWED[language]
    foreign_lower = {w: w for w in foreign if w.islower()}  # these match whatever the case
    found, seen = [], set()
    for match in WORD.finditer(text):
        word = match.group()
        if word in allowed or word in seen:
            continue
        if word == "No" and text[match.end():match.end() + 1] == ".":
            continue  # "No." is the Indonesian abbreviation of nomor
        if word in foreign or word.lower() in foreign and word.lower() == foreign_lower.get(word.lower()):
            seen.add(word)  # once per page is enough to find it
            found.append(f"word {word!r}: …{text[max(0, match.start() - 70):match.end() + 70]}…")
    for match in RAW_ACTORS.finditer(text):
        found.append(f"actor name {match.group()!r}: …{text[max(0, match.start() - 70):match.end() + 70]}…")
    for match in RAW_LANGUAGE.finditer(text):
        found.append(f"language code {match.group(1)!r}: …{text[max(0, match.start() - 70):match.end() + 70]}…")
    for match in RAW_VALUES.finditer(text):
        found.append(f"raw value {match.group(1)!r}: …{text[max(0, match.start() - 70):match.end() + 70]}…")
    return found


@pytest.fixture
def everything(client):
    """One object at least of every model in the admin, with neutral names, and audit events by each
    kind of actor (a person, seed_demo, a command, a task, the public form)."""
    today = timezone.localdate()
    with audit_context(actor="system:seed_demo"):
        outlet = eligible_outlet()
    with audit_context(actor="task:recheck"):
        recheck_outlets([outlet.pk], trigger=Trigger.STAFF)
    with audit_context(actor="public:application"):
        lifecycle.ensure_listing(outlet)
        application = Application.objects.create(
            code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
            applicant_email="redaksi@example.id", language="id", submitted_at=timezone.now())
        application.documents.set(outlet.company.documents.all())
    staff = StaffUserFactory(first_name="Rina", last_name="Wati")
    with audit_context(user=staff.pk, url="/admin/partners/mediaoutlet/"):
        rejected = Application.objects.create(
            code=uuid.uuid4().hex[:16], submission_key=uuid.uuid4().hex, company=outlet.company, outlet=outlet,
            applicant_email="redaksi@example.id", status=Application.Status.REJECTED, decision_reason="X",
            decided_by=staff, decided_at=timezone.now(), language="en")
        outlet.name = f"{outlet.name} B"
        outlet.save()
    with audit_context(actor="public:objection"):
        Objection.objects.create(application=rejected, outlet=outlet, decision_at=rejected.decided_at,
                                 statement="Keberatan.", filed_at=timezone.now(), opens_on=today,
                                 deadline=today + datetime.timedelta(days=3))
    with audit_context(actor="command:seed_demo"):
        RegistrationWindow.objects.create(opens_on=today, closes_on=today + datetime.timedelta(days=30))
    DeadLetter.objects.create(task_name="catalog.tasks.recheck_outlets_task", task_id=uuid.uuid4().hex,
                              deliveries=8, reason="-")
    # The data access log: a file a member of staff downloaded, a report a command wrote.
    document = outlet.company.documents.order_by("pk").first()
    record_access(kind=DataAccess.Kind.DOCUMENT_DOWNLOAD, name=document.pk, user=staff)
    record_access(kind=DataAccess.Kind.REPORT, name="eligibility-history", actor="command:export_report root",
                  file_format="csv", profile="public", filters={"date_from": "2026-01-01", "ids": [1, 2]}, rows=2)
    source = PressCouncilImport.objects.create(list_date=today, file_name="dp.csv", sha256="0" * 64,
                                               rows_read=2, rows_matched=1, rows_skipped=1)
    PressCouncilEntry.objects.create(source=source, line_number=2, data={"nama": "x"}, outcome="matched",
                                     outlet=outlet)
    WebRankList.objects.create(list_id="LJL44", list_date=today, rows_read=10)
    token_create(user=staff, name="SIPD-RI", created_by=staff)  # an API token (mediareg.api.tokens)
    RecheckRun.objects.create(started_at=timezone.now(), trigger=Trigger.SCHEDULE)
    StaffSummary.objects.create(day=today, outlet_count=3)
    TaxYearNotice.objects.create(company=outlet.company, year=today.year + 1)
    ExpiryReminder.objects.create(document=DocumentFactory(expiring_soon=True), expiry_date=today, days_before=7)
    queue_mail("emails/application_received", {"application": application, "status_url": "https://x.example/s"},
               ["redaksi@example.id"], language="id", concerns=application)
    IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    SolarSchedule.objects.create(event="sunrise", latitude=-6.2, longitude=106.8)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    # Budgets: an agency and a budget with a revision, a price list and an order that waits for its proof's
    # review (through the services, as staff do).
    from budgets import services as budgets
    from tests.budget_helpers import approved_price, listed_eligible_outlet, make_agency, make_budget, place

    budget = make_budget(make_agency(), amount=100_000_000, year=today.year)
    budgets.budget_revise(budget, amount_after=90_000_000, reason="amendment", reference="DPPA 1", revised_on=today)
    budgets.reference_price_save(budget, kind="advertorial", tier="A", reference_price=20_000_000,
                                 upper_bound=25_000_000, source_reference="Pergub SHS", user=None)
    price = approved_price(listed_eligible_outlet("Warta Harga"), valid_from=datetime.date(today.year, 1, 1))
    order = place(budget, price, order_date=today - datetime.timedelta(days=2), today=today)
    budgets.order_publish(order, published_url="https://warta.example/berita/1")
    place(budget, price, order_date=today - datetime.timedelta(days=1), today=today)  # a second, still committed
    from tests.budget_helpers import record_other_spend

    record_other_spend(budget, amount=2_000_000, spent_on=today - datetime.timedelta(days=1), today=today)
    # An owner and a bank account of the company, and an interest declared to the agency.
    from budgets.models import DeclaredInterest
    from partners import services as registry
    from partners.models import CompanyBankAccount, CompanyOwner

    registry.owner_save(CompanyOwner(company=outlet.company, name="Pemilik Uji", kind="both", share_percent=100,
                                     identity_number="3171024508850003"))
    registry.bank_accounts_save(outlet.company, saved=[CompanyBankAccount(
        bank_name="Bank DKI", account_number="1010203040506", account_holder=outlet.company.legal_name)])
    budgets.interest_save(DeclaredInterest(agency=budget.agency, person_name="Anggota Dewan", role="legislator",
                                           declared_on=today), outlets=[outlet], companies=[])
    # The login records (django-axes): a failed login, then a successful one and its logout.
    user = UserFactory(username="masuk", is_staff=True)
    client.post("/admin/login/", {"username": "masuk", "password": "salah"})
    client.post("/admin/login/", {"username": "masuk", "password": TEST_PASSWORD})
    client.post("/admin/logout/")
    client.post("/admin/login/", {"username": "masuk", "password": "salah"})  # kept as an attempt
    return user


def admin_pages(client) -> list[str]:
    """The admin's own pages and, for every registered model, its list, add page, and the change and
    history pages of its first row (found through the list, so whatever the admin's queryset is)."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        urls.append(reverse("admin:app_list", args=[app_label]))
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        urls += [changelist, reverse("admin:{}_{}_add".format(*info))]
        response = client.get(changelist)
        if response.status_code == 302:  # a single-row model whose list opens its one page
            urls += [response.url, response.url.replace("/change/", "/history/")]
            continue
        rows = response.context["cl"].result_list if response.status_code == 200 and response.context else []
        assert rows, (f"{model._meta.label} has no row to show: add one to the `everything` fixture of {__name__}")
        change = response.context["cl"].url_for_result(rows[0])
        urls += [change, change.replace("/change/", "/history/")]
    return urls


def public_pages(application) -> list[str]:
    urls = [reverse("application-status", args=[application.code]), "/apply/status/unknown-code/",
            "/no-such-page/"]
    urls += [reverse(name) for name in PUBLIC_PAGE_NAMES]
    urls += [reverse("catalog-outlet", args=[listed_outlet().pk]), "/catalog/999999/"]
    urls.append(reverse("renewal", args=[renewal_token(application.outlet_id)]))
    return urls + budget_pages()


def budget_pages() -> list[str]:
    """/transparency/ for a year with an order and a revision and for a year with the policy off, and an
    outlet's price list with a price in each state."""
    from budgets import services
    from budgets.models import RevisionReason
    from tests.budget_helpers import approved_price, listed_eligible_outlet, make_agency, make_budget, place

    agency = make_agency("Kominfotik Uji", slug="kominfotik-uji")
    budget = make_budget(agency, year=2026)
    services.budget_revise(budget, amount_after=900_000_000, reason=RevisionReason.REFOCUSING,
                           reference="DPPA 12/2026", revised_on=datetime.date(2026, 6, 2))
    make_budget(agency, year=2018, amount=0, spending_allowed=False, policy_reference="Ingub 7/2018")
    outlet = listed_eligible_outlet()
    listed_eligible_outlet()  # listed, no order
    place(budget, approved_price(outlet))
    services.price_reject(services.price_submit(outlet, kind="banner", name="Banner 1", unit_price=5_000_000,
                                                valid_from=datetime.date(2026, 1, 1), unit="x"),
                          user=None, reason="X")
    services.price_submit(outlet, kind="video", name="Video 1", unit_price=5_000_000,
                          valid_from=datetime.date(2026, 1, 1), unit="x")
    token = renewal_token(outlet.pk)
    return [reverse("transparency"), f"{reverse('transparency')}?agency=kominfotik-uji&year=2018",
            f"{reverse('transparency')}?agency=nothing", reverse("renewal-prices", args=[token]),
            reverse("renewal", args=[token])]  # with the link to the price list


def check_pages(client, urls: list[str], language: str) -> list[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    reference = reference_texts()
    report = []
    for url in urls:
        response = client.get(url, follow=not url.startswith("/admin/"))
        if response.status_code in (302, 403) and "/admin/" in url:
            continue  # a page this model does not offer (e.g. no add page): nothing to read
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        for offence in offences(visible_text(response.content.decode()), language, reference):
            report.append(f"[{language}] {url}: {offence}")
    return report


@pytest.mark.slow  # some hundred pages in each language
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_admin_page_speaks_one_language(client, everything, language):
    superuser = UserFactory(username="super", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    report = check_pages(client, admin_pages(client), language)
    assert not report, f"{len(report)} words of the other language or raw values:\n" + "\n".join(report)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_public_page_speaks_one_language(client, everything, language):
    application = Application.objects.filter(status=Application.Status.SUBMITTED).first()
    report = check_pages(client, public_pages(application), language)
    assert not report, f"{len(report)} words of the other language or raw values:\n" + "\n".join(report)


def test_every_email_speaks_one_language(everything):
    """Each e-mail template rendered in each language. The reminders and summaries to outlets and
    staff carry both languages on purpose (the recipient's language is not known): each half is
    checked against its own language, and their subject, which leads with Indonesian, against it."""
    application = Application.objects.filter(status=Application.Status.REJECTED).first()
    report = []
    for language in ("id", "en"):
        with translation.override(language):
            for template, context in email_contexts(application):
                subject, body = render_mail(template, context, language)
                report += [f"[{language}] {template} subject: {o}" for o in offences(subject, language, [])]
                report += [f"[{language}] {template}: {o}" for o in offences(body, language, [])]
            for name, message in bilingual_emails(application.outlet):
                indonesian, _sep, english = message.body.partition("-- English --")
                assert english, f"{name}: the English half is missing"
                report += [f"{name} subject: {o}" for o in offences(message.subject, "id", [])]
                report += [f"{name} (Indonesian half): {o}" for o in offences(indonesian, "id", [])]
                report += [f"{name} (English half): {o}" for o in offences(english, "en", [])]
    assert not report, f"{len(report)} words of the other language or raw values:\n" + "\n".join(report)


def email_contexts(application):
    return [
        ("emails/application_received", {"application": application, "status_url": "https://x.example/s"}),
        ("emails/application_staff_notice", {"application": application, "admin_url": "https://x.example/a"}),
        ("emails/application_decision", {"application": application, "status_url": "https://x.example/s",
                                         "renewal_url": "https://x.example/r"}),
        # A new member of staff's set-password link (mediareg.accounts), and "Forgotten your password?".
        ("emails/account_invitation", {"agency": "Diskominfo Banjar", "username": "rina@banjarkab.go.id",
                                       "link": "https://x.example/p", "days": 3, "site_url": "https://x.example"}),
        ("emails/password_reset", {"username": "rina@banjarkab.go.id", "link": "https://x.example/p", "days": 3}),
    ]


def bilingual_emails(outlet):
    """The reminder of a document, the year-end tax notice and the staff summary, as the jobs build them."""
    from catalog.models import EligibilityPolicy, ListingTransition
    from catalog.reminders import reminder_message, tax_notice_message
    from partners.models import Document

    today = timezone.localdate()
    policy = EligibilityPolicy.load()
    document = Document.objects.filter(company=outlet.company).order_by("pk").first()
    yield "expiry_reminder", reminder_message(document, ["x@example.id"], today, 7,
                                              counts_until=today + datetime.timedelta(days=7), policy=policy)
    yield "tax_year_notice", tax_notice_message(outlet.company, {"kswp": today, "tax_return": today.year - 1},
                                                today.year + 1, ["x@example.id"], policy)
    context = {"day_id": "1", "day_en": "1", "whole_day": True, "count": 1, "more": 0,
               "transitions": ListingTransition.objects.select_related("listing__outlet__company")[:1]}
    subject, body = render_mail("emails/staff_summary", context)
    yield "staff_summary", type("Mail", (), {"subject": subject, "body": body})


@pytest.mark.parametrize(("language", "expected"), [
    ("id", ["setiap hari pukul 01.00", "setiap 5 menit", "setiap Senin pukul 07.30"]),
    ("en", ["every day at 01:00", "every 5 minutes", "every Monday at 07:30"]),
])
def test_schedules_read_as_words(language, expected):
    from mediareg.display import describe_crontab

    with translation.override(language):
        assert [describe_crontab("0", "1"), describe_crontab("*/5", "*"),
                describe_crontab("30", "7", day_of_week="1")] == expected


def test_every_shipped_schedule_reads_as_words():
    """No default job falls back to the cron fields (mediareg.periodic)."""
    from mediareg.display import describe_crontab
    from mediareg.periodic import DEFAULT_JOBS

    with translation.override("id"):
        for job in DEFAULT_JOBS:
            assert describe_crontab(job.minute, job.hour, day_of_week=job.day_of_week).startswith("setiap "), job


@pytest.mark.parametrize(("actor", "indonesian", "english"), [
    ("system:seed_demo", "Data demo (sistem)", "Demo data (system)"),
    ("command:seed_demo", "Perintah seed_demo", "Command seed_demo"),
    ("public:application", "Pemohon (formulir publik)", "Applicant (public form)"),
    ("task:catalog.tasks.recheck_outlets_task", "Tugas latar recheck_outlets_task",
     "Background task recheck_outlets_task"),
    ("rina.verifikator", "rina.verifikator", "rina.verifikator"),
    # Named by the catalog app for itself (catalog/apps.py), in the language of the page that shows it.
    ("system:schedule", "Pemeriksaan ulang karena: jadwal malam", "Re-check after: nightly schedule"),
])
def test_actors_read_as_words(actor, indonesian, english):
    from mediareg.display import actor_display

    for language, expected in (("id", indonesian), ("en", english)):
        with translation.override(language):
            assert actor_display(actor) == expected


def test_an_application_is_titled_with_its_day_in_jakarta(ordinary_day):
    """Sent at 01:30 WIB on 2 December (18:30 UTC on the 1st): its title says 2 December."""
    outlet = eligible_outlet()
    application = Application(outlet=outlet, company=outlet.company,
                              submitted_at=datetime.datetime(2026, 12, 1, 18, 30, tzinfo=datetime.UTC))
    with translation.override("id"):
        assert str(application) == f"{outlet.name}, diajukan 2 Des. 2026"
    with translation.override("en"):
        assert str(application) == f"{outlet.name}, submitted Dec. 2, 2026"
