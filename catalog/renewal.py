"""Renewal: the signed link in reminder and decision e-mails (/apply/renew/<token>/), and the page
where an outlet uploads a replacement for an expiring document without an account.

The link names the outlet and expires after RENEWAL_LINK_MAX_AGE_DAYS; a replacement goes to review
like any other document and asks for the outlet's re-check (partners.services.documents_add).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from partners import selectors, services
from partners.models import Document, MediaOutlet

from .models import Trigger

RENEWAL_SALT = "mediareg.catalog.renewal"
# Who writes a renewal upload, in the audit trail: the link is the outlet's, nobody signs in.
ACTOR = "public:renewal"


def renewal_token(outlet_id: int) -> str:
    return signing.dumps({"outlet": outlet_id}, salt=RENEWAL_SALT, compress=True)


def renewal_url_for_outlet(outlet_id: int) -> str:
    return settings.SITE_URL + reverse("renewal", args=[renewal_token(outlet_id)])


def read_renewal_token(token: str) -> int:
    """The outlet id in a renewal link; raises signing.SignatureExpired or signing.BadSignature."""
    max_age = settings.RENEWAL_LINK_MAX_AGE_DAYS * 24 * 3600
    return int(signing.loads(token, salt=RENEWAL_SALT, max_age=max_age)["outlet"])


def renewal_url_for_document(document: Document) -> str | None:
    """The signed link where the owner uploads the replacement (catalog.views.renewal). A company
    document is renewed through any of the company's outlets: the page takes company documents too."""
    outlet_id = document.outlet_id or MediaOutlet.objects.filter(company_id=document.company_id).order_by(
        "pk").values_list("pk", flat=True).first()
    return renewal_url_for_outlet(outlet_id) if outlet_id else None


def outlet_for_renewal(outlet_id: int) -> MediaOutlet | None:
    return MediaOutlet.objects.select_related("company").filter(pk=outlet_id).first()


def documents_to_renew(outlet: MediaOutlet, today) -> list[Document]:
    """The outlet's and its company's documents that have expired or expire within 30 days
    (partners.selectors, as the registry's list filters find them)."""
    return list(selectors.documents_to_renew(outlet, today=today))


def store_renewal(outlet: MediaOutlet, form) -> list[Document]:
    """A replacement document goes to review like any other (partners.services.documents_add, with the
    same checks as every interface); the old one stays as the record. Refused with the model's
    ValidationError by field (an expiry date the kind needs, a tax year)."""
    data = form.cleaned_data
    kind = data["kind"]
    document = Document(**services.document_place(kind, outlet=outlet), kind=kind, number=data["number"],
                        issue_date=data["issue_date"], expiry_date=data["expiry_date"], tax_year=data["tax_year"],
                        file=data["file"])
    with transaction.atomic(), services.registry_edit(actor=ACTOR, trigger=Trigger.DOCUMENT_REVIEW):
        return services.documents_add([document])
