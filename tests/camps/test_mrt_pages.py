"""The informal-site pages (visits, hazards, priorities) and training pages, on a phone
and right to left, and the part's API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanad.camps.models import Hazard, Mitigation, MrtVisit, Training, TrainingParticipant
from tests.camps.factories import make_site
from tests.camps.mrt_factories import (
    make_hazard,
    make_informal_site,
    make_mitigation,
    make_participant,
    make_training,
    make_visit,
)
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def enumerator():
    return make_user("field_enumerator", governorates=(DUHOK,), programmes=("CCCM",))


def url(name: str, *args: Any) -> str:
    return reverse(f"camps:{name}", args=args)


def in_language(user: Any, lang: str) -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def test_a_field_team_records_a_visit_then_a_hazard_from_it_then_plans_and_finishes_an_action():
    user = enumerator()
    web = client_for(user)
    site = make_informal_site(name="Qadiya informal")
    form = web.get(url("mrt_visit_create") + f"?site={site.public_id}")
    assert form.status_code == 200
    assert 'name="viewport"' in form.content.decode()
    today = timezone.localdate().isoformat()
    response = web.post(
        url("mrt_visit_create") + f"?site={site.public_id}",
        {
            "site": site.pk,
            "team": "MRT 3",
            "visited_on": today,
            "families_present": "64",
            "eviction_risk": "high",
            "shelter_tent": "20",
        },
    )
    visit = MrtVisit.objects.get()
    assert response.status_code == 302 and response.url == url("mrt_visit_detail", visit.public_id)
    site.refresh_from_db()
    assert site.eviction_risk == "high" and site.shelter_types == {"tent": 20}
    detail = web.get(response.url).content.decode()
    assert "MRT 3" in detail and "Tents: 20" in detail

    create = url("hazard_create") + f"?visit={visit.public_id}"
    assert web.get(create).status_code == 200
    response = web.post(
        create,
        {
            "site": site.pk,
            "kind": "flood",
            "description": "Wadi floods the lower tents",
            "likelihood": "4",
            "impact": "4",
            "assessed_on": today,
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert (hazard.visit, hazard.risk) == (visit, 16)
    page = web.get(url("hazard_detail", hazard.public_id)).content.decode()
    assert 'data-band="high"' in page

    action = url("hazard_action", hazard.public_id, "add_mitigation")
    assert web.post(action, {"mitigation-action": "Dig a drainage channel"}).status_code == 302
    mitigation = Mitigation.objects.get()
    update = url("hazard_action", hazard.public_id, "update_mitigation")
    assert web.post(update, {"mitigation": mitigation.pk, "status": "done"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.MITIGATED


def test_a_wrong_form_answers_400_with_the_errors_beside_the_fields():
    web = client_for(enumerator())
    site = make_informal_site()
    response = web.post(url("mrt_visit_create"), {"site": site.pk, "team": "", "visited_on": ""})
    assert response.status_code == 400
    hazard = make_hazard(site)
    response = web.post(url("hazard_action", hazard.public_id, "update_mitigation"), {})
    assert response.status_code == 400
    dropped = make_mitigation(hazard)
    response = web.post(
        url("hazard_action", hazard.public_id, "update_mitigation"),
        {"mitigation": dropped.pk, "status": "dropped"},
    )
    assert response.status_code == 400
    assert "Say why the action is dropped." in response.content.decode()
    response = web.post(url("hazard_action", hazard.public_id, "close"), {"close-reason": ""})
    assert response.status_code == 400


def test_reassessing_and_closing_from_the_hazard_page():
    web = client_for(enumerator())
    hazard = make_hazard(make_informal_site(), likelihood=5, impact=5)
    response = web.post(
        url("hazard_action", hazard.public_id, "reassess"),
        {
            "reassess-likelihood": "2",
            "reassess-impact": "3",
            "reassess-assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.risk == 6
    web.post(url("hazard_action", hazard.public_id, "close"), {"close-reason": "Families left"})
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.MITIGATED
    assert web.post(url("hazard_action", hazard.public_id, "explode"), {}).status_code == 404


def test_the_hazard_list_filters_by_band_site_and_overdue_actions_and_shows_open_ones_first():
    web = client_for(make_user("me_viewer", governorates=(DUHOK,)))
    site, other = make_informal_site(name="North site"), make_informal_site(name="South site")
    critical = make_hazard(site, likelihood=5, impact=4, description="Open wiring")
    low = make_hazard(other, likelihood=1, impact=2, description="Loose stones")
    make_hazard(site, likelihood=5, impact=5, description="Old fire", status="mitigated")
    make_mitigation(critical, due_on=timezone.localdate() - datetime.timedelta(days=3))
    page = web.get(url("hazard_list")).content.decode()
    assert "Open wiring" in page and "Loose stones" in page and "Old fire" not in page
    assert 'data-testid="overdue"' in page
    page = web.get(url("hazard_list") + "?band=critical").content.decode()
    assert "Open wiring" in page and "Loose stones" not in page
    page = web.get(url("hazard_list") + f"?site={other.public_id}").content.decode()
    assert "Loose stones" in page and "Open wiring" not in page
    page = web.get(url("hazard_list") + "?overdue=1").content.decode()
    assert "Open wiring" in page and "Loose stones" not in page
    page = web.get(url("hazard_list") + "?status=").content.decode()
    assert "Old fire" in page
    assert low.public_id


def test_the_priorities_page_shows_the_formula_and_the_scores_in_order():
    web = client_for(make_user("camp_manager", governorates=(DUHOK,)))
    top = make_informal_site(name="Top site", eviction_risk="high")
    make_hazard(top, likelihood=5, impact=5)
    make_informal_site(name="Quiet site")
    page = web.get(url("site_priorities")).content.decode()
    assert 'data-testid="formula"' in page
    assert page.index("Top site") < page.index("Quiet site")
    assert ">73<" in page  # 50 + 3 + 20 + 0
    sorted_page = web.get(url("site_priorities") + "?sort=name").content.decode()
    assert sorted_page.index("Quiet site") < sorted_page.index("Top site")


def test_pages_read_right_to_left_in_arabic():
    user = make_user("camp_manager", governorates=(DUHOK,))
    web = in_language(user, "ar")
    site = make_informal_site()
    hazard = make_hazard(site)
    training = make_training(site)
    make_participant(training, phone="07501112222")
    for path in (
        url("mrt_visit_list"),
        url("mrt_visit_create"),
        url("hazard_list"),
        url("hazard_detail", hazard.public_id),
        url("site_priorities"),
        url("training_list"),
        url("training_detail", training.public_id),
    ):
        page = web.get(path).content.decode()
        assert 'dir="rtl"' in page, path
    assert 'dir="ltr"' in web.get(url("training_detail", training.public_id)).content.decode()


def test_out_of_scope_records_are_404_and_roles_without_the_permission_403():
    outside = make_hazard(make_informal_site(governorate=ERBIL))
    visit_out = make_visit(outside.site)
    web = client_for(enumerator())
    assert web.get(url("hazard_detail", outside.public_id)).status_code == 404
    assert web.get(url("mrt_visit_detail", visit_out.public_id)).status_code == 404
    assert (
        web.post(
            url("hazard_action", outside.public_id, "close"), {"close-reason": "x"}
        ).status_code
        == 404
    )
    viewer = client_for(make_user("me_viewer", governorates=(DUHOK,)))
    assert viewer.get(url("mrt_visit_create")).status_code == 403
    assert viewer.get(url("training_create")).status_code == 403
    inside = make_hazard(make_informal_site())
    assert (
        viewer.post(
            url("hazard_action", inside.public_id, "close"), {"close-reason": "x"}
        ).status_code
        == 403
    )
    assert (
        "Close the hazard"
        not in viewer.get(url("hazard_detail", inside.public_id)).content.decode()
    )


def test_a_trainer_records_a_training_and_adds_participants_one_by_one_and_pasted():
    user = make_user("programme_officer", governorates=(DUHOK,), programmes=("CCCM",))
    web = client_for(user)
    site = make_site(name="Domiz 1")
    assert web.get(url("training_create")).status_code == 200
    response = web.post(
        url("training_create"),
        {
            "title": "Fire safety",
            "site": site.pk,
            "starts_on": "2025-02-10",
            "sessions": "2",
            "max_score": "20",
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302 and training.governorate == site.governorate
    participants = url("training_participants", training.public_id)
    web.post(
        participants,
        {"one-name": "Hana", "one-sex": "female", "one-pre_score": "8", "one-post_score": "16"},
    )
    response = web.post(participants, {"paste-lines": "Karim,male,,,,2,10,14\nDilan,female,,,,1,,"})
    assert response.status_code == 302
    assert TrainingParticipant.objects.filter(training=training).count() == 3
    page = web.get(url("training_detail", training.public_id)).content.decode()
    assert 'data-testid="avg-gain"' in page and "+6.0" in page  # (8 + 4) / 2
    response = web.post(participants, {"paste-lines": "Nobody,alien"})
    assert response.status_code == 400 and "Line 1:" in response.content.decode()
    assert web.get(url("training_edit", training.public_id)).status_code == 200
    response = web.post(
        url("training_edit", training.public_id),
        {
            "title": "Fire safety (2)",
            "site": site.pk,
            "starts_on": "2025-02-10",
            "sessions": "2",
            "max_score": "20",
        },
    )
    assert response.status_code == 302
    karim = TrainingParticipant.objects.get(name="Karim")
    web.post(participants, {"remove": karim.pk})
    assert not TrainingParticipant.objects.filter(name="Karim").exists()


def test_phones_of_participants_are_shown_only_to_those_who_manage_trainings():
    training = make_training()
    make_participant(training, phone="07509998888")
    viewer = client_for(make_user("me_viewer", governorates=(DUHOK,)))
    assert (
        "07509998888" not in viewer.get(url("training_detail", training.public_id)).content.decode()
    )


# --- API -----------------------------------------------------------------------------------------
def test_the_api_lists_hazards_with_their_band_and_records_a_visit():
    user = enumerator()
    api = api_client_for(user)
    site = make_informal_site()
    hazard = make_hazard(site, likelihood=5, impact=4)
    make_mitigation(hazard)
    make_hazard(make_informal_site(governorate=ERBIL))
    body = api.get("/api/v1/camps/hazards/").json()
    assert [h["id"] for h in body["results"]] == [str(hazard.public_id)]
    assert body["results"][0]["band"] == "critical" and len(body["results"][0]["mitigations"]) == 1
    response = api.post(
        "/api/v1/camps/mrt-visits/",
        {
            "site": str(site.public_id),
            "team": "MRT API",
            "visited_on": timezone.localdate().isoformat(),
            "families_present": 10,
            "eviction_risk": "medium",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    site.refresh_from_db()
    assert site.eviction_risk == "medium"
    out = make_informal_site(governorate=ERBIL)
    response = api.post(
        "/api/v1/camps/mrt-visits/",
        {"site": str(out.public_id), "team": "x", "visited_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 400


def test_the_training_api_gives_counts_never_names():
    training = make_training()
    make_participant(training, name="Secret Name", pre_score=10, post_score=20)
    api = api_client_for(make_user("me_viewer", governorates=(DUHOK,)))
    body = api.get(f"/api/v1/camps/trainings/{training.public_id}/").json()
    assert body["participants"]["total"] == 1 and body["participants"]["average_gain"] == 10
    assert "Secret Name" not in str(body)
    assert api.post("/api/v1/camps/mrt-visits/", {}, format="json").status_code == 403
