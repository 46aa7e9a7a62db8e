"""A whole cash world in one call, made through the services as in production: an
approved beneficiary list of N Duhok households, catalogue items, an active Duhok
vendor with a price list and a cashier, a voucher plan created by one programme
officer and approved by another, and its vouchers issued.

    w = cash_world(households=3)                    # vouchers of 50,000 IQD
    redemption, replayed = redeem(w, w.vouchers[0], [line(w.blanket, 2)])
    w.code(0)                                        # the first voucher's code
    w.pin(0)                                         # its PIN (require_pin=True)

Other test packages (pages, API, payments) reuse it.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.cash import services
from sanad.cash.models import CashPlan, Vendor, Voucher
from sanad.registry.models import Household
from sanad.targeting import services as targeting
from tests.factories import (
    DUHOK,
    PASSWORD,
    ProgrammeFactory,
    ProjectFactory,
    make_user,
    subdistrict_in,
)
from tests.registry.factories import make_household
from tests.stock.factories import make_item

TREE = {"match": "all", "items": [{"field": "size", "operator": "gte", "value": 1}]}
_numbers = itertools.count(1)

# Contracted prices in IQD at the world's vendor.
BLANKET_PRICE = Decimal("12000")
HEATER_PRICE = Decimal("30000")
STOVE_PRICE = Decimal("25000")
SOAP_PRICE = Decimal("1500")


@dataclass
class CashWorld:
    admin: Any
    officer: Any  # programme officer, Duhok × NFI: creates plans, manages vendors
    approver: Any  # a second programme officer: approves lists and plans
    finance: Any  # finance officer, Duhok
    programme: Any
    project: Any
    lst: Any
    households: list[Household]
    blanket: Any  # bedding
    heater: Any  # heating
    stove: Any  # cooking
    soap: Any  # hygiene
    vendor: Vendor
    cashier: Any  # vendor staff of `vendor`
    plan: CashPlan
    issued: list[tuple[Voucher, str | None]] = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        return timezone.localdate()

    @property
    def vouchers(self) -> list[Voucher]:
        return [v for v, _pin in self.issued]

    def code(self, index: int = 0) -> str:
        return self.issued[index][0].code

    def pin(self, index: int = 0) -> str | None:
        return self.issued[index][1]

    def voucher(self, index: int = 0) -> Voucher:
        return Voucher.objects.get(pk=self.issued[index][0].pk)


def line(item: Any, quantity: Any = 1, unit_price: Any = None) -> dict[str, Any]:
    """One item line of a sale, at the world's contracted price unless given."""
    prices = {
        "bedding": BLANKET_PRICE,
        "heating": HEATER_PRICE,
        "cooking": STOVE_PRICE,
        "hygiene": SOAP_PRICE,
    }
    price = unit_price if unit_price is not None else prices.get(item.category, Decimal(1000))
    return {"item": item.code, "quantity": quantity, "unit_price": price}


def make_vendor(
    user: Any,
    *,
    governorate: str = DUHOK,
    prices: dict[Any, Any] | None = None,
    active: bool = True,
    code: str | None = None,
    **fields: Any,
) -> Vendor:
    """A vendor (active with a contract by default) and its price list in IQD."""
    n = next(_numbers)
    fields.setdefault("contract_number", f"CT-{n:04d}")
    fields.setdefault("contract_start", timezone.localdate() - datetime.timedelta(days=30))
    fields.setdefault("contract_end", timezone.localdate() + datetime.timedelta(days=300))
    vendor = services.vendor_create(
        user=user,
        code=code or f"shop-{n}",
        name=fields.pop("name", f"Duhok market shop {n}"),
        admin_unit=subdistrict_in(governorate),
        **fields,
    )
    for item, price in (prices or {}).items():
        services.vendor_price_set(
            user=user,
            vendor=vendor,
            item=item,
            unit_price=price,
            currency="IQD",
            valid_from=timezone.localdate() - datetime.timedelta(days=30),
        )
    if active:
        vendor = services.vendor_transition(user=user, vendor=vendor, to="active")
    return vendor


def make_cashier(user: Any, vendor: Vendor, *, username: str | None = None) -> Any:
    return services.vendor_staff_create(
        user=user,
        vendor=vendor,
        username=username or f"cashier-{next(_numbers)}",
        full_name="Cashier of the shop",
        password=PASSWORD,
    )


