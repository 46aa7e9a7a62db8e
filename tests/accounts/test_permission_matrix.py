"""Role × scope × endpoint: every role, scoped to Duhok and the NFI programme, against
every page and API endpoint of the project. Out-of-scope records answer 404 (never 403,
never the data); endpoints a role has no permission for answer 403 (or 404 for a
detail, which reveals nothing either). A URL missing from this matrix fails the suite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sanad.accounts.roles import Role, permissions_of
from sanad.core.models import Job
from tests.conftest import api_client_for, client_for
from tests.factories import (
    DUHOK,
    ERBIL,
    ActivityFactory,
    OrganisationFactory,
    PlaceFactory,
    ProgrammeFactory,
    ProjectFactory,
    TargetFactory,
    UserFactory,
    make_user,
    subdistrict_in,
)

pytestmark = pytest.mark.django_db
ROLES = [r.value for r in Role]


@dataclass
class World:
    place_in: Any
    place_out: Any
    project_in: Any
    project_out: Any
    activity_in: Any
    activity_out: Any
    target_in: Any
    target_out: Any
    other_user: Any
    organisation: Any
    others_job: Any
    extras: dict[str, Any] = field(default_factory=dict)


def _registry_world(place_in_unit: Any) -> dict[str, Any]:
    import datetime

    from sanad.assistance.services import assistance_record
    from tests.registry.factories import make_household

    household_in = make_household(governorate=DUHOK, members=2)
    household_out = make_household(governorate=ERBIL, members=2)
    admin = make_user("administrator")
    today = datetime.date.today()

    def record(household: Any, programme: str, item: str) -> Any:
        return assistance_record(
            user=admin,
            household=household,
            programme=programme,
            kind="service",
            item=item,
            delivered_on=today,
            source_type="matrix",
            source_id=item,
        )

    from tests.camps.matrix_monitoring import monitoring_world
    from tests.camps.matrix_mrt import mrt_world
    from tests.camps.matrix_sites import sites_world
    from tests.camps.matrix_tickets import tickets_world
    from tests.cash.matrix import cash_world_for_matrix
    from tests.cash.matrix_payments import cash_payment_world
    from tests.dedup.matrix import dedup_world
    from tests.distribution.matrix import distribution_world
    from tests.feedback.matrix import feedback_world_for_matrix
    from tests.registry.imports.matrix import import_batch_of_someone_else
    from tests.reporting.matrix_dashboards import dashboards_world
    from tests.reporting.matrix_donor import donor_world
    from tests.reporting.matrix_exports import exports_world
    from tests.reporting.matrix_indicators import indicators_world
    from tests.revitalization.matrix_agreements import agreements_world
    from tests.revitalization.matrix_communities import communities_world
    from tests.revitalization.matrix_governance import governance_world
    from tests.revitalization.matrix_grants import grants_world
    from tests.revitalization.matrix_training import training_world
    from tests.shelter.matrix_assessments import assessments_world
    from tests.shelter.matrix_cases import cases_world
    from tests.shelter.matrix_contracts import contracts_world
    from tests.shelter.matrix_works import works_world
    from tests.stock.matrix import stock_world
    from tests.targeting.matrix import targeting_world
    from tests.transport.matrix_checks import checks_world
    from tests.transport.matrix_convoys import convoys_world
    from tests.transport.matrix_fleet import fleet_world
    from tests.transport.matrix_movements import movements_world

    return {
        "dedup": dedup_world(),
        "targeting": targeting_world(),
        "stock": stock_world(),
        "distribution": distribution_world(),
        "cash": cash_world_for_matrix(),
        "cash_payments": cash_payment_world(),
        "feedback": feedback_world_for_matrix(),
        "camps_sites": sites_world(),
        "camps_monitoring": monitoring_world(),
        "camps_mrt": mrt_world(),
        "camps_tickets": tickets_world(),
        "shelter_assessments": assessments_world(),
        "shelter_cases": cases_world(),
        "shelter_contracts": contracts_world(),
        "shelter_works": works_world(),
        "transport_movements": movements_world(),
        "transport_convoys": convoys_world(),
        "transport_checks": checks_world(),
        "transport_fleet": fleet_world(),
        "revitalization_communities": communities_world(),
        "revitalization_grants": grants_world(),
        "revitalization_agreements": agreements_world(),
        "revitalization_training": training_world(),
        "revitalization_governance": governance_world(),
        "reporting_dashboards": dashboards_world(),
        "reporting_indicators": indicators_world(),
        "reporting_exports": exports_world(),
        "reporting_donor": donor_world(),
        "import_batch": import_batch_of_someone_else(),
        "household_in": household_in,
        "household_out": household_out,
        "record_in": record(household_in, "NFI", "matrix_in_item"),
        "record_out_programme": record(household_in, "SHELTER", "matrix_out_programme_item"),
        "record_out_governorate": record(household_out, "NFI", "matrix_out_governorate_item"),
    }


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Built once for the module (per xdist worker) inside a transaction that is rolled
    back at the end, the way `TestCase.setUpTestData` shares data: every test runs in a
    savepoint of it (pytest-django's `db`), so the writes a test makes (an administrator
    closing a place, deleting a target, say) are undone before the next role's test."""
    from django.db import transaction
    from django.test import override_settings

    files = tmp_path_factory.mktemp("matrix_world")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]  # durable blocks nest in it, as in TestCase
        with outer:
            # What tests/conftest.py's autouse fixtures set for each test, for the build.
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                JOB_FILES_DIR=files / "jobs",
                SANAD_IMPORTS_DIR=files / "imports",
            ):
                built = _build_world()
            yield built
            transaction.set_rollback(True)


