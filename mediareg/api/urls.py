"""/api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI from our own static files, no outside CDN)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """The split view serves its script as a file of its own, which the Content-Security-Policy allows; our
    template (templates/api/swagger_ui.html) moves the page's inline style into a file too, so the site-wide
    policy holds here unchanged (tests/test_api_docs_browser.py)."""

    template_name = "api/swagger_ui.html"


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
