"""factory_boy factories for the registry. They write what a test asks for without validating it, so
tests can also prove that the database refuses bad rows.

    company = PressCompanyFactory()                       # PT in DKI Jakarta, valid NPWP, KBLI 63122
    outlet = MediaOutletFactory(company=company, media_type="radio")
    PressVerificationFactory(outlet=outlet, factual=True)  # certificate signed a year ago
    DocumentFactory(accepted=True)                        # an accepted NPWP card (a small real PDF)
    DocumentFactory(outlet=outlet, kind="editorial_box")  # the company follows the outlet
    StaffUserFactory(permissions=["partners.download_document"])
    StaffUserFactory(groups=["Auditor"])                   # a member of a role's group
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from stdnum import luhn

from partners.demo.files import PDF_CONTENT_TYPE, pdf_bytes
from partners.models import (
    CompetencyLevel,
    Document,
    DocumentKind,
    KbliCode,
    LegalForm,
    MediaOutlet,
    MediaType,
    OutletDomain,
    PressCompany,
    PressVerification,
    Province,
    ReviewStatus,
    VerificationLevel,
    VerificationSource,
)

LOCALE = "id_ID"
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
TEST_PASSWORD = "rahasia-uji-123"


def make_npwp(n: int) -> str:
    """The canonical 16-digit NPWP of the ``n``-th test company: an entity (type 01), serial and tax
    office from ``n``, the Luhn check digit in ninth place (docs/domain.md "NPWP, NIK and NIB"), head office ``000``.

    Distinct for every n below 10**8. The tax office codes 900-999 are not used by seed_demo, so
    factory companies never collide with the demo set.
    """
    serial, office = n % 1_000_000, 900 + (n // 1_000_000) % 100
    head = f"01{serial:06d}"
    return f"0{head}{luhn.calc_check_digit(head)}{office:03d}000"


def grant_permissions(user, *names: str):
    """Give ``user`` permissions named "app_label.codename" (unknown names fail loudly)."""
    for name in names:
        app_label, codename = name.split(".", 1)
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def today() -> datetime.date:
    return timezone.localdate()


def days_from_today(days: int):
    return factory.LazyFunction(lambda: today() + datetime.timedelta(days=days))


class ProvinceFactory(factory.django.DjangoModelFactory):
    """DKI Jakarta, which the reference-data migration already loaded."""

    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "31"
    name = "DKI Jakarta"


class KbliCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KbliCode
        django_get_or_create = ("code",)

    code = "63122"
    title = "Portal web dan/atau platform digital dengan tujuan komersial"
    is_press = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name", locale=LOCALE)
    last_name = factory.Faker("last_name", locale=LOCALE)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        """``permissions=["partners.view_document", ...]``"""
        if create and extracted:
            grant_permissions(self, *extracted)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """``groups=["Verifikator"]``: the roles' groups (mediareg.roles), which exist after migrate."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class StaffUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staf{n}")
    is_staff = True


class PressCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressCompany
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"PT Pers Uji {n:04d}")
    legal_form = LegalForm.PT
    npwp = factory.Sequence(make_npwp)
    nib = factory.Sequence(lambda n: f"9120{n:09d}")
    address = factory.Faker("street_address", locale=LOCALE)
    province = factory.SubFactory(ProvinceFactory)
    regency_city = "Jakarta Pusat"
    postal_code = "10110"
    email = factory.LazyAttribute(lambda company: f"sekretariat{company.nib[-4:]}@example.com")
    # Each its own: outlets of different companies sharing a phone are connected (partners.selectors).
    phone = factory.Sequence(lambda n: f"(021) 3{n % 1000:03d} {n // 1000 % 10000:04d}")

    @factory.post_generation
    def kbli_codes(self, create, extracted, **kwargs):
        """The web-portal press code 63122 unless ``kbli_codes=[...]`` (codes or KbliCodes) is given."""
        if not create:
            return
        codes = ["63122"] if extracted is None else extracted
        self.kbli_codes.add(*(c if isinstance(c, KbliCode) else KbliCodeFactory(code=c) for c in codes))


class MediaOutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaOutlet

    company = factory.SubFactory(PressCompanyFactory)
    name = factory.Sequence(lambda n: f"Portal Uji {n:04d}")
    media_type = MediaType.ONLINE
    person_in_charge = factory.Faker("name", locale=LOCALE)
    editor_in_chief = factory.Faker("name", locale=LOCALE)
    editor_competency = CompetencyLevel.UTAMA
    editor_certificate_no = factory.Sequence(lambda n: f"{1000 + n}-PWI/WU/DP/III/2021")
    email = factory.Sequence(lambda n: f"redaksi{n}@example.com")
    phone = factory.Sequence(lambda n: f"0812-{n % 10000:04d}-{n // 10000 % 10000:04d}")


class OutletDomainFactory(factory.django.DjangoModelFactory):
    """The domain is written as given (not normalised), so tests can try malformed ones."""

    class Meta:
        model = OutletDomain

    outlet = factory.SubFactory(MediaOutletFactory)
    domain = factory.Sequence(lambda n: f"portal-uji-{n}.example.id")
    is_primary = False


class PressVerificationFactory(factory.django.DjangoModelFactory):
    """Not verified by default; ``administrative=True`` or ``factual=True`` (certificate signed a
    year ago, so valid for four more years) for the other levels."""

    class Meta:
        model = PressVerification

    outlet = factory.SubFactory(MediaOutletFactory)
    level = VerificationLevel.NONE
    source = VerificationSource.STAFF
    checked_at = factory.LazyFunction(timezone.now)

    class Params:
        administrative = factory.Trait(
            level=VerificationLevel.ADMINISTRATIVE,
            status_date=days_from_today(-200),
        )
        factual = factory.Trait(
            level=VerificationLevel.FACTUAL,
            certificate_date=days_from_today(-365),
            status_date=factory.SelfAttribute("certificate_date"),
            certificate_number=factory.LazyAttributeSequence(
                lambda v, n: f"{100 + n}/DP-Verifikasi/K/{ROMAN_MONTHS[v.certificate_date.month - 1]}"
                             f"/{v.certificate_date.year}"),
        )


def _pdf_file(document) -> ContentFile:
    # The stored name comes from the model's upload_to (random); only the ".pdf" suffix is used.
    return ContentFile(pdf_bytes(f"Dokumen uji {document.number}"), name="dokumen.pdf")


class DocumentFactory(factory.django.DjangoModelFactory):
    """A pending NPWP card of a new company, with a real one-page PDF in the (test) private storage.

    Give ``outlet=`` for outlet documents; the company then follows the outlet. Traits: ``accepted``,
    ``rejected`` (reviewer, time and reason as the check constraints want), ``expired`` and
    ``expiring_soon`` (an SKF past, or ten days before, its one-month validity).
    """

    class Meta:
        model = Document

    outlet = None
    company = factory.Maybe(
        "outlet",
        yes_declaration=factory.SelfAttribute("outlet.company"),
        no_declaration=factory.SubFactory(PressCompanyFactory),
    )
    kind = DocumentKind.NPWP_CARD
    number = factory.Sequence(lambda n: f"DOK-{n:05d}")
    issue_date = days_from_today(-30)
    expiry_date = None
    file = factory.LazyAttribute(_pdf_file)
    original_filename = "dokumen.pdf"
    content_type = PDF_CONTENT_TYPE
    size = factory.LazyAttribute(lambda document: document.file.size)
    review_status = ReviewStatus.PENDING

    class Params:
        accepted = factory.Trait(
            review_status=ReviewStatus.ACCEPTED,
            reviewed_at=factory.LazyFunction(timezone.now),
            reviewed_by=factory.SubFactory(StaffUserFactory),
        )
        rejected = factory.Trait(
            review_status=ReviewStatus.REJECTED,
            reviewed_at=factory.LazyFunction(timezone.now),
            reviewed_by=factory.SubFactory(StaffUserFactory),
            rejection_reason="Pindaian tidak terbaca; unggah ulang.",
        )
        expired = factory.Trait(
            kind=DocumentKind.SKF,
            issue_date=days_from_today(-60),
            expiry_date=days_from_today(-29),
        )
        expiring_soon = factory.Trait(
            kind=DocumentKind.SKF,
            issue_date=days_from_today(-20),
            expiry_date=days_from_today(10),
        )
