from django.urls import path

from . import public

urlpatterns = [
    path("transparency/", public.transparency, name="transparency"),
]
