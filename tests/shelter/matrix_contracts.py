"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
contractors, tenders and contracts pages and their API:

    from tests.shelter.matrix_contracts import contracts_checks, contracts_world
    # in the world fixture:   extras={"shelter_contracts": contracts_world(), ...}
    # in checks_for:          *contracts_checks(role, w.extras["shelter_contracts"], Check,
    #                                           can, allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. "in" tenders and contracts are
NFI records in Duhok, "out" ones NFI records in Erbil. Contractors belong to no
governorate or programme: every role that sees shelter sees them. Writes are checked on
out-of-scope records (404, nothing changes); a contractor's status change is checked with
an empty reason (refused, so nothing changes either); tests/shelter checks the writes
that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE = "shelter.view_shelter", "shelter.manage_contract"
TENDER_OUT, CONTRACT_OUT = "Matrix tender outside", "SW-MATRIX-OUT"


def contracts_world() -> dict[str, Any]:
    import datetime
    from decimal import Decimal

    from sanad.shelter.models import Contract, ContractMilestone, Contractor, Tender
    from tests.factories import DUHOK, ERBIL, ProgrammeFactory, ProjectFactory, subdistrict_in
    from tests.shelter.contracts_factories import make_case

    nfi = ProgrammeFactory(code="NFI")
    project = ProjectFactory(programme=nfi)
    contractor = Contractor.objects.create(name="Matrix Builders")

    def tender(gov: str, ref: str, title: str) -> Tender:
        t = Tender.objects.create(
            reference=ref,
            title=title,
            programme=nfi,
            project=project,
            governorate=subdistrict_in(gov).governorate,
            estimate=Decimal("5000"),
        )
        t.cases.set([make_case(project=project, governorate=gov)])
        return t

    def contract(gov: str, ref: str) -> Contract:
        c = Contract.objects.create(
            reference=ref,
            contractor=contractor,
            programme=nfi,
            project=project,
            governorate=subdistrict_in(gov).governorate,
            value=Decimal("10000"),
        )
        ContractMilestone.objects.create(
            contract=c,
            sequence=1,
            name="All works",
            percent=Decimal("100"),
            due_on=datetime.date(2026, 6, 1),
        )
        return c

    return {
        "contractor": contractor,
        "tender_in": tender(DUHOK, "ST-MATRIX-IN", "Matrix tender inside"),
        "tender_out": tender(ERBIL, "ST-MATRIX-OUT", TENDER_OUT),
        "contract_in": contract(DUHOK, "SW-MATRIX-IN"),
        "contract_out": contract(ERBIL, CONTRACT_OUT),
        "project": project,
        "erbil": ERBIL,
    }


