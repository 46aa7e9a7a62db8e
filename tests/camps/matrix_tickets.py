"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
maintenance pages (tickets, raising from a feedback case, photos, assets, preventive
schedules) and the tickets API:

    from tests.camps.matrix_tickets import tickets_checks, tickets_world
    # in the world fixture:   extras={"camps_tickets": tickets_world(), ...}
    # in checks_for:          *tickets_checks(role, w.extras["camps_tickets"], Check, can,
    #                                         allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. "in" records are on a Duhok
site, "out" records on an Erbil site. The feedback cases are NFI cases in Duhok: a
normal complaint (its from-case form opens for who may raise tickets AND see the case,
404 for who may raise but not see it) and an abuse report (404 for everyone who may raise
tickets and does not handle PSEA: it can never become a ticket for them). Writes are
checked on out-of-scope records only (404, nothing changes); tests/camps checks the
writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, RAISE = "camps.view_site", "camps.raise_ticket"
MANAGE, WORK = "camps.manage_ticket", "camps.work_ticket"
MANAGE_SITE = "camps.manage_site"
VIEW_CASE, HANDLE_PSEA = "feedback.view_case", "feedback.handle_psea"
TICKET_OUT, ASSET_OUT, SCHEDULE_OUT = (
    "Matrix ticket outside",
    "MATRIX-ASSET-OUT",
    "Matrix schedule outside",
)


def tickets_world() -> dict[str, Any]:
    import datetime

    from sanad.camps.models import Asset, MaintenanceSchedule, Ticket, TicketPhoto
    from tests.camps.factories import make_site
    from tests.factories import DUHOK, ERBIL, ProgrammeFactory
    from tests.feedback.factories import make_case

    site_in = make_site(governorate=DUHOK, name="Matrix camp inside", code="MTX-T-IN")
    site_out = make_site(governorate=ERBIL, name="Matrix camp outside", code="MTX-T-OUT")
    asset_in = Asset.objects.create(site=site_in, kind="tap", code="MATRIX-ASSET-IN")
    asset_out = Asset.objects.create(site=site_out, kind="tap", code=ASSET_OUT)

    def ticket(site: Any, number: str, title: str) -> Ticket:
        return Ticket.objects.create(
            number=number, site=site, source="staff", title=title, category="water"
        )

    ticket_in = ticket(site_in, "CM-MATRIX-IN", "Matrix ticket inside")
    ticket_out = ticket(site_out, "CM-MATRIX-OUT", TICKET_OUT)
    photo_out = TicketPhoto.objects.create(
        ticket=ticket_out,
        stage="problem",
        path=f"{ticket_out.public_id}/x.jpg",
        content_type="image/jpeg",
    )
    due = datetime.date(2026, 1, 1)

    def schedule(site: Any, task: str) -> MaintenanceSchedule:
        return MaintenanceSchedule.objects.create(
            site=site, task=task, category="water", every_days=30, next_due_on=due
        )

    nfi = ProgrammeFactory(code="NFI")
    return {
        "site_in": site_in,
        "site_out": site_out,
        "asset_in": asset_in,
        "asset_out": asset_out,
        "ticket_in": ticket_in,
        "ticket_out": ticket_out,
        "photo_out": photo_out,
        "schedule_in": schedule(site_in, "Matrix schedule inside"),
        "schedule_out": schedule(site_out, SCHEDULE_OUT),
        "case_in": make_case(governorate=DUHOK, programme=nfi, place=site_in.place),
        "case_psea": make_case(
            category="sea", governorate=DUHOK, programme=nfi, place=site_in.place
        ),
        "case_out": make_case(governorate=ERBIL, programme=nfi, place=site_out.place),
    }


