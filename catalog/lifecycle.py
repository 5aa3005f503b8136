"""The e-catalog listing lifecycle (moved to catalog.transitions; this name is split next)."""

from .transitions import *  # noqa: F403
