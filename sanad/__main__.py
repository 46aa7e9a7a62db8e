"""The `sanad` command: Django's management commands with Sanad's settings.

`sanad migrate`, `sanad runserver`, `sanad seed_demo`, `python -m sanad jobs list`…
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanad.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(
        sys.argv if sys.argv[0].endswith("sanad") else ["sanad", *sys.argv[1:]]
    )


if __name__ == "__main__":
    main()
