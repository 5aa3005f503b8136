from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<slug:name>.<str:file_format>", views.report_file, name="report-file"),
]
