"""Hazards: risk = likelihood × impact with its bands, reassessment, mitigation actions
through their states, and when a hazard counts as mitigated."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sanad.camps.models import Hazard, Mitigation
from sanad.camps.services import mrt as services
from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.core.models import StatusTransition
from tests.camps.mrt_factories import (
    make_hazard,
    make_informal_site,
    make_mitigation,
    make_visit,
)
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def mrt_user(governorates=(DUHOK,)):
    return make_user("field_enumerator", governorates=governorates, programmes=("CCCM",))


def data(**kwargs):
    base = {
        "kind": "fire",
        "description": "Cooking fires between tents",
        "likelihood": 4,
        "impact": 5,
        "assessed_on": timezone.localdate(),
    }
    base.update(kwargs)
    return base


# --- the pure rules ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("likelihood", "impact", "risk"), [(1, 1, 1), (2, 3, 6), (3, 2, 6), (4, 4, 16), (5, 5, 25)]
)
def test_risk_is_likelihood_times_impact(likelihood, impact, risk):
    assert services.risk_score(likelihood, impact) == risk


@pytest.mark.parametrize(
    ("risk", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (20, "critical"),
        (25, "critical"),
    ],
)
def test_risk_bands_have_exact_edges(risk, band):
    assert services.risk_band(risk) == band


def test_every_possible_score_falls_in_the_band_ranges_used_for_filtering():
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            risk = likelihood * impact
            low, high = services.BAND_RANGES[services.risk_band(risk)]
            assert low <= risk <= high


def test_a_hazard_is_mitigated_by_its_actions_only_when_every_kept_action_is_done():
    done, dropped, planned = "done", "dropped", "planned"
    assert services.hazard_is_mitigated_by_actions([done, done])
    assert services.hazard_is_mitigated_by_actions([done, dropped])
    assert not services.hazard_is_mitigated_by_actions([done, planned])
    assert not services.hazard_is_mitigated_by_actions([dropped])
    assert not services.hazard_is_mitigated_by_actions([])


def test_an_action_past_its_due_date_and_not_finished_is_overdue():
    today = datetime.date(2025, 3, 15)
    late = Mitigation(status="planned", due_on=datetime.date(2025, 3, 14))
    assert services.mitigation_overdue(late, today)
    assert not services.mitigation_overdue(Mitigation(status="done", due_on=late.due_on), today)
    assert not services.mitigation_overdue(Mitigation(status="planned", due_on=today), today)
    assert not services.mitigation_overdue(Mitigation(status="in_progress", due_on=None), today)


# --- assessing ---------------------------------------------------------------------------------
def test_the_service_computes_the_risk_not_the_caller():
    site = make_informal_site()
    hazard = services.hazard_assess(user=mrt_user(), site=site, data=data(risk=1))
    assert hazard.risk == 20
    assert services.risk_band(hazard.risk) == "critical"
    assert hazard.status == Hazard.Status.OPEN


def test_a_hazard_can_be_assessed_during_a_visit_to_the_same_site_only():
    site, other = make_informal_site(), make_informal_site()
    visit = make_visit(site)
    hazard = services.hazard_assess(user=mrt_user(), site=site, data=data(), visit=visit)
    assert hazard.visit == visit
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_assess(user=mrt_user(), site=other, data=data(), visit=visit)
    assert "visit" in exc.value.fields


@pytest.mark.parametrize("value", [0, 6, None, "x"])
def test_likelihood_and_impact_must_be_from_1_to_5(value):
    site = make_informal_site()
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_assess(
            user=mrt_user(), site=site, data=data(likelihood=value, impact=value)
        )
    assert {"likelihood", "impact"} <= set(exc.value.fields)
    assert not Hazard.objects.exists()


def test_an_assessment_needs_a_kind_a_description_and_a_day_not_in_the_future():
    site = make_informal_site()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_assess(
            user=mrt_user(),
            site=site,
            data=data(kind="meteor", description=" ", assessed_on=tomorrow),
        )
    assert {"kind", "description", "assessed_on"} <= set(exc.value.fields)


def test_someone_without_the_mrt_permission_or_outside_the_governorate_cannot_assess():
    site = make_informal_site()
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied):
        services.hazard_assess(user=viewer, site=site, data=data())
    with pytest.raises(PermissionDenied):
        services.hazard_assess(user=mrt_user(governorates=(ERBIL,)), site=site, data=data())


def test_reassessing_recomputes_the_risk():
    hazard = make_hazard(make_informal_site(), likelihood=5, impact=5)
    services.hazard_reassess(
        user=mrt_user(),
        hazard=hazard,
        data={"likelihood": 2, "impact": 2, "assessed_on": timezone.localdate()},
    )
    hazard.refresh_from_db()
    assert (hazard.likelihood, hazard.impact, hazard.risk) == (2, 2, 4)


def test_a_mitigated_hazard_is_not_reassessed():
    hazard = make_hazard(make_informal_site(), status=Hazard.Status.MITIGATED)
    with pytest.raises(Conflict):
        services.hazard_reassess(
            user=mrt_user(),
            hazard=hazard,
            data={"likelihood": 2, "impact": 2, "assessed_on": timezone.localdate()},
        )


# --- mitigation --------------------------------------------------------------------------------
def test_actions_move_from_planned_to_done_and_the_hazard_is_mitigated_when_all_are_done():
    user = mrt_user()
    hazard = make_hazard(make_informal_site())
    first = services.mitigation_add(
        user=user, hazard=hazard, data={"action": "Extinguishers", "responsible": "Site committee"}
    )
    second = services.mitigation_add(user=user, hazard=hazard, data={"action": "Firebreaks"})
    assert first.status == Mitigation.Status.PLANNED
    services.mitigation_update(user=user, mitigation=first, data={"status": "in_progress"})
    services.mitigation_update(user=user, mitigation=first, data={"status": "done"})
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN
    services.mitigation_update(user=user, mitigation=second, data={"status": "done"})
    hazard.refresh_from_db()
    first.refresh_from_db()
    assert first.closed_on == timezone.localdate()
    assert hazard.status == Hazard.Status.MITIGATED
    assert hazard.mitigated_on == timezone.localdate()
    assert StatusTransition.objects.filter(to_state="mitigated", object_pk=str(hazard.pk)).exists()


def test_a_dropped_action_needs_a_note_and_does_not_hold_the_hazard_open():
    user = mrt_user()
    hazard = make_hazard(make_informal_site())
    kept, dropped = make_mitigation(hazard), make_mitigation(hazard, action="Relocate families")
    with pytest.raises(ValidationFailed) as exc:
        services.mitigation_update(user=user, mitigation=dropped, data={"status": "dropped"})
    assert "note" in exc.value.fields
    services.mitigation_update(
        user=user, mitigation=dropped, data={"status": "dropped", "note": "Land owner refused"}
    )
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN
    services.mitigation_update(user=user, mitigation=kept, data={"status": "done"})
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.MITIGATED


def test_a_done_action_cannot_go_back():
    user = mrt_user()
    m = make_mitigation(make_hazard(make_informal_site()), status="done")
    with pytest.raises(InvalidTransition):
        services.mitigation_update(user=user, mitigation=m, data={"status": "planned"})


def test_changing_who_and_when_keeps_the_status():
    user = mrt_user()
    m = make_mitigation(make_hazard(make_informal_site()))
    services.mitigation_update(
        user=user,
        mitigation=m,
        data={"responsible": "WASH partner", "due_on": datetime.date(2025, 4, 1)},
    )
    m.refresh_from_db()
    assert (m.status, m.responsible, m.due_on) == (
        "planned",
        "WASH partner",
        datetime.date(2025, 4, 1),
    )


def test_a_hazard_is_closed_by_hand_only_with_a_reason_and_then_takes_no_more_actions():
    user = mrt_user()
    hazard = make_hazard(make_informal_site())
    with pytest.raises(ValidationFailed):
        services.hazard_close(user=user, hazard=hazard, reason="  ")
    services.hazard_close(user=user, hazard=hazard, reason="The families moved to a camp")
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.MITIGATED
    transition = StatusTransition.objects.get(object_pk=str(hazard.pk), to_state="mitigated")
    assert transition.reason == "The families moved to a camp"
    assert transition.by == user
    with pytest.raises(Conflict):
        services.mitigation_add(user=user, hazard=hazard, data={"action": "More"})
    with pytest.raises(Conflict):
        services.hazard_close(user=user, hazard=hazard, reason="again")


def test_an_action_needs_a_description():
    with pytest.raises(ValidationFailed) as exc:
        services.mitigation_add(
            user=mrt_user(), hazard=make_hazard(make_informal_site()), data={"action": ""}
        )
    assert "action" in exc.value.fields
