"""Serializer fields the endpoints share."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The words of a choice's stored code in the request's language: ``LabelField(MediaType.choices,
    source="media_type")``. Instead of ``source="get_media_type_display"``, for which DRF inspects the
    method's signature on every row (a fifth of a 100-row page's time, bench/api.py)."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))
