"""What every endpoint of the API shares (docs/architecture.md "The API"): token sign-in, the error shape,
idempotent writes, cursor pages, the schema's common parts. The endpoints themselves live in each app's
``api.py``, on the app's own services and selectors."""
