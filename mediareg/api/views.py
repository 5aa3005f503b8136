"""Base classes of the API's endpoints and the API's front page."""

from __future__ import annotations

from django.urls import NoReverseMatch, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .idempotency import IdempotentWritesMixin
from .pagination import CursorPagination

# Every endpoint's URL name starts with this (the router's basename), so that the front page finds them all.
NAME_PREFIX = "api-"


class ReadOnlyViewSet(IdempotentWritesMixin, viewsets.ReadOnlyModelViewSet):
    """A list and its rows, in cursor pages; domain verbs are ``@action``s that call a service (with
    ``action_permissions``, mediareg.permissions)."""

    pagination_class = CursorPagination


@extend_schema(exclude=True)
class ApiRoot(APIView):
    """/api/v1/: where each list is, the schema and its documentation. Open to all: each endpoint checks its
    own permissions."""

    permission_classes = [AllowAny]

    def get(self, request):
        names = sorted(name for name in get_resolver().reverse_dict
                       if isinstance(name, str) and name.startswith(NAME_PREFIX) and name.endswith("-list"))
        endpoints = {}
        for name in names:
            try:
                url = reverse(name)
            except NoReverseMatch:  # a list under a row of another (its URL needs that row's id): not a start
                continue
            endpoints[name.removeprefix(NAME_PREFIX).removesuffix("-list")] = request.build_absolute_uri(url)
        return Response({"endpoints": endpoints,
                         "schema": request.build_absolute_uri(reverse("api-schema")),
                         "documentation": request.build_absolute_uri(reverse("api-docs"))})
