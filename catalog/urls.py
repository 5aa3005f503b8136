from django.urls import path

from . import public, views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/status/", views.status_lookup, name="application-status-lookup"),
    path("apply/status/<str:code>/", views.application_status, name="application-status"),
    path("apply/renew/<str:token>/", views.renewal, name="renewal"),
    path("objection-files/<int:pk>/", views.objection_file, name="objection-file"),
    path("catalog/", public.catalog, name="catalog"),
    path("catalog/<int:pk>/", public.outlet, name="catalog-outlet"),
]
