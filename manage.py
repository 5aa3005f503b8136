#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
    from django.core.management import execute_from_command_line

    from mediareg.audit import command_context
    from mediareg.embedded import Unavailable

    try:
        with command_context(sys.argv):
            execute_from_command_line(sys.argv)
    except Unavailable as exc:
        # No DATABASE_URL and no embedded PostgreSQL for this platform: one line that says what to do.
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
