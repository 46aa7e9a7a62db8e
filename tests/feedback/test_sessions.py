"""Community sessions: recording who took part and what was heard, and raising a
campaign from a session's findings."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.feedback.models import Campaign
from sanad.feedback.services.sessions import (
    participants_total,
    session_create,
    session_raise_campaign,
    session_update,
)
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.feedback.comms_factories import household_with_phone, sms_channel

pytestmark = pytest.mark.django_db


def manager() -> object:
    return make_user("feedback_manager", governorates=(DUHOK,))


def data(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "kind": "focus_group",
        "title": "Women's group on the winter kits",
        "topic": "distribution",
        "admin_unit": subdistrict_in(DUHOK),
        "held_on": datetime.date(2026, 11, 20),
        "facilitators": "Nisreen, Dilan",
        "participants": {"female": {"18-59": 12, "60+": 3}, "male": {"6-17": "2"}},
        "key_findings": "The kits arrive after the first rains.",
    }
    values.update(overrides)
    return values


def test_a_session_records_participants_by_sex_and_age_group():
    session = session_create(user=manager(), data=data())
    assert session.governorate.pcode == DUHOK
    assert session.participants == {
        "female": {"0-5": 0, "6-17": 0, "18-59": 12, "60+": 3},
        "male": {"0-5": 0, "6-17": 2, "18-59": 0, "60+": 0},
    }
    assert participants_total(session.participants) == 17


def test_a_session_in_a_camp_takes_the_camps_area():
    camp = PlaceFactory()
    session = session_create(user=manager(), data=data(admin_unit=None, place=camp))
    assert session.admin_unit_id == camp.admin_unit_id and session.place_id == camp.pk


def test_a_session_needs_its_kind_title_date_place_and_whole_counts():
    with pytest.raises(ValidationFailed) as exc:
        session_create(
            user=manager(),
            data=data(
                kind="party",
                title="",
                held_on=None,
                admin_unit=None,
                participants={"female": {"0-5": -1}},
            ),
        )
    assert {"kind", "title", "held_on", "admin_unit", "participants"} <= set(exc.value.fields)


def test_sessions_are_recorded_only_where_the_person_works():
    with pytest.raises(ValidationFailed) as exc:
        session_create(user=manager(), data=data(admin_unit=subdistrict_in(ERBIL)))
    assert "admin_unit" in exc.value.fields
    with pytest.raises(PermissionDenied):
        session_create(user=make_user("me_viewer"), data=data())


def test_registered_participants_are_found_by_registration_id():
    household = household_with_phone()
    user = manager()
    session = session_create(user=user, data=data(attendees=[household.registration_id]))
    assert [p.household_id for p in session.attendees.all()] == [household.pk]
    erbil = household_with_phone(governorate=ERBIL)
    with pytest.raises(ValidationFailed) as exc:
        session_update(user=user, session=session, data={"attendees": [erbil.registration_id]})
    assert erbil.registration_id in str(exc.value.fields["attendees"])


def test_a_session_raises_a_draft_campaign_to_its_place_on_its_topic():
    sms_channel()
    camp = PlaceFactory()
    user = manager()
    session = session_create(user=user, data=data(admin_unit=None, place=camp))
    campaign = session_raise_campaign(user=user, session=session)
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.session_id == session.pk and campaign.topic == "distribution"
    assert campaign.audience["places"] == [str(camp.public_id)]
    assert list(session.campaigns.all()) == [campaign]


def test_raising_a_campaign_needs_a_channel_and_the_campaign_permission():
    user = manager()
    session = session_create(user=user, data=data())
    with pytest.raises(ValidationFailed) as exc:
        session_raise_campaign(user=user, session=session)
    assert exc.value.code == "no_channel"
    sms_channel()
    with pytest.raises(PermissionDenied):
        session_raise_campaign(
            user=make_user("camp_manager", governorates=(DUHOK,)), session=session
        )
