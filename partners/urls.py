from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("<int:pk>/download/", views.document_download, name="document-download"),
    path("<int:pk>/preview/", views.document_preview, name="document-preview"),
    path("<int:pk>/earlier/<path:name>", views.document_earlier_file, name="document-earlier-file"),
]
