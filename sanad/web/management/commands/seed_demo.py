"""`sanad seed_demo`: a realistic demo dataset for the shell.

Safe to run twice: records that exist (by user name, site code, project code) are left
as they are. Prints the demo logins at the end.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from sanad.accounts.models import Organisation, User
from sanad.accounts.services import role_assign, user_create
from sanad.core.areas import ProgrammeArea
from sanad.core.context import acting_as
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project, Target
from sanad.web import demo_data


class Command(BaseCommand):
    help = "Load the demo dataset (organisations, a user per role, programmes, projects, places)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=settings.SANAD_DEMO_PASSWORD,
            help="Password of every demo user (default: SANAD_DEMO_PASSWORD).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the demo logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins_only"]:
            self.print_logins(options["password"])
            return
        if settings.PRODUCTION:
            self.stderr.write("Refusing to load demo users into a production database.")
            raise SystemExit(1)
        with transaction.atomic():
            orgs = self._organisations()
            admin = self._users(orgs, options["password"])
            with acting_as(admin, source="command"):
                self._programmes()
                self._places()
                self._projects(orgs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Organisation.objects.count()} organisations, {User.objects.count()} users, "
                f"{Place.objects.count()} places, {Project.objects.count()} projects."
            )
        )
        if not options["quiet_logins"]:
            self.print_logins(options["password"])

    def print_logins(self, password: str) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {password})")
        self.stdout.write(f"  {'user name':<14} {'role':<34} scope")
        for username, _name, role, govs, progs, _org, _pos in demo_data.USERS:
            label = dict(_role_choices())[role]
            scope = (
                f"{'all governorates' if govs is None else ', '.join(_gov_names(govs))}; "
                f"{'all programmes' if progs is None else ', '.join(progs)}"
            )
            self.stdout.write(f"  {username:<14} {label:<34} {scope}")

    def _organisations(self) -> dict[str, Organisation]:
        out = {}
        for name, name_ar, acronym, kind in demo_data.ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"name_ar": name_ar, "acronym": acronym, "kind": kind}
            )
            out[acronym] = org
        return out

    def _users(self, orgs: dict[str, Organisation], password: str) -> User:
        for username, full_name, role, govs, progs, org, position in demo_data.USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = user_create(
                username=username,
                password=password,
                full_name=full_name,
                email=f"{username}@sanad.example",
                organisation=orgs[org],
                position=position,
                check_password=False,
            )
            role_assign(
                user=user,
                role=role,
                governorates=govs or (),
                all_governorates=govs is None,
                programmes=progs or (),
                all_programmes=progs is None,
            )
            if role == "administrator":
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        return User.objects.get(username="admin")

    def _programmes(self) -> None:
        for area in ProgrammeArea:
            Programme.objects.get_or_create(code=area.value, defaults={"name_en": str(area.label)})

    def _places(self) -> None:
        units = {u.pcode: u for u in AdminUnit.objects.all()}
        for kind, name_en, name_ar, code, pcode, lat, lon, status in demo_data.PLACES:
            if code and Place.objects.filter(kind=kind, code=code).exists():
                continue
            if not code and Place.objects.filter(kind=kind, name_en=name_en).exists():
                continue
            Place.objects.create(
                kind=kind,
                name_en=name_en,
                name_ar=name_ar,
                code=code,
                admin_unit=units[pcode],
                lat=lat,
                lon=lon,
                status=status,
            )

    def _projects(self, orgs: dict[str, Organisation]) -> None:
        programmes = {p.code: p for p in Programme.objects.all()}
        govs = {u.pcode: u for u in AdminUnit.objects.filter(level=1)}
        for (
            code,
            prog,
            title,
            donor,
            start,
            end,
            currency,
            budget,
            status,
            gov_codes,
            activities,
        ) in demo_data.PROJECTS:
            if Project.objects.filter(code=code).exists():
                continue
            project = Project.objects.create(
                programme=programmes[prog],
                code=code,
                title=title,
                donor=orgs[donor],
                start_date=datetime.date.fromisoformat(start),
                end_date=datetime.date.fromisoformat(end),
                currency=currency,
                budget=Decimal(budget),
                status=status,
            )
            project.governorates.set([govs[g] for g in (gov_codes or govs.keys())])
            for act_code, act_name, targets in activities:
                activity = Activity.objects.create(project=project, code=act_code, name=act_name)
                for indicator, label, unit, value in targets:
                    Target.objects.create(
                        activity=activity,
                        indicator=indicator,
                        label=label,
                        unit=unit,
                        period_start=project.start_date,
                        period_end=project.end_date,
                        value=Decimal(value),
                    )


def _role_choices() -> list[tuple[str, str]]:
    from sanad.accounts.roles import Role

    return [(r.value, str(r.label)) for r in Role]


def _gov_names(codes: tuple[str, ...]) -> list[str]:
    names = dict(AdminUnit.objects.filter(pcode__in=codes).values_list("pcode", "name_en"))
    return [names.get(c, c) for c in codes]
