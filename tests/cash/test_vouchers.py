"""E-vouchers: codes that cannot be guessed and are typed forgivingly, PINs kept only
as hashes, issue once per entitlement, cancel and re-issue, what a cashier and the
admin may see, and who sees which vouchers."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from sanad.cash import selectors, services
from sanad.cash.models import Voucher
from sanad.cash.services._common import ALPHABET, code_display, code_normalise
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.cash.factories import cash_world, line, make_cashier, make_plan, make_vendor, redeem
from tests.factories import ERBIL, make_user

pytestmark = pytest.mark.django_db

CODE = re.compile(f"^[{ALPHABET}]{{16}}$")


class TestCodes:
    def test_codes_are_sixteen_crockford_characters_all_different(self):
        w = cash_world(households=5)
        codes = [v.code for v in w.vouchers]
        assert all(CODE.match(c) for c in codes)
        assert len(set(codes)) == 5

    def test_a_code_is_printed_in_groups_of_four(self):
        assert code_display("ABCD1234EFGH5678") == "ABCD-1234-EFGH-5678"

    @pytest.mark.parametrize(
        "typed",
        ["ABCD-1234-EFGH-5678", "abcd 1234 efgh 5678", "abcd-1234-efgh-5678 ", "ABCD1234EFGH5678"],
    )
    def test_a_code_is_accepted_with_or_without_dashes_in_any_case(self, typed):
        assert code_normalise(typed) == "ABCD1234EFGH5678"

    def test_letters_mistaken_for_digits_are_read_as_the_digits(self):
        assert code_normalise("ABCD-l234-EFGH-567O") == "ABCD1234EFGH5670"
        assert code_normalise("abcd-I234-efgh-5678") == "ABCD1234EFGH5678"

    @pytest.mark.parametrize(
        "typed", ["", "ABCD", "ABCD-1234-EFGH-567U", None, "ABCD1234EFGH56789"]
    )
    def test_anything_else_is_no_code(self, typed):
        assert code_normalise(typed) == ""

    def test_a_voucher_is_found_by_its_code_as_typed(self):
        w = cash_world(households=1)
        code = w.code(0)
        typed = code_display(code).lower().replace("0", "o").replace("1", "l")
        assert services.voucher_lookup(code=typed) == w.vouchers[0]
        assert services.voucher_lookup(code="ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None
        assert services.voucher_lookup(code="not a code") is None


class TestIssue:
    def test_one_active_voucher_per_released_entitlement_with_its_amount(self):
        w = cash_world(households=3)
        assert len(w.issued) == 3
        for voucher, pin in w.issued:
            voucher.refresh_from_db()
            assert pin is None and voucher.pin_hash == ""
            assert voucher.status == "active"
            assert voucher.amount == voucher.balance == Decimal("50000.00")
            assert voucher.currency == "IQD" and voucher.expires_on == w.plan.expires_on
        assert sorted(v.entitlement_id for v in w.vouchers) == sorted(
            w.plan.entitlements.values_list("pk", flat=True)
        )

    def test_issuing_again_issues_nothing_more(self):
        w = cash_world(households=2)
        assert services.vouchers_issue(user=w.officer, plan=w.plan) == []
        assert Voucher.objects.filter(entitlement__plan=w.plan).count() == 2

    def test_a_pin_is_four_digits_given_once_and_kept_only_as_a_hash(self):
        w = cash_world(households=2, require_pin=True)
        for voucher, pin in w.issued:
            assert pin is not None and re.fullmatch(r"\d{4}", pin)
            stored = Voucher.objects.get(pk=voucher.pk).pin_hash
            assert pin not in stored and check_password(pin, stored)

    def test_a_draft_plan_has_no_vouchers(self):
        w = cash_world(approve=False)
        with pytest.raises(Conflict) as exc:
            services.vouchers_issue(user=w.officer, plan=w.plan)
        assert exc.value.code == "plan_not_approved"

    def test_a_cash_plan_is_not_paid_with_vouchers(self):
        w = cash_world(modality="cash")
        with pytest.raises(Conflict) as exc:
            services.vouchers_issue(user=w.officer, plan=w.plan)
        assert exc.value.code == "not_evoucher_plan"

    def test_a_finance_officer_cannot_issue_vouchers(self):
        w = cash_world(issue=False)
        with pytest.raises(PermissionDenied):
            services.vouchers_issue(user=w.finance, plan=w.plan)


class TestCancelAndReissue:
    def test_a_cancelled_voucher_keeps_who_cancelled_it_and_why(self):
        w = cash_world(households=1)
        with pytest.raises(ValidationFailed):
            services.voucher_cancel(user=w.officer, voucher=w.vouchers[0], reason="")
        voucher = services.voucher_cancel(
            user=w.officer, voucher=w.vouchers[0], reason="Card reported stolen"
        )
        assert voucher.status == "cancelled"
        (step,) = selectors.voucher_history(voucher)
        assert (step.from_state, step.to_state, step.by, step.reason) == (
            "active",
            "cancelled",
            w.officer,
            "Card reported stolen",
        )
        with pytest.raises(Conflict) as exc:
            services.voucher_cancel(user=w.officer, voucher=voucher, reason="again")
        assert exc.value.code == "voucher_not_active"

    def test_a_reissue_carries_the_remaining_balance_on_a_new_code(self):
        w = cash_world(households=1, require_pin=True)
        redeem(w, 0, [line(w.blanket, 1)])  # 12,000 of 50,000
        new, pin = services.voucher_reissue(
            user=w.officer, voucher=w.vouchers[0], reason="Lost the card"
        )
        old = w.voucher(0)
        assert old.status == "cancelled"
        assert new.replaces == old and new.code != old.code
        assert new.amount == new.balance == Decimal("38000.00")
        assert pin is not None and check_password(pin, new.pin_hash)
        with pytest.raises(Conflict) as exc:
            services.voucher_reissue(user=w.officer, voucher=old, reason="twice")
        assert exc.value.code == "already_replaced"

    def test_a_spent_voucher_has_nothing_to_reissue(self):
        w = cash_world(households=1, amount="12000")
        redeem(w, 0, [line(w.blanket, 1)])
        with pytest.raises(Conflict) as exc:
            services.voucher_reissue(user=w.officer, voucher=w.vouchers[0], reason="lost")
        assert exc.value.code == "voucher_not_reissuable"


class TestWhoSeesWhat:
    def test_a_cashier_sees_balance_and_what_it_buys_but_nothing_about_the_family(self):
        w = cash_world(households=1, allowed_categories=["bedding", "heating"], require_pin=True)
        view = selectors.voucher_for_cashier(user=w.cashier, code=code_display(w.code(0)).lower())
        assert view["balance"] == Decimal("50000.00") and view["currency"] == "IQD"
        assert view["status"] == "active" and view["usable"] is True
        assert view["require_pin"] is True
        assert view["allowed_categories"] == ["bedding", "heating"]
        assert [i["code"] for i in view["items"]] == sorted([w.blanket.code, w.heater.code])
        household = w.households[0]
        flat = repr(view)
        assert household.registration_id not in flat
        assert "household" not in view

    def test_a_cashier_of_another_shop_is_told_the_voucher_is_not_for_it(self):
        w = cash_world(households=1)
        other = make_vendor(w.officer)
        w.plan.allowed_vendors.set([other])
        with pytest.raises(PermissionDenied) as exc:
            selectors.voucher_for_cashier(user=w.cashier, code=w.code(0))
        assert exc.value.code == "wrong_vendor"
        assert selectors.voucher_for_cashier(user=make_cashier(w.officer, other), code=w.code(0))

    def test_an_unknown_code_is_not_found(self):
        w = cash_world(households=1)
        with pytest.raises(NotFound):
            selectors.voucher_for_cashier(user=w.cashier, code="ZZZZ-ZZZZ-ZZZZ-ZZZZ")

    def test_only_cashiers_look_vouchers_up_at_the_counter(self):
        w = cash_world(households=1)
        with pytest.raises(PermissionDenied):
            selectors.voucher_for_cashier(user=w.officer, code=w.code(0))

    def test_a_cashier_sees_no_plan_voucher_entitlement_or_redemption_lists(self):
        w = cash_world(households=1)
        redeem(w, 0)
        for qs in (
            selectors.plans_visible_to(w.cashier),
            selectors.vouchers_visible_to(w.cashier),
            selectors.entitlements_visible_to(w.cashier),
            selectors.redemptions_visible_to(w.cashier),
            selectors.vendors_visible_to(w.cashier),
        ):
            assert not qs.exists()
        assert selectors.vendor_redemptions(w.cashier).count() == 1
        assert not selectors.vendor_redemptions(w.officer).exists()

    def test_scope_limits_what_officers_see(self):
        w = cash_world(households=2)
        erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("NFI",))
        assert selectors.vouchers_visible_to(w.officer).count() == 2
        assert selectors.plans_visible_to(w.finance).count() == 1
        assert not selectors.vouchers_visible_to(erbil).exists()
        assert not selectors.vendors_visible_to(erbil).exists()
        with pytest.raises(NotFound):
            selectors.voucher_get(user=erbil, public_id=w.vouchers[0].public_id)

    def test_the_household_page_lists_its_voucher_and_what_it_bought(self):
        w = cash_world(households=1)
        redeem(w, 0, [line(w.blanket, 1), line(w.heater, 1)])
        (voucher,) = selectors.household_vouchers(user=w.officer, household=w.households[0])
        (redemption,) = voucher.redemptions.all()
        assert [(ln.item.code, ln.quantity) for ln in redemption.lines.all()] == [
            (w.blanket.code, Decimal("1.00")),
            (w.heater.code, Decimal("1.00")),
        ]

    def test_the_admin_never_shows_codes_or_pin_hashes(self):
        w = cash_world(households=1, require_pin=True)
        client = Client()
        client.force_login(make_user("administrator", is_staff=True, is_superuser=True))
        voucher = w.voucher(0)
        for url in (
            "/django-admin/cash/voucher/",
            f"/django-admin/cash/voucher/{voucher.pk}/change/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert voucher.code not in body and code_display(voucher.code) not in body
            assert voucher.pin_hash not in body
        assert client.get("/django-admin/cash/voucher/add/").status_code == 403

    def test_price_on_takes_the_latest_price_started_by_the_day(self):
        import datetime

        w = cash_world(households=1, issue=False)
        later = w.today + datetime.timedelta(days=10)
        services.vendor_price_set(
            user=w.officer,
            vendor=w.vendor,
            item=w.blanket,
            unit_price="13000",
            currency="IQD",
            valid_from=later,
        )
        assert selectors.price_on(vendor=w.vendor, item=w.blanket, day=w.today).unit_price == 12000
        assert selectors.price_on(vendor=w.vendor, item=w.blanket, day=later).unit_price == 13000
        assert (
            selectors.price_on(vendor=w.vendor, item=w.blanket, day=w.today.replace(year=2000))
            is None
        )

    def test_a_second_plan_on_the_same_list_issues_its_own_vouchers(self):
        w = cash_world(households=1)
        second = make_plan(w)
        services.plan_approve(user=w.approver, plan=second)
        assert len(services.vouchers_issue(user=w.officer, plan=second)) == 1
