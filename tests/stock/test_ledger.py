from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.stock import selectors, services
from sanad.stock.models import Movement, StockBalance, StockEntry
from tests.factories import DUHOK, make_user
from tests.stock.factories import (
    DAY,
    balance_of,
    make_item,
    make_kit,
    make_project,
    make_warehouse,
    stocked,
)

pytestmark = pytest.mark.django_db


def ledger_sum(warehouse, item, project):
    total = StockEntry.objects.filter(warehouse=warehouse, item=item, project=project).aggregate(
        s=Sum("quantity")
    )["s"]
    return total or Decimal(0)


def assert_ledger_matches_balances():
    for balance in StockBalance.objects.all():
        assert balance.quantity == ledger_sum(balance.warehouse, balance.item, balance.project)
        assert balance.quantity >= 0 and 0 <= balance.reserved <= balance.quantity
    assert selectors.ledger_differences() == []


def test_a_receipt_is_posted_with_a_readable_number_and_a_ledger_entry(officer, warehouse, project):
    item = make_item("mattress")
    receipt = services.receipt_record(
        user=officer,
        warehouse=warehouse,
        project=project,
        date=DAY,
        lines=[{"item": item, "quantity": "40", "unit_cost": "14.50"}],
        supplier="Al-Noor Trading",
        delivery_note="DN-778",
    )
    assert receipt.status == Movement.Status.POSTED
    assert re.fullmatch(r"RCV-2026-\d{6}", receipt.number)
    entry = receipt.entries.get()
    assert (entry.quantity, entry.balance_after) == (Decimal("40.00"), Decimal("40.00"))
    assert balance_of(warehouse, item, project) == (Decimal(40), Decimal(0))
    assert [t.to_state for t in Movement.STATUS_MACHINE.history(receipt)] == ["posted"]


def test_movement_numbers_are_unique_per_kind(officer, warehouse, project):
    item = make_item()
    numbers = {stocked(warehouse, item, project, 1).number for _ in range(3)}
    assert len(numbers) == 3 and all(n.startswith("RCV-2026-") for n in numbers)


def test_a_retried_receipt_with_the_same_key_is_recorded_once(officer, warehouse, project):
    item = make_item()
    kwargs = {
        "user": officer,
        "warehouse": warehouse,
        "project": project,
        "date": DAY,
        "lines": [{"item": item, "quantity": 10}],
        "request_key": "phone-42-receipt-1",
    }
    first = services.receipt_record(**kwargs)
    second = services.receipt_record(**kwargs)
    assert first.pk == second.pk
    assert balance_of(warehouse, item, project)[0] == Decimal(10)
    assert StockEntry.objects.count() == 1


def test_a_receipt_outside_the_role_is_refused(warehouse, project):
    erbil_only = make_user("warehouse_officer", governorates=("IQG11",), programmes=("NFI",))
    with pytest.raises(PermissionDenied):
        stocked(warehouse, make_item(), project, 1, user=erbil_only)
    shelter = make_project("SHELTER")
    duhok = make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",))
    with pytest.raises(PermissionDenied):
        stocked(warehouse, make_item(), shelter, 1, user=duhok)


def test_quantities_must_be_positive_numbers(officer, warehouse, project):
    item = make_item()
    for bad in ("-1", "0", "abc", "1.234", None):
        with pytest.raises(ValidationFailed):
            services.receipt_record(
                user=officer,
                warehouse=warehouse,
                project=project,
                date=DAY,
                lines=[{"item": item, "quantity": bad}],
            )
    assert not Movement.objects.exists()


