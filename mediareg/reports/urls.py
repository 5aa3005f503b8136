from django.urls import path, register_converter

from . import views


class FileFormat:
    """Only the formats this view writes: any other address under /reports/ goes on to the other apps'
    URLs (budgets.urls serves /reports/spend-ledger.ocds.json)."""

    regex = "|".join(views.FORMATS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FileFormat, "report_format")

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<slug:name>.<report_format:file_format>", views.report_file, name="report-file"),
]
