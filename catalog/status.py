"""What an applicant sees of the eligibility rules: the ones their outlet does not meet yet."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language

from .facts import load_facts
from .models import EligibilityPolicy
from .rules import RULE_TITLES, evaluate


def missing_requirements(outlet) -> list[dict]:
    """Evaluated now, without writing anything: the failing rules' titles and reasons in the active language."""
    policy = EligibilityPolicy.load()
    facts = load_facts([outlet.pk], policy).get(outlet.pk)
    if facts is None:
        return []
    language = "en" if (get_language() or "id").startswith("en") else "id"
    return [{"title": RULE_TITLES[o.code], "reason": o.as_json()["reason"][language]}
            for o in evaluate(facts, policy, timezone.localdate()) if not o.passed]
