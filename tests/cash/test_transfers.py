"""Cash through a financial service provider: the provider's template, a payment list
per tranche, the XLSX export in the template's layout, the results imported back all
or nothing (paid with the ledger written once, failed with the reason), follow-up lists
for failures, and never a household paid twice for a tranche."""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook, load_workbook

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import Payment, PaymentList
from sanad.cash.services.transfers import parse_columns, tranche_amount
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db

COLUMNS = [
    {"header": "Beneficiary ID", "field": "registration_id"},
    {"header": "Full name", "field": "head_name"},
    {"header": "Mobile", "field": "head_phone"},
    {"header": "Amount", "field": "amount"},
    {"header": "Currency", "field": "currency"},
    {"header": "Ref", "field": "payment_id"},
]


def cash_plan_world(*, households: int = 3, amount: str = "100000", tranches: int = 2) -> Any:
    return cash_world(
        households=households,
        modality="cash",
        amount=amount,
        tranches=tranches,
        item_code="nfi_cash",
    )


def template(w: Any, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "user": w.finance,
        "name": f"AsiaHawala {w.plan.pk}",
        "provider": "AsiaHawala",
        "columns": COLUMNS,
        "sheet_name": "Transfers",
        "reference_column": "Transaction",
    }
    values.update(kwargs)
    return services.fsp_template_create(**values)


def exported(w: Any, tranche: int = 1, **kwargs: Any) -> tuple[PaymentList, list[list[Any]]]:
    payment_list = services.payment_list_create(
        user=w.finance, plan=w.plan, tranche=tranche, template=template(w, **kwargs)
    )
    content = services.payment_list_export(user=w.finance, payment_list=payment_list)
    sheet = load_workbook(io.BytesIO(content))["Transfers"]
    return payment_list, [list(r) for r in sheet.iter_rows(values_only=True)]


