"""Who hears from the catalog: one rule (catalog.selectors.staff_recipients) for the notice of a new
application and for the daily summary, whatever way staff typed the addresses in the policy."""

import pytest

from catalog import applications
from catalog.models import EligibilityPolicy
from catalog.selectors import staff_recipients
from mediareg.models import OutgoingMail
from tests.catalog_helpers import make_application
from tests.factories import MediaOutletFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TYPED = (" kepala@diskominfo.example, arsip@diskominfo.example;\nKEPALA@diskominfo.example\n\n"
         "  humas@diskominfo.example ")
EXPECTED = ["kepala@diskominfo.example", "arsip@diskominfo.example", "humas@diskominfo.example"]


def set_policy_recipients(text: str) -> None:
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = text
    policy.save()


def test_lines_commas_and_semicolons_separate_addresses_and_each_comes_once():
    set_policy_recipients(TYPED)
    assert staff_recipients() == EXPECTED


def test_without_addresses_in_the_policy_the_active_verifikator_staff_hear():
    StaffUserFactory(username="rina", email="rina@kominfo.example.go.id", groups=["Verifikator"])
    StaffUserFactory(username="budi", email="budi@kominfo.example.go.id", groups=["Verifikator"])
    StaffUserFactory(username="tanpa.surel", email="", groups=["Verifikator"])
    StaffUserFactory(username="pensiun", email="pensiun@kominfo.example.go.id", is_active=False,
                     groups=["Verifikator"])
    StaffUserFactory(username="auditor", email="auditor@kominfo.example.go.id")
    assert staff_recipients() == ["budi@kominfo.example.go.id", "rina@kominfo.example.go.id"]


def test_the_application_notice_goes_to_the_same_addresses_as_the_summary():
    set_policy_recipients(TYPED)
    application = make_application(MediaOutletFactory())
    applications.queue_submitted_mails(application)
    notice = OutgoingMail.objects.get(kind="application_staff_notice")
    assert notice.recipients == EXPECTED