def contracts_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"shelter:{name}", args=args)  # noqa: E731
    c = world["contractor"].public_id
    t_in, t_out = world["tender_in"].public_id, world["tender_out"].public_id
    k_in, k_out = world["contract_in"].public_id, world["contract_out"].public_id
    bid_out = {"bid-contractor": str(c), "bid-amount": "100"}
    terms = {
        "retention_percent": "10",
        "penalty_per_day_percent": "0.1",
        "penalty_cap_percent": "10",
        "defects_liability_days": "365",
    }
    erbil_lot = {"project": str(world["project"].public_id), "governorate": world["erbil"]}
    api = "/api/v1/shelter"
    return [
        # --- contractors --------------------------------------------------------------------
        Check("shelter:contractor_list", "get", url("contractor_list"), allowed(view)),
        Check("shelter:contractor_create", "get", url("contractor_create"), allowed(manage)),
        Check(
            "shelter:contractor_create empty-post",
            "post",
            url("contractor_create"),
            allowed(manage, ok_codes={400}),
            {"name": ""},
        ),
        Check("shelter:contractor_detail", "get", url("contractor_detail", c), hid(view)),
        Check("shelter:contractor_edit", "get", url("contractor_edit", c), hid(manage)),
        *[
            Check(
                f"shelter:contractor_action {action}-no-reason",
                "post",
                url("contractor_action", c, action),
                allowed(manage, ok_codes={302}, denied=hidden),
                {"reason": ""},
            )
            for action in ("suspend", "exclude")
        ],
        # --- tenders ------------------------------------------------------------------------
        Check("shelter:tender_list", "get", url("tender_list"), allowed(view), absent=TENDER_OUT),
        Check("shelter:tender_create", "get", url("tender_create"), allowed(manage)),
        Check(
            "shelter:tender_create out",
            "post",
            url("tender_create"),
            allowed(manage, ok_codes={400}),
            {**erbil_lot, "title": "Hacked", "currency": "USD"},
        ),
        Check("shelter:tender_detail in", "get", url("tender_detail", t_in), hid(view)),
        Check("shelter:tender_detail out", "get", url("tender_detail", t_out), out404(view)),
        Check("shelter:tender_edit in", "get", url("tender_edit", t_in), hid(manage)),
        Check("shelter:tender_edit out", "get", url("tender_edit", t_out), out404(manage)),
        Check(
            "shelter:tender_edit out-post",
            "post",
            url("tender_edit", t_out),
            out404(manage),
            {"title": "Hacked"},
        ),
        *[
            Check(
                f"shelter:tender_action out-{action}",
                "post",
                url("tender_action", t_out, action),
                out404(manage),
                data,
            )
            for action, data in (
                ("open", {}),
                ("bid", bid_out),
                ("bid_edit", {}),
                ("evaluate", {}),
                ("award", {}),
                ("cancel", {"cancel-reason": "Hacked"}),
            )
        ],
        # --- contracts ----------------------------------------------------------------------
        Check(
            "shelter:contract_list", "get", url("contract_list"), allowed(view), absent=CONTRACT_OUT
        ),
        Check("shelter:contract_create", "get", url("contract_create"), allowed(manage)),
        Check(
            "shelter:contract_create out",
            "post",
            url("contract_create"),
            allowed(manage, ok_codes={400}),
            {**erbil_lot, **terms, "contractor": str(c), "value": "1", "reason": "Hacked"},
        ),
        Check("shelter:contract_detail in", "get", url("contract_detail", k_in), hid(view)),
        Check("shelter:contract_detail out", "get", url("contract_detail", k_out), out404(view)),
        Check("shelter:contract_edit in", "get", url("contract_edit", k_in), hid(manage)),
        Check("shelter:contract_edit out", "get", url("contract_edit", k_out), out404(manage)),
        Check(
            "shelter:contract_edit out-post",
            "post",
            url("contract_edit", k_out),
            out404(manage),
            {**terms, "value": "1"},
        ),
        Check(
            "shelter:contract_milestones in", "get", url("contract_milestones", k_in), hid(manage)
        ),
        Check(
            "shelter:contract_milestones out",
            "get",
            url("contract_milestones", k_out),
            out404(manage),
        ),
        Check(
            "shelter:contract_milestones out-post",
            "post",
            url("contract_milestones", k_out),
            out404(manage),
            {"m-TOTAL_FORMS": "0", "m-INITIAL_FORMS": "0"},
        ),
        *[
            Check(
                f"shelter:contract_action out-{action}",
                "post",
                url("contract_action", k_out, action),
                out404(manage),
                data,
            )
            for action, data in (
                ("sign", {"sign-signed_on": "2026-01-01"}),
                ("complete", {}),
                ("retention", {"retention-released_on": "2026-01-01"}),
                ("terminate", {"terminate-reason": "Hacked"}),
            )
        ],
        *[
            Check(
                f"shelter:milestone_action out-{action}",
                "post",
                url("milestone_action", k_out, 1, action),
                out404(manage),
                data,
            )
            for action, data in (
                ("certify", {"certify-completed_on": "2026-01-01"}),
                ("pay", {"pay1-paid_on": "2026-01-01", "pay1-reference": "X"}),
            )
        ],
        # --- API ----------------------------------------------------------------------------
        Check("shelter-contractor-list", "get", f"{api}/contractors/", allowed(view), api=True),
        Check("shelter-contractor-detail", "get", f"{api}/contractors/{c}/", hid(view), api=True),
        Check(
            "shelter-tender-list",
            "get",
            f"{api}/tenders/",
            allowed(view),
            api=True,
            absent=TENDER_OUT,
        ),
        Check("shelter-tender-detail in", "get", f"{api}/tenders/{t_in}/", hid(view), api=True),
        Check(
            "shelter-tender-detail out", "get", f"{api}/tenders/{t_out}/", out404(view), api=True
        ),
        Check(
            "shelter-contract-list",
            "get",
            f"{api}/contracts/",
            allowed(view),
            api=True,
            absent=CONTRACT_OUT,
        ),
        Check("shelter-contract-detail in", "get", f"{api}/contracts/{k_in}/", hid(view), api=True),
        Check(
            "shelter-contract-detail out",
            "get",
            f"{api}/contracts/{k_out}/",
            out404(view),
            api=True,
        ),
    ]
