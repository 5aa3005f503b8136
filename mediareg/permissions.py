"""Who may use an API endpoint when the endpoint says nothing: the default of REST_FRAMEWORK (settings).

Safe before the API exists: an endpoint added later is closed until its author opens it. A public endpoint
(the listed outlets, the spending figures) opts in with ``permission_classes = [AllowAny]`` of its own.
"""

from __future__ import annotations

from rest_framework.permissions import DjangoModelPermissions

VIEW = "%(app_label)s.view_%(model_name)s"


class ModelPermissions(DjangoModelPermissions):
    """A signed-in user holding the Django model permission for the method: view for GET, HEAD and OPTIONS
    (DRF's DjangoModelPermissions lets any signed-in user read), add for POST, change for PUT and PATCH,
    delete for DELETE. The same permissions the admin asks for, so the roles (mediareg.roles) mean the same
    in both. A view without a model to ask about (no queryset) is refused to everyone, superusers included,
    until it names its own permission_classes.

    A domain verb (a viewset's ``@action``: accept a document, pay an order) asks for the permission the admin
    asks for: ``action_permissions = {"pay": ["budgets.pay_mediaorder"]}``. Such an action still needs the
    service's own checks (an agency's budget officer acts only on its orders)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": [VIEW], "HEAD": [VIEW], "OPTIONS": [VIEW]}

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        # DRF's API root (DefaultRouter) lists the endpoints and has no model; each endpoint checks its own.
        if getattr(view, "_ignore_model_permissions", False):
            return True
        action_permissions = getattr(view, "action_permissions", {})
        if getattr(view, "action", None) in action_permissions:
            return request.user.has_perms(action_permissions[view.action])
        model = self.model_of(view)
        if model is None:
            return False
        return request.user.has_perms(self.get_required_permissions(request.method, model))

    @staticmethod
    def model_of(view):
        queryset = getattr(view, "queryset", None)
        if queryset is None and hasattr(view, "get_queryset"):
            try:
                queryset = view.get_queryset()
            except AssertionError:  # GenericAPIView without a queryset says so with an assertion
                queryset = None
        return getattr(queryset, "model", None)
