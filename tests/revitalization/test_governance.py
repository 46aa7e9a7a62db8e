"""Local governance and social cohesion through the services: centres and their feedback
channel, visits per day, complaints logged at a centre (a feedback case and its link, both
or neither), social-cohesion activities (the reconciliation rule, holding writes the
ledger once per registered participant, back to planned and cancelling)."""

from __future__ import annotations

import datetime

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.feedback.models import Case, Channel
from sanad.registry.models import Household
from sanad.revitalization.models import CentreCase, CentreVisitDay, CohesionActivity
from sanad.revitalization.services import governance as services
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import crp, crp_project, make_community
from tests.revitalization.matrix_governance import make_activity, make_centre

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
GRID = {("idp", "female", "18-59"): 6, ("host", "male", "18-59"): 4}


@pytest.fixture
def officer():
    crp()
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("CRP",))


@pytest.fixture
def community():
    return make_community(governorate=DUHOK, name="Sinjar centre quarter")


def help_desk(**kwargs):
    n = Channel.objects.count() + 1
    kwargs.setdefault("code", f"help-desk-t{n}")
    kwargs.setdefault("name", f"Help desk {n}")
    return Channel.objects.create(kind="help_desk", **kwargs)


# --- centres ---------------------------------------------------------------------------------


def test_a_centre_without_a_channel_gets_a_help_desk_named_after_it(community):
    admin = make_user("administrator")
    centre = services.centre_create(user=admin, name="Sinjar community centre", community=community)
    assert centre.channel.kind == "help_desk"
    assert "Sinjar community centre" in centre.channel.name
    assert centre.channel.code == "centre-sinjar-community-centre"
    assert (centre.governorate, centre.programme.code) == (community.governorate, "CRP")
    again = services.centre_create(user=admin, name="Sinjar community centre", community=community)
    assert again.channel.code == "centre-sinjar-community-centre-2"


def test_an_officer_who_may_not_manage_channels_must_choose_one(officer, community):
    with pytest.raises(ValidationFailed) as exc:
        services.centre_create(user=officer, name="Zakho centre", community=community)
    assert "channel" in exc.value.fields
    centre = services.centre_create(
        user=officer, name="Zakho centre", community=community, channel=help_desk()
    )
    assert centre.channel.kind == "help_desk"


def test_complaints_at_a_centre_are_logged_under_a_staff_channel(officer, community):
    hotline = Channel.objects.create(code="hotline-t", name="Hotline", kind="hotline")
    closed = help_desk(active=False)
    for channel in (hotline, closed):
        with pytest.raises(ValidationFailed) as exc:
            services.centre_create(user=officer, name="C", community=community, channel=channel)
        assert "channel" in exc.value.fields


def test_a_community_out_of_scope_is_refused(officer):
    erbil = make_community(governorate=ERBIL)
    with pytest.raises(ValidationFailed) as exc:
        services.centre_create(user=officer, name="C", community=erbil, channel=help_desk())
    assert "community" in exc.value.fields


def test_a_centre_edited_keeps_its_channel_when_none_is_given(officer, community):
    centre = make_centre(community=community)
    channel = centre.channel
    saved = services.centre_update(
        user=officer, centre=centre, name="Renamed", channel=None, opening_hours="Sun–Thu 8–14"
    )
    assert (saved.name, saved.channel, saved.opening_hours) == ("Renamed", channel, "Sun–Thu 8–14")


def test_visits_are_one_row_a_day_and_recording_a_day_again_corrects_it(officer, community):
    centre = make_centre(community=community)
    services.centre_visits_record(
        user=officer, centre=centre, day=DAY, visitors_female=12, visitors_male=8, referrals=3
    )
    services.centre_visits_record(
        user=officer, centre=centre, day=DAY, visitors_female=14, visitors_male=8, referrals=2
    )
    row = CentreVisitDay.objects.get(centre=centre)
    assert (row.visitors_female, row.referrals, row.recorded_by) == (14, 2, officer)