def results(rows: list[list[Any]], outcomes: dict[int, tuple[str, str]]) -> bytes:
    """The provider's file: the rows sent, with Status, Reason and Transaction added
    (outcomes by data-row index; rows without one are left out)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Transfers"
    sheet.append([*rows[0], "Status", "Reason", "Transaction"])
    for i, row in enumerate(rows[1:]):
        if i in outcomes:
            status, reason = outcomes[i]
            sheet.append([*row, status, reason, f"TX-{i}" if status.lower() == "paid" else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger() -> Any:
    return AssistanceRecord.objects.filter(source_type="cash.payment")


# --- templates -----------------------------------------------------------------------------
def test_a_template_reads_header_equals_field_lines():
    assert parse_columns("Beneficiary ID = registration_id\n\n Ref=payment_id ") == [
        {"header": "Beneficiary ID", "field": "registration_id"},
        {"header": "Ref", "field": "payment_id"},
    ]
    w = cash_plan_world(households=1)
    tpl = template(w, columns="ID = registration_id\nPay ref = payment_id", paid_values="OK, Done")
    assert tpl.columns[1] == {"header": "Pay ref", "field": "payment_id"}
    assert tpl.paid_values == ["done", "ok"]


@pytest.mark.parametrize(
    ("columns", "says"),
    [
        ("ID = registration_id", "payment_id"),
        ("ID = registration_id\nRef = payment_id\nX = salary", "is not a field"),
        ("ID = registration_id\nid = payment_id", "used twice"),
        ("just a header", "Header = field"),
    ],
)
def test_a_template_without_the_payment_id_or_with_unknown_fields_is_refused(columns, says):
    w = cash_plan_world(households=1)
    with pytest.raises(ValidationFailed) as exc:
        template(w, columns=columns)
    assert says in " ".join(str(m) for m in exc.value.fields["columns"])


def test_a_template_needs_the_transfer_permission():
    w = cash_plan_world(households=1)
    with pytest.raises(PermissionDenied):
        template(w, user=w.officer)


# --- payment lists and export --------------------------------------------------------------
def test_tranches_add_up_to_the_entitlement_the_last_taking_the_remainder():
    parts = [tranche_amount(Decimal("100001"), 3, t, "IQD") for t in (1, 2, 3)]
    assert parts == [Decimal(33333), Decimal(33333), Decimal(33335)]
    usd = [tranche_amount(Decimal("100.00"), 3, t, "USD") for t in (1, 2, 3)]
    assert usd == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")] and sum(usd) == 100


def test_the_export_follows_the_templates_layout_and_sends_the_list():
    w = cash_plan_world(households=2, amount="100001", tranches=2)
    payment_list, rows = exported(w, tranche=2)

    assert payment_list.number == f"PL-{w.today.year}-{payment_list.pk:06d}"
    assert rows[0] == [c["header"] for c in COLUMNS]
    assert len(rows) == 3
    payments = {str(p.public_id): p for p in payment_list.payments.all()}
    for row in rows[1:]:
        payment = payments[row[5]]
        household = payment.entitlement.household
        assert row[0] == household.registration_id
        assert row[1] and row[4] == "IQD"
        assert Decimal(str(row[3])) == Decimal("50001")  # the last tranche
    payment_list.refresh_from_db()
    assert payment_list.status == "exported" and payment_list.exported_at is not None
    assert set(payment_list.payments.values_list("status", flat=True)) == {"sent"}


def test_an_evoucher_plan_or_a_tranche_out_of_range_makes_no_list():
    w = cash_plan_world(households=1, tranches=2)
    tpl = template(w)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_list_create(user=w.finance, plan=w.plan, tranche=3, template=tpl)
    assert "tranche" in exc.value.fields
    voucher_world = cash_world(households=1)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_list_create(
            user=voucher_world.finance, plan=voucher_world.plan, tranche=1, template=tpl
        )
    assert "plan" in exc.value.fields


def test_a_second_list_for_the_same_tranche_finds_nobody_left():
    w = cash_plan_world(households=2)
    first, _rows = exported(w)
    with pytest.raises(Conflict) as exc:
        services.payment_list_create(
            user=w.finance, plan=w.plan, tranche=1, template=first.template
        )
    assert exc.value.code == "nothing_to_pay"
    # the next tranche is another matter
    second = services.payment_list_create(
        user=w.finance, plan=w.plan, tranche=2, template=first.template
    )
    assert second.payments.count() == 2


def test_the_list_holds_only_the_households_the_user_reaches():
    w = cash_plan_world(households=1)
    outsider = make_user("finance_officer", governorates=(ERBIL,))
    tpl = template(w)
    with pytest.raises(Conflict) as exc:
        services.payment_list_create(user=outsider, plan=w.plan, tranche=1, template=tpl)
    assert exc.value.code == "nothing_to_pay"


# --- results -------------------------------------------------------------------------------
def test_results_mark_paid_and_failed_and_paid_ones_write_the_ledger():
    w = cash_plan_world(households=3)
    payment_list, rows = exported(w)
    content = results(rows, {0: ("Paid", ""), 1: ("SUCCESS", ""), 2: ("rejected", "Wrong ID")})

    summary = services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=content
    )

    assert summary == {"rows": 3, "paid": 2, "failed": 1, "unchanged": 0, "waiting": 0}
    by_id = {str(p.public_id): p for p in payment_list.payments.all()}
    first, third = by_id[rows[1][5]], by_id[rows[3][5]]
    assert (first.status, first.provider_reference, first.paid_on) == ("paid", "TX-0", w.today)
    assert (third.status, third.failure_reason) == ("failed", "Wrong ID")
    records = list(ledger())
    assert len(records) == 2
    record = ledger().get(source_id=str(first.public_id))
    assert record.kind == "cash" and record.item == "nfi_cash"
    assert record.value == first.amount and record.currency == "IQD"
    assert record.household_id == first.entitlement.household_id
    payment_list.refresh_from_db()
    assert payment_list.status == "results"


def test_a_failure_without_a_reason_keeps_the_providers_status():
    w = cash_plan_world(households=1)
    payment_list, rows = exported(w)
    services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=results(rows, {0: ("Expired", "")})
    )
    assert payment_list.payments.get().failure_reason == "Expired"


def test_one_bad_row_aborts_the_whole_import_with_the_rows_to_fix():
    w = cash_plan_world(households=3)
    payment_list, rows = exported(w)
    rows[2][5] = "6f1c1f38-0000-4000-8000-000000000000"  # not a payment of this list
    rows[3][3] = 1  # not the amount sent
    content = results(rows, {0: ("paid", ""), 1: ("paid", ""), 2: ("paid", "")})

    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(user=w.finance, payment_list=payment_list, content=content)

    assert exc.value.code == "results_invalid"
    lines = [str(m) for m in exc.value.fields["file"]]
    assert lines[0].startswith("Row 3:") and "not on list" in lines[0]
    assert lines[1].startswith("Row 4:") and "amount" in lines[1]
    assert [e["row"] for e in exc.value.params["rows"]] == [3, 4]
    assert set(payment_list.payments.values_list("status", flat=True)) == {"sent"}
    assert not ledger().exists()
    payment_list.refresh_from_db()
    assert payment_list.status == "exported"


def test_duplicate_rows_empty_statuses_and_missing_columns_are_refused():
    w = cash_plan_world(households=2)
    payment_list, rows = exported(w)
    twice = results([rows[0], rows[1], rows[1]], {0: ("paid", ""), 1: ("paid", "")})
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(user=w.finance, payment_list=payment_list, content=twice)
    assert "also on row 2" in str(exc.value.fields["file"][0])
    blank = results(rows, {0: ("paid", ""), 1: ("", "")})
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(user=w.finance, payment_list=payment_list, content=blank)
    assert "is empty" in str(exc.value.fields["file"][0])
    book = Workbook()
    book.active.append(["Something else"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(
            user=w.finance, payment_list=payment_list, content=out.getvalue()
        )
    assert "Ref" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(
            user=w.finance, payment_list=payment_list, content=b"not a spreadsheet"
        )
    assert exc.value.code == "results_unreadable"
    assert not ledger().exists()


def test_importing_the_same_file_again_changes_nothing():
    w = cash_plan_world(households=2)
    payment_list, rows = exported(w)
    content = results(rows, {0: ("paid", ""), 1: ("failed", "No wallet")})
    services.payment_results_import(user=w.finance, payment_list=payment_list, content=content)
    before = list(Payment.objects.order_by("pk").values_list("status", "updated_at"))

    again = services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=content
    )

    assert again == {"rows": 2, "paid": 0, "failed": 0, "unchanged": 2, "waiting": 0}
    assert list(Payment.objects.order_by("pk").values_list("status", "updated_at")) == before
    assert ledger().count() == 1


def test_results_can_arrive_in_parts():
    w = cash_plan_world(households=2)
    payment_list, rows = exported(w)
    part = services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=results(rows, {0: ("paid", "")})
    )
    assert part["waiting"] == 1
    with pytest.raises(Conflict):
        services.payment_list_close(user=w.finance, payment_list=payment_list)
    rest = services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=results(rows, {1: ("paid", "")})
    )
    assert (rest["paid"], rest["waiting"]) == (1, 0)
    services.payment_list_close(user=w.finance, payment_list=payment_list)
    assert ledger().count() == 2


def test_results_before_the_export_are_refused():
    w = cash_plan_world(households=1)
    payment_list = services.payment_list_create(
        user=w.finance, plan=w.plan, tranche=1, template=template(w)
    )
    with pytest.raises(Conflict) as exc:
        services.payment_results_import(user=w.finance, payment_list=payment_list, content=b"")
    assert exc.value.code == "list_not_sent"


# --- follow-up -----------------------------------------------------------------------------
def test_failures_go_on_a_follow_up_and_nobody_is_paid_twice_for_the_tranche():
    w = cash_plan_world(households=2)
    payment_list, rows = exported(w)
    first_file = results(rows, {0: ("paid", ""), 1: ("failed", "Phone off")})
    services.payment_results_import(user=w.finance, payment_list=payment_list, content=first_file)
    failed = payment_list.payments.get(status="failed")

    follow_up = services.follow_up_create(user=w.finance, payment_list=payment_list)

    assert follow_up.follow_up_of == payment_list and follow_up.tranche == 1
    [retry] = follow_up.payments.all()
    assert (retry.entitlement_id, retry.amount, retry.status) == (
        failed.entitlement_id,
        failed.amount,
        "pending",
    )
    # a second follow-up, or a new list for the tranche, finds nobody
    with pytest.raises(Conflict) as exc:
        services.follow_up_create(user=w.finance, payment_list=payment_list)
    assert exc.value.code == "no_failures"
    with pytest.raises(Conflict):
        services.payment_list_create(
            user=w.finance, plan=w.plan, tranche=1, template=payment_list.template
        )
    # the provider cannot turn the original failure into a payment any more
    changed = results(rows, {0: ("paid", ""), 1: ("paid", "")})
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(user=w.finance, payment_list=payment_list, content=changed)
    assert "already recorded as failed" in str(exc.value.fields["file"][0])

    content = services.payment_list_export(user=w.finance, payment_list=follow_up)
    again = [list(r) for r in load_workbook(io.BytesIO(content))["Transfers"].values]
    services.payment_results_import(
        user=w.finance, payment_list=follow_up, content=results(again, {0: ("paid", "")})
    )

    paid = Payment.objects.filter(tranche=1, status="paid")
    assert paid.count() == 2
    assert paid.values("entitlement_id").distinct().count() == 2
    assert ledger().count() == 2
    assert ledger().filter(household_id=failed.entitlement.household_id).count() == 1


def test_the_database_refuses_a_second_live_payment_for_a_tranche():
    from django.db import IntegrityError, transaction

    w = cash_plan_world(households=1)
    payment_list, _rows = exported(w)
    payment = payment_list.payments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            payment_list=payment_list,
            entitlement=payment.entitlement,
            tranche=1,
            amount=payment.amount,
            currency="IQD",
            exchange_rate=payment.exchange_rate,
        )


def test_a_paid_payment_cannot_be_reported_failed_later():
    w = cash_plan_world(households=1)
    payment_list, rows = exported(w)
    services.payment_results_import(
        user=w.finance, payment_list=payment_list, content=results(rows, {0: ("paid", "")})
    )
    with pytest.raises(ValidationFailed) as exc:
        services.payment_results_import(
            user=w.finance,
            payment_list=payment_list,
            content=results(rows, {0: ("failed", "reversed")}),
        )
    assert "already recorded as paid" in str(exc.value.fields["file"][0])
    assert payment_list.payments.get().status == "paid" and ledger().count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL; SQLite serialises writes",
)
def test_two_lists_made_at_the_same_moment_never_list_a_household_twice(transactional_db):
    # (`transactional_db` by name: tests/conftest.py then puts the admin units back.)
    w = cash_plan_world(households=3)
    tpl = template(w)
    colleague = make_user("finance_officer", governorates=(DUHOK,))
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def clerk(user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcome: Any = services.payment_list_create(
                user=user, plan=w.plan, tranche=1, template=tpl
            )
        except Exception as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=clerk, args=(u,)) for u in (w.finance, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    made = [o for o in outcomes if isinstance(o, PaymentList)]
    assert len(made) == 1 and isinstance(next(o for o in outcomes if o not in made), Conflict), (
        outcomes
    )
    assert Payment.objects.filter(tranche=1).count() == 3
