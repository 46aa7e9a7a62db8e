"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
distribution API, on the world of `tests.distribution.matrix.distribution_world`:

    from tests.distribution.api_matrix import distribution_api_checks
    # next to distribution_checks:
    *distribution_api_checks(role, w.extras["distribution"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme: the Duhok plan, event and
receipt are in, the Erbil ones out (404, never their data)."""

from __future__ import annotations

from typing import Any

VIEW, RECORD = "distribution.view_distribution", "distribution.record_receipt"


def _receipts(world: dict[str, Any]) -> tuple[Any, Any]:
    """The receipt of the event in scope, and one made for the event outside (the
    matrix world builds that event by hand, without receipts)."""
    from django.utils import timezone

    from sanad.distribution.models import Receipt
    from tests.factories import ERBIL
    from tests.registry.factories import make_household

    inside = Receipt.objects.filter(event=world["event_in"]).first()
    outside = Receipt.objects.filter(event=world["event_out"]).first()
    if outside is None:
        household = make_household(governorate=ERBIL, members=1)
        event = world["event_out"]
        outside = Receipt.objects.create(
            event=event,
            household=household,
            kit=event.plan.kit,
            quantity=1,
            collected_by=household.members.get(relationship="head"),
            collector=Receipt.Collector.HEAD,
            proof=Receipt.Proof.DECLARED,
            received_at=timezone.now(),
        )
    return inside, outside


def distribution_api_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, record = can(role, VIEW), can(role, RECORD)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    p_in, p_out = world["plan_in"].public_id, world["plan_out"].public_id
    e_in, e_out = world["event_in"].public_id, world["event_out"].public_id
    r_in, r_out = _receipts(world)
    household = world["household_in"]
    receipt = {
        "household": household.registration_id,
        "collected_by": str(world["head_in"].public_id),
        "proof": "declared",
        "client_key": f"matrix-{role}",  # the same attempt as the day page's: replayed
    }
    base = "/api/v1/distribution"
    return [
        Check(
            "distribution-plan-list",
            "get",
            f"{base}/plans/",
            allowed(view),
            api=True,
            absent="Matrix plan outside",
        ),
        Check("distribution-plan-detail in", "get", f"{base}/plans/{p_in}/", hid(view), api=True),
        Check(
            "distribution-plan-detail out", "get", f"{base}/plans/{p_out}/", out404(view), api=True
        ),
        Check(
            "distribution-event-list",
            "get",
            f"{base}/events/",
            allowed(view),
            api=True,
            absent="Matrix camp outside",
        ),
        Check("distribution-event-detail in", "get", f"{base}/events/{e_in}/", hid(view), api=True),
        Check(
            "distribution-event-detail out",
            "get",
            f"{base}/events/{e_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "distribution-event-check in",
            "post",
            f"{base}/events/{e_in}/check/",
            allowed(record),
            {"household": household.registration_id},
            api=True,
        ),
        Check(
            "distribution-event-check out",
            "post",
            f"{base}/events/{e_out}/check/",
            out404(record),
            {"household": household.registration_id},
            api=True,
        ),
        Check("distribution-receipt-list", "get", f"{base}/receipts/", allowed(view), api=True),
        Check(
            "distribution-receipt-detail in",
            "get",
            f"{base}/receipts/{r_in.public_id}/",
            hid(view),
            api=True,
        ),
        Check(
            "distribution-receipt-detail out",
            "get",
            f"{base}/receipts/{r_out.public_id}/",
            out404(view),
            api=True,
        ),
        Check(
            "distribution-receipt-list create in",
            "post",
            f"{base}/receipts/",
            allowed(record, ok_codes={200, 201}),
            {**receipt, "event": str(e_in)},
            api=True,
        ),
        Check(
            "distribution-receipt-list create out",
            "post",
            f"{base}/receipts/",
            out404(record),
            {**receipt, "event": str(e_out)},
            api=True,
        ),
    ]
