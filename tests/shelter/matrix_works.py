"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
shelter works part: the overview by project, a project's page and download, site
upgrades, camp roads and their API:

    from tests.shelter.matrix_works import works_checks, works_world
    # in the world fixture:   extras={"shelter_works": works_world(), ...}
    # in checks_for:          *works_checks(role, w.extras["shelter_works"], Check, can,
    #                                       allowed, HIDDEN),

Matrix users are scoped to Duhok and the NFI programme. "in" records are NFI works in
Duhok, "out" records NFI works in Erbil (the overview must not show the project that
only has Erbil works); the "other" project belongs to the shelter programme (its page is
404 for a user of the NFI programme). Writes are checked on out-of-scope records only
(404, nothing changes); tests/shelter checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW, MANAGE = "shelter.view_shelter", "shelter.manage_site_works"
SITE_OUT, ROAD_OUT, PROJECT_OUT = "Matrix works camp outside", "Matrix road outside", "MTX-SHW-OUT"


def works_world() -> dict[str, Any]:
    import datetime
    from decimal import Decimal

    from sanad.shelter.models.works import RoadProject, SiteUpgrade
    from tests.camps.factories import make_site
    from tests.factories import DUHOK, ERBIL, ProgrammeFactory, ProjectFactory

    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    start = datetime.date(2025, 1, 1)
    project_in = ProjectFactory(programme=nfi, code="MTX-SHW-IN", start_date=start)
    project_out = ProjectFactory(programme=nfi, code=PROJECT_OUT, start_date=start)
    project_other = ProjectFactory(programme=shelter, code="MTX-SHW-OTHER", start_date=start)
    site_in = make_site(governorate=DUHOK, name="Matrix works camp inside", code="MTX-W-IN")
    site_out = make_site(governorate=ERBIL, name=SITE_OUT, code="MTX-W-OUT")

    def upgrade(site: Any, project: Any, status: str) -> SiteUpgrade:
        return SiteUpgrade.objects.create(
            site=site,
            programme=nfi,
            project=project,
            governorate=site.governorate,
            kind="sealing_off",
            planned_households=5,
            budget=Decimal("1000"),
            status=status,
            started_on=start if status == "in_progress" else None,
        )

    def road(site: Any, project: Any, name: str, status: str) -> RoadProject:
        return RoadProject.objects.create(
            name=name,
            site=site,
            programme=nfi,
            project=project,
            governorate=site.governorate,
            length_m=Decimal("500"),
            surface="gravel",
            budget=Decimal("1000"),
            status=status,
            started_on=start if status == "in_progress" else None,
        )

    return {
        "project_in": project_in,
        "project_out": project_out,
        "project_other": project_other,
        "site_in": site_in,
        "site_out": site_out,
        "upgrade_in": upgrade(site_in, project_in, "planned"),
        "upgrade_out": upgrade(site_out, project_out, "in_progress"),
        "road_in": road(site_in, project_in, "Matrix road inside", "planned"),
        "road_out": road(site_out, project_out, ROAD_OUT, "in_progress"),
    }


