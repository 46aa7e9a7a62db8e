"""Cash and e-vouchers in the demo dataset (`sanad seed_demo`):

- three contracted vendors in Duhok and Erbil with price lists, and a cashier account
  (`cashier`) at Nawroz Trading for the redemption page;
- an e-voucher plan for Syrian refugee families in Duhok's camps (IQD 175,000 each,
  for bedding, heating, cooking, lighting, hygiene and water items, at two vendors), created by the NFI officer
  and approved by the administrator; its vouchers issued, a few dozen partly or fully
  redeemed, one sale above the contracted price (a fraud signal to review), and a
  payment request for Nawroz Trading submitted by finance and waiting for a second
  person's approval;
- a cash plan in two tranches for Syrian refugee families living out of camps in
  Duhok, paid through a financial service provider: tranche 1 exported in the provider's template, its results
  imported (two failed, with the provider's reason) and a follow-up list made.
Idempotent: nothing is added when the vendors exist."""

from __future__ import annotations

import datetime
import io
import random
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.cash import services
from sanad.cash.models import CashPlan, Vendor
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Programme, Project
from sanad.registry.models import Household
from sanad.stock.models import Item
from sanad.targeting import services as targeting

PROJECT = "NFI-PRM-2026-02"
IQD_PER_USD = Decimal("1310")
CATEGORIES = ["bedding", "heating", "cooking", "lighting", "hygiene", "water"]

# code, name, sub-district P-code, address, opening hours
VENDORS = [
    (
        "nawroz-domiz",
        "Nawroz Trading, Domiz",
        "IQG09Q03N03",
        "Domiz 1 market, row C",
        "08:00",
        "20:00",
    ),
    (
        "zakho-home",
        "Zakho Household Market",
        "IQG09Q03N03",
        "Zakho road, near the checkpoint",
        "09:00",
        "21:00",
    ),
    (
        "baharka-store",
        "Baharka General Store",
        "IQG11Q02N02",
        "Baharka camp entrance",
        "08:00",
        "18:00",
    ),
]
# item code → price in IQD at the vendors
PRICES = {
    "mattress": 19000,
    "ht_blanket": 13000,
    "kerosene_heater": 62000,
    "kerosene_jerrycan": 4500,
    "solar_lamp": 15000,
    "kitchen_set": 42000,
    "cooking_stove": 28000,
    "water_jerrycan": 4000,
}


def _list(*, officer: Any, admin: Any, name: str, governorate: str, in_camp: bool) -> Any:
    nfi = Programme.objects.get(code="NFI")
    rule = targeting.rule_create(
        user=officer,
        programme=nfi,
        name=name,
        tree={
            "match": "all",
            "items": [
                {"field": "governorate", "operator": "eq", "value": governorate},
                {"field": "displacement_status", "operator": "in", "value": ["syrian_refugee"]},
                {
                    "field": "shelter_type",
                    "operator": "in" if in_camp else "not_in",
                    "value": ["camp"],
                },
            ],
        },
    )
    lst = targeting.list_create(user=officer, name=name, programme=nfi, rule=rule)
    targeting.list_build(lst=lst, user=officer)
    targeting.list_lock(lst=lst, user=officer, reason="Checked with UNHCR's camp lists.")
    return targeting.list_approve(lst=lst, user=admin, reason="Matches the refugee caseload.")


