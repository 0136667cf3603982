#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchlist.settings")
    from django.core.management import execute_from_command_line

    from watchlist.env import exit_in_one_line

    with exit_in_one_line():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
