from django.urls import path

from . import views

urlpatterns = [
    path("budgets/orders/<int:pk>/proof/", views.order_proof, name="order-proof"),
    path("budgets/orders/<int:pk>/proof/preview/", views.order_proof_preview, name="order-proof-preview"),
]
