"""The budget row lock every money-moving write takes (docs/architecture.md "Money").

Reading a sum and then inserting overspends when two requests race; locking the parent budget row makes
the second writer wait until the first commits and then read the new ``ordered_amount``. A lock wait is
capped (``SET LOCAL lock_timeout``, as pretix does for its quotas) so contention becomes a refusal the
person can retry, never a request hanging until the proxy gives up.
"""

from __future__ import annotations

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

from ..models import Budget
from .access import BudgetRefused

LOCK_TIMEOUT = "5s"


def locked_budget(pk: int) -> Budget:
    """The budget, locked until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_budget() must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        with transaction.atomic():  # a savepoint, so a timeout leaves the outer transaction usable
            return Budget.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", "") == "55P03":  # lock_not_available
            raise BudgetRefused(_("The budget is being changed by someone else right now; try again in a moment."),
                                code="busy") from exc
        raise
