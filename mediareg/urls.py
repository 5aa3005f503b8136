from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

# Django's RequestDataTooBig (too many form fields, or our upload limit) becomes the 413 page.
handler400 = "mediareg.views.bad_request"

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
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("budgets.urls")),
    path("", views.home, name="home"),
]

