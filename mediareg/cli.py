"""What the management commands share: date and number arguments that fail with a clear message, and a
progress bar that shows only on a terminal."""

from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


def date_argument(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date; use YYYY-MM-DD") from exc


def date_option(value) -> datetime.date | None:
    """call_command(..., date="2024-05-01") passes the string as it is, without argparse's type."""
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return date_argument(str(value))
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"--date: {exc}") from exc


def non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"“{value}” is not a whole number of days")
    return int(value)


class TerminalProgress:
    """A tqdm bar, only when stdout is a terminal; called as progress(advance, total)."""

    def __init__(self, command: BaseCommand, description: str, **tqdm_options):
        self.enabled = command.stdout.isatty()
        self.description, self.options, self.bar = description, tqdm_options, None

    def __call__(self, advance: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.description, leave=False, **self.options)
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
