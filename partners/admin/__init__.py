"""The back office for the registry (split into modules next)."""

from .registry import *  # noqa: F403
from .registry import count_of, staff_name  # noqa: F401
