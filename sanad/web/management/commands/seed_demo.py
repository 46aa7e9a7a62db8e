"""`sanad seed_demo`: a realistic demo dataset for the shell and the registry.

Safe to run twice: records that exist (by user name, site code, project code) are left
as they are, and the registry is seeded only while it is empty. Prints the demo logins
at the end.
"""

from __future__ import annotations

import datetime
import logging
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from sanad.accounts.models import Organisation, User
from sanad.accounts.services import role_assign, user_create
from sanad.core.areas import ProgrammeArea
from sanad.core.context import acting_as
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project, Target
from sanad.registry.demo import seed_registry
from sanad.registry.models import Household
from sanad.web import demo_data

logger = logging.getLogger(__name__)
DEFAULT_HOUSEHOLDS = 3000


class Command(BaseCommand):
    help = (
        "Load the demo dataset (organisations, a user per role, programmes, projects, places) "
        "and a registry of households with some assistance."
    )

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
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"How many households to register (default {DEFAULT_HOUSEHOLDS}).",
        )
        parser.add_argument(
            "--no-registry", action="store_true", help="Do not seed households or assistance."
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="Random seed of the demo registry (default 7)."
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
        if not options["no_registry"] and options["households"] > 0:
            with acting_as(admin, source="command"):
                self._registry(admin, options["households"], options["seed"])
                self._duplicates(admin)
                self._targeting(admin)
                self._nfi(admin)
                self._cash(admin, options["password"])
                self._feedback(admin)
                self._camps(admin)
                self._shelter(admin)
                self._transport(admin)
                self._revitalization(admin)
                self._reporting(admin)
        if not options["quiet_logins"]:
            self.print_logins(options["password"])

    def _registry(self, admin: User, households: int, seed: int) -> None:
        if Household.objects.exists():
            self.stdout.write("Registry already has households: left as it is.")
            return
        started = time.monotonic()
        counts = seed_registry(n=households, user=admin, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Registry: {counts['households']} households ({counts['re_registrations']} of them "
                f"registered twice, for deduplication), {counts['individuals']} people, "
                f"{counts['documents']} documents, {counts['phones']} phones "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        delivered = seed_assistance(user=admin, seed=seed)
        if delivered is None:
            self.stdout.write("Assistance ledger not available yet: no deliveries recorded.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "Assistance: "
                    + ", ".join(f"{n} {item.replace('_', ' ')}" for item, n in delivered.items())
                    + "."
                )
            )

    def _duplicates(self, admin: User) -> None:
        """One deduplication run over the demo registry, so that the review queue has
        the demo's re-registrations (and whatever else the engine finds) to review."""
        from sanad.dedup import services as dedup
        from sanad.dedup.models import DedupRun

        if DedupRun.objects.exists() or not Household.objects.exists():
            return
        try:
            dedup.engine().find_pairs  # noqa: B018  (is the engine there?)
        except (ImportError, AttributeError):
            self.stdout.write("Deduplication engine not available: no review queue seeded.")
            return
        started = time.monotonic()
        run = dedup.run_inline(user=admin)
        self.stdout.write(
            self.style.SUCCESS(
                f"Duplicates: {run.pairs_new} pairs to review ({run.records} people compared) "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def _targeting(self, admin: User) -> None:
        """The "Winter kits Duhok 2026" rule, a vulnerability model and the list they
        make, locked by the NFI officer and waiting for someone else's approval."""
        from sanad.targeting.demo import seed_targeting

        officer = User.objects.filter(username="nfi.officer").first()
        with acting_as(officer or admin, source="command"):
            made = seed_targeting(admin=admin, officer=officer)
        if made is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Targeting: “{made['list'].name}” locked with {made['included']} of "
                    f"{made['considered']} households, awaiting approval."
                )
            )

    def _nfi(self, admin: User) -> None:
        """The NFI catalogue, the Erbil and Duhok warehouses with a season's stock
        movements, and the winter-kit distribution in the Domiz camps: one event closed
        and reconciled, one open today for the distribution-day page."""
        from sanad.distribution.demo import seed_distribution
        from sanad.stock.demo import seed_stock

        keeper = User.objects.filter(username="warehouse").first() or admin
        officer = User.objects.filter(username="nfi.officer").first() or admin
        with acting_as(keeper, source="command"):
            stock = seed_stock(admin=admin, warehouse_officer=keeper)
        if stock is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Stock: {stock['items']} items, {len(stock['kits'])} kits, "
                    f"{len(stock['warehouses'])} warehouses with a season of movements."
                )
            )
        with acting_as(officer, source="command"):
            made = seed_distribution(admin=admin, officer=officer, warehouse_officer=keeper)
        if made is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Distribution: “{made['plan'].name}” for {made['households']} households, "
                    f"{made['served']} served at the closed event, one event open today."
                )
            )

    def _cash(self, admin: User, password: str) -> None:
        """Vendors, an e-voucher plan with redemptions and a payment request waiting for
        approval, and a cash plan paid through a financial service provider."""
        from sanad.cash.demo import seed_cash

        officer = User.objects.filter(username="nfi.officer").first() or admin
        finance = User.objects.filter(username="finance").first() or admin
        with acting_as(officer, source="command"):
            made = seed_cash(admin=admin, officer=officer, finance=finance, password=password)
        if made is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Cash: {len(made['vendors'])} vendors, “{made['plan'].name}” with "
                    f"{made['redeemed']} redemptions, a payment request awaiting approval"
                    + (", a cash plan paid through a provider." if "cash" in made else ".")
                )
            )

    def _feedback(self, admin: User) -> None:
        """Channels, contacts, a sent and a scheduled campaign, feedback cases (an abuse
        report only the PSEA focal point sees), community sessions and an inbox."""
        from sanad.feedback.demo import seed as seed_feedback

        names = ("admin", "hotline", "psea", "aap", "nfi.officer")
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        users.setdefault("admin", admin)
        with acting_as(users.get("hotline") or admin, source="command"):
            seed_feedback(users=users, today=timezone.localdate(), stdout=self.stdout)

    def _camps(self, admin: User) -> None:
        """Sites on the demo's camps and informal sites with plots, households and
        population, monitoring rounds with gaps, assets, tickets and preventive
        schedules, Mobile Response Team visits with hazards, trainings, a consolidation."""
        from sanad.camps import demo_monitoring, demo_mrt, demo_sites, demo_tickets

        names = ("admin", "camp.manager", "enumerator", "imo", "maintenance", "hotline", "aap")
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        users.setdefault("admin", admin)
        today = timezone.localdate()
        with acting_as(users.get("camp.manager") or admin, source="command"):
            sites = demo_sites.seed(sites={}, users=users, today=today, stdout=self.stdout)
            rounds = demo_monitoring.seed(sites=sites, users=users, today=today)
            tickets = demo_tickets.seed(sites=sites, users=users, today=today)
            mrt = demo_mrt.seed(sites=sites, users=users, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Camps: {len(sites)} sites; monitoring {rounds}; maintenance {tickets}; "
                f"Mobile Response Teams and trainings {mrt}."
            )
        )

    def _shelter(self, admin: User) -> None:
        """The price catalogue, assessed houses in Ninewa with photos and bills of
        quantities, a prioritisation, cases in the three modalities (a family repairing
        its own house paid tranche by tranche), a tender awarded to a contractor with
        certified milestones, upgrades and a road in the Duhok camps."""
        from sanad.shelter import (
            demo_assessments,
            demo_cases,
            demo_contracts,
            demo_targeting,
            demo_works,
        )

        names = ("admin", "shelter.officer", "engineer", "camp.manager", "finance")
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        users.setdefault("admin", admin)
        today = timezone.localdate()
        shared: dict[str, Any] = {}
        with acting_as(users.get("shelter.officer") or admin, source="command"):
            for part in (demo_targeting, demo_assessments, demo_cases, demo_contracts, demo_works):
                shared.update(part.seed(users=users, today=today, **shared) or {})
        from sanad.shelter import models as shelter

        by_status = dict(
            shelter.RehabCase.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Shelter: {shelter.Assessment.objects.count()} damage assessments, "
                f"{sum(by_status.values())} rehabilitation cases ({by_status.get('in_progress', 0)} in "
                f"progress, {by_status.get('handed_over', 0)} handed over), "
                f"{shelter.Tender.objects.count()} tender, {shelter.Contract.objects.count()} contracts, "
                f"{shelter.SiteUpgrade.objects.count()} site upgrades, "
                f"{shelter.RoadProject.objects.count()} camp roads."
            )
        )

    def _transport(self, admin: User) -> None:
        """The fleet (owned vehicles and two contractors' with drivers), the Kabarto 2
        consolidation as relocation requests (one moved end to end, a convoy ready to
        board, one waiting for approval) and new arrivals at the Peshkhabour crossing."""
        from sanad.transport import demo_fleet, demo_movements
        from sanad.transport.models import Convoy, MovementRequest, Vehicle

        names = ("admin", "transport", "movements.lead", "camp.manager")
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        users.setdefault("admin", admin)
        today = timezone.localdate()
        with acting_as(users.get("transport") or admin, source="command"):
            demo_fleet.seed(users=users, today=today)
            demo_movements.seed(users=users, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Transport: {Vehicle.objects.count()} vehicles, "
                f"{MovementRequest.objects.count()} movement requests, "
                f"{Convoy.objects.count()} convoys."
            )
        )

    def _revitalization(self, admin: User) -> None:
        """Communities of Duhok and Ninewa with their assessments and ranked needs,
        infrastructure projects with cash-for-work, two business-grant calls (scored,
        selected, agreements paid in tranches and followed up), vocational courses,
        community centres with complaints, and social-cohesion activities."""
        from sanad.revitalization import (
            demo_agreements,
            demo_communities,
            demo_governance,
            demo_grants,
            demo_training,
        )

        names = (
            "admin",
            "crp.officer",
            "crp.lead",
            "committee.1",
            "committee.2",
            "committee.3",
            "finance",
        )
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        users.setdefault("admin", admin)
        counts: dict[str, int] = {}
        with acting_as(users.get("crp.officer") or admin, source="command"):
            for part in (
                demo_communities,
                demo_grants,
                demo_agreements,
                demo_training,
                demo_governance,
            ):
                counts.update(part.seed(admin=admin, users=users))
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Revitalization: {summary}."))

    def _reporting(self, admin: User) -> None:
        """Indicators for the demo projects' targets and mission-wide figures, scheduled
        exports, and the summary of the ledger the dashboards read (built now, so the
        dashboards show figures at once; the periodic task keeps it current)."""
        from sanad.reporting import demo_exports, demo_indicators
        from sanad.reporting.services.summary import summary_refresh

        me = User.objects.filter(username="me.viewer").first() or admin
        demo_indicators.seed(user=admin)
        demo_exports.seed(user=me)
        result = summary_refresh()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reporting: summary of {result.records_read} deliveries over "
                f"{result.months_checked} months."
            )
        )

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
        for username, vendor in (
            ("cashier", "Nawroz Trading, Domiz"),
            ("cashier.zakho", "Zakho Household Market"),
        ):
            label = dict(_role_choices())["vendor_staff"]
            self.stdout.write(f"  {username:<14} {label:<34} {vendor}")

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