def seed_cash(
    *, admin: Any, officer: Any, finance: Any, password: str | None
) -> dict[str, Any] | None:
    if Vendor.objects.exists() or not Item.objects.exists():
        return None
    project = Project.objects.filter(code=PROJECT).first()
    if project is None:
        return None
    if not Household.objects.filter(
        displacement_status="syrian_refugee", governorate__pcode="IQG09", status="active"
    ).exists():
        return None
    today = timezone.localdate()
    items = {i.code: i for i in Item.objects.filter(code__in=PRICES)}
    vendors: list[Vendor] = []
    for code, name, pcode, address, opens, closes in VENDORS:
        vendor = services.vendor_create(
            user=admin,
            code=code,
            name=name,
            admin_unit=AdminUnit.objects.get(pcode=pcode),
            address=address,
            phone="0750 000 " + str(1000 + len(vendors)),
            contract_number=f"IOM-VND-2026-{len(vendors) + 11:03d}",
            contract_start=project.start_date,
            contract_end=project.end_date,
            opens_at=datetime.time.fromisoformat(opens),
            closes_at=datetime.time.fromisoformat(closes),
            open_days=[0, 1, 2, 3, 5, 6],
            payee_name=name,
            payee_account=f"IQ{98 + len(vendors)} KBIQ 0000 0000 {1234 + len(vendors)}",
        )
        services.vendor_transition(user=admin, vendor=vendor, to="active")
        for item_code, price in PRICES.items():
            if item_code in items:
                services.vendor_price_set(
                    user=admin,
                    vendor=vendor,
                    item=items[item_code],
                    unit_price=Decimal(price),
                    currency="IQD",
                    valid_from=project.start_date,
                )
        vendors.append(vendor)
    cashier = services.vendor_staff_create(
        user=admin,
        vendor=vendors[0],
        username="cashier",
        full_name="Hazhar Saeed",
        password=password,
    )
    second_cashier = services.vendor_staff_create(
        user=admin,
        vendor=vendors[1],
        username="cashier.zakho",
        full_name="Rekan Mustafa",
        password=password,
    )

    # E-vouchers in Duhok.
    lst = _list(
        officer=officer,
        admin=admin,
        name="Syrian refugees in Duhok camps: NFI e-vouchers",
        governorate="IQG09",
        in_camp=True,
    )
    plan = services.plan_create(
        user=officer,
        name="NFI e-vouchers for Syrian refugees, Duhok, winter 2026",
        beneficiary_list=lst,
        project=project,
        modality="evoucher",
        currency="IQD",
        exchange_rate=IQD_PER_USD,
        expires_on=today + datetime.timedelta(days=60),
        amount=Decimal(175000),
        allowed_categories=CATEGORIES,
        allowed_vendors=vendors[:2],
        item_code="nfi_evoucher",
    )
    plan = services.plan_approve(user=admin, plan=plan)
    issued = services.vouchers_issue(user=officer, plan=plan)
    rng = random.Random(17)
    baskets = [
        [("ht_blanket", 4), ("kerosene_heater", 1), ("kerosene_jerrycan", 2)],
        [("mattress", 3), ("ht_blanket", 3), ("solar_lamp", 1)],
        [("kitchen_set", 1), ("cooking_stove", 1), ("water_jerrycan", 3)],
        [("kerosene_heater", 2), ("ht_blanket", 2)],
    ]
    redeemed = 0
    for voucher, _pin in issued[: min(36, len(issued))]:
        cashier_user = cashier if rng.random() < 0.7 else second_cashier
        basket = rng.choice(baskets)
        lines = [
            {"item": code, "quantity": qty, "unit_price": PRICES[code]}
            for code, qty in basket
            if code in items
        ]
        total = sum(
            (Decimal(PRICES[code]) * qty for code, qty in basket if code in items), Decimal(0)
        )
        if total > voucher.balance:
            continue
        services.voucher_redeem(
            user=cashier_user,
            code=voucher.code,
            items=lines,
            idempotency_key=str(uuid.UUID(int=rng.getrandbits(128))),
        )
        redeemed += 1
    if len(issued) > 40:
        # One sale above the contracted price: a signal for the cash team to review.
        voucher = issued[40][0]
        services.voucher_redeem(
            user=cashier,
            code=voucher.code,
            items=[{"item": "ht_blanket", "quantity": 2, "unit_price": 16500}],
            idempotency_key=str(uuid.UUID(int=rng.getrandbits(128))),
        )
        redeemed += 1
    _spread_over_last_week(plan)
    request = services.payment_request_create(
        user=finance,
        vendor=vendors[0],
        period_start=today - datetime.timedelta(days=7),
        period_end=today,
        currency="IQD",
    )
    services.payment_request_submit(user=finance, request=request)

    # Cash through a financial service provider, in Erbil.
    made: dict[str, Any] = {"vendors": vendors, "plan": plan, "redeemed": redeemed}
    if (
        Household.objects.filter(
            displacement_status="syrian_refugee", governorate__pcode="IQG09", status="active"
        )
        .exclude(shelter_type="camp")
        .exists()
    ):
        made["cash"] = _cash_plan(admin=admin, officer=officer, finance=finance, project=project)
    return made


