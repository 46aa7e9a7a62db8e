"""`sanad registration_xlsform --out FILE.xlsx`: write the registration form as an
XLSForm (English, Arabic, Kurdish) for KoboToolbox or ODK Central, checked by pyxform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanad.registry.imports.xlsform import to_xform, write_xlsform


class Command(BaseCommand):
    help = "Write the household registration form as an XLSForm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Path of the XLSX file to write.")
        parser.add_argument(
            "--form-version", dest="form_version", help="Form version (default: today, YYYYMMDD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        data = write_xlsform(version=options.get("form_version"))
        try:
            result = to_xform(data)
        except Exception as exc:  # pyxform's error says what is wrong with the form
            raise CommandError(f"pyxform refused the form: {exc}") from exc
        path.write_bytes(data)
        for warning in result.warnings:
            self.stderr.write(f"pyxform: {warning}")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {path} ({len(data):,} bytes); pyxform converts it.")
        )