def works_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage = can(role, VIEW), can(role, MANAGE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"shelter:{name}", args=args)  # noqa: E731
    p_in, p_other = world["project_in"].public_id, world["project_other"].public_id
    u_in, u_out = world["upgrade_in"].public_id, world["upgrade_out"].public_id
    r_in, r_out = world["road_in"].public_id, world["road_out"].public_id
    project_in = str(world["project_in"].public_id)
    upgrade_actions = {
        "start": {"start-started_on": "2026-01-02"},
        "reach": {"reach-registration_ids": "X", "reach-delivered_on": "2026-01-02"},
        "complete": {"complete-completed_on": "2026-01-02"},
        "cancel": {"cancel-reason": "Matrix"},
    }
    road_actions = {
        "start": {"start-started_on": "2026-01-02"},
        "progress": {"progress-reported_on": "2026-01-02", "progress-length_done_m": "1"},
        "complete": {"complete-completed_on": "2026-01-02"},
        "cancel": {"cancel-reason": "Matrix"},
    }
    api = "/api/v1/shelter"
    return [
        # --- overview ------------------------------------------------------------------------
        Check("shelter:home", "get", url("home"), allowed(view), absent=PROJECT_OUT),
        Check("shelter:project_detail in", "get", url("project_detail", p_in), hid(view)),
        Check(
            "shelter:project_detail other",
            "get",
            url("project_detail", p_other),
            out404(view),
        ),
        Check("shelter:project_export in", "get", url("project_export", p_in), hid(view)),
        Check(
            "shelter:project_export other",
            "get",
            url("project_export", p_other),
            out404(view),
        ),
        # --- site upgrades -------------------------------------------------------------------
        Check("shelter:upgrade_list", "get", url("upgrade_list"), allowed(view), absent=SITE_OUT),
        Check("shelter:upgrade_create", "get", url("upgrade_create"), allowed(manage)),
        Check(
            "shelter:upgrade_create out",
            "post",
            url("upgrade_create"),
            allowed(manage, ok_codes={400}),
            {
                "site": str(world["site_out"].public_id),
                "kind": "latrines",
                "project": project_in,
                "planned_households": "1",
                "budget": "1",
                "currency": "USD",
            },
        ),
        Check("shelter:upgrade_detail in", "get", url("upgrade_detail", u_in), hid(view)),
        Check("shelter:upgrade_detail out", "get", url("upgrade_detail", u_out), out404(view)),
        Check("shelter:upgrade_edit in", "get", url("upgrade_edit", u_in), hid(manage)),
        Check("shelter:upgrade_edit out", "get", url("upgrade_edit", u_out), out404(manage)),
        Check(
            "shelter:upgrade_edit out-post",
            "post",
            url("upgrade_edit", u_out),
            out404(manage),
            {"kind": "latrines", "project": project_in, "planned_households": "9"},
        ),
        *[
            Check(
                f"shelter:upgrade_action out-{action}",
                "post",
                url("upgrade_action", u_out, action),
                out404(manage),
                data,
            )
            for action, data in upgrade_actions.items()
        ],
        # --- camp roads ----------------------------------------------------------------------
        Check("shelter:road_list", "get", url("road_list"), allowed(view), absent=ROAD_OUT),
        Check("shelter:road_create", "get", url("road_create"), allowed(manage)),
        Check(
            "shelter:road_create out",
            "post",
            url("road_create"),
            allowed(manage, ok_codes={400}),
            {
                "name": "Hacked road",
                "site": str(world["site_out"].public_id),
                "project": project_in,
                "length_m": "1",
                "surface": "gravel",
                "budget": "1",
                "currency": "USD",
            },
        ),
        Check("shelter:road_detail in", "get", url("road_detail", r_in), hid(view)),
        Check("shelter:road_detail out", "get", url("road_detail", r_out), out404(view)),
        Check("shelter:road_edit in", "get", url("road_edit", r_in), hid(manage)),
        Check("shelter:road_edit out", "get", url("road_edit", r_out), out404(manage)),
        Check(
            "shelter:road_edit out-post",
            "post",
            url("road_edit", r_out),
            out404(manage),
            {"name": "Hacked", "project": project_in, "length_m": "1", "surface": "gravel"},
        ),
        *[
            Check(
                f"shelter:road_action out-{action}",
                "post",
                url("road_action", r_out, action),
                out404(manage),
                data,
            )
            for action, data in road_actions.items()
        ],
        # --- API -----------------------------------------------------------------------------
        Check(
            "shelter-upgrade-list",
            "get",
            f"{api}/upgrades/",
            allowed(view),
            api=True,
            absent=str(u_out),
        ),
        Check("shelter-upgrade-detail in", "get", f"{api}/upgrades/{u_in}/", hid(view), api=True),
        Check(
            "shelter-upgrade-detail out", "get", f"{api}/upgrades/{u_out}/", out404(view), api=True
        ),
        Check(
            "shelter-road-list", "get", f"{api}/roads/", allowed(view), api=True, absent=ROAD_OUT
        ),
        Check("shelter-road-detail in", "get", f"{api}/roads/{r_in}/", hid(view), api=True),
        Check("shelter-road-detail out", "get", f"{api}/roads/{r_out}/", out404(view), api=True),
        Check(
            "shelter-overview-list",
            "get",
            f"{api}/overview/",
            allowed(view),
            api=True,
            absent=PROJECT_OUT,
        ),
    ]
