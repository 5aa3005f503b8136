"""The audit trail as staff see it: every event of every tracked model, with who did it.

The events themselves are written by database triggers (django-pghistory) on the tracked models in
partners, catalog and budgets. A request's signed-in user and URL come from
pghistory.middleware.HistoryMiddleware; a job or command names itself with
``pghistory.context(actor="system:<job>")``.
"""

from django.conf import settings
from django.db import models
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
