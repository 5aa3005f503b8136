# For one commit: the command's code was moved to partners.demo.plan.
from partners.demo.plan import *  # noqa: F403