# --- assistance ---------------------------------------------------------------------

SEED_SOURCE = "demo.seed"
IQD_PER_USD = Decimal("1310")


def _assistance_plans() -> list[dict[str, Any]]:
    """Which households get what, by project: (filter, share of them, delivery)."""
    return [
        {
            # Winterisation in camps of Duhok and Ninewa.
            "project": "NFI-ECHO-2026-01",
            "programme": "NFI",
            "filter": {"place__kind": "formal_camp", "governorate__pcode__in": ("IQG09", "IQG15")},
            "share": 0.65,
            "delivery": {
                "kind": "in_kind",
                "item": "winter_kit",
                "quantity": 1,
                "unit": "kit",
                "description": "Winter kit: blankets, heater, kerosene jerrycan, winter clothes",
            },
        },
        {
            # NFI e-vouchers for Syrian refugees, redeemed at contracted vendors.
            "project": "NFI-PRM-2026-02",
            "programme": "NFI",
            "filter": {
                "displacement_status": "syrian_refugee",
                "governorate__pcode__in": ("IQG09", "IQG11"),
            },
            "share": 0.55,
            "delivery": {
                "kind": "voucher",
                "item": "nfi_evoucher",
                "value": 175000,
                "currency": "IQD",
                "exchange_rate": IQD_PER_USD,
                "description": "E-voucher for NFIs (IQD 175,000)",
            },
        },
        {
            # First tranche of cash for rehabilitation of war-damaged homes.
            "project": "SHL-GFFO-2025-03",
            "programme": "SHELTER",
            "filter": {"displacement_status": "returnee", "governorate__pcode": "IQG15"},
            "share": 0.25,
            "delivery": {
                "kind": "cash",
                "item": "shelter_cash_tranche_1",
                "value": 1000,
                "currency": "USD",
                "exchange_rate": IQD_PER_USD,
                "description": "Cash for shelter rehabilitation, first tranche (USD 1,000)",
            },
        },
        {
            # Refugee families moved between camps in Duhok (consolidation).
            "project": "TRP-PRM-2026-01",
            "programme": "TRANSPORT",
            "filter": {
                "displacement_status": "syrian_refugee",
                "place__kind": "formal_camp",
                "governorate__pcode": "IQG09",
            },
            "share": 0.15,
            "delivery": {
                "kind": "transport",
                "item": "camp_relocation_transport",
                "description": "Transport with belongings to another camp",
            },
        },
    ]


