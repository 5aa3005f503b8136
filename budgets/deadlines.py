"""Proof-of-publication deadlines (docs/domain.md "Proof deadlines"): pure rules of an order's facts, the
agency's policy and a date, tested without a database.

The deadline is a number of days after the end of the order's service period (the last day of a campaign,
the last issue or broadcast: a multi-day service can be proven only once it is over), per media type and,
for print, per publication frequency. Defaults are Mojokerto's: 2 days for online and daily print, 7 for
weekly print and television, 10 for monthly print; radio, which the source does not name, is given
television's 7 as broadcast, and print of no stated frequency the weekly 7. Each agency keeps its own
numbers (budgets.models.Agency.proof_days_*), since each writes its own regulation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from partners.models import MediaType, PublicationFrequency


@dataclass(frozen=True)
class ProofDeadlines:
    """Days after the end of the service period, per media type and print frequency."""

    online: int = 2
    daily_print: int = 2
    weekly_print: int = 7
    monthly_print: int = 10
    other_print: int = 7
    television: int = 7
    radio: int = 7

    @classmethod
    def of(cls, agency) -> ProofDeadlines:
        """The agency's rules (an Agency, or anything with its ``proof_days_*``); the defaults for None."""
        if agency is None:
            return cls()
        return cls(**{name: getattr(agency, f"proof_days_{name}") for name in cls.__dataclass_fields__})


DEFAULT_DEADLINES = ProofDeadlines()


def proof_days(media_type: str, frequency: str, policy: ProofDeadlines = DEFAULT_DEADLINES) -> int:
    """How many days after the service period the proof of an outlet of ``media_type`` (and, for print,
    ``frequency``) is due."""
    if media_type == MediaType.PRINT:
        return {PublicationFrequency.DAILY: policy.daily_print, PublicationFrequency.WEEKLY: policy.weekly_print,
                PublicationFrequency.MONTHLY: policy.monthly_print}.get(frequency, policy.other_print)
    return {MediaType.ONLINE: policy.online, MediaType.TELEVISION: policy.television,
            MediaType.RADIO: policy.radio}.get(media_type, policy.online)


def proof_deadline(media_type: str, frequency: str, service_end: datetime.date,
                   policy: ProofDeadlines = DEFAULT_DEADLINES) -> datetime.date:
    """The last day on which the proof is on time: ``service_end`` plus the policy's days."""
    return service_end + datetime.timedelta(days=proof_days(media_type, frequency, policy))


def days_late(due_on: datetime.date | None, day: datetime.date) -> int:
    """How many days after the deadline ``day`` is (0 when on time or without a deadline)."""
    return max(0, (day - due_on).days) if due_on else 0
