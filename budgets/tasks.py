"""Celery jobs of the budgets app. Thin: each calls a function that is safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task

from mediareg.jobs import TRANSIENT_ERRORS, ReliableTask, single_run

from . import proof_reminders

# Longer than any run (the hard time limit is 30 minutes), far shorter than a day.
DAILY_LOCK_SECONDS = 45 * 60


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS)
@single_run("send-proof-reminders", timeout=DAILY_LOCK_SECONDS)
def send_proof_reminders(day: str | None = None) -> dict:
    """Every morning: the proofs of publication due tomorrow or today, and those overdue, each reminded once
    per order and deadline (budgets.proof_reminders explains how)."""
    today = datetime.date.fromisoformat(day) if day else None
    return proof_reminders.send_proof_reminders(today).as_dict()
