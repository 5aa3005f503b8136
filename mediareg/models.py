"""The audit trail as staff see it: every event of every tracked model, with who did it.

The events themselves are written by database triggers (django-pghistory) on the tracked models in
partners, catalog and budgets. A request's signed-in user and URL come from
pghistory.middleware.HistoryMiddleware; a job or command names itself with
``pghistory.context(actor="system:<job>")``.

Also here: what the job machinery keeps for staff to see, the tasks set aside (DeadLetter) and the
e-mail outbox (OutgoingMail).
"""

import pghistory
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from pghistory.core import ProxyField
from pghistory.models import Events


class AuditEvent(Events):
    user = ProxyField(
        "pgh_context__user",
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True,
                          verbose_name=_("user")),
    )
    actor = ProxyField("pgh_context__actor", models.TextField(null=True, verbose_name=_("job or command")))
    url = ProxyField("pgh_context__url", models.TextField(null=True, verbose_name=_("address")))

    class Meta:
        proxy = True
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    @admin.display(description=_("document file"))
    def document_file(self):
        """For a document's events, links to the files they name: a replacement names the old file and
        the new one, so an auditor downloads the version that was in force (with the permission)."""
        if self.pgh_model != "partners.DocumentEvent":
            return ""
        names = (self.pgh_diff or {}).get("file") or [(self.pgh_data or {}).get("file")]
        links = [format_html('<a href="{}">{}</a>', reverse("partners:document-earlier-file",
                                                             args=[self.pgh_obj_id, name]), name.rsplit("/", 1)[-1])
                 for name in names if name]
        return format_html_join(" → ", "{}", ((link,) for link in links))


class DeadLetter(models.Model):
    """A task that was delivered too many times (it kept killing its worker, or kept failing after its
    retries) and was set aside instead of looping forever. Staff look at these; nothing re-runs them."""

    created_at = models.DateTimeField(_("set aside at"), auto_now_add=True)
    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=100, unique=True)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    deliveries = models.PositiveIntegerField(_("deliveries"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self):
        return f"{self.task_name} {self.task_id}"


class OutgoingMail(models.Model):
    """An e-mail stored in the same transaction as the fact it reports (a transactional outbox), so a
    saved application or decision always has its e-mail, whatever happens to the broker or the mail
    server afterwards. mediareg.outbox sends it: a task queued on commit, retried with backoff, and a
    periodic sweep for what is still unsent. Read-only in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed: not sent")

    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    kind = models.CharField(_("e-mail"), max_length=100, help_text=_("The template it was written from."))
    # What it concerns (an application, ...), for staff to find it from there.
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("concerns"))
    object_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    concerns = GenericForeignKey("content_type", "object_id")
    language = models.CharField(_("language"), max_length=10)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # The sweep reads the due rows among the few unsent ones, not the whole history.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outgoing_mail_due"),
            models.Index(fields=["content_type", "object_id"], name="outgoing_mail_concerns"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["pending", "sent", "failed"]),
                                   name="outgoing_mail_status_valid"),
            models.CheckConstraint(condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                                   name="outgoing_mail_sent_has_time"),
        ]

    def __str__(self):
        return self.subject


class DataAccess(models.Model):
    """Who took what out of MediaReg: a report exported, a document or a proof downloaded or previewed
    (issue 11). Written by mediareg.access.record_access; auditors read it, nobody changes it."""

    class Kind(models.TextChoices):
        REPORT = "report", _("report exported")
        DOCUMENT_DOWNLOAD = "document_download", _("document downloaded")
        DOCUMENT_PREVIEW = "document_preview", _("document previewed")
        PROOF_DOWNLOAD = "proof_download", _("proof downloaded")
        PROOF_PREVIEW = "proof_preview", _("proof previewed")
        EVIDENCE_DOWNLOAD = "evidence_download", _("spend evidence downloaded")
        BACKUP = "backup", _("backup made (database and documents)")
        RESTORE = "restore", _("backup restored")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    actor = models.CharField(_("by"), max_length=150, blank=True,
                             help_text=_("A command and the operating-system account, when no user signed in."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("what"), max_length=100,
                            help_text=_("The report's name, or the document's or order's number."))
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    profile = models.CharField(_("profile"), max_length=10, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True,
                                       help_text=_("Empty while the file is still being sent, or if it was cut off."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data access")
        verbose_name_plural = _("data access log")
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=["report", "document_download",
                                                                           "document_preview", "proof_download",
                                                                           "proof_preview", "evidence_download",
                                                                           "backup", "restore"]),
                                              name="data_access_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


# Who made, revoked or deleted a token is in the audit trail; its use (last used) is not an event.
@pghistory.track(pghistory.InsertEvent(),
                 pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude=["last_used_at"])),
                 pghistory.DeleteEvent())
class ApiToken(models.Model):
    """A key a program uses to call the API as a member of staff (mediareg.api.authentication): with that
    person's groups and permissions, nothing more. Created and revoked by staff in the admin; only a digest
    of the key is kept, so the key is shown once, when it is made (docs/architecture.md "The API")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What uses it, e.g. “finance system” or “open data portal”."))
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"), editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        permissions = [("manage_every_apitoken", _("Can create and revoke API tokens of other users")),
                       ("view_every_apitoken", _("Can see the API tokens of every user"))]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A write sent with an ``Idempotency-Key`` header, and the answer it got (mediareg.api.idempotency): the
    same key and request again get the same answer without doing the write twice. Kept for
    IDEMPOTENCY_KEY_DAYS days."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self):
        return self.key
