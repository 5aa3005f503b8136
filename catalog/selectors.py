"""Reads that several parts of the catalog share."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from mediareg.mail import unique_addresses

from .models import EligibilityPolicy

STAFF_GROUP = "Verifikator"


def staff_recipients(policy: EligibilityPolicy | None = None) -> list[str]:
    """Who hears from the catalog (the notice of a new application, the daily summary of suspensions):
    the policy's addresses, one per line (commas and semicolons separate them too), or, when it lists
    none, the active staff of the Verifikator group who have an e-mail address. Each address once,
    whatever its letter case, in the order given (the staff's in address order)."""
    policy = policy or EligibilityPolicy.load()
    configured = policy.staff_summary_emails.replace(",", "\n").replace(";", "\n").split()
    if configured:
        return unique_addresses(configured)
    users = (get_user_model().objects.filter(is_active=True, groups__name=STAFF_GROUP).exclude(email="")
             .order_by("email").values_list("email", flat=True).distinct())
    return unique_addresses(users)
