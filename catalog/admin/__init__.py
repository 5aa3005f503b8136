"""The e-catalog back office (split into modules next)."""

from .outlets import *  # noqa: F403
from .outlets import listing_summary  # noqa: F401
