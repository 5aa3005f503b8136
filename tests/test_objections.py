"""Objections (masa sanggah, issue 14 item 5): a rejected applicant or an outlet suspended or delisted by
staff files one objection, with a statement and files, within the objection period (the window's
objection days, else the policy's days after the decision); staff uphold or dismiss it with a reason;
the decision and its timing are on the status page, in the audit trail and on the outlet's page.

Dates follow Lampung Utara's 2026 calendar (docs/domain.md "Objection window"): registration 7-11
January, first list 24-25 January, objections 26-27 January, final list 28 January."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import applications, lifecycle, objections, selectors
from catalog.models import (
    Application,
    EligibilityPolicy,
    Listing,
    ListingState,
    ListingTransition,
    Objection,
    ObjectionFile,
    ObjectionStatus,
    RegistrationWindow,
)
from catalog.objections import Period, objection_period
from catalog.renewal import renewal_token
from mediareg.models import AuditEvent, DataAccess
from tests.apply_helpers import pdf
from tests.apply_helpers import text_of as text
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import MediaOutletFactory, StaffUserFactory, UserFactory
from tests.helpers import messages_of

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks", "english")]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def at(day: int, month: int = 1, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=JAKARTA)


def lampung_utara_window() -> RegistrationWindow:
    return RegistrationWindow.objects.create(
        opens_on=datetime.date(2026, 1, 7), closes_on=datetime.date(2026, 1, 11),
        first_list_on=datetime.date(2026, 1, 24), first_list_until=datetime.date(2026, 1, 25),
        objection_opens_on=datetime.date(2026, 1, 26), objection_closes_on=datetime.date(2026, 1, 27),
        final_list_on=datetime.date(2026, 1, 28), note="Pengumuman Diskominfo Lampung Utara 2026")


def rejected_application(*, submitted: datetime.datetime, rejected: datetime.datetime, reviewer=None,
                         name: str = "Kabar Ditolak"):
    with time_machine.travel(submitted, tick=False):
        application = make_application(MediaOutletFactory(name=name), email="redaksi@ditolak.id")
    with time_machine.travel(rejected, tick=False):
        applications.reject_application(application, user=reviewer or StaffUserFactory(),
                                        reason="Akta pendirian tidak sah.")
    application.refresh_from_db()
    return application


def status_page(application) -> str:
    return reverse("application-status", args=[application.code])


def objection_data(statement: str = "Akta kami sah; salinan terlampir.", **files) -> dict:
    return {"send": "objection", "objection-statement": statement,
            **{f"objection-{name}": upload for name, upload in files.items()}}


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """POST as a page does, after-commit work (e-mails) run."""
    def post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})
    return post


@pytest.fixture
def reviewer():
    return StaffUserFactory(username="siti.verifikator", groups=["Verifikator"])


# --- the period: a pure rule -----------------------------------------------------------------------

def test_the_period_is_the_windows_objection_days_else_the_policys_days_after_the_decision():
    window = RegistrationWindow(opens_on=datetime.date(2026, 1, 7), closes_on=datetime.date(2026, 1, 11),
                                objection_opens_on=datetime.date(2026, 1, 26),
                                objection_closes_on=datetime.date(2026, 1, 27))
    jan = lambda day: datetime.date(2026, 1, day)  # noqa: E731
    assert objection_period(jan(24), window, 3) == Period(jan(26), jan(27))
    # Decided during the objection days: from that day.
    assert objection_period(jan(27), window, 3) == Period(jan(27), jan(27))
    # Decided after them (a late review): the policy's days, so the applicant can still object.
    assert objection_period(jan(29), window, 3) == Period(jan(29), datetime.date(2026, 2, 1))
    # No window, or one without objection days.
    assert objection_period(jan(24), None, 3) == Period(jan(24), jan(27))
    no_days = RegistrationWindow(opens_on=jan(7), closes_on=jan(11))
    assert objection_period(jan(24), no_days, 5) == Period(jan(24), jan(29))


def test_the_window_stages_must_be_in_order():
    stages = {"opens_on": datetime.date(2026, 1, 7), "closes_on": datetime.date(2026, 1, 11)}
    for wrong in ({"first_list_on": datetime.date(2026, 1, 10)},
                  {"objection_opens_on": datetime.date(2026, 1, 26)},  # without its last day
                  {"objection_opens_on": datetime.date(2026, 1, 27), "objection_closes_on": datetime.date(2026, 1, 26)},
                  {"first_list_on": datetime.date(2026, 1, 24), "objection_opens_on": datetime.date(2026, 1, 20),
                   "objection_closes_on": datetime.date(2026, 1, 27)},
                  {"objection_opens_on": datetime.date(2026, 1, 26), "objection_closes_on": datetime.date(2026, 1, 27),
                   "final_list_on": datetime.date(2026, 1, 26)}):
        with pytest.raises(ValidationError):
            RegistrationWindow(**stages, **wrong).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            RegistrationWindow.objects.create(**stages, **wrong)
    lampung_utara_window().full_clean()
    RegistrationWindow(**stages).full_clean()  # the stages are optional


def test_the_public_form_still_follows_the_registration_stage_alone():
    lampung_utara_window()
    assert applications.registration_window(datetime.date(2026, 1, 9)).is_open
    assert not applications.registration_window(datetime.date(2026, 1, 26)).is_open


# --- filing from the status page ---------------------------------------------------------------------

def test_an_objection_is_refused_before_and_after_the_windows_objection_days(client):
    lampung_utara_window()
    application = rejected_application(submitted=at(8), rejected=at(24))
    with time_machine.travel(at(25), tick=False):
        before = client.post(status_page(application), objection_data())
        assert "Objections to this decision can be filed from 26 January 2026 to 27 January 2026." in text(before)
        assert before.status_code == 400
    with time_machine.travel(at(28), tick=False):
        page = client.get(status_page(application))
        assert "The objection period for this decision ended on 27 January 2026." in text(page)
        assert 'id="objection-form"' not in page.content.decode()
        after = client.post(status_page(application), objection_data())
        assert after.status_code == 400
        assert "The objection period for this decision ended on 27 January 2026." in text(after)
    assert not Objection.objects.exists()


def test_an_objection_inside_the_window_is_filed_with_its_files_and_staff_are_told(client, send, mailoutbox):
    lampung_utara_window()
    EligibilityPolicy.objects.update_or_create(pk=1, defaults={"staff_summary_emails": "verifikator@kominfo.id"})
    application = rejected_application(submitted=at(8), rejected=at(24))
    with time_machine.travel(at(26), tick=False):
        page = client.get(status_page(application))
        assert 'id="objection-form"' in page.content.decode()
        assert "Objections to this decision: from 26 January 2026 to 27 January 2026." in text(page)
        mailoutbox.clear()
        response = send(status_page(application), objection_data(file_1=pdf("akta.pdf"), file_2=pdf("sk.pdf")))
    assert response.status_code == 302 and response["Location"].endswith("#objection")
    objection = Objection.objects.get()
    assert (objection.application, objection.outlet, objection.status) == (
        application, application.outlet, ObjectionStatus.WAITING)
    assert (objection.opens_on, objection.deadline) == (datetime.date(2026, 1, 26), datetime.date(2026, 1, 27))
    files = list(objection.files.order_by("pk"))
    assert [f.original_filename for f in files] == ["akta.pdf", "sk.pdf"]
    assert all(f.file.name.startswith("objections/") and "akta" not in f.file.name for f in files)
    (mail,) = mailoutbox
    assert mail.to == ["verifikator@kominfo.id"] and "Kabar Ditolak" in mail.subject
    with time_machine.travel(at(26, hour=11), tick=False):
        shown = text(client.get(status_page(application)))
    assert "Waiting for a decision" in shown and "Decision expected by 27 January 2026" in shown


def test_one_objection_per_decision(client, send):
    lampung_utara_window()
    application = rejected_application(submitted=at(8), rejected=at(24))
    with time_machine.travel(at(26), tick=False):
        assert send(status_page(application), objection_data()).status_code == 302
        again = send(status_page(application), objection_data("Sekali lagi."))
        # The page no longer offers the form; a page sent again is refused with the reason.
        assert again.status_code == 400 and "already filed" in text(again)
        decision = objections.application_decision(application)
        with pytest.raises(objections.ObjectionRefused, match="only one is accepted"):
            objections.file_objection(decision, statement="Sekali lagi.")
    assert Objection.objects.count() == 1


def test_without_objection_days_the_policys_default_applies(client):
    EligibilityPolicy.objects.update_or_create(pk=1, defaults={"objection_days": 3})
    application = rejected_application(submitted=at(2, 3), rejected=at(10, 3))
    with time_machine.travel(at(13, 3), tick=False):  # the third day after: still open
        assert client.post(status_page(application), objection_data()).status_code == 302
    other = rejected_application(submitted=at(2, 3), rejected=at(10, 3), name="Kabar Lain")
    with time_machine.travel(at(14, 3), tick=False):
        late = client.post(status_page(other), objection_data())
    assert late.status_code == 400 and "The objection period for this decision ended on 13 March 2026." in text(late)


def test_the_statement_and_each_file_are_checked_as_documents_are(client):
    application = rejected_application(submitted=at(2, 3), rejected=at(10, 3))
    with time_machine.travel(at(11, 3), tick=False):
        empty = client.post(status_page(application), objection_data(statement="  "))
        fake = client.post(status_page(application), objection_data(
            file_1=SimpleUploadedFile("akta.pdf", b"<html>not a pdf</html>", content_type="application/pdf")))
        renamed = client.post(status_page(application), objection_data(
            file_1=SimpleUploadedFile("akta.png", pdf("akta.pdf").read(), content_type="image/png")))
    assert empty.status_code == 400 and "This field is required." in text(empty)
    assert fake.status_code == 400 and "Only PDF, JPEG and PNG files are accepted" in text(fake)
    assert renamed.status_code == 400 and "ends in .png" in text(renamed)
    assert not Objection.objects.exists() and not ObjectionFile.objects.exists()
    # The service checks too, whatever calls it.
    with time_machine.travel(at(11, 3), tick=False), pytest.raises(ValidationError, match="Only PDF"):
        objections.file_objection(objections.application_decision(application), statement="Keberatan.",
                                  files=[SimpleUploadedFile("x.pdf", b"plain text")])
    with time_machine.travel(at(11, 3), tick=False), pytest.raises(objections.ObjectionRefused, match="at most 3"):
        objections.file_objection(objections.application_decision(application), statement="Keberatan.",
                                  files=[pdf(f"{n}.pdf") for n in range(4)])


def test_an_application_not_rejected_offers_no_objection(client):
    application = make_application(MediaOutletFactory(name="Kabar Menunggu"))
    page = client.get(status_page(application))
    assert 'id="objection"' not in page.content.decode()
    assert client.post(status_page(application), objection_data()).status_code == 400
    assert not Objection.objects.exists()


# --- deciding in the admin ----------------------------------------------------------------------------

def objection_page(objection) -> str:
    return reverse("admin:catalog_objection_change", args=[objection.pk])


def decide_url(objection, decision: str) -> str:
    return reverse("admin:catalog_objection_decide", args=[objection.pk, decision])


def filed_objection() -> Objection:
    application = rejected_application(submitted=at(2, 3), rejected=at(10, 3))
    with time_machine.travel(at(11, 3), tick=False):
        return objections.file_objection(objections.application_decision(application),
                                         statement="Akta kami sah.", files=[pdf("akta.pdf")])


def test_upheld_the_application_goes_back_under_review_and_the_applicant_sees_it(client, send, reviewer,
                                                                                   mailoutbox):
    objection = filed_objection()
    client.force_login(reviewer)
    page = objection_page(objection)
    with time_machine.travel(at(12, 3), tick=False):
        html = client.get(page).content.decode()
        assert 'id="objection-decision"' in html and "/decide/uphold/" in html
        form = send(decide_url(objection, "uphold"), {"next": page})
        assert form.status_code == 200 and 'name="reason"' in form.content.decode()
        mailoutbox.clear()
        done = send(decide_url(objection, "uphold"), {"next": page, "apply": "1", "reason": "Akta telah dicek ulang."})
    assert done.status_code == 302 and done["Location"] == page and messages_of(done) == ["1 objection upheld."]
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by, objection.decision_reason) == (
        ObjectionStatus.UPHELD, reviewer, "Akta telah dicek ulang.")
    application = Application.objects.get(pk=objection.application_id)
    assert application.status == Application.Status.UNDER_REVIEW and application.decided_at is None
    assert Listing.objects.get(outlet=application.outlet).state == ListingState.UNDER_REVIEW
    (mail,) = mailoutbox
    # In the applicant's language (Indonesian): "Upheld" is "Diterima".
    assert "redaksi@ditolak.id" in mail.to and "Akta telah dicek ulang." in mail.body and "Diterima" in mail.subject
    with time_machine.travel(at(12, 3, hour=15), tick=False):
        shown = text(client.get(status_page(application)))
    assert "Upheld" in shown and "Akta telah dicek ulang." in shown and "by staff" in shown
    assert "Reason given for the decision: Akta pendirian tidak sah." in shown  # kept after the reopening
    assert "12 March 2026" in shown and "13 March 2026" in shown  # decided, and the period's end
    assert "siti.verifikator" not in shown, "staff names are not public"


def test_dismissed_with_a_reason_and_shown_on_the_status_page(client, send, reviewer, mailoutbox):
    objection = filed_objection()
    client.force_login(reviewer)
    with time_machine.travel(at(12, 3), tick=False):
        empty = send(decide_url(objection, "dismiss"), {"apply": "1", "reason": " "})
        assert "This field is required." in text(empty)
        send(decide_url(objection, "dismiss"), {"apply": "1", "reason": "Akta tetap tidak sah."})
        again = send(decide_url(objection, "dismiss"), {"apply": "1", "reason": "Lagi."})
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.decision_reason == "Akta tetap tidak sah."
    assert Application.objects.get(pk=objection.application_id).status == Application.Status.REJECTED
    assert again.status_code == 302  # nothing more to decide: the buttons are gone from the page
    assert 'id="objection-decision"' not in client.get(objection_page(objection)).content.decode()
    with pytest.raises(objections.ObjectionRefused, match="already been decided"):
        objections.decide_objection(objection, user=reviewer, uphold=True, reason="x")
    shown = text(client.get(status_page(objection.application)))
    assert "Dismissed" in shown and "Akta tetap tidak sah." in shown


def test_deciding_needs_the_permission(client, send):
    objection = filed_objection()
    viewer = StaffUserFactory(permissions=["catalog.view_objection"])
    client.force_login(viewer)
    html = client.get(objection_page(objection)).content.decode()
    assert "/decide/" not in html
    assert send(decide_url(objection, "uphold"), {"apply": "1", "reason": "x"}).status_code == 403
    listed = client.get(reverse("admin:catalog_objection_changelist"))
    assert listed.status_code == 200 and 'value="uphold"' not in listed.content.decode()
    client.force_login(StaffUserFactory(groups=["Auditor"]))
    assert client.get(objection_page(objection)).status_code == 200
    assert send(decide_url(objection, "dismiss"), {"apply": "1", "reason": "x"}).status_code == 403
    objection.refresh_from_db()
    assert objection.is_waiting


def test_the_files_are_served_only_to_staff_who_may_download_documents(client):
    objection = filed_objection()
    stored = objection.files.get()
    url = reverse("objection-file", args=[stored.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(StaffUserFactory(permissions=["catalog.view_objection"]))
    assert client.get(url).status_code == 403
    auditor = StaffUserFactory(groups=["Auditor"])
    client.force_login(auditor)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert DataAccess.objects.filter(user=auditor, name=f"objection-file:{stored.pk}").exists()
    assert url in client.get(objection_page(objection)).content.decode()


def test_the_audit_trail_records_filing_and_deciding(reviewer):
    objection = filed_objection()
    objections.decide_objection(objection, user=reviewer, uphold=False, reason="Tidak berdasar.")
    events = AuditEvent.objects.tracks(objection).order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[0].pgh_context["actor"] == "public:objection"
    assert AuditEvent.objects.tracks(objection.files.get()).filter(pgh_label="insert").exists()


# --- outlets suspended or delisted by staff: the renewal link ------------------------------------------

def renewal_page(outlet) -> str:
    return reverse("renewal", args=[renewal_token(outlet.pk)])


def listed(outlet):
    lifecycle.approve(lifecycle.ensure_listing(outlet), user=None)
    return Listing.objects.get(outlet=outlet)


def test_an_outlet_suspended_by_staff_objects_through_its_renewal_link_and_is_listed_again(client, send, reviewer):
    with time_machine.travel(at(2, 3), tick=False):
        outlet = eligible_outlet(name="Kabar Ditangguhkan")
        listing = listed(outlet)
        lifecycle.suspend(listing, user=reviewer, reason="Berita bohong.")
    with time_machine.travel(at(4, 3), tick=False):
        page = client.get(renewal_page(outlet))
        assert "Suspension by staff" in text(page) and 'id="objection-form"' in page.content.decode()
        assert "Reason given for the decision: Berita bohong." in text(page)
        assert send(renewal_page(outlet), objection_data("Berita itu benar.")).status_code == 302
        objection = Objection.objects.get()
        assert objection.transition.action == "suspend" and objection.deadline == datetime.date(2026, 3, 5)
        objections.decide_objection(objection, user=reviewer, uphold=True, reason="Sumber terverifikasi.")
        shown = text(client.get(renewal_page(outlet)))
    assert Listing.objects.get(outlet=outlet).state == ListingState.LISTED
    assert "Upheld" in shown and "Sumber terverifikasi." in shown and "by staff" in shown


def test_lifting_a_suspension_for_an_objection_checks_the_decision_with_the_listing_locked(reviewer):
    """The suspension an objection takes back must still be the listing's latest move when the listing is
    locked: a later suspension (with its own objection period) is not lifted by the first one's objection."""
    with time_machine.travel(at(2, 3), tick=False):
        listing = listed(eligible_outlet(name="Kabar Dua Kali"))
        first = lifecycle.suspend(listing, user=reviewer, reason="Pertama.")
        decision = ListingTransition.objects.filter(listing=listing, action="suspend").get()
        lifecycle.lift_suspension(first, user=reviewer, reason="Dicabut.")
        lifecycle.suspend(listing, user=reviewer, reason="Kedua.")
        with pytest.raises(ValidationError):
            lifecycle.lift_suspension(listing, user=reviewer, reason="Sanggahan.", decision=decision)
    assert Listing.objects.get(pk=listing.pk).state == ListingState.SUSPENDED


