"""Renewal: the signed link in reminder and decision e-mails (/apply/renew/<token>/), and the page
where an outlet uploads a replacement for an expiring document without an account.

The link names the outlet and expires after RENEWAL_LINK_MAX_AGE_DAYS; a replacement goes to review
like any other document and asks for the outlet's re-check (partners.signals.documents_changed).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from mediareg.audit import audit_context
from partners.models import Document, MediaOutlet, owner_of_kind
from partners.signals import documents_changed

RENEWAL_SALT = "mediareg.catalog.renewal"


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
    """The outlet's and its company's documents that have expired or expire within 30 days."""
    horizon = today + datetime.timedelta(days=30)
    return list(Document.objects.filter(Q(outlet=outlet) | Q(company=outlet.company_id, outlet__isnull=True))
                .filter(expiry_date__lte=horizon).exclude(review_status="rejected").order_by("expiry_date"))


def store_renewal(outlet: MediaOutlet, form) -> list[Document]:
    """A replacement document goes to review like any other; the old one stays as the record."""
    data = form.cleaned_data
    upload = data["file"]
    checked = upload.checked
    upload.name = f"document{checked.extension}"
    kind = data["kind"]
    with transaction.atomic(), audit_context(actor="public:renewal"):
        document = Document.objects.create(
            company_id=outlet.company_id, outlet=outlet if owner_of_kind(kind) == "outlet" else None, kind=kind,
            number=data["number"], issue_date=data["issue_date"], expiry_date=data["expiry_date"],
            tax_year=data["tax_year"], file=upload, original_filename=checked.original_filename,
            content_type=checked.content_type, size=checked.size)
        documents_changed.send(sender=Document, document_ids=[document.pk])
    return [document]