def _build_world() -> World:
    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    project_in, project_out = ProjectFactory(programme=nfi), ProjectFactory(programme=shelter)
    activity_in, activity_out = (
        ActivityFactory(project=project_in),
        ActivityFactory(project=project_out),
    )
    return World(
        place_in=PlaceFactory(name_en="Inside Duhok", admin_unit=subdistrict_in(DUHOK)),
        place_out=PlaceFactory(name_en="Outside in Erbil", admin_unit=subdistrict_in(ERBIL)),
        project_in=project_in,
        project_out=project_out,
        activity_in=activity_in,
        activity_out=activity_out,
        target_in=TargetFactory(activity=activity_in),
        target_out=TargetFactory(activity=activity_out),
        other_user=UserFactory(),
        organisation=OrganisationFactory(),
        extras=_registry_world(None),
        others_job=Job.objects.create(
            kind="geo.places_export", title="Someone else's export", created_by=UserFactory()
        ),
    )


def can(role: str, permission: str) -> bool:
    return permission in permissions_of(role)


@dataclass
class Check:
    label: str
    method: str
    url: str
    expect: set[int]
    data: dict[str, Any] | None = None
    api: bool = False
    absent: str | None = None  # text that must not appear in a 200 answer


def allowed(
    ok: bool, *, ok_codes: set[int] | None = None, denied: set[int] | None = None
) -> set[int]:
    return (ok_codes or {200}) if ok else (denied or {403})


HIDDEN = {403, 404}  # either hides the record from a role without the permission