def test_a_delisting_upheld_lists_the_outlet_again_and_a_dismissed_one_stays(reviewer):
    with time_machine.travel(at(2, 3), tick=False):
        kept, restored = eligible_outlet(name="Kabar Tetap"), eligible_outlet(name="Kabar Pulih")
        for outlet in (kept, restored):
            lifecycle.delist(listed(outlet), user=reviewer, reason="Tidak terbit.")
    with time_machine.travel(at(3, 3), tick=False):
        for outlet, uphold in ((kept, False), (restored, True)):
            objection = objections.file_objection(objections.listing_decision(outlet), statement="Kami terbit.")
            objections.decide_objection(objection, user=reviewer, uphold=uphold, reason="Diperiksa.")
    assert Listing.objects.get(outlet=kept).state == ListingState.DELISTED
    listing = Listing.objects.get(outlet=restored)
    assert listing.state == ListingState.LISTED
    assert listing.transitions.first().action == "objection_upheld"


def test_automatic_suspensions_cannot_be_objected_to(client):
    outlet = eligible_outlet(name="Kabar Otomatis")
    listing = listed(outlet)
    lifecycle.transitions._move(listing, "auto_suspend", ListingState.SUSPENDED, actor="system:recheck",
                                cause="eligibility", reason="KSWP kedaluwarsa.")
    assert objections.listing_decision(outlet) is None
    page = client.get(renewal_page(outlet))
    assert page.status_code == 200 and 'id="objection"' not in page.content.decode()
    assert client.post(renewal_page(outlet), objection_data()).status_code == 400


