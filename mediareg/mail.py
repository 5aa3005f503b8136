"""Rendering MediaReg's plain-text e-mails (templates/emails/<name>.txt and <name>_subject.txt).

Every e-mail goes through render_mail, so the rules hold for all of them: nothing is HTML-escaped
(a plain-text mail shows "Kabar A & B" as typed, not "Kabar A &amp; B"), and the subject is one line
whatever the names in it contain (Django refuses a header with a line break, BadHeaderError).
"""

from __future__ import annotations

import unicodedata

from django.template import Context
from django.template.loader import get_template
from django.utils import translation

# Sending mail fails with OSError: smtplib's errors and socket errors (refused, timeout, DNS) all are.
MAIL_ERRORS: tuple[type[Exception], ...] = (OSError,)

# Control characters (line breaks among them) and the Unicode line and paragraph separators.
_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def single_line(text: str) -> str:
    """``text`` as one header line: control characters become spaces, runs of spaces become one."""
    return " ".join("".join(" " if unicodedata.category(ch) in _BREAKING_CATEGORIES else ch for ch in text).split())


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered with autoescaping off, whatever the template says."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def unique_addresses(addresses) -> list[str]:
    """The addresses without blanks and repeats (compared ignoring letter case), in their order."""
    seen, unique = set(), []
    for address in addresses:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def render_mail(template: str, context: dict, language: str | None = None) -> tuple[str, str]:
    """The subject and body of ``templates/<template>.txt`` (e.g. ``emails/application_received``),
    in ``language`` (the active language when None)."""
    with translation.override(language or translation.get_language()):
        subject = single_line(render_text(f"{template}_subject.txt", context))
        body = render_text(f"{template}.txt", context)
    return subject, body