def test_the_ledger_adds_up_after_every_kind_of_movement(
    officer, second_officer, warehouse, erbil_warehouse, project
):
    blanket, heater = make_item("blanket"), make_item("heater", category="heating")
    kit = make_kit("winter", components=[(blanket, 5), (heater, 1)], kind="winter")
    stocked(erbil_warehouse, blanket, project, 200)
    stocked(warehouse, heater, project, 30)
    transfer = services.transfer_create(
        user=officer,
        from_warehouse=erbil_warehouse,
        to_warehouse=warehouse,
        project=project,
        date=DAY,
        lines=[{"item": blanket, "quantity": 150}],
    )
    services.transfer_dispatch(user=officer, movement=transfer)
    line = transfer.lines.get()
    services.transfer_receive(
        user=officer,
        movement=transfer,
        received={line.pk: {"received": 148, "loss_reason": "Two torn in transit"}},
    )
    services.kitting_record(
        user=officer, warehouse=warehouse, kit=kit, quantity=20, project=project, date=DAY
    )
    services.stock_reserve(
        user=officer,
        warehouse=warehouse,
        item=kit.item,
        project=project,
        quantity=12,
        reference_type="distribution.plan",
        reference_id="p1",
    )
    services.dispatch_to_distribution(
        user=officer,
        warehouse=warehouse,
        item=kit.item,
        project=project,
        quantity=10,
        reference_type="distribution.event",
        reference_id="e1",
        date=DAY,
    )
    services.return_from_distribution(
        user=officer,
        warehouse=warehouse,
        item=kit.item,
        project=project,
        quantity=3,
        reference_type="distribution.event",
        reference_id="e1",
        date=DAY,
    )
    adjustment = services.adjustment_request(
        user=officer,
        warehouse=warehouse,
        project=project,
        date=DAY,
        reason="damage",
        lines=[{"item": blanket, "quantity": 4, "direction": -1}],
        notes="Water damage",
    )
    services.adjustment_approve(user=second_officer, movement=adjustment)

    assert balance_of(erbil_warehouse, blanket, project) == (Decimal(50), Decimal(0))
    assert balance_of(warehouse, blanket, project)[0] == Decimal(148 - 100 - 4)
    assert balance_of(warehouse, heater, project)[0] == Decimal(10)
    assert balance_of(warehouse, kit.item, project) == (Decimal(13), Decimal(2))
    assert_ledger_matches_balances()


def test_the_stock_card_shows_a_running_balance(officer, warehouse, project):
    item = make_item()
    other = make_project("NFI")
    stocked(warehouse, item, project, 10)
    stocked(warehouse, item, other, 5)
    services.dispatch_to_distribution(
        user=officer,
        warehouse=warehouse,
        item=item,
        project=project,
        quantity=4,
        reference_type="t",
        reference_id="1",
        date=DAY,
        from_reservation=False,
    )
    card = list(selectors.stock_card(warehouse=warehouse, item=item))
    assert [(e.quantity, e.running) for e in card] == [
        (Decimal(10), Decimal(10)),
        (Decimal(5), Decimal(15)),
        (Decimal(-4), Decimal(11)),
    ]
    one = list(selectors.stock_card(warehouse=warehouse, item=item, project=project))
    assert [e.running for e in one] == [Decimal(10), Decimal(6)]
    assert [e.balance_after for e in one] == [Decimal(10), Decimal(6)]


def test_a_dispatch_beyond_the_balance_is_refused_with_what_is_there(officer, warehouse, project):
    mattress = make_item("mattress", unit="piece", name_en="Foam mattress")
    stocked(warehouse, mattress, project, 12)
    with pytest.raises(Conflict) as err:
        services.dispatch_to_distribution(
            user=officer,
            warehouse=warehouse,
            item=mattress,
            project=project,
            quantity=20,
            reference_type="t",
            reference_id="1",
            date=DAY,
            from_reservation=False,
        )
    assert str(err.value.message) == (
        "Only 12 piece of Foam mattress are available in Duhok main warehouse "
        "(project NFI-TEST-01); 20 were asked."
    )
    assert balance_of(warehouse, mattress, project)[0] == Decimal(12)
    assert not Movement.objects.filter(kind="dispatch").exists()


def test_kitting_takes_components_and_adds_kits(officer, warehouse, project):
    blanket, heater = make_item("blanket"), make_item("heater")
    kit = make_kit("winter", components=[(blanket, 5), (heater, 1)])
    stocked(warehouse, blanket, project, 100)
    stocked(warehouse, heater, project, 10)
    movement = services.kitting_record(
        user=officer, warehouse=warehouse, kit=kit, quantity=8, project=project, date=DAY
    )
    assert movement.kit_version == kit.versions.get()
    assert movement.number.startswith("KIT-2026-")
    assert balance_of(warehouse, blanket, project)[0] == Decimal(60)
    assert balance_of(warehouse, heater, project)[0] == Decimal(2)
    assert balance_of(warehouse, kit.item, project)[0] == Decimal(8)


