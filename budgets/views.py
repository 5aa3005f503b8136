"""The proof-of-publication files of media orders: like registry documents (partners.views), served only
here, to staff with the permission, and only for an order the person may see (their agency's, or every
agency's for auditors), with no-store and nosniff, each access written to the data access log that auditors
read (mediareg.access)."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from mediareg.access import record_access
from mediareg.models import DataAccess
from partners.views import PREVIEW_POLICY, PREVIEW_TYPES, _attachment, _type_by_content

from . import selectors

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
