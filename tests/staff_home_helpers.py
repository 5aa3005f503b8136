"""The register the staff home tests read (tests/test_staff_home.py and its browser test): something in
every panel, on the pinned ordinary day."""

from __future__ import annotations

import datetime

from django.utils import timezone

from catalog.models import Application, ListingState, ListingTransition, RecheckRun, Trigger
from mediareg.models import DeadLetter
from partners.models import DocumentKind
from tests.catalog_helpers import make_application
from tests.factories import DocumentFactory, MediaOutletFactory, PressCompanyFactory


def days_ago(days: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def build_world(outlets: int = 1) -> dict:
    """A register with something in every panel: ``outlets`` outlets under one company (so that its
    expiring SKF affects them all) and a second company with an outlet of its own."""
    company = PressCompanyFactory(legal_name="PT Kabar Nusantara")
    first = MediaOutletFactory(company=company, name="Kabar Pagi")
    for n in range(outlets - 1):
        MediaOutletFactory(company=company, name=f"Kabar Daerah {n:02d}")
    other = MediaOutletFactory(name="Warta Timur")

    # Documents: a company SKF expiring in 7 days (every outlet of the company), an outlet's Dewan Pers
    # certificate in 20 days, a rejected one and a far one (neither counts), two pending reviews.
    skf = DocumentFactory(company=company, kind=DocumentKind.SKF, accepted=True, issue_date=in_days(-20),
                          expiry_date=in_days(7))
    certificate = DocumentFactory(outlet=other, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                                  issue_date=in_days(-1000), expiry_date=in_days(20))
    DocumentFactory(company=company, kind=DocumentKind.SKF, rejected=True, issue_date=in_days(-20),
                    expiry_date=in_days(5))
    DocumentFactory(company=company, kind=DocumentKind.SKF, accepted=True, issue_date=in_days(-5),
                    expiry_date=in_days(45))
    older_pending = DocumentFactory(company=company, kind=DocumentKind.NIB)
    DocumentFactory(outlet=other, kind=DocumentKind.EDITORIAL_BOX)

    # Applications: two waiting (12 and 3 days), two that wait for nobody on staff.
    oldest = make_application(first, days_ago=12)
    reviewing = make_application(other, days_ago=3, status=Application.Status.UNDER_REVIEW)
    make_application(first, days_ago=20, status=Application.Status.APPROVED)
    make_application(other, days_ago=30, status=Application.Status.CHANGES_REQUESTED)

    # Listing transitions: suspended 2 days ago and listed again yesterday; a suspension 10 days ago and
    # a note on a suspended listing do not count.
    listing = first.listing
    history = [(2, "auto_suspend", ListingState.LISTED, ListingState.SUSPENDED),
               (1, "auto_reinstate", ListingState.SUSPENDED, ListingState.LISTED),
               (10, "suspend", ListingState.LISTED, ListingState.SUSPENDED),
               (1, "warning_1", ListingState.SUSPENDED, ListingState.SUSPENDED)]
    for days, action, from_state, to_state in history:
        ListingTransition.objects.create(listing=listing, created_at=days_ago(days), action=action,
                                         from_state=from_state, to_state=to_state, actor_label="system:schedule")

    # Last night's re-check: 01:00 to 01:03:20, with one of its ranges set aside; an older run, a staff
    # run and a failed task of another job are not it.
    started = days_ago(0, hour=1)
    RecheckRun.objects.create(day=in_days(-1), trigger=Trigger.SCHEDULE, started_at=days_ago(1, hour=1),
                              finished_at=days_ago(1, hour=2), batches=1, batches_done=1)
    run = RecheckRun.objects.create(day=in_days(0), trigger=Trigger.SCHEDULE, started_at=started,
                                    finished_at=started + datetime.timedelta(minutes=3, seconds=20), batches=2,
                                    batches_done=2, outlets_checked=outlets + 1, outlets_changed=1)
    RecheckRun.objects.create(day=in_days(0), trigger=Trigger.STAFF, started_at=days_ago(0, hour=8))
    for task_id, name in [("range-1", "catalog.tasks.recheck_outlet_range"),
                          ("mail-1", "mediareg.outbox.send_mail")]:
        DeadLetter.objects.create(task_id=task_id, task_name=name, deliveries=9)
    return {"company": company, "first": first, "other": other, "skf": skf, "certificate": certificate,
            "older_pending": older_pending, "oldest": oldest, "reviewing": reviewing, "run": run}
