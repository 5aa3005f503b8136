from django.urls import path

from . import price_list, public, views

urlpatterns = [
    path("transparency/", public.transparency, name="transparency"),
    # The outlet's price list, reached through the keys the catalog already gives it (catalog.urls):
    # the renewal link and the application's status page. In budgets, because catalog must not import it.
    path("apply/renew/<str:token>/prices/", price_list.by_renewal_link, name="renewal-prices"),
    path("apply/status/<str:code>/prices/", price_list.by_status_page, name="application-prices"),
    # Proof of publication files: staff with the permission, for an order they may see (budgets.views).
    path("budgets/orders/<int:pk>/proof/", views.order_proof, name="order-proof"),
    path("budgets/orders/<int:pk>/proof/preview/", views.order_proof_preview, name="order-proof-preview"),
    # The evidence of spend outside the catalog: staff with the permission, for an entry they may see.
    path("budgets/other-spend/<int:pk>/evidence/", views.other_spend_evidence, name="other-spend-evidence"),
    # The spend ledger as Open Contracting data, beside the reports' CSV and XLSX (mediareg.reports.urls
    # takes only those two formats, so this address reaches here).
    path("reports/spend-ledger.ocds.json", views.spend_ledger_ocds, name="spend-ledger-ocds"),
]
