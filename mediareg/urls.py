from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views
from .api import views as api_views

# Django's RequestDataTooBig (too many form fields, or our upload limit) becomes the 413 page.
handler400 = "mediareg.views.bad_request"
# An address under /api/ that matches no endpoint gets the API's JSON 404, not the site's HTML page.
handler404 = "mediareg.api.errors.page_not_found"

admin.site.site_header = _("MediaReg: press partnership registry")
admin.site.site_title = _("MediaReg")
admin.site.index_title = _("Back office")
# No navigation sidebar: at 1366 px it took 300 px from every list and page, pushing the key columns
# off-screen (issue 9); the breadcrumbs and the home page lead to every list.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include("partners.urls")),
    path("reports/", include("mediareg.reports.urls")),
    # The API, version 1: each app's endpoints (its api.py), the front page listing them, the schema and docs.
    path("api/v1/", api_views.ApiRoot.as_view(), name="api-root"),
    path("api/v1/", include("partners.api")),
    path("api/v1/", include("catalog.api")),
    path("api/v1/", include("budgets.api")),
    path("api/v1/", include("catalog.public_api")),
    path("api/v1/", include("budgets.public_api")),
    path("api/", include("mediareg.api.urls")),
    # Setting one's password from an e-mailed link, and "Forgotten your password?" (mediareg.accounts).
    path("accounts/", include("mediareg.accounts")),
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("budgets.urls")),
    path("", views.home, name="home"),
]

