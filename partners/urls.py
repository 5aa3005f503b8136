from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("<int:pk>/download/", views.document_download, name="document-download"),
]