def checks_for(role: str, w: World) -> list[Check]:
    view_place, manage_place = can(role, "geo.view_place"), can(role, "geo.manage_place")
    view_prog, manage_prog = (
        can(role, "programmes.view_programme"),
        can(role, "programmes.manage_programme"),
    )
    view_user, manage_user = can(role, "accounts.view_user"), can(role, "accounts.manage_user")
    view_org, audit = can(role, "accounts.view_organisation"), can(role, "core.view_audit")
    export_place, view_units = can(role, "geo.export_place"), can(role, "geo.view_adminunit")
    all_jobs = can(role, "core.view_all_jobs")
    p_in, p_out = w.place_in.public_id, w.place_out.public_id
    j_in, j_out = w.project_in.public_id, w.project_out.public_id
    a_in, a_out = w.activity_in.public_id, w.activity_out.public_id
    t_in, t_out = w.target_in.public_id, w.target_out.public_id
    out404 = lambda ok: {404} if ok else HIDDEN  # noqa: E731
    c: list[Check] = [
        # --- web pages ---------------------------------------------------------------
        # A vendor's cashier is sent to the redemption page, the only page they use.
        Check(
            "web:dashboard",
            "get",
            reverse("web:dashboard"),
            {302} if role == "vendor_staff" else {200},
            absent="Outside in Erbil",
        ),
        Check("core:job_list", "get", reverse("core:job_list"), {200}),
        Check(
            "core:job_detail (someone else's)",
            "get",
            reverse("core:job_detail", args=[w.others_job.public_id]),
            {200} if all_jobs else {404},
        ),
        Check(
            "geo:place_list",
            "get",
            reverse("geo:place_list"),
            allowed(view_place),
            absent="Outside in Erbil",
        ),
        Check(
            "geo:place_detail in",
            "get",
            reverse("geo:place_detail", args=[p_in]),
            allowed(view_place, denied=HIDDEN),
        ),
        Check(
            "geo:place_detail out",
            "get",
            reverse("geo:place_detail", args=[p_out]),
            out404(view_place),
        ),
        Check("geo:place_create", "get", reverse("geo:place_create"), allowed(manage_place)),
        Check(
            "geo:place_edit in",
            "get",
            reverse("geo:place_edit", args=[p_in]),
            allowed(manage_place, denied=HIDDEN),
        ),
        Check(
            "geo:place_edit out",
            "get",
            reverse("geo:place_edit", args=[p_out]),
            out404(manage_place),
        ),
        Check("geo:adminunit_list", "get", reverse("geo:adminunit_list"), allowed(view_units)),
        Check(
            "geo:adminunit_detail",
            "get",
            reverse("geo:adminunit_detail", args=[DUHOK]),
            allowed(view_units),
            absent="Outside in Erbil",
        ),
        Check(
            "geo:adminunit_lookup",
            "get",
            reverse("geo:adminunit_lookup") + "?lookup=Duhok",
            allowed(view_units, ok_codes={200, 302}),
        ),  # an exact match redirects to the unit
        Check(
            "programmes:project_list",
            "get",
            reverse("programmes:project_list"),
            allowed(view_prog),
            absent=w.project_out.code,
        ),
        Check(
            "programmes:area in",
            "get",
            reverse("programmes:area", args=["NFI"]),
            allowed(view_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:area out",
            "get",
            reverse("programmes:area", args=["SHELTER"]),
            out404(view_prog),
        ),
        Check(
            "programmes:project_detail in",
            "get",
            reverse("programmes:project_detail", args=[j_in]),
            allowed(view_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:project_detail out",
            "get",
            reverse("programmes:project_detail", args=[j_out]),
            out404(view_prog),
        ),
        Check(
            "programmes:project_create",
            "get",
            reverse("programmes:project_create"),
            allowed(manage_prog),
        ),
        Check(
            "programmes:project_edit in",
            "get",
            reverse("programmes:project_edit", args=[j_in]),
            allowed(manage_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:project_edit out",
            "get",
            reverse("programmes:project_edit", args=[j_out]),
            out404(manage_prog),
        ),
        Check(
            "programmes:activity_create in",
            "get",
            reverse("programmes:activity_create", args=[j_in]),
            allowed(manage_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:activity_create out",
            "get",
            reverse("programmes:activity_create", args=[j_out]),
            out404(manage_prog),
        ),
        Check(
            "programmes:activity_edit in",
            "get",
            reverse("programmes:activity_edit", args=[a_in]),
            allowed(manage_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:activity_edit out",
            "get",
            reverse("programmes:activity_edit", args=[a_out]),
            out404(manage_prog),
        ),
        Check(
            "programmes:target_create in",
            "get",
            reverse("programmes:target_create", args=[a_in]),
            allowed(manage_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:target_create out",
            "get",
            reverse("programmes:target_create", args=[a_out]),
            out404(manage_prog),
        ),
        Check(
            "programmes:target_edit in",
            "get",
            reverse("programmes:target_edit", args=[t_in]),
            allowed(manage_prog, denied=HIDDEN),
        ),
        Check(
            "programmes:target_edit out",
            "get",
            reverse("programmes:target_edit", args=[t_out]),
            out404(manage_prog),
        ),
        Check("accounts:user_list", "get", reverse("accounts:user_list"), allowed(view_user)),
        Check(
            "accounts:user_detail",
            "get",
            reverse("accounts:user_detail", args=[w.other_user.public_id]),
            allowed(view_user, denied=HIDDEN),
        ),
        Check("accounts:user_create", "get", reverse("accounts:user_create"), allowed(manage_user)),
        Check(
            "accounts:organisation_list",
            "get",
            reverse("accounts:organisation_list"),
            allowed(view_org),
        ),
        Check("core:audit_list", "get", reverse("core:audit_list"), allowed(audit)),
        Check("core:access_list", "get", reverse("core:access_list"), allowed(audit)),
        # --- API ---------------------------------------------------------------------
        Check("api-me", "get", "/api/v1/me/", {200}, api=True),
        Check(
            "job-list",
            "get",
            "/api/v1/jobs/",
            {200},
            api=True,
            absent="Someone else's export" if not all_jobs else None,
        ),
        Check(
            "job-detail (someone else's)",
            "get",
            f"/api/v1/jobs/{w.others_job.public_id}/",
            {200} if all_jobs else {404},
            api=True,
        ),
        Check(
            "place-list",
            "get",
            "/api/v1/places/",
            allowed(view_place),
            api=True,
            absent="Outside in Erbil",
        ),
        Check(
            "place-detail in",
            "get",
            f"/api/v1/places/{p_in}/",
            allowed(view_place, denied=HIDDEN),
            api=True,
        ),
        Check("place-detail out", "get", f"/api/v1/places/{p_out}/", out404(view_place), api=True),
        Check("adminunit-list", "get", "/api/v1/admin-units/", allowed(view_units), api=True),
        Check(
            "adminunit-detail",
            "get",
            f"/api/v1/admin-units/{DUHOK}/",
            allowed(view_units, denied=HIDDEN),
            api=True,
        ),
        Check(
            "adminunit-lookup",
            "get",
            "/api/v1/admin-units/lookup/?q=Duhok",
            allowed(view_units),
            api=True,
        ),
        Check("organisation-list", "get", "/api/v1/organisations/", allowed(view_org), api=True),
        Check(
            "organisation-detail",
            "get",
            f"/api/v1/organisations/{w.organisation.public_id}/",
            allowed(view_org, denied=HIDDEN),
            api=True,
        ),
        Check("user-list", "get", "/api/v1/users/", allowed(view_user), api=True),
        Check(
            "user-detail",
            "get",
            f"/api/v1/users/{w.other_user.public_id}/",
            allowed(view_user, denied=HIDDEN),
            api=True,
        ),
        Check("programme-list", "get", "/api/v1/programmes/", allowed(view_prog), api=True),
        Check(
            "programme-detail in",
            "get",
            "/api/v1/programmes/NFI/",
            allowed(view_prog, denied=HIDDEN),
            api=True,
        ),
        Check(
            "programme-detail out",
            "get",
            "/api/v1/programmes/SHELTER/",
            out404(view_prog),
            api=True,
        ),
        Check(
            "project-list",
            "get",
            "/api/v1/projects/",
            allowed(view_prog),
            api=True,
            absent=w.project_out.code,
        ),
        Check(
            "project-detail in",
            "get",
            f"/api/v1/projects/{j_in}/",
            allowed(view_prog, denied=HIDDEN),
            api=True,
        ),
        Check(
            "project-detail out", "get", f"/api/v1/projects/{j_out}/", out404(view_prog), api=True
        ),
        Check(
            "project-history in",
            "get",
            f"/api/v1/projects/{j_in}/history/",
            allowed(view_prog, denied=HIDDEN),
            api=True,
        ),
        Check(
            "project-history out",
            "get",
            f"/api/v1/projects/{j_out}/history/",
            out404(view_prog),
            api=True,
        ),
        Check(
            "activity-list",
            "get",
            "/api/v1/activities/",
            allowed(view_prog),
            api=True,
            absent=str(w.activity_out.public_id),
        ),
        Check(
            "activity-detail in",
            "get",
            f"/api/v1/activities/{a_in}/",
            allowed(view_prog, denied=HIDDEN),
            api=True,
        ),
        Check(
            "activity-detail out",
            "get",
            f"/api/v1/activities/{a_out}/",
            out404(view_prog),
            api=True,
        ),
        Check(
            "target-list",
            "get",
            "/api/v1/targets/",
            allowed(view_prog),
            api=True,
            absent=str(w.target_out.public_id),
        ),
        Check(
            "target-detail in",
            "get",
            f"/api/v1/targets/{t_in}/",
            allowed(view_prog, denied=HIDDEN),
            api=True,
        ),
        Check("target-detail out", "get", f"/api/v1/targets/{t_out}/", out404(view_prog), api=True),
        # --- registry, cards, assistance ----------------------------------------------
        *registry_checks(role, w),
        # --- writes (after the reads: they change the records) --------------------------
        Check(
            "geo:place_close out",
            "post",
            reverse("geo:place_close", args=[p_out]),
            out404(manage_place),
            {"reason": "test"},
        ),
        Check(
            "place-close out",
            "post",
            f"/api/v1/places/{p_out}/close/",
            out404(manage_place),
            {"reason": "test"},
            api=True,
        ),
        Check(
            "geo:place_close in",
            "post",
            reverse("geo:place_close", args=[p_in]),
            allowed(manage_place, ok_codes={302}, denied=HIDDEN),
            {"reason": "Camp consolidated"},
        ),
        Check(
            "geo:place_reopen in",
            "post",
            reverse("geo:place_reopen", args=[p_in]),
            allowed(manage_place, ok_codes={302}, denied=HIDDEN),
            {"reason": "Reopened"},
        ),
        Check(
            "place-close in",
            "post",
            f"/api/v1/places/{p_in}/close/",
            allowed(manage_place, denied=HIDDEN),
            {"reason": "Camp consolidated"},
            api=True,
        ),
        Check(
            "place-reopen in",
            "post",
            f"/api/v1/places/{p_in}/reopen/",
            allowed(manage_place, denied=HIDDEN),
            {"reason": "Reopened"},
            api=True,
        ),
        Check(
            "place-reopen out",
            "post",
            f"/api/v1/places/{p_out}/reopen/",
            out404(manage_place),
            {},
            api=True,
        ),
        Check(
            "geo:place_reopen out",
            "post",
            reverse("geo:place_reopen", args=[p_out]),
            out404(manage_place),
            {},
        ),
        Check(
            "geo:place_export",
            "post",
            reverse("geo:place_export"),
            allowed(export_place, ok_codes={302}),
            {},
        ),
        Check(
            "programmes:project_transition out",
            "post",
            reverse("programmes:project_transition", args=[j_out]),
            out404(manage_prog),
            {"to": "closed", "reason": "x"},
        ),
        Check(
            "project-close out",
            "post",
            f"/api/v1/projects/{j_out}/close/",
            out404(manage_prog),
            {"reason": "x"},
            api=True,
        ),
        Check(
            "project-activate out",
            "post",
            f"/api/v1/projects/{j_out}/activate/",
            out404(manage_prog),
            {},
            api=True,
        ),
        Check(
            "programmes:target_delete out",
            "post",
            reverse("programmes:target_delete", args=[t_out]),
            out404(manage_prog),
            {},
        ),
        Check(
            "programmes:target_delete in",
            "post",
            reverse("programmes:target_delete", args=[t_in]),
            allowed(manage_prog, ok_codes={302}, denied=HIDDEN),
            {},
        ),
        Check(
            "programmes:project_transition in",
            "post",
            reverse("programmes:project_transition", args=[j_in]),
            allowed(manage_prog, ok_codes={302}, denied=HIDDEN),
            {"to": "closed", "reason": "Ended"},
        ),
        Check(
            "project-activate in",
            "post",
            f"/api/v1/projects/{j_in}/activate/",
            allowed(manage_prog, denied=HIDDEN),
            {},
            api=True,
        ),
        Check(
            "project-close in",
            "post",
            f"/api/v1/projects/{j_in}/close/",
            allowed(manage_prog, denied=HIDDEN),
            {"reason": "Ended"},
            api=True,
        ),
        Check(
            "accounts:user_set_active",
            "post",
            reverse("accounts:user_set_active", args=[w.other_user.public_id]),
            allowed(manage_user, ok_codes={302}, denied=HIDDEN),
            {"active": "1"},
        ),
        Check(
            "accounts:role_assign",
            "post",
            reverse("accounts:role_assign", args=[w.other_user.public_id]),
            allowed(manage_user, ok_codes={302}, denied=HIDDEN),
            {"role": "field_enumerator", "governorates": [DUHOK], "all_programmes": "on"},
        ),
    ]
    return c


def import_checks(*args: Any) -> list[Any]:
    from tests.registry.imports.matrix import import_checks as checks

    return checks(*args)


def dedup_checks(*args: Any) -> list[Any]:
    from tests.dedup.matrix import dedup_checks as checks

    return checks(*args)


def targeting_checks(*args: Any) -> list[Any]:
    from tests.targeting.matrix import targeting_checks as checks

    return checks(*args)


def stock_checks(*args: Any) -> list[Any]:
    from tests.stock.matrix import stock_checks as checks

    return checks(*args)


def stock_api_checks(*args: Any) -> list[Any]:
    from tests.stock.api_matrix import stock_api_checks as checks

    return checks(*args)


def cash_checks(*args: Any) -> list[Any]:
    from tests.cash.matrix import cash_checks as checks

    return checks(*args)


def cash_payment_checks(*args: Any) -> list[Any]:
    from tests.cash.matrix_payments import cash_payment_checks as checks

    return checks(*args)


def camps_sites_checks(*args: Any) -> list[Any]:
    from tests.camps.matrix_sites import sites_checks as checks

    return checks(*args)


def camps_monitoring_checks(*args: Any) -> list[Any]:
    from tests.camps.matrix_monitoring import monitoring_checks as checks

    return checks(*args)


def camps_mrt_checks(*args: Any) -> list[Any]:
    from tests.camps.matrix_mrt import mrt_checks as checks

    return checks(*args)


def camps_tickets_checks(*args: Any) -> list[Any]:
    from tests.camps.matrix_tickets import tickets_checks as checks

    return checks(*args)


def shelter_checks(role: str, w: Any, *args: Any) -> list[Any]:
    from tests.shelter.matrix_assessments import assessments_checks
    from tests.shelter.matrix_cases import cases_checks
    from tests.shelter.matrix_contracts import contracts_checks
    from tests.shelter.matrix_works import works_checks

    return [
        *assessments_checks(role, w.extras["shelter_assessments"], *args),
        *cases_checks(role, w.extras["shelter_cases"], *args),
        *contracts_checks(role, w.extras["shelter_contracts"], *args),
        *works_checks(role, w.extras["shelter_works"], *args),
    ]


def transport_checks(role: str, w: Any, *args: Any) -> list[Any]:
    from tests.transport.matrix_checks import checks_checks
    from tests.transport.matrix_convoys import convoys_checks
    from tests.transport.matrix_fleet import fleet_checks
    from tests.transport.matrix_movements import movements_checks

    return [
        *movements_checks(role, w.extras["transport_movements"], *args),
        *convoys_checks(role, w.extras["transport_convoys"], *args),
        *checks_checks(role, w.extras["transport_checks"], *args),
        *fleet_checks(role, w.extras["transport_fleet"], *args),
    ]


def revitalization_checks(role: str, w: Any, *args: Any) -> list[Any]:
    from tests.revitalization.matrix_agreements import agreements_checks
    from tests.revitalization.matrix_communities import communities_checks
    from tests.revitalization.matrix_governance import governance_checks
    from tests.revitalization.matrix_grants import grants_checks
    from tests.revitalization.matrix_training import training_checks

    return [
        *communities_checks(role, w.extras["revitalization_communities"], *args),
        *grants_checks(role, w.extras["revitalization_grants"], *args),
        *agreements_checks(role, w.extras["revitalization_agreements"], *args),
        *training_checks(role, w.extras["revitalization_training"], *args),
        *governance_checks(role, w.extras["revitalization_governance"], *args),
    ]


def reporting_checks(role: str, w: Any, *args: Any) -> list[Any]:
    from tests.reporting.matrix_dashboards import dashboards_checks
    from tests.reporting.matrix_donor import donor_checks
    from tests.reporting.matrix_exports import exports_checks
    from tests.reporting.matrix_indicators import indicators_checks

    return [
        *dashboards_checks(role, w.extras["reporting_dashboards"], *args),
        *indicators_checks(role, w.extras["reporting_indicators"], *args),
        *exports_checks(role, w.extras["reporting_exports"], *args),
        *donor_checks(role, w.extras["reporting_donor"], *args),
    ]


def feedback_checks(*args: Any) -> list[Any]:
    from tests.feedback.matrix import feedback_checks as checks

    return checks(*args)


def distribution_api_checks(*args: Any) -> list[Any]:
    from tests.distribution.api_matrix import distribution_api_checks as checks

    return checks(*args)


def distribution_checks(*args: Any) -> list[Any]:
    from tests.distribution.matrix import distribution_checks as checks

    return checks(*args)


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def registry_checks(role: str, w: World) -> list[Check]:
    view_hh, manage_hh = (
        can(role, "registry.view_household"),
        can(role, "registry.manage_household"),
    )
    print_cards = can(role, "registry.print_cards")
    view_asst, record_asst = (
        can(role, "assistance.view_assistance"),
        can(role, "assistance.record_assistance"),
    )
    h_in, h_out = w.extras["household_in"], w.extras["household_out"]
    r_in = w.extras["record_in"]
    r_out_p, r_out_g = w.extras["record_out_programme"], w.extras["record_out_governorate"]
    out404 = lambda ok: {404} if ok else HIDDEN  # noqa: E731
    hid = lambda ok: allowed(ok, denied=HIDDEN)  # noqa: E731
    status_post = {"status": "inactive", "reason": "matrix"}
    return [
        Check(
            "registry:household_list",
            "get",
            reverse("registry:household_list"),
            allowed(view_hh),
            absent=h_out.registration_id,
        ),
        Check(
            "registry:household_detail in",
            "get",
            reverse("registry:household_detail", args=[h_in.public_id]),
            hid(view_hh),
        ),
        Check(
            "registry:household_detail out",
            "get",
            reverse("registry:household_detail", args=[h_out.public_id]),
            out404(view_hh),
        ),
        Check(
            "registry:household_create",
            "get",
            reverse("registry:household_create"),
            allowed(manage_hh),
        ),
        Check(
            "registry:household_edit in",
            "get",
            reverse("registry:household_edit", args=[h_in.public_id]),
            hid(manage_hh),
        ),
        Check(
            "registry:household_edit out",
            "get",
            reverse("registry:household_edit", args=[h_out.public_id]),
            out404(manage_hh),
        ),
        Check(
            "registry:household_move in",
            "get",
            reverse("registry:household_move", args=[h_in.public_id]),
            hid(manage_hh),
        ),
        Check(
            "registry:household_move out",
            "get",
            reverse("registry:household_move", args=[h_out.public_id]),
            out404(manage_hh),
        ),
        Check(
            "registry:household_status out",
            "post",
            reverse("registry:household_status", args=[h_out.public_id]),
            out404(manage_hh),
            status_post,
        ),
        Check(
            "registry:household_consent out",
            "post",
            reverse("registry:household_consent", args=[h_out.public_id]),
            out404(manage_hh),
            {"purpose": "communication", "legal_basis": "consent", "given": "yes"},
        ),
        Check(
            "registry:card_household in",
            "get",
            reverse("registry:card_household", args=[h_in.public_id]),
            hid(print_cards),
        ),
        Check(
            "registry:card_household out",
            "get",
            reverse("registry:card_household", args=[h_out.public_id]),
            out404(print_cards),
        ),
        Check("registry:card_bulk", "get", reverse("registry:card_bulk"), allowed(print_cards)),
        Check(
            "registry:card_scan in",
            "get",
            reverse("registry:card_scan", args=[h_in.card_token]),
            allowed(view_hh, ok_codes={302}, denied=HIDDEN),
        ),
        Check(
            "registry:card_scan out",
            "get",
            reverse("registry:card_scan", args=[h_out.card_token]),
            out404(view_hh),
        ),
        Check(
            "assistance:record_list",
            "get",
            reverse("assistance:record_list"),
            allowed(view_asst),
            absent="matrix_out_",
        ),
        Check(
            "assistance:record_export",
            "get",
            reverse("assistance:record_export"),
            allowed(view_asst),
            absent="matrix_out_",
        ),
        Check(
            "assistance:record_create",
            "get",
            reverse("assistance:record_create"),
            allowed(record_asst),
        ),
        Check(
            "assistance:household_history in",
            "get",
            reverse("assistance:household_history", args=[h_in.public_id]),
            hid(view_hh),
            absent="matrix_out_programme" if view_asst else "matrix_in_item",
        ),
        Check(
            "assistance:household_history out",
            "get",
            reverse("assistance:household_history", args=[h_out.public_id]),
            out404(view_hh),
        ),
        Check(
            "household-list",
            "get",
            "/api/v1/households/",
            allowed(view_hh),
            api=True,
            absent=h_out.registration_id,
        ),
        Check(
            "household-detail in",
            "get",
            f"/api/v1/households/{h_in.public_id}/",
            hid(view_hh),
            api=True,
        ),
        Check(
            "household-detail out",
            "get",
            f"/api/v1/households/{h_out.public_id}/",
            out404(view_hh),
            api=True,
        ),
        Check(
            "household-status out",
            "post",
            f"/api/v1/households/{h_out.public_id}/status/",
            out404(manage_hh),
            status_post,
            api=True,
        ),
        Check(
            "household-move out",
            "post",
            f"/api/v1/households/{h_out.public_id}/move/",
            out404(manage_hh),
            {},
            api=True,
        ),
        Check(
            "household-consents out",
            "post",
            f"/api/v1/households/{h_out.public_id}/consents/",
            out404(manage_hh),
            {},
            api=True,
        ),
        Check(
            "individual-list",
            "get",
            "/api/v1/individuals/",
            allowed(view_hh),
            api=True,
            absent=str(h_out.members.first().public_id),
        ),
        Check(
            "individual-detail in",
            "get",
            f"/api/v1/individuals/{h_in.members.first().public_id}/",
            hid(view_hh),
            api=True,
        ),
        Check(
            "individual-detail out",
            "get",
            f"/api/v1/individuals/{h_out.members.first().public_id}/",
            out404(view_hh),
            api=True,
        ),
        Check(
            "assistance-list",
            "get",
            "/api/v1/assistance/",
            allowed(view_asst),
            api=True,
            absent="matrix_out_",
        ),
        Check(
            "assistance-detail in",
            "get",
            f"/api/v1/assistance/{r_in.public_id}/",
            hid(view_asst),
            api=True,
        ),
        Check(
            "assistance-detail out",
            "get",
            f"/api/v1/assistance/{r_out_p.public_id}/",
            out404(view_asst),
            api=True,
        ),
        Check(
            "assistance-detail out",
            "get",
            f"/api/v1/assistance/{r_out_g.public_id}/",
            out404(view_asst),
            api=True,
        ),
        Check("card-detail in", "get", f"/api/v1/cards/{h_in.card_token}/", hid(view_hh), api=True),
        Check(
            "card-detail out",
            "get",
            f"/api/v1/cards/{h_out.card_token}/",
            out404(view_hh),
            api=True,
        ),
        *import_checks(role, w.extras["import_batch"], Check, can, allowed, HIDDEN),
        *dedup_checks(
            role, w.extras["dedup"], w.extras["import_batch"], Check, can, allowed, HIDDEN
        ),
        *targeting_checks(role, w.extras["targeting"], Check, can, allowed, HIDDEN),
        *stock_checks(role, w.extras["stock"], Check, can, allowed, HIDDEN),
        *stock_api_checks(role, w.extras["stock"], Check, can, allowed, HIDDEN),
        *distribution_checks(role, w.extras["distribution"], Check, can, allowed, HIDDEN),
        *distribution_api_checks(role, w.extras["distribution"], Check, can, allowed, HIDDEN),
        *cash_checks(role, w.extras["cash"], Check, can, allowed, HIDDEN),
        *cash_payment_checks(role, w.extras["cash_payments"], Check, can, allowed, HIDDEN),
        *feedback_checks(role, w.extras["feedback"], Check, can, allowed, HIDDEN),
        *camps_sites_checks(role, w.extras["camps_sites"], Check, can, allowed, HIDDEN),
        *camps_monitoring_checks(role, w.extras["camps_monitoring"], Check, can, allowed, HIDDEN),
        *camps_mrt_checks(role, w.extras["camps_mrt"], Check, can, allowed, HIDDEN),
        *camps_tickets_checks(role, w.extras["camps_tickets"], Check, can, allowed, HIDDEN),
        *shelter_checks(role, w, Check, can, allowed, HIDDEN),
        *transport_checks(role, w, Check, can, allowed, HIDDEN),
        *revitalization_checks(role, w, Check, can, allowed, HIDDEN),
        *reporting_checks(role, w, Check, can, allowed, HIDDEN),
        # An aggregate: donors and M&E see it too (reporting.view_aggregates).
        Check(
            "assistance-people-reached",
            "get",
            "/api/v1/assistance/people-reached/",
            allowed(view_asst or can(role, "reporting.view_aggregates")),
            api=True,
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_its_permissions_and_scope_allow(role, world):
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    web, api = client_for(user), api_client_for(user)
    failures = []
    for check in checks_for(role, world):
        client = api if check.api else web
        kwargs = {"format": "json"} if check.api and check.method == "post" else {}
        response = getattr(client, check.method)(check.url, check.data or {}, **kwargs)
        if response.status_code not in check.expect:
            failures.append(
                f"{check.label}: {response.status_code}, expected {sorted(check.expect)}"
            )
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent!r}, which is outside the scope")
        elif response.status_code in (403, 404) and check.api and "error" not in response.json():
            failures.append(f"{check.label}: error without the error shape")
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)


def test_a_role_assignment_past_its_expiry_reaches_nothing(world):
    import datetime

    user = make_user("administrator", expires_on=datetime.date.today())
    user.role_assignments.update(expires_on=datetime.date.today() - datetime.timedelta(days=1))
    assert client_for(user).get(reverse("geo:place_list")).status_code == 403
    assert api_client_for(user).get("/api/v1/places/").status_code == 403


# Routes checked elsewhere or open to every signed-in (or anonymous) user, by design.
NOT_IN_MATRIX = {
    # public or self-service, no record of anyone else
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "web:set_language",
    "web:health",
    "accounts:profile",
    "accounts:token_create",
    "accounts:token_revoke",  # tests/accounts/test_login.py
    "api-root",
    "api-schema",
    "api-docs",
    "api-redoc",
    # own jobs only: tests/core/test_jobs.py
    "core:job_progress",
    "core:job_download",
    "core:job_cancel",
    # forms whose GET is checked above and whose POST is checked in the module tests
    "accounts:role_revoke",  # tests/accounts/test_users.py
    "place-detail-write",
    "project-detail-write",
}


def _route_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if "django-admin" in str(p.pattern):
                continue
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            names |= _route_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def test_every_route_of_the_project_is_in_the_permission_matrix(world):
    covered = {c.label.split(" ")[0] for c in checks_for("administrator", world)}
    missing = sorted(_route_names(get_resolver().url_patterns) - covered - NOT_IN_MATRIX)
    assert not missing, f"Add these routes to the permission matrix: {missing}"
