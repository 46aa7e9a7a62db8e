"""`sanad pcode <query>`: look up an admin unit by P-code or by name (English or Arabic).

sanad pcode IQG09Q02
sanad pcode Duhok
sanad pcode دهوك --level 1
sanad pcode IQ-AN          # explains that this is an ISO 3166-2 code, exit code 1
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanad.core.errors import ApplicationError
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import admin_unit_lookup


class Command(BaseCommand):
    help = "Look up admin units by current P-code or by name in English or Arabic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="+", help="A P-code (IQG09Q02) or a name (Duhok, دهوك).")
        parser.add_argument(
            "--level",
            type=int,
            choices=AdminUnit.Level.values,
            help="Only governorates (1), districts (2) or sub-districts (3).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        query = " ".join(options["query"])
        try:
            units = admin_unit_lookup(query=query, level=options.get("level"))
        except ApplicationError as exc:
            raise CommandError(str(exc.message), returncode=1) from exc
        if not units:
            raise CommandError(
                f"No admin unit matches “{query}”. Check the spelling, or try the other script.",
                returncode=1,
            )
        for unit in units:
            parents = " < ".join(f"{p.name_en} ({p.pcode})" for p in _parents(unit))
            line = (
                f"{unit.pcode:<12} {unit.get_level_display():<12} {unit.name_en} · {unit.name_ar}"
            )
            self.stdout.write(f"{line}{'  in ' + parents if parents else ''}")


def _parents(unit: AdminUnit) -> list[AdminUnit]:
    chain = []
    current = unit.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain
