"""Setting one's own password: the link a new member of staff gets by e-mail, and "Forgotten your password?"
on the login page. Django's password-reset views with our templates; the e-mails go through the outbox
(mediareg.outbox.queue_mail, sent after commit), never straight to the mail server, and the links are built
on settings.SITE_URL, since a command or a job has no request to take the address from. A link works once
and for settings.PASSWORD_RESET_TIMEOUT (three days); Django's token changes as soon as the password does.
README "A new agency" tells the story.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import path, reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .outbox import queue_mail

INVITATION = "emails/account_invitation"
PASSWORD_RESET = "emails/password_reset"  # noqa: S105 (a template name)
# One "forgotten password" e-mail per person in this many seconds, whoever asks: the form is public.
RESET_MAIL_INTERVAL = 300


def set_password_url(user) -> str:
    """The absolute address of ``user``'s set-password page, valid for PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("set-password", args=[uid, token])


def valid_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def queue_set_password_mail(user, *, template: str = INVITATION, agency=None, language: str | None = None):
    """Store the e-mail with ``user``'s set-password link, sent once the current transaction commits."""
    context = {"user": user, "agency": agency, "link": set_password_url(user), "days": valid_days(),
               "username": user.get_username(), "site_url": settings.SITE_URL}
    return queue_mail(template, context, [user.email], language=language or settings.LANGUAGE_CODE, concerns=user)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, whose e-mail goes through the outbox. It never says whether the address is known."""

    def get_users(self, email):
        # Django leaves out accounts without a usable password; a new member of staff who lost the first
        # e-mail has one of those until they set it (never logged in), and may ask again.
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return [user for user in users
                if user.email.lower() == email.lower() and (user.has_usable_password() or user.last_login is None)]

    def save(self, *args, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            # Keyed by the account and its current password (a random salted hash, or a random unusable one), so
            # a password set since, or another database reusing the id, starts afresh.
            state = hashlib.sha256(user.password.encode()).hexdigest()[:16]
            if cache.add(f"password-reset-mail:{user.pk}:{state}", 1, RESET_MAIL_INTERVAL):
                queue_set_password_mail(user, template=PASSWORD_RESET, language=translation.get_language())


class SiteNames:
    """The admin's site title and header on these pages too (they extend admin/base_site.html but are not the
    admin site's own views, which would add them), instead of Django's "Django site admin"."""

    def get_context_data(self, **kwargs):
        from django.contrib import admin

        return {**super().get_context_data(**kwargs), "site_title": admin.site.site_title,
                "site_header": admin.site.site_header}


class PasswordResetView(SiteNames, auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("password-reset-done")
    title = _("Forgotten your password?")


class PasswordResetDoneView(SiteNames, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = _("Check your e-mail")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "days": valid_days()}


class SetPasswordView(SiteNames, auth_views.PasswordResetConfirmView):
    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("set-password-done")
    title = _("Set your password")


class SetPasswordDoneView(SiteNames, auth_views.PasswordResetCompleteView):
    template_name = "accounts/set_password_done.html"
    title = _("Your password is set")


urlpatterns = [
    path("password-reset/", PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name="set-password"),
    path("set-password/done/", SetPasswordDoneView.as_view(), name="set-password-done"),
]