def _cash_plan(*, admin: Any, officer: Any, finance: Any, project: Project) -> CashPlan:
    import openpyxl

    today = timezone.localdate()
    lst = _list(
        officer=officer,
        admin=admin,
        name="Syrian refugees in Duhok out of camps: winter cash",
        governorate="IQG09",
        in_camp=False,
    )
    plan = services.plan_create(
        user=officer,
        name="Winter cash for Syrian refugees out of camps, Duhok (2 tranches)",
        beneficiary_list=lst,
        project=project,
        modality="cash",
        currency="USD",
        exchange_rate=IQD_PER_USD,
        expires_on=today + datetime.timedelta(days=120),
        amount_kind="per_member",
        per_member=Decimal(40),
        cap=Decimal(240),
        tranches=2,
        item_code="nfi_cash",
    )
    plan = services.plan_approve(user=admin, plan=plan)
    template = services.fsp_template_create(
        user=finance,
        name="AsiaHawala payment list",
        provider="AsiaHawala",
        columns=[
            {"header": "Reference", "field": "payment_id"},
            {"header": "Beneficiary ID", "field": "registration_id"},
            {"header": "Name", "field": "head_name"},
            {"header": "Mobile", "field": "head_phone"},
            {"header": "Amount", "field": "amount"},
            {"header": "Currency", "field": "currency"},
        ],
        paid_values=["paid", "success"],
        reason_column="Reason",
        reference_column="Transaction",
    )
    first = services.payment_list_create(user=finance, plan=plan, tranche=1, template=template)
    content = services.payment_list_export(user=finance, payment_list=first)
    # The provider's answer: every row paid but two, which failed.
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[template.sheet_name]
    header = [c.value for c in sheet[1]]
    header += ["Status", "Reason", "Transaction"]
    for col, title in enumerate(header, start=1):
        sheet.cell(row=1, column=col, value=title)
    width = len(header)
    for index, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        failed = index in (3, 7)
        sheet.cell(row=row[0].row, column=width - 2, value="failed" if failed else "paid")
        sheet.cell(
            row=row[0].row,
            column=width - 1,
            value="Mobile number not registered with the wallet" if failed else "",
        )
        sheet.cell(row=row[0].row, column=width, value="" if failed else f"AH-{880000 + index}")
    out = io.BytesIO()
    book.save(out)
    services.payment_results_import(user=finance, payment_list=first, content=out.getvalue())
    if first.payments.filter(status="failed").exists():
        services.follow_up_create(user=finance, payment_list=first)
    return plan


def _spread_over_last_week(plan: CashPlan) -> None:
    """The demo's sales happened over the past week in opening hours, not all at the
    moment `seed_demo` ran (which would flag every one as a burst, or out of hours at
    night); the fraud checks then run again on those times, so that the only signal left
    is the sale above the contracted price."""
    from sanad.cash.models import Redemption, Signal

    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    sales = list(Redemption.objects.filter(voucher__entitlement__plan=plan).order_by("pk"))
    Signal.objects.filter(redemption__in=sales).delete()
    for index, sale in enumerate(sales):
        day = today - datetime.timedelta(days=1 + index % 6)
        if day.weekday() == 4:  # the demo shops close on Fridays
            day -= datetime.timedelta(days=1)
        at = datetime.datetime.combine(
            day, datetime.time(9 + (index * 5) % 9, (index * 13) % 60), tzinfo=zone
        )
        Redemption.objects.filter(pk=sale.pk).update(redeemed_at=at)
    for sale in sales:
        services.check_redemption(redemption=sale.pk)
