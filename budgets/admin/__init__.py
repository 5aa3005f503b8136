"""The budgets back office, one module per subject: agencies and their staff, budgets with their
revisions and figures, the price list, and media orders. Every list is scoped to the user's agency
(budgets.selectors.visible_*) unless the user sees every agency; every write calls budgets.services."""

# Importing the modules registers their pages.
from . import agencies, budgets, interests, orders, other_spend, prices, references  # noqa: F401