def approved_list(*, officer: Any, approver: Any, programme: Any, households: int, members: int):
    homes = [make_household(governorate=DUHOK, members=members) for _i in range(households)]
    n = next(_numbers)
    rule = targeting.rule_create(user=officer, programme=programme, name=f"Rule {n}", tree=TREE)
    units = sorted({h.admin_unit.pcode for h in homes})
    lst = targeting.list_create(
        user=officer, name=f"Cash list {n}", programme=programme, rule=rule, area=tuple(units)
    )
    targeting.list_lock(lst=lst, user=officer)
    targeting.list_approve(lst=lst, user=approver)
    return lst, homes


def make_plan(w: CashWorld | None = None, **kwargs: Any) -> CashPlan:
    """A draft plan on the world's list (another call's values through kwargs)."""
    assert w is not None
    values: dict[str, Any] = {
        "user": w.officer,
        "name": f"NFI e-vouchers {next(_numbers)}",
        "beneficiary_list": w.lst,
        "project": w.project,
        "modality": "evoucher",
        "currency": "IQD",
        "exchange_rate": "1310",
        "expires_on": timezone.localdate() + datetime.timedelta(days=60),
        "amount": "50000",
    }
    values.update(kwargs)
    return services.plan_create(**values)


def cash_world(
    *,
    households: int = 3,
    members: int = 3,
    approve: bool = True,
    issue: bool = True,
    **plan: Any,
) -> CashWorld:
    """Everything a redemption needs. `plan` overrides `plan_create` arguments
    (amount, currency, require_pin, allowed_categories, condition, amount_kind…)."""
    n = next(_numbers)
    nfi = ProgrammeFactory(code="NFI")
    today = timezone.localdate()
    project = ProjectFactory(
        programme=nfi,
        start_date=today - datetime.timedelta(days=200),
        end_date=today + datetime.timedelta(days=200),
    )
    scope = {"governorates": (DUHOK,), "programmes": ("NFI",)}
    admin = make_user("administrator", username=f"cash-admin-{n}")
    officer = make_user("programme_officer", username=f"cash-officer-{n}", **scope)
    approver = make_user("programme_officer", username=f"cash-approver-{n}", **scope)
    finance = make_user("finance_officer", username=f"cash-finance-{n}", governorates=(DUHOK,))
    lst, homes = approved_list(
        officer=officer, approver=approver, programme=nfi, households=households, members=members
    )
    blanket = make_item(f"blanket-{n}", name_en="High-thermal blanket", category="bedding")
    heater = make_item(f"heater-{n}", name_en="Kerosene heater", category="heating")
    stove = make_item(f"stove-{n}", name_en="Gas stove", category="cooking")
    soap = make_item(f"soap-{n}", name_en="Soap bar", category="hygiene")
    vendor = make_vendor(
        officer,
        prices={
            blanket: BLANKET_PRICE,
            heater: HEATER_PRICE,
            stove: STOVE_PRICE,
            soap: SOAP_PRICE,
        },
    )
    cashier = make_cashier(officer, vendor)
    w = CashWorld(
        admin=admin,
        officer=officer,
        approver=approver,
        finance=finance,
        programme=nfi,
        project=project,
        lst=lst,
        households=homes,
        blanket=blanket,
        heater=heater,
        stove=stove,
        soap=soap,
        vendor=vendor,
        cashier=cashier,
        plan=None,  # type: ignore[arg-type]
    )
    w.plan = make_plan(w, **plan)
    if approve:
        w.plan = services.plan_approve(user=approver, plan=w.plan)
        if issue and w.plan.modality == "evoucher":
            w.issued = services.vouchers_issue(user=officer, plan=w.plan)
    return w


def key() -> str:
    return uuid.uuid4().hex


def redeem(
    w: CashWorld,
    voucher: Voucher | str | int = 0,
    items: list[dict[str, Any]] | None = None,
    *,
    user: Any = None,
    idempotency_key: str | None = None,
    pin: str | None = None,
    channel: str = "web",
) -> tuple[Any, bool]:
    """A sale at the world's vendor (one blanket by default). `voucher` is an index in
    `w.issued`, a Voucher or a code; the PIN is the voucher's own unless given."""
    if isinstance(voucher, int):
        code = w.code(voucher)
        pin = pin if pin is not None else w.pin(voucher)
    elif isinstance(voucher, Voucher):
        code = voucher.code
    else:
        code = voucher
    return services.voucher_redeem(
        user=user or w.cashier,
        code=code,
        items=items if items is not None else [line(w.blanket, 1)],
        idempotency_key=idempotency_key or key(),
        pin=pin,
        channel=channel,
    )