# --- the outlet's page and the staff home ---------------------------------------------------------------

def test_the_outlets_page_lists_its_objections_beside_its_eligibility_history(client, reviewer):
    objection = filed_objection()
    objections.decide_objection(objection, user=reviewer, uphold=False, reason="Tidak berdasar.")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    shown = text(client.get(reverse("admin:partners_mediaoutlet_change", args=[objection.outlet_id])))
    assert "Objections (masa sanggah)" in shown
    assert "Rejection of the application" in shown and "Dismissed" in shown and "Tidak berdasar." in shown


def waiting_objections(n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        application = rejected_application(submitted=at(2, 3), rejected=at(10, 3), name=f"Kabar {i:02d}",
                                           reviewer=StaffUserFactory())
        with time_machine.travel(at(11, 3), tick=False):
            objections.file_objection(objections.application_decision(application), statement="Keberatan.")


def test_the_staff_home_shows_the_waiting_objections_with_the_days_left_in_a_fixed_number_of_queries(
        client, reviewer):
    waiting_objections(1)
    client.force_login(reviewer)

    def home_queries() -> tuple[int, str]:
        with time_machine.travel(at(14, 3), tick=False):
            client.get("/admin/")
            with CaptureQueriesContext(connection) as captured:
                html = client.get("/admin/").content.decode()
        return len(captured), html

    few, html = home_queries()
    assert 'id="home-objections"' in html and "1 day late" in html
    waiting_objections(12, start=1)
    many, html = home_queries()
    assert many == few
    panel = selectors.objections_waiting(datetime.date(2026, 3, 12))
    assert panel["total"] == 13 and panel["late"] == 0 and len(panel["soonest"]) == selectors.HOME_ROWS
    assert panel["soonest"][0].days_left == 1
    # Not shown to staff who may not see objections.
    client.force_login(StaffUserFactory(groups=["Petugas Anggaran"]))
    assert 'id="home-objections"' not in client.get("/admin/").content.decode()


def test_late_objections_for_the_exceptions_report(reviewer):
    waiting_objections(2)
    on_time, late = Objection.objects.order_by("pk")
    with time_machine.travel(at(13, 3), tick=False):
        objections.decide_objection(on_time, user=reviewer, uphold=False, reason="Tidak berdasar.")
    with time_machine.travel(at(20, 3), tick=False):
        objections.decide_objection(late, user=reviewer, uphold=False, reason="Tidak berdasar.")
    waiting_objections(1, start=5)
    undecided = Objection.objects.get(status=ObjectionStatus.WAITING)
    today = datetime.date(2026, 3, 22)
    found = list(selectors.objections_late(today))
    assert [(o.pk, o.days_late) for o in found] == [(late.pk, 7), (undecided.pk, 9)]
    assert [o.pk for o in selectors.objections_late(today, grace_days=8)] == [undecided.pk]


def test_the_exceptions_report_lists_objections_not_decided_in_time(client, reviewer):
    from mediareg.reports import ReportFilters, get_report

    waiting_objections(2)
    on_time, late = Objection.objects.order_by("pk")
    with time_machine.travel(at(14, 3), tick=False):  # the day after the period: in time
        objections.decide_objection(on_time, user=reviewer, uphold=False, reason="Tidak berdasar.")
    with time_machine.travel(at(20, 3), tick=False):
        objections.decide_objection(late, user=reviewer, uphold=False, reason="Tidak berdasar.")
    report = get_report("exceptions")
    with time_machine.travel(at(22, 3), tick=False):
        rows = [row for row in report.rows(ReportFilters(), None) if row[0] == "objection_not_decided_in_time"]
        hidden = [row for row in report.rows(ReportFilters(), StaffUserFactory(groups=["Petugas Anggaran"]))
                  if row[0] == "objection_not_decided_in_time"]
    (row,) = rows
    assert row[3] == late.pk and row[6] == late.outlet.name and row[10] == datetime.date(2026, 3, 13)
    assert "The objection period ended on 2026-03-13; decided on 2026-03-20 (7 days after it)." in row[12]
    assert hidden == []


# --- the API: staff read objections and decide them with the admin's words -----------------------------

def api(client, method: str, path: str, user, data=None):
    from mediareg.api.tokens import token_create

    _token, key = token_create(user=user, name="tes", created_by=user)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    if method == "get":
        return client.get("/api/v1/" + path, **headers)
    return client.post("/api/v1/" + path, data or {}, content_type="application/json", **headers)


def test_the_api_lists_objections_for_staff_and_refuses_as_the_admin_does(client, send, reviewer):
    objection = filed_objection()
    listed = api(client, "get", "objections/", reviewer)
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["id"], row["status"], row["application"], row["files"], row["deadline"]) == (
        objection.pk, "waiting", objection.application_id, 1, "2026-03-13")
    assert api(client, "get", "objections/", StaffUserFactory(groups=["Petugas Anggaran"])).status_code == 403
    # Deciding needs the admin's permission.
    viewer = StaffUserFactory(groups=["Auditor"])
    assert api(client, "post", f"objections/{objection.pk}/dismiss/", viewer, {"reason": "x"}).status_code == 403
    blank = api(client, "post", f"objections/{objection.pk}/dismiss/", reviewer, {"reason": " "})
    assert blank.status_code == 400 and "Give a reason; it is sent to the objector." in str(blank.json())
    done = api(client, "post", f"objections/{objection.pk}/dismiss/", reviewer, {"reason": "Tidak berdasar."})
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    # Decided already: the same sentence through the API and the admin.
    again = api(client, "post", f"objections/{objection.pk}/uphold/", reviewer, {"reason": "Lagi."})
    assert again.status_code == 400 and "This objection has already been decided." in str(again.json())
    client.force_login(reviewer)
    queue = reverse("admin:catalog_objection_changelist")
    response = send(queue, {"action": "uphold", "_selected_action": [objection.pk], "apply": "1", "reason": "Lagi."})
    assert any("This objection has already been decided." in m for m in messages_of(response))


def test_the_objection_list_runs_the_same_queries_for_one_and_for_many(client, reviewer):
    waiting_objections(1)
    client.force_login(reviewer)
    url = reverse("admin:catalog_objection_changelist") + "?status__exact=waiting"

    def list_queries() -> tuple[int, str]:
        with time_machine.travel(at(12, 3), tick=False):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
        assert response.status_code == 200
        return len(captured), text(response)

    few, _shown = list_queries()
    waiting_objections(8, start=1)
    many, shown = list_queries()
    assert many == few
    assert "Rejection of the application" in shown and "1 day left" in shown