def test_kitting_short_of_one_component_changes_nothing(officer, warehouse, project):
    blanket, heater = make_item("blanket"), make_item("heater")
    kit = make_kit("winter", components=[(blanket, 5), (heater, 1)])
    stocked(warehouse, blanket, project, 100)
    stocked(warehouse, heater, project, 3)
    with pytest.raises(Conflict) as err:
        services.kitting_record(
            user=officer, warehouse=warehouse, kit=kit, quantity=4, project=project, date=DAY
        )
    assert "heater" in str(err.value.message)
    assert balance_of(warehouse, blanket, project)[0] == Decimal(100)
    assert balance_of(warehouse, heater, project)[0] == Decimal(3)
    assert balance_of(warehouse, kit.item, project)[0] == Decimal(0)
    assert not Movement.objects.filter(kind="kitting").exists()
    assert_ledger_matches_balances()


def test_kitting_uses_the_kit_version_valid_on_its_date(officer, warehouse, project):
    blanket = make_item("blanket")
    kit = make_kit("winter", components=[(blanket, 5)], valid_from=datetime.date(2025, 10, 1))
    v2 = services.kit_version_create(
        user=officer,
        kit=kit,
        components=[{"item": blanket, "quantity": 6}],
        valid_from=datetime.date(2026, 10, 1),
    )
    stocked(warehouse, blanket, project, 100)
    old = services.kitting_record(
        user=officer,
        warehouse=warehouse,
        kit=kit,
        quantity=2,
        project=project,
        date=datetime.date(2026, 9, 30),
    )
    new = services.kitting_record(
        user=officer,
        warehouse=warehouse,
        kit=kit,
        quantity=2,
        project=project,
        date=datetime.date(2026, 10, 2),
    )
    assert old.kit_version.number == 1 and new.kit_version == v2
    assert balance_of(warehouse, blanket, project)[0] == Decimal(100 - 10 - 12)


def test_kits_are_assembled_in_whole_numbers(officer, warehouse, project):
    kit = make_kit()
    with pytest.raises(ValidationFailed):
        services.kitting_record(
            user=officer, warehouse=warehouse, kit=kit, quantity="1.5", project=project, date=DAY
        )


def test_reserved_stock_cannot_be_dispatched_to_someone_else(officer, warehouse, project):
    kit = make_kit()
    stocked(warehouse, kit.item, project, 10)
    services.stock_reserve(
        user=officer,
        warehouse=warehouse,
        item=kit.item,
        project=project,
        quantity=8,
        reference_type="distribution.plan",
        reference_id="a",
    )
    assert selectors.available(warehouse=warehouse, item=kit.item, project=project) == 2
    with pytest.raises(Conflict) as err:
        services.stock_reserve(
            user=officer,
            warehouse=warehouse,
            item=kit.item,
            project=project,
            quantity=3,
            reference_type="distribution.plan",
            reference_id="b",
        )
    assert "Only 2 kit" in str(err.value.message)
    with pytest.raises(Conflict):
        services.dispatch_to_distribution(
            user=officer,
            warehouse=warehouse,
            item=kit.item,
            project=project,
            quantity=3,
            reference_type="other",
            reference_id="x",
            date=DAY,
            from_reservation=False,
        )
    services.dispatch_to_distribution(
        user=officer,
        warehouse=warehouse,
        item=kit.item,
        project=project,
        quantity=8,
        reference_type="distribution.event",
        reference_id="a1",
        date=DAY,
    )
    assert balance_of(warehouse, kit.item, project) == (Decimal(2), Decimal(0))


def test_a_release_gives_back_only_what_was_reserved(officer, warehouse, project):
    item = make_item()
    stocked(warehouse, item, project, 10)
    common = {
        "user": officer,
        "warehouse": warehouse,
        "item": item,
        "project": project,
        "reference_type": "distribution.plan",
        "reference_id": "a",
    }
    services.stock_reserve(**common, quantity=5)
    services.stock_release(**common, quantity=3)
    assert balance_of(warehouse, item, project) == (Decimal(10), Decimal(2))
    with pytest.raises(Conflict):
        services.stock_release(**common, quantity=3)


def test_a_programme_officer_reserves_for_a_plan_but_cannot_receive(warehouse, project):
    planner = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    item = make_item()
    stocked(warehouse, item, project, 10)
    services.stock_reserve(
        user=planner,
        warehouse=warehouse,
        item=item,
        project=project,
        quantity=4,
        reference_type="distribution.plan",
        reference_id="a",
    )
    with pytest.raises(PermissionDenied):
        stocked(warehouse, item, project, 1, user=planner)
    viewer = make_user("me_viewer")
    with pytest.raises(PermissionDenied):
        services.stock_reserve(
            user=viewer,
            warehouse=warehouse,
            item=item,
            project=project,
            quantity=1,
            reference_type="distribution.plan",
            reference_id="a",
        )


