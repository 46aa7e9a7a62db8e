"""`sanad camps_population [--month YYYY-MM] [--site CODE]`: compute the sites'
population for a month from the registry (every site by default; a month counted on
site is kept). The same service as the button on the sites list."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanad.camps.models import Site
from sanad.camps.services.sites import parse_month, population_compute_all
from sanad.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Compute the sites' population for a month from the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: this month)")
        parser.add_argument("--site", help="the site's place code, such as DHK-DMZ1")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options.get("month") or datetime.date.today())
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from exc
        sites = Site.objects.select_related("place")
        if options.get("site"):
            sites = sites.filter(place__code=options["site"])
            if not sites.exists():
                raise CommandError(f"No site with the code {options['site']}.")
        verbosity = int(options.get("verbosity", 1))

        def report(n: int, total: int) -> None:
            if verbosity > 1:
                self.stderr.write(f"{n}/{total}")

        count = population_compute_all(month=month, sites=list(sites), progress=report)
        self.stdout.write(f"Population of {count} site(s) computed for {month:%Y-%m}.")
