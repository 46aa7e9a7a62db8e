"""Trainings: recording one, participants one by one and pasted as CSV lines, and the
figures (by sex and organisation, average pre- and post-test scores and the gain)."""

from __future__ import annotations

import datetime

import pytest

from sanad.camps.models import TrainingParticipant
from sanad.camps.selectors.mrt import training_summary
from sanad.camps.services import trainings as services
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.geo.models import AdminUnit
from tests.camps.factories import make_site
from tests.camps.mrt_factories import make_participant, make_training
from tests.factories import DUHOK, ERBIL, OrganisationFactory, make_user

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 2, 10)


def trainer(governorates=(DUHOK,)):
    return make_user("programme_officer", governorates=governorates, programmes=("CCCM",))


def test_a_training_on_a_site_takes_the_sites_governorate():
    site = make_site()
    training = services.training_create(
        user=trainer(),
        data={"title": "Site committees", "site": site, "starts_on": DAY, "sessions": 3},
    )
    assert training.governorate == site.governorate
    assert training.ends_on == DAY  # one-day training when no end is given


def test_a_training_needs_a_title_a_governorate_in_reach_and_sensible_dates():
    erbil = AdminUnit.objects.get(pcode=ERBIL)
    with pytest.raises(ValidationFailed) as exc:
        services.training_create(
            user=trainer(),
            data={
                "title": "",
                "governorate": erbil,
                "starts_on": DAY,
                "ends_on": DAY - datetime.timedelta(days=1),
                "sessions": 0,
            },
        )
    assert {"title", "governorate", "ends_on", "sessions"} <= set(exc.value.fields)


def test_only_training_managers_record_trainings():
    with pytest.raises(PermissionDenied):
        services.training_create(
            user=make_user("field_enumerator", governorates=(DUHOK,)),
            data={"title": "x", "site": make_site(), "starts_on": DAY},
        )
    training = make_training(make_site(governorate=ERBIL))
    with pytest.raises(PermissionDenied):
        services.training_update(user=trainer(), training=training, data={"title": "New"})


def test_editing_keeps_what_was_not_given_and_refuses_a_max_score_below_given_scores():
    training = make_training(max_score=100)
    make_participant(training, post_score=80)
    services.training_update(user=trainer(), training=training, data={"title": "Renamed"})
    training.refresh_from_db()
    assert (training.title, training.sessions) == ("Renamed", 4)
    with pytest.raises(ValidationFailed) as exc:
        services.training_update(user=trainer(), training=training, data={"max_score": 50})
    assert "max_score" in exc.value.fields


def test_a_participant_is_added_with_scores_checked_against_the_training():
    org = OrganisationFactory(name="Harikar NGO", acronym="HNGO")
    training = make_training(max_score=20, sessions=4)
    p = services.participant_add(
        user=trainer(),
        training=training,
        data={
            "name": "Ahmed Ali",
            "sex": "male",
            "organisation": "hngo",
            "sessions_attended": 4,
            "pre_score": 8,
            "post_score": 17,
        },
    )
    assert (p.organisation, p.pre_score, p.post_score) == (org, 8, 17)
    with pytest.raises(ValidationFailed) as exc:
        services.participant_add(
            user=trainer(),
            training=training,
            data={"name": "", "sex": "x", "sessions_attended": 5, "post_score": 21},
        )
    assert {"name", "sex", "sessions_attended", "post_score"} <= set(exc.value.fields)


def test_pasted_lines_add_every_participant_or_none_naming_the_wrong_lines():
    OrganisationFactory(name="Harikar NGO", acronym="HNGO")
    training = make_training(max_score=20, sessions=3)
    text = (
        "name,sex,organisation,role,phone,sessions,pre,post\n"
        "Layla Hassan,female,HNGO,Site focal point,0750 111 2222,3,10,18\n"
        "Omar Saleh,M,,Committee member,,2,12,15\n"
        "\n"
        "نور علي,أنثى,Harikar NGO,,,3,,19\n"
    )
    assert services.participants_import(user=trainer(), training=training, text=text) == 3
    names = sorted(training.participants.values_list("name", "sex"))
    assert names == [("Layla Hassan", "female"), ("Omar Saleh", "male"), ("نور علي", "female")]

    bad = "Sara\tfemale\t\t\t\t1\t5\t9\nNo Sex\t?\t\t\t\t1\t5\t30\n"
    with pytest.raises(ValidationFailed) as exc:
        services.participants_import(user=trainer(), training=training, text=bad)
    lines = [str(m) for m in exc.value.fields["lines"]]
    assert any(m.startswith("Line 2:") for m in lines)
    assert not any(m.startswith("Line 1:") for m in lines)
    assert training.participants.count() == 3


def test_pasting_nothing_or_too_much_is_refused():
    training = make_training()
    with pytest.raises(ValidationFailed):
        services.participants_import(user=trainer(), training=training, text="  \n ")
    many = "\n".join(f"P{i},female" for i in range(services.MAX_PASTED + 1))
    with pytest.raises(ValidationFailed):
        services.participants_import(user=trainer(), training=training, text=many)


def test_the_summary_counts_by_sex_and_organisation_and_averages_the_scores():
    org = OrganisationFactory(name="Harikar NGO")
    training = make_training()
    make_participant(
        training, name="A", sex="female", organisation=org, pre_score=40, post_score=70
    )
    make_participant(training, name="B", sex="male", organisation=org, pre_score=50, post_score=65)
    make_participant(training, name="C", sex="female", pre_score=30)  # no post-test
    make_participant(training, name="D", sex="female", post_score=90)  # no pre-test
    summary = training_summary(list(TrainingParticipant.objects.select_related("organisation")))
    assert summary["total"] == 4
    assert summary["by_sex"] == {"female": 3, "male": 1}
    assert summary["by_organisation"] == [("Harikar NGO", 2), ("", 2)]
    assert summary["average_pre"] == 40.0  # (40 + 50 + 30) / 3
    assert summary["average_post"] == 75.0  # (70 + 65 + 90) / 3
    assert summary["average_gain"] == 22.5  # (30 + 15) / 2: only those who sat both
    assert summary["with_both_scores"] == 2


def test_the_summary_of_an_empty_training_has_no_averages():
    summary = training_summary([])
    assert summary["average_pre"] is None and summary["average_gain"] is None
