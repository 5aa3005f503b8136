"""Panels that apps above the catalog add to the staff home.

The catalog may not import those apps (docs/architecture.md "The apps and which way imports go"), so an
app such as budgets registers a provider from its AppConfig.ready(): a function of the user and today's
date (an Asia/Jakarta date) that returns the panels this user may see, each a dict with

- ``id``: the section's HTML id ("home-orders-waiting-proof"),
- ``template``: the template that draws it (it gets the dict as ``panel`` and the page's ``home``),

and whatever that template reads. catalog/admin/home.py adds them under ``home["more"]``, after the
catalog's own panels and before the audit trail. A provider runs a fixed number of queries whatever the
number of rows, as the catalog's panels do, and leaves out a panel whose list the user may not open.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

Provider = Callable[[object, datetime.date], list[dict]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add ``provider``'s panels to the staff home (once, however often ready() runs)."""
    if provider not in _providers:
        _providers.append(provider)


def more_panels(user, today: datetime.date) -> list[dict]:
    return [panel for provider in _providers for panel in provider(user, today)]
