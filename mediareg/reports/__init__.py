"""Reports that auditors and staff take out as files (issue 11; docs/architecture.md "Reports").

A report is a class in the ``reports`` module of the app that owns its data (partners, catalog, budgets),
registered with ``@register``; this package holds what every report shares and knows no app: the columns
and filters (``base``), the two profiles, the file formats (``formats``: CSV with a byte-order mark and
formula escaping, XLSX in constant memory), the log of who took out what (``mediareg.models.DataAccess``),
the pages (``views``) and the command ``export_report``. The apps' modules are imported when Django starts
(``mediareg.apps``), so the registry is complete before the first request.
"""

from .base import REGISTRY, Column, Profile, Report, ReportFilters, get_report, register, visible_reports

__all__ = ["REGISTRY", "Column", "Profile", "Report", "ReportFilters", "get_report", "register", "visible_reports"]