def test_a_retried_dispatch_with_the_same_key_moves_stock_once(officer, warehouse, project):
    item = make_item()
    stocked(warehouse, item, project, 10)
    kwargs = {
        "user": officer,
        "warehouse": warehouse,
        "item": item,
        "project": project,
        "quantity": 4,
        "reference_type": "distribution.event",
        "reference_id": "e",
        "date": DAY,
        "from_reservation": False,
        "request_key": "event-e-dispatch-1",
    }
    assert (
        services.dispatch_to_distribution(**kwargs).pk
        == services.dispatch_to_distribution(**kwargs).pk
    )
    assert balance_of(warehouse, item, project)[0] == Decimal(6)


def test_value_by_project_uses_the_cost_valid_on_the_day(officer, warehouse, project):
    mattress, blanket = make_item("mattress"), make_item("blanket")
    other = make_project("NFI", code="NFI-OTHER")
    stocked(warehouse, mattress, project, 10)
    stocked(warehouse, blanket, project, 4)
    stocked(warehouse, mattress, other, 2)
    services.item_cost_set(
        user=officer, item=mattress, project=project, unit_cost="14.50", valid_from="2026-01-01"
    )
    services.item_cost_set(
        user=officer, item=mattress, project=project, unit_cost="16", valid_from="2026-06-01"
    )
    services.item_cost_set(
        user=officer,
        item=blanket,
        project=project,
        unit_cost="14700",
        currency="IQD",
        exchange_rate="1470",
        valid_from="2026-01-01",
    )
    rows = selectors.value_by_project(officer, day=datetime.date(2026, 3, 1))
    by_code = {r["project"].code: r for r in rows}
    assert by_code["NFI-TEST-01"]["value_usd"] == Decimal("185.00")  # 10 × 14.50 + 4 × 10
    assert by_code["NFI-TEST-01"]["missing_cost"] == 0
    assert by_code["NFI-OTHER"]["value_usd"] == 0 and by_code["NFI-OTHER"]["missing_cost"] == 1
    later = selectors.value_by_project(officer, day=datetime.date(2026, 7, 1))
    assert {r["project"].code: r["value_usd"] for r in later}["NFI-TEST-01"] == Decimal("200.00")


def test_low_stock_alerts_sum_the_projects_of_a_warehouse(officer, warehouse, project):
    mattress, blanket = make_item("mattress"), make_item("blanket")
    stocked(warehouse, mattress, project, 6)
    stocked(warehouse, mattress, make_project("NFI"), 6)
    services.threshold_set(user=officer, warehouse=warehouse, item=mattress, minimum=10)
    services.threshold_set(user=officer, warehouse=warehouse, item=blanket, minimum=5)
    alerts = list(selectors.low_stock(officer))
    assert [(a.item.code, a.on_hand) for a in alerts] == [("blanket", 0)]
    services.threshold_set(user=officer, warehouse=warehouse, item=mattress, minimum=13)
    assert {a.item.code for a in selectors.low_stock(officer)} == {"blanket", "mattress"}
    elsewhere = make_user("warehouse_officer", governorates=("IQG11",), programmes=("NFI",))
    assert list(selectors.low_stock(elsewhere)) == []


def test_stock_check_passes_on_a_sound_ledger_and_fails_on_a_tampered_one(
    officer, warehouse, project, capsys
):
    item = make_item()
    stocked(warehouse, item, project, 10)
    call_command("stock_check")
    assert "consistent" in capsys.readouterr().out
    StockBalance.objects.filter(item=item).update(quantity=Decimal(7))
    with pytest.raises(SystemExit) as exit_:
        call_command("stock_check")
    assert exit_.value.code == 1
    assert "balance 7, entries sum to 10" in capsys.readouterr().err


def test_the_warehouse_officer_elsewhere_does_not_see_the_balances(warehouse, project):
    stocked(warehouse, make_item(), project, 1)
    erbil = make_user("warehouse_officer", governorates=("IQG11",), programmes=("NFI",))
    duhok = make_user("me_viewer", governorates=(DUHOK,))
    assert not selectors.balances_visible_to(erbil).exists()
    assert selectors.balances_visible_to(duhok).count() == 1
    assert selectors.movements_visible_to(duhok).count() == 1
    make_warehouse()
