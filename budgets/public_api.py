"""The API's public open data for budgets (docs/architecture.md "The API"): no sign-in, no personal data, cached,
throttled per client address."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
