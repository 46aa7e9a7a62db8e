"""A whole distribution world in one call: an approved beneficiary list of N Duhok
households living in a camp, a winter kit (with its items) stocked in a Duhok
warehouse, a winter season covering today and a draft plan — everything made through
the services, as in production.

    w = distribution_world(households=3)
    plan_approve(user=w.officer, plan=w.plan)
    event = open_event(w)            # scheduled at the camp, kits dispatched
    record(w, event, w.households[0])
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.distribution import services
from sanad.geo.models import Place
from sanad.registry.models import DisplacementStatus, Household, ShelterType
from sanad.stock import services as stock
from sanad.targeting import services as targeting
from tests.factories import (
    DUHOK,
    PlaceFactory,
    ProgrammeFactory,
    ProjectFactory,
    make_user,
    subdistrict_in,
)
from tests.registry.factories import make_household

TREE = {"match": "all", "items": [{"field": "size", "operator": "gte", "value": 1}]}
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@dataclass
class World:
    admin: Any
    officer: Any  # programme officer, Duhok × NFI: plans, approves, dispatches
    manager: Any  # a second programme officer (approves the list)
    field: Any  # field enumerator, Duhok × NFI: records receipts
    storekeeper: Any  # warehouse officer, Duhok: closes events
    programme: Any
    project: Any
    camp: Place
    warehouse: Any
    kit: Any
    items: list[Any]
    season: Any
    lst: Any
    plan: Any
    households: list[Household] = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        return timezone.localdate()


def stock_kits(*, user: Any, warehouse: Any, kit: Any, project: Any, quantity: int) -> Any:
    return stock.receipt_record(
        user=user,
        warehouse=warehouse,
        project=project,
        date=timezone.localdate(),
        lines=[{"item": kit.item, "quantity": quantity}],
        supplier="Test supplier",
    )


def make_kit(
    *,
    user: Any,
    kind: str = "winter",
    code: str | None = None,
    items: list[Any] | None = None,
    replaces: tuple[Any, ...] = (),
) -> Any:
    n = _next()
    if items is None:
        items = [
            stock.item_create(
                user=user,
                code=f"blanket-{n}",
                name_en="High-thermal blanket",
                category="bedding",
                unit="piece",
            ),
            stock.item_create(
                user=user,
                code=f"heater-{n}",
                name_en="Kerosene heater",
                category="heating",
                unit="piece",
            ),
        ]
    components = [{"item": items[0], "quantity": 4}] + [
        {"item": item, "quantity": 1} for item in items[1:]
    ]
    return stock.kit_create(
        user=user,
        code=code or f"{kind}-kit-{n}",
        name_en=f"{kind.title()} kit {n}",
        kind=kind,
        replaces=replaces,
        components=components,
        valid_from=datetime.date(2020, 1, 1),
    )


def distribution_world(
    *, households: int = 3, stocked: int | None = None, kind: str = "winter", members: int = 3
) -> World:
    nfi = ProgrammeFactory(code="NFI")
    today = timezone.localdate()
    project = ProjectFactory(
        programme=nfi,
        start_date=today - datetime.timedelta(days=200),
        end_date=today + datetime.timedelta(days=200),
    )
    n = _next()
    admin = make_user("administrator", username=f"dist-admin-{n}")
    scope = {"governorates": (DUHOK,), "programmes": ("NFI",)}
    officer = make_user("programme_officer", username=f"dist-officer-{n}", **scope)
    manager = make_user("programme_officer", username=f"dist-manager-{n}", **scope)
    field_user = make_user("field_enumerator", username=f"dist-field-{n}", **scope)
    storekeeper = make_user("warehouse_officer", username=f"dist-store-{n}", **scope)

    unit = subdistrict_in(DUHOK)
    camp = PlaceFactory(name_en=f"Camp {n}", admin_unit=unit, kind=Place.Kind.FORMAL_CAMP)
    depot = PlaceFactory(name_en=f"Depot {n}", admin_unit=unit, kind=Place.Kind.WAREHOUSE_SITE)
    warehouse = stock.warehouse_create(
        user=admin, code=f"wh-{n}", name=f"Duhok warehouse {n}", place=depot
    )
    kit = make_kit(user=admin, kind=kind)
    items = [c.item for c in kit.versions.get().components.select_related("item")]
    season = stock.season_create(
        user=admin,
        kind="winter",
        name=f"Winter {today.year}",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=90),
    )
    homes = [
        make_household(
            governorate=DUHOK,
            members=members,
            place=camp,
            admin_unit=unit,
            displacement_status=DisplacementStatus.IDP_IN_CAMP,
            shelter_type=ShelterType.CAMP,
        )
        for _i in range(households)
    ]
    rule = targeting.rule_create(user=officer, programme=nfi, name=f"Rule {n}", tree=TREE)
    lst = targeting.list_create(
        user=officer,
        name=f"Winter list {n}",
        programme=nfi,
        rule=rule,
        area=(camp.admin_unit.pcode,),
    )
    targeting.list_lock(lst=lst, user=officer)
    targeting.list_approve(lst=lst, user=manager)
    stock_kits(
        user=admin,
        warehouse=warehouse,
        kit=kit,
        project=project,
        quantity=households if stocked is None else stocked,
    )
    plan = services.plan_create(
        user=officer,
        name=f"Winter distribution {n}",
        beneficiary_list=lst,
        kit=kit,
        project=project,
        warehouse=warehouse,
    )
    return World(
        admin=admin,
        officer=officer,
        manager=manager,
        field=field_user,
        storekeeper=storekeeper,
        programme=nfi,
        project=project,
        camp=camp,
        warehouse=warehouse,
        kit=kit,
        items=items,
        season=season,
        lst=lst,
        plan=plan,
        households=homes,
    )


def open_event(w: World, *, approve: bool = True, date: datetime.date | None = None) -> Any:
    """Approve the plan (if asked), schedule an event at the camp today and dispatch."""
    if approve and w.plan.status == "draft":
        services.plan_approve(user=w.officer, plan=w.plan)
    event = services.event_create(user=w.officer, plan=w.plan, place=w.camp, date=date or w.today)
    return services.event_dispatch(user=w.officer, event=event)


def head_of(household: Household) -> Any:
    return household.members.get(relationship="head", status="active")


def record(w: World, event: Any, household: Household, **kwargs: Any) -> Any:
    kwargs.setdefault("collected_by", head_of(household))
    kwargs.setdefault("proof", "declared")
    return services.receipt_record(user=w.field, event=event, household=household, **kwargs)


def balance(w: World) -> tuple[Decimal, Decimal]:
    from sanad.stock.models import StockBalance

    row = StockBalance.objects.get(warehouse=w.warehouse, item=w.kit.item, project=w.project)
    return row.quantity, row.reserved
