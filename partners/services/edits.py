"""Registry edits: the writes of one page, one submission or one job, with the eligibility re-check
they ask for.

Every write service reports the outlets and companies whose eligibility facts it changed
(``facts_changed``) to the edit it runs in, and opens one of its own when the caller opened none. The
outermost edit sends what it collected as one ``partners.signals.registry_changed`` when it ends
without an error (partners never imports the catalog): a person's page in the back office
(``staff_edit``) after the page's transaction, for a re-check at once; a public form or a job inside
its transaction, so that the catalog marks the request in the same commit and queues a worker. An
edit nested in another hands its requests to the outer one, and drops them when it fails: a failed
service has written nothing, and a caller's failed savepoint (an import's row) took its writes back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from mediareg.audit import audit_context

from ..models import MediaOutlet
from ..signals import registry_changed

# The fields of a company and of an outlet that eligibility rules read (catalog.facts).
COMPANY_FACT_FIELDS = frozenset({"npwp", "legal_form", "kbli_codes"})
OUTLET_FACT_FIELDS = frozenset({"company", "media_type"})


@dataclass
class RegistryEdit:
    actor: str = ""
    at_once: bool = False
    trigger: str = ""
    announce: bool = True
    outlet_ids: set[int] = field(default_factory=set)
    company_ids: set[int] = field(default_factory=set)

    def touched_outlets(self) -> set[int]:
        """The outlets whose facts the edit changed: its own and every outlet of its companies (one query)."""
        ids = set(self.outlet_ids)
        if self.company_ids:
            ids.update(MediaOutlet.objects.filter(company_id__in=self.company_ids).values_list("pk", flat=True))
        return ids


_current: ContextVar[RegistryEdit | None] = ContextVar("partners_registry_edit", default=None)


@contextlib.contextmanager
def _running(edit: RegistryEdit):
    outer = _current.get()
    token = _current.set(edit)
    try:
        yield edit
    finally:
        _current.reset(token)
    # Only reached when the block ended without an error.
    if outer is not None:
        outer.outlet_ids |= edit.outlet_ids
        outer.company_ids |= edit.company_ids
    elif edit.announce and (edit.outlet_ids or edit.company_ids):
        registry_changed.send(sender=MediaOutlet, outlet_ids=sorted(edit.outlet_ids),
                              company_ids=sorted(edit.company_ids), actor=edit.actor, at_once=edit.at_once,
                              trigger=edit.trigger)


@contextlib.contextmanager
def registry_edit(*, actor: str = "", trigger: str = "", announce: bool = True):
    """The writes of a public form's submission or a job's run: ``actor`` names it in the audit trail
    (``public:application``, ``system:import_press_council``) and ``trigger`` (a catalog trigger,
    opaque here) says why the re-check happens. Open it inside the transaction, so that the re-check
    is asked for in the same commit. ``announce=False`` when the caller re-checks every outlet the
    edit touched itself once it has committed (``touched_outlets()``): the Dewan Pers import,
    seed_demo."""
    with audit_context(actor=actor) if actor else contextlib.nullcontext(), \
            _running(RegistryEdit(actor=actor, trigger=trigger, announce=announce)) as edit:
        yield edit


@contextlib.contextmanager
def writing(*, actor: str = ""):
    """Around one service's writes: in the caller's transaction when there is one (a page, a submission,
    a job's run), else in one of its own; in the caller's registry edit, else in its own.

    No savepoint per call (a job calls hundreds of services): a service checks before it writes, so a
    refusal leaves nothing behind for a caller that catches it and goes on, and each insert that can
    lose a race to another transaction has a savepoint of its own. A database error is the
    transaction's owner's to roll back."""
    in_transaction = transaction.get_connection().in_atomic_block
    with contextlib.nullcontext() if in_transaction else transaction.atomic(), registry_edit(actor=actor) as edit:
        yield edit


def staff_edit(user):
    """Around a person's save in the back office (a page with its inlines, a deletion, an action).
    The re-checks its writes ask for are sent once when the block ends without an error (after the
    page's transaction), for a re-check at once in the person's name, so the page the person sees next
    shows the fresh eligibility. The audit trail names the person through the request (middleware)."""
    return _running(RegistryEdit(actor=user.get_username(), at_once=True))


def staff_edit_in_progress() -> RegistryEdit | None:
    """The person's back-office edit this code runs in (``staff_edit``), if any: a person waits for its
    page, so what it changes is re-checked at once."""
    edit = _current.get()
    return edit if edit is not None and edit.at_once else None


def facts_changed(*, outlet_ids: Iterable[int | None] = (), company_ids: Iterable[int | None] = ()) -> None:
    """Within a service's edit: these outlets' (and every outlet of these companies') facts changed."""
    edit = _current.get()
    if edit is None:
        raise RuntimeError("facts_changed() outside a registry edit: every write service opens one")
    edit.outlet_ids.update(pk for pk in outlet_ids if pk is not None)
    edit.company_ids.update(pk for pk in company_ids if pk is not None)


def owners(outlet_id: int | None, company_id: int | None) -> dict:
    """An outlet document concerns its outlet; a company document every outlet of the company."""
    return {"outlet_ids": [outlet_id]} if outlet_id else {"company_ids": [company_id]}


def validated(obj, *, changed: Iterable[str] | None = None) -> None:
    """The model's own checks that every form of it runs too: its fields and its clean(), for the
    fields a write changes (all of them for a new row), so that an old record's other quirks never
    block an unrelated change. Relations and uniqueness are the services' own lookups and the
    database's constraints."""
    changed = None if changed is None else set(changed)
    exclude = [f.name for f in obj._meta.concrete_fields
               if f.is_relation or (changed is not None and f.name not in changed)]
    errors = {}
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
