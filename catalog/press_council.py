"""What the catalog does with a Dewan Pers list import (partners.press_council_import), which it hears
through partners.signals: it keeps the file and every row as read as evidence (PressCouncilImport and
its PressCouncilEntry rows) in the import's own transaction, and once the import has committed it
re-checks the outlets the list touched or flagged (trigger "import")."""

from __future__ import annotations

from dataclasses import dataclass

from .eligibility import recheck_outlets
from .models import EligibilityPolicy, PressCouncilEntry, PressCouncilImport, Trigger


@dataclass(frozen=True)
class ImportRecheck:
    """The catalog's answer to an import, for the command's summary."""

    checked: int
    changed: int
    grace_days: int  # how long a flagged outlet's verification keeps counting (EligibilityPolicy)


def keep_evidence(sender, report, **kwargs) -> PressCouncilImport:
    """partners.signals.press_council_list_applied: the import as evidence, with every row as read."""
    record = PressCouncilImport.objects.create(
        list_date=report.list_date, file_name=report.file_name[:255], sha256=report.sha256,
        complete=report.complete, rows_read=report.rows_read, rows_matched=report.rows_matched,
        rows_created=report.rows_created, rows_skipped=report.rows_skipped, outlets_flagged=report.flagged,
        actor=report.actor)
    PressCouncilEntry.objects.bulk_create(
        [PressCouncilEntry(source=record, line_number=row.line, data=row.data, outcome=row.outcome,
                           problem=row.problem, outlet_id=row.outlet_id) for row in report.rows],
        batch_size=1000)
    return record


def recheck_after_import(sender, report, **kwargs) -> ImportRecheck:
    """partners.signals.press_council_list_imported: re-check what the list touched, at once."""
    policy = EligibilityPolicy.load()
    summary = recheck_outlets(report.outlet_ids, trigger=Trigger.IMPORT, actor=report.actor, policy=policy)
    return ImportRecheck(checked=summary.checked, changed=summary.changed,
                         grace_days=policy.press_council_grace_days)
