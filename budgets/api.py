"""The API's endpoints for budgets (docs/architecture.md "The API"): on the app's services and selectors."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