def seed_assistance(*, user: Any, seed: int = 7) -> dict[str, int] | None:
    """Record realistic deliveries for the demo households through the assistance
    ledger's own service (`assistance_record_bulk`), so every rule of the ledger holds.
    Returns how many of each item were recorded, or None when the ledger's service is
    not there (the registry works without it). Idempotent: sources are per household."""
    import random

    try:
        from sanad.assistance.services import assistance_record_bulk
    except ImportError:  # pragma: no cover - while the ledger is being built
        logger.info("assistance_record_bulk is not available: no demo deliveries")
        return None

    rng = random.Random(seed)
    today = timezone.localdate()
    projects = {p.code: p for p in Project.objects.select_related("programme")}
    delivered: dict[str, int] = {}
    for plan in _assistance_plans():
        project = projects.get(plan["project"])
        if project is None:
            continue
        last = min(project.end_date, today)
        households = (
            Household.objects.filter(status=Household.Status.ACTIVE, **plan["filter"])
            .select_related("admin_unit", "place__admin_unit")
            .order_by("pk")
        )
        deliveries = []
        for household in households.iterator(chunk_size=1000):
            if rng.random() >= plan["share"]:
                continue
            first = max(
                project.start_date, household.created_at.date() + datetime.timedelta(days=7)
            )
            if first > last:
                continue
            on = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            deliveries.append(
                {
                    "household": household,
                    "programme": project.programme,
                    "project": project,
                    "delivered_on": on,
                    "place": household.place,
                    "source_type": SEED_SOURCE,
                    "source_id": f"{plan['delivery']['item']}:{household.public_id}",
                    **plan["delivery"],
                }
            )
        for start in range(0, len(deliveries), 1000):
            assistance_record_bulk(user=user, deliveries=deliveries[start : start + 1000])
        delivered[plan["delivery"]["item"]] = len(deliveries)
    return delivered