def tickets_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, raise_, manage, work = (
        can(role, VIEW),
        can(role, RAISE),
        can(role, MANAGE),
        can(role, WORK),
    )
    assets = manage or can(role, MANAGE_SITE)
    sees_cases = can(role, VIEW_CASE)
    sees_psea = sees_cases and can(role, HANDLE_PSEA)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"camps:{name}", args=args)  # noqa: E731
    t_in, t_out = world["ticket_in"].public_id, world["ticket_out"].public_id
    a_in, a_out = world["asset_in"].public_id, world["asset_out"].public_id
    s_in, s_out = world["schedule_in"].public_id, world["schedule_out"].public_id

    def from_case(visible: bool) -> set[int]:
        if not raise_:
            return hidden
        return {200} if visible else {404}

    api = "/api/v1/camps"
    return [
        # --- tickets ------------------------------------------------------------------------
        Check("camps:ticket_list", "get", url("ticket_list"), allowed(view), absent=TICKET_OUT),
        Check("camps:ticket_create", "get", url("ticket_create"), allowed(raise_)),
        Check(
            "camps:ticket_create out",
            "post",
            url("ticket_create"),
            allowed(raise_, ok_codes={400}),
            {
                "site": str(world["site_out"].public_id),
                "title": "x",
                "priority": "normal",
                "source": "staff",
            },
        ),
        Check("camps:ticket_detail in", "get", url("ticket_detail", t_in), hid(view)),
        Check("camps:ticket_detail out", "get", url("ticket_detail", t_out), out404(view)),
        *[
            Check(
                f"camps:ticket_action out-{action}",
                "post",
                url("ticket_action", t_out, action),
                out404(work or manage) if action == "work" else out404(manage),
                data,
            )
            for action, data in (
                ("triage", {"triage-priority": "urgent", "triage-category": "water"}),
                ("assign", {"assign-team": "Matrix"}),
                ("work", {"work-work_done": "Matrix"}),
                ("verify", {}),
                ("send_back", {"send_back-reason": "Matrix"}),
                ("reject", {"reject-reason": "Matrix"}),
            )
        ],
        Check(
            "camps:ticket_photo out",
            "get",
            url("ticket_photo", world["photo_out"].public_id),
            out404(view),
        ),
        # --- from a feedback case: never a case the user may not see --------------------------
        Check(
            "camps:ticket_from_case in",
            "get",
            url("ticket_from_case", world["case_in"].public_id),
            from_case(sees_cases),
        ),
        Check(
            "camps:ticket_from_case psea",
            "get",
            url("ticket_from_case", world["case_psea"].public_id),
            from_case(sees_psea),
        ),
        Check(
            "camps:ticket_from_case psea-post",
            "post",
            url("ticket_from_case", world["case_psea"].public_id),
            {302, 400} if (raise_ and sees_psea) else from_case(False),
            {"site": str(world["site_in"].public_id), "priority": "normal"},
        ),
        Check(
            "camps:ticket_from_case out",
            "get",
            url("ticket_from_case", world["case_out"].public_id),
            from_case(False),
        ),
        # --- assets ---------------------------------------------------------------------------
        Check("camps:asset_list", "get", url("asset_list"), allowed(view), absent=ASSET_OUT),
        Check("camps:asset_create", "get", url("asset_create"), allowed(assets)),
        Check("camps:asset_edit in", "get", url("asset_edit", a_in), hid(assets)),
        Check("camps:asset_edit out", "get", url("asset_edit", a_out), out404(assets)),
        Check(
            "camps:asset_edit out-post",
            "post",
            url("asset_edit", a_out),
            out404(assets),
            {"kind": "tap", "code": "HACKED", "condition": "broken"},
        ),
        # --- preventive schedules -------------------------------------------------------------
        Check(
            "camps:schedule_list", "get", url("schedule_list"), allowed(view), absent=SCHEDULE_OUT
        ),
        Check("camps:schedule_create", "get", url("schedule_create"), allowed(manage)),
        Check("camps:schedule_edit in", "get", url("schedule_edit", s_in), hid(manage)),
        Check("camps:schedule_edit out", "get", url("schedule_edit", s_out), out404(manage)),
        Check(
            "camps:schedule_edit out-post",
            "post",
            url("schedule_edit", s_out),
            out404(manage),
            {"task": "Hacked", "every_days": "1", "next_due_on": "2026-01-01"},
        ),
        # --- API ------------------------------------------------------------------------------
        Check(
            "camps-ticket-list",
            "get",
            f"{api}/tickets/",
            allowed(view),
            api=True,
            absent=TICKET_OUT,
        ),
        Check(
            "camps-ticket-list post-out",
            "post",
            f"{api}/tickets/",
            allowed(raise_, ok_codes={400}),
            {"site": str(world["site_out"].public_id), "title": "x"},
            api=True,
        ),
        Check("camps-ticket-detail in", "get", f"{api}/tickets/{t_in}/", hid(view), api=True),
        Check("camps-ticket-detail out", "get", f"{api}/tickets/{t_out}/", out404(view), api=True),
        Check(
            "camps-asset-list", "get", f"{api}/assets/", allowed(view), api=True, absent=ASSET_OUT
        ),
        Check("camps-asset-detail in", "get", f"{api}/assets/{a_in}/", hid(view), api=True),
        Check("camps-asset-detail out", "get", f"{api}/assets/{a_out}/", out404(view), api=True),
    ]
