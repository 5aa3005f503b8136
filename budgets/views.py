"""The proof-of-publication files of media orders: like registry documents (partners.views), served only
here, to staff with the permission, and only for an order the person may see (their agency's, or every
agency's for auditors), with no-store and nosniff, each access written to the data access log that auditors
read (mediareg.access). The evidence of spend outside the catalog the same way, with its own permission.

And the spend ledger as an Open Contracting release package (/reports/spend-ledger.ocds.json,
budgets.ocds): the same permission, filters, agency scope and access log as the ledger's CSV."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from mediareg.access import finish_access, record_access
from mediareg.models import DataAccess
from mediareg.reports import Profile, get_report
from mediareg.reports.filters import parse_filters
from partners.views import PREVIEW_POLICY, PREVIEW_TYPES, _attachment, _type_by_content

from . import selectors
from .ocds import package_chunks
from .reports import spend_ledger_orders

logger = logging.getLogger(__name__)


def _open_proof(request, pk: int):
    """The order (among those the person may see) and its proof file, opened; None and a response when the
    person must log in first. Refused (403) without the permission; not found (404) for another agency's
    order, an order without a file, or a file missing from storage."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return None, None, redirect_to_login(request.get_full_path())
    if not request.user.has_perm("budgets.download_proof"):
        logger.warning("proof download refused: user=%s order=%s", request.user.pk, pk)
        raise PermissionDenied
    order = get_object_or_404(selectors.visible_orders(request.user), pk=pk)
    if not order.proof_file:
        raise Http404("This order has no proof file.")
    try:
        return order, order.proof_file.open("rb"), None
    except FileNotFoundError as exc:
        raise Http404("The proof file of this order is missing from storage.") from exc


@require_safe
def order_proof(request, pk: int):
    order, handle, refused = _open_proof(request, pk)
    if refused:
        return refused
    logger.info("proof downloaded: user=%s order=%s", request.user.pk, pk)
    record_access(kind=DataAccess.Kind.PROOF_DOWNLOAD, name=order.pk, user=request.user)
    return _attachment(handle, order.proof_original_filename, order.proof_file.name, order.proof_content_type)


@require_safe
def order_proof_preview(request, pk: int):
    """A PDF or image shown in the browser (typed by its first bytes, sandboxed); any other content is
    downloaded. Logged like a download."""
    order, handle, refused = _open_proof(request, pk)
    if refused:
        return refused
    content_type = _type_by_content(handle)
    if content_type not in PREVIEW_TYPES:
        logger.info("proof downloaded (no preview for its type): user=%s order=%s", request.user.pk, pk)
        record_access(kind=DataAccess.Kind.PROOF_DOWNLOAD, name=order.pk, user=request.user)
        return _attachment(handle, order.proof_original_filename, order.proof_file.name, "application/octet-stream")
    logger.info("proof previewed: user=%s order=%s", request.user.pk, pk)
    record_access(kind=DataAccess.Kind.PROOF_PREVIEW, name=order.pk, user=request.user)
    response = _attachment(handle, order.proof_original_filename, order.proof_file.name, content_type, inline=True)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@require_safe
def other_spend_evidence(request, pk: int):
    """The evidence of spend outside the catalog (a receipt, an invoice, an SP2D), downloaded: staff with *Can
    download the evidence of spend outside the catalog*, for an entry of an agency they may see (else 404),
    logged in the data access log as proofs are."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("budgets.download_spend_evidence"):
        logger.warning("spend evidence download refused: user=%s entry=%s", request.user.pk, pk)
        raise PermissionDenied
    spend = get_object_or_404(selectors.visible_other_spends(request.user), pk=pk)
    try:
        handle = spend.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The evidence file of this entry is missing from storage.") from exc
    logger.info("spend evidence downloaded: user=%s entry=%s", request.user.pk, pk)
    record_access(kind=DataAccess.Kind.EVIDENCE_DOWNLOAD, name=spend.pk, user=request.user)
    return _attachment(handle, spend.evidence_original_filename, spend.evidence_file.name,
                       spend.evidence_content_type)


@staff_member_required
@require_safe
def spend_ledger_ocds(request):
    """The spend ledger as an OCDS 1.1 release package, streamed. Organisations only, so it is the
    public-safe profile whoever asks; the orders are those the person may see, filtered as the CSV is."""
    report = get_report("spend-ledger")
    if not report.allowed(request.user):
        raise PermissionDenied
    try:
        filters = parse_filters(report, request.GET)
    except ValidationError as refusal:
        return HttpResponseBadRequest(" ".join(refusal.messages), content_type="text/plain; charset=utf-8")
    entry = record_access(kind=DataAccess.Kind.REPORT, name=report.name, user=request.user, file_format="ocds",
                          profile=Profile.PUBLIC, filters=filters.as_dict())
    response = StreamingHttpResponse(
        package_chunks(spend_ledger_orders(filters, request.user), uri=settings.SITE_URL + request.get_full_path(),
                       finished=lambda releases: finish_access(entry, releases)),
        content_type="application/json")
    filename = f"mediareg-{report.name}-{Profile.PUBLIC}-{timezone.localdate().isoformat()}.ocds.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
