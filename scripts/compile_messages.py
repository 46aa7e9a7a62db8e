"""Compile sanad/locale/*/LC_MESSAGES/django.po into .mo files with polib, so no GNU
gettext is needed to build or run Sanad (makemessages, for developers, still needs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "sanad" / "locale"


def main() -> int:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(LOCALE.parent)}: {po.percent_translated()}% translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