def test_visits_in_the_future_or_with_more_referrals_than_visitors_are_refused(officer, community):
    centre = make_centre(community=community, opened_on=datetime.date(2026, 3, 1))
    future = datetime.date.today() + datetime.timedelta(days=2)
    for day, data, field in (
        (future, {"visitors_female": 1}, "day"),
        (datetime.date(2026, 2, 1), {"visitors_female": 1}, "day"),
        (DAY, {"visitors_female": 1, "referrals": 2}, "referrals"),
        (DAY, {"visitors_female": -1}, "visitors_female"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.centre_visits_record(user=officer, centre=centre, day=day, **data)
        assert field in exc.value.fields
    assert not CentreVisitDay.objects.exists()


def test_only_officers_of_the_centres_scope_record_its_visits(community):
    centre = make_centre(community=community)
    erbil = make_user("programme_officer", governorates=(ERBIL,), programmes=("CRP",))
    with pytest.raises(NotFound):
        services.centre_visits_record(user=erbil, centre=centre, day=DAY, visitors_male=1)
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    with pytest.raises(PermissionDenied):
        services.centre_visits_record(user=viewer, centre=centre, day=DAY, visitors_male=1)


# --- complaints at a centre -----------------------------------------------------------------


def test_a_complaint_at_a_centre_becomes_a_feedback_case_linked_to_it(officer, community):
    centre = make_centre(community=community)
    household = make_household(governorate=DUHOK, members=2)
    link = services.centre_case_log(
        user=officer,
        centre=centre,
        category="complaint_assistance",
        description="My application for a business grant was not selected and nobody told me why.",
        caller_name="Layla Khalil",
        caller_phone="0750 123 4567",
        household=household.registration_id.lower(),
        caller_sex="female",
        caller_age_group="18-59",
        preferred_response="call",
    )
    case = link.case
    assert link.centre == centre and case.channel == centre.channel
    assert case.programme.code == "CRP"
    assert case.admin_unit == community.admin_unit and case.governorate.pcode == DUHOK
    assert case.household == household and case.caller_phone.startswith("+964")
    assert case.created_by == officer


def test_an_anonymous_complaint_keeps_nothing_that_identifies_the_person(officer, community):
    centre = make_centre(community=community)
    link = services.centre_case_log(
        user=officer,
        centre=centre,
        category="complaint_assistance",
        description="The water project is three months late.",
        anonymous=True,
        caller_name="Someone",
        caller_phone="0750 123 4567",
        household="SND-NOT-CHECKED",
    )
    assert link.case.anonymous and (link.case.caller_name, link.case.caller_phone) == ("", "")
    assert link.case.household is None


def test_logging_a_complaint_at_a_centre_is_all_or_nothing(officer, community, monkeypatch):
    centre = make_centre(community=community)

    def broken(*args, **kwargs):
        raise RuntimeError("the link could not be written")

    monkeypatch.setattr(CentreCase.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.centre_case_log(
            user=officer, centre=centre, category="information", description="Opening hours?"
        )
    assert not Case.objects.exists() and not CentreCase.objects.exists()


def test_a_refused_case_leaves_no_link(officer, community):
    centre = make_centre(community=community)
    with pytest.raises(ValidationFailed):
        services.centre_case_log(user=officer, centre=centre, category="nonsense", description="x")
    assert not Case.objects.exists() and not CentreCase.objects.exists()


def test_logging_a_case_needs_feedback_log_case(community):
    centre = make_centre(community=community)
    viewer = make_user("im_officer", governorates=(DUHOK,), programmes=("CRP",))
    with pytest.raises(PermissionDenied):
        services.centre_case_log(
            user=viewer, centre=centre, category="information", description="Opening hours?"
        )
    assert not Case.objects.exists()


def test_a_closed_centre_or_one_without_a_channel_logs_no_case(officer, community):
    closed = make_centre(community=community, active=False)
    bare = make_centre(community=community, channel=None)
    for centre in (closed, bare):
        with pytest.raises(Conflict):
            services.centre_case_log(
                user=officer, centre=centre, category="information", description="?"
            )


# --- social-cohesion activities -------------------------------------------------------------


def test_an_activity_is_planned_with_a_reference_in_its_communitys_governorate(officer, community):
    project = crp_project()
    activity = services.activity_create(
        user=officer,
        kind="reconciliation",
        title="Dialogue between returnees and host families",
        community=community,
        project=project,
        held_on=DAY,
        facilitators="Social Cohesion Committee",
    )
    assert activity.reference.startswith("SCA-") and activity.status == "planned"
    assert activity.governorate == community.governorate and activity.programme.code == "CRP"


def test_an_activity_outside_its_projects_dates_is_refused(officer, community):
    project = crp_project(start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 9, 30))
    with pytest.raises(ValidationFailed) as exc:
        services.activity_create(
            user=officer,
            kind="civic",
            title="Forum",
            community=community,
            project=project,
            held_on=datetime.date(2026, 10, 5),
        )
    assert "held_on" in exc.value.fields


def test_a_project_of_another_programme_is_refused(officer, community):
    from tests.factories import ProjectFactory

    with pytest.raises(ValidationFailed) as exc:
        services.activity_create(
            user=officer,
            kind="civic",
            title="Forum",
            community=community,
            project=ProjectFactory(),
            held_on=DAY,
        )
    assert "project" in exc.value.fields


def test_a_reconciliation_activity_needs_people_of_two_groups(officer, community):
    activity = make_activity(community=community, kind="reconciliation")
    with pytest.raises(ValidationFailed) as exc:
        services.activity_hold(
            user=officer,
            activity=activity,
            outcomes="Agreed on a joint committee.",
            participation={("idp", "female", "18-59"): 8, ("idp", "male", "18-59"): 7},
        )
    assert exc.value.code == "reconciliation_one_group"
    assert "Displaced people" in str(exc.value.fields["participation"][0])
    activity.refresh_from_db()
    assert activity.status == "planned" and not activity.participation.exists()
    services.activity_hold(
        user=officer,
        activity=activity,
        outcomes="Agreed on a joint committee.",
        participation={("idp", "female", "18-59"): 8, ("returnee", "male", "60+"): 3},
    )
    activity.refresh_from_db()
    assert activity.status == "held" and activity.participation.count() == 2


def test_a_civic_event_may_gather_one_group_but_must_count_someone(officer, community):
    activity = make_activity(community=community, kind="civic")
    with pytest.raises(ValidationFailed):
        services.activity_hold(user=officer, activity=activity, outcomes="x", participation={})
    services.activity_hold(
        user=officer,
        activity=activity,
        outcomes="Youth council elected.",
        participation={("youth", "female", "0-17"): 9},
    )


def test_an_activity_dated_in_the_future_cannot_be_held(officer, community):
    activity = make_activity(
        community=community, held_on=datetime.date.today() + datetime.timedelta(days=3)
    )
    with pytest.raises(ValidationFailed) as exc:
        services.activity_hold(user=officer, activity=activity, outcomes="x", participation=GRID)
    assert "held_on" in exc.value.fields


def _with_participants(community, n=2):
    household = make_household(governorate=DUHOK, members=max(n, 2))
    people = list(household.members.order_by("pk")[:n])
    return household, people


def test_holding_writes_the_ledger_once_for_each_registered_participant(officer, community):
    project = crp_project()
    activity = make_activity(community=community, kind="reconciliation", project=project)
    _household, people = _with_participants(community)
    for person in people:
        services.activity_participant_add(user=officer, activity=activity, individual=person)
    services.activity_hold(user=officer, activity=activity, outcomes="Agreed.", participation=GRID)
    records = AssistanceRecord.objects.filter(source_type=services.LEDGER_SOURCE)
    assert sorted(records.values_list("source_id", flat=True)) == sorted(
        f"{activity.pk}:{p.pk}" for p in people
    )
    record = records.first()
    assert (record.programme.code, record.kind, record.item) == (
        "CRP",
        "service",
        "crp_social_cohesion",
    )
    assert record.delivered_on == activity.held_on and record.project == project
    assert record.admin_unit == community.admin_unit
    # A retry writes nothing new.
    assert services.activity_ledger_write(user=officer, activity=activity) == 0
    assert records.count() == 2


def test_a_participant_added_after_holding_is_written_to_the_ledger_at_once(officer, community):
    activity = make_activity(community=community)
    services.activity_hold(user=officer, activity=activity, outcomes="Held.", participation=GRID)
    _household, (person, _other) = _with_participants(community)
    services.activity_participant_add(user=officer, activity=activity, individual=person)
    assert AssistanceRecord.objects.filter(source_id=f"{activity.pk}:{person.pk}").count() == 1
    with pytest.raises(Conflict):
        services.activity_participant_add(user=officer, activity=activity, individual=person)
    with pytest.raises(Conflict):
        services.activity_participant_remove(user=officer, activity=activity, individual=person)


def test_the_grid_counts_at_least_the_registered_participants(officer, community):
    activity = make_activity(community=community)
    _household, people = _with_participants(community, n=3)
    for person in people:
        services.activity_participant_add(user=officer, activity=activity, individual=person)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_hold(
            user=officer,
            activity=activity,
            outcomes="Held.",
            participation={("host", "male", "18-59"): 2},
        )
    assert exc.value.code == "participation_below_registered"
    assert not AssistanceRecord.objects.exists()


def test_only_current_members_of_active_households_take_part(officer, community):
    activity = make_activity(community=community)
    household, (person, _other) = _with_participants(community)
    Household.objects.filter(pk=household.pk).update(status="inactive")
    with pytest.raises(ValidationFailed):
        services.activity_participant_add(user=officer, activity=activity, individual=person)
    erbil_person = make_household(governorate=ERBIL, members=1).members.get()
    with pytest.raises(ValidationFailed) as exc:
        services.activity_participant_add(user=officer, activity=activity, individual=erbil_person)
    assert exc.value.code == "individual_not_found"


def test_a_held_activity_with_registered_participants_cannot_go_back_to_planned(officer, community):
    activity = make_activity(community=community)
    _household, (person, _other) = _with_participants(community)
    services.activity_participant_add(user=officer, activity=activity, individual=person)
    services.activity_hold(user=officer, activity=activity, outcomes="Held.", participation=GRID)
    with pytest.raises(Conflict) as exc:
        services.activity_transition(
            user=officer, activity=activity, to="planned", reason="Wrong date"
        )
    assert exc.value.code == "participants_in_ledger"
    assert AssistanceRecord.objects.count() == 1


def test_a_held_activity_without_registered_participants_goes_back_to_planned_with_a_reason(
    officer, community
):
    activity = make_activity(community=community)
    services.activity_hold(user=officer, activity=activity, outcomes="Held.", participation=GRID)
    with pytest.raises(ValidationFailed):
        services.activity_transition(user=officer, activity=activity, to="planned")
    services.activity_transition(
        user=officer, activity=activity, to="planned", reason="Recorded on the wrong activity"
    )
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_cancelling_needs_a_reason_and_a_cancelled_activity_is_not_held(officer, community):
    activity = make_activity(community=community)
    with pytest.raises(ValidationFailed):
        services.activity_transition(user=officer, activity=activity, to="cancelled")
    services.activity_transition(
        user=officer, activity=activity, to="cancelled", reason="Security situation"
    )
    with pytest.raises(Conflict):
        services.activity_hold(user=officer, activity=activity, outcomes="x", participation=GRID)


def test_a_held_activity_keeps_its_date_community_and_project(officer, community):
    activity = make_activity(community=community)
    services.activity_hold(user=officer, activity=activity, outcomes="Held.", participation=GRID)
    with pytest.raises(Conflict):
        services.activity_update(user=officer, activity=activity, held_on=datetime.date(2026, 5, 1))
    saved = services.activity_update(
        user=officer, activity=activity, title="Town hall on water", outcomes="Agreed on a rota."
    )
    assert (saved.title, saved.outcomes) == ("Town hall on water", "Agreed on a rota.")


def test_activities_out_of_scope_are_not_found(community):
    activity = make_activity(community=community)
    other = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    with pytest.raises((NotFound, PermissionDenied)):
        services.activity_hold(user=other, activity=activity, outcomes="x", participation=GRID)
    assert CohesionActivity.objects.get(pk=activity.pk).status == "planned"
