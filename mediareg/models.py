"""The audit trail as staff see it: every event of every tracked model, with who did it.

The events themselves are written by database triggers (django-pghistory) on the tracked models in
partners, catalog and budgets. A request's signed-in user and URL come from
pghistory.middleware.HistoryMiddleware; a job or command names itself with
``pghistory.context(actor="system:<job>")``.
"""

from django.conf import settings
from django.contrib import admin
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
