"""The monitoring pages: an enumerator records a round on a phone-sized form and sees its
gaps; a manager reopens it; the gaps report and its export; the standards pages; scope
(out of scope is 404) and permissions (403), in English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanad.camps.models import MonitoringRound, PopulationCount, Standard
from sanad.camps.services.monitoring import round_submit
from sanad.core.models import Job
from tests.camps.factories import make_site
from tests.camps.monitoring_factories import make_round, months_ago, this_month
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db

NUMBERS = {
    "individuals": "1000",
    "households": "200",
    "latrines": "40",
    "showers": "20",
    "water_taps": "4",
    "water_litres_per_day": "15000",
    "covered_area_m2": "3500",
    "shelters": "200",
    "lighting_points": "30",
    "health_post_distance_km": "1.5",
    "schools": "1",
    "notes": "",
}


@pytest.fixture
def enumerator():
    return make_user("field_enumerator", governorates=(DUHOK,))


def test_an_enumerator_records_submits_and_sees_the_gaps(enumerator) -> None:
    site = make_site(name="Domiz test")
    client = client_for(enumerator)
    month = this_month().strftime("%Y-%m")
    form = client.get(reverse("camps:round_create") + f"?site={site.public_id}&month={month}")
    assert form.status_code == 200
    assert 'type="month"' in form.content.decode()
    answer = client.post(
        reverse("camps:round_create"), {"site": str(site.public_id), "month": month, **NUMBERS}
    )
    r = MonitoringRound.objects.get(site=site)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("camps:round_detail", args=[r.public_id])
    page = client.get(answer["Location"]).content.decode()
    assert 'data-testid="round-preview"' in page
    assert 'data-testid="round-submit"' in page
    submitted = client.post(reverse("camps:round_action", args=[r.public_id, "submit"]))
    assert submitted.status_code == 302
    page = client.get(submitted["Location"]).content.decode()
    r.refresh_from_db()
    assert r.status == "submitted" and r.gaps == 1
    assert 'data-code="people_per_latrine" class="table-danger"' in page
    assert "1 indicator does not meet its standard." in page
    assert 'data-testid="round-submit"' not in page
    assert 'data-testid="round-reopen"' not in page  # enumerators do not reopen


def test_the_new_round_form_starts_from_the_population_and_last_rounds_counts(
    enumerator,
) -> None:
    site = make_site()
    make_round(site, months_ago(1), latrines=77)
    PopulationCount.objects.create(
        site=site, month=this_month(), source="registry", households=321, individuals=1654
    )
    page = client_for(enumerator).get(
        reverse("camps:round_create") + f"?site={site.public_id}&month={this_month():%Y-%m}"
    )
    form = page.context["form"]
    assert form.initial["latrines"] == 77
    assert (form.initial["individuals"], form.initial["households"]) == (1654, 321)


def test_opening_the_form_for_a_month_already_recorded_goes_to_that_round(enumerator) -> None:
    r = make_round(make_site())
    answer = client_for(enumerator).get(
        reverse("camps:round_create") + f"?site={r.site.public_id}&month={this_month():%Y-%m}"
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("camps:round_detail", args=[r.public_id])


def test_a_form_with_mistakes_is_shown_again_with_the_errors(enumerator) -> None:
    site = make_site()
    future = "2999-01"
    answer = client_for(enumerator).post(
        reverse("camps:round_create"),
        {"site": str(site.public_id), "month": future, **NUMBERS, "latrines": "-3"},
    )
    assert answer.status_code == 400
    assert "latrines" in answer.context["form"].errors
    answer = client_for(enumerator).post(
        reverse("camps:round_create"), {"site": str(site.public_id), "month": future, **NUMBERS}
    )
    assert answer.status_code == 400
    assert "has not started yet" in answer.content.decode()
    assert not MonitoringRound.objects.exists()


def test_a_draft_is_edited_then_saved_and_submitted_in_one_go(enumerator) -> None:
    r = make_round(make_site())
    client = client_for(enumerator)
    assert client.get(reverse("camps:round_edit", args=[r.public_id])).status_code == 200
    answer = client.post(
        reverse("camps:round_edit", args=[r.public_id]),
        {**NUMBERS, "latrines": "50", "then": "submit"},
    )
    assert answer.status_code == 302
    r.refresh_from_db()
    assert (r.latrines, r.status, r.gaps) == (50, "submitted", 0)
    # A submitted round's edit page sends back to the round.
    answer = client.get(reverse("camps:round_edit", args=[r.public_id]))
    assert answer.status_code == 302


def test_a_manager_reopens_a_round_from_its_page(enumerator) -> None:
    manager = make_user("camp_manager", governorates=(DUHOK,))
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    client = client_for(manager)
    assert (
        'data-testid="round-reopen"'
        in client.get(reverse("camps:round_detail", args=[r.public_id])).content.decode()
    )
    url = reverse("camps:round_action", args=[r.public_id, "reopen"])
    client.post(url, {"reopen-reason": ""})
    assert MonitoringRound.objects.get(pk=r.pk).status == "submitted"
    client.post(url, {"reopen-reason": "Wrong water figure"})
    assert MonitoringRound.objects.get(pk=r.pk).status == "draft"


def test_an_enumerator_posting_reopen_is_refused(enumerator) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    answer = client_for(enumerator).post(
        reverse("camps:round_action", args=[r.public_id, "reopen"]), {"reopen-reason": "x"}
    )
    assert answer.status_code == 403
    assert MonitoringRound.objects.get(pk=r.pk).status == "submitted"


def test_an_unknown_action_is_not_found(enumerator) -> None:
    r = make_round(make_site())
    answer = client_for(enumerator).post(reverse("camps:round_action", args=[r.public_id, "x"]))
    assert answer.status_code == 404


def test_rounds_out_of_scope_are_not_found_and_not_listed(enumerator) -> None:
    inside = make_round(make_site(name="Inside camp"))
    outside = make_round(make_site(name="Outside camp", governorate=ERBIL))
    client = client_for(enumerator)
    page = client.get(reverse("camps:round_list")).content.decode()
    assert "Inside camp" in page and "Outside camp" not in page
    assert client.get(reverse("camps:round_detail", args=[inside.public_id])).status_code == 200
    for name in ("round_detail", "round_edit"):
        assert client.get(reverse(f"camps:{name}", args=[outside.public_id])).status_code == 404
    answer = client.post(reverse("camps:round_action", args=[outside.public_id, "submit"]))
    assert answer.status_code == 404
    assert MonitoringRound.objects.get(pk=outside.pk).status == "draft"


def test_the_list_filters_rounds_with_gaps(enumerator) -> None:
    gap = make_round(make_site(name="Gap camp"), latrines=1)
    ok = make_round(make_site(name="Fine camp"))
    for r in (gap, ok):
        round_submit(user=enumerator, round_=r)
    answer = client_for(enumerator).get(reverse("camps:round_list") + "?gaps=on")
    assert list(answer.context["rounds"]) == [gap]
    assert 'data-gaps="1"' in answer.content.decode()
    bad = client_for(enumerator).get(reverse("camps:round_list") + "?month=xx")
    assert bad.status_code == 200 and bad.context["total_count"] == 0


def test_the_list_answers_in_a_fixed_number_of_queries(
    enumerator, django_assert_max_num_queries
) -> None:
    for _i in range(8):
        make_round(make_site())
    client = client_for(enumerator)
    client.get(reverse("camps:round_list"))
    with django_assert_max_num_queries(15):
        client.get(reverse("camps:round_list"))


def test_the_gap_report_shows_the_matrix_and_exports_it_as_a_job(enumerator) -> None:
    site = make_site(name="Matrix camp", code="T-MTX")
    r = make_round(site, latrines=10)
    round_submit(user=enumerator, round_=r)
    make_site(name="Erbil camp", governorate=ERBIL)
    client = client_for(enumerator)
    page = client.get(reverse("camps:gap_report") + "?months=3").content.decode()
    assert 'data-site="T-MTX"' in page
    assert "Erbil camp" not in page
    assert f'data-month="{this_month():%Y-%m}" data-state="submitted" data-gaps="1"' in page
    assert "People per latrine" in page
    answer = client.post(
        reverse("camps:gap_export"), {"until": f"{this_month():%Y-%m}", "months": "3"}
    )
    job = Job.objects.get(kind="camps.gaps_export")
    assert answer["Location"] == reverse("core:job_detail", args=[job.public_id])
    assert len(job.params["months"]) == 3
    assert job.params["months"][-1] == this_month().strftime("%Y-%m")


def test_the_standards_are_listed_for_everyone_who_sees_sites_and_edited_by_the_imo(
    enumerator,
) -> None:
    page = client_for(enumerator).get(reverse("camps:standard_list")).content.decode()
    assert "≤ 20 people" in page and "≥ 3.5 m²" in page
    assert 'data-testid="standard-edit"' not in page
    water = Standard.objects.get(code="water_lpd")
    url = reverse("camps:standard_edit", args=[water.pk])
    assert client_for(enumerator).get(url).status_code == 403
    imo = make_user("im_officer", governorates=(DUHOK,))
    client = client_for(imo)
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "name": water.name,
            "direction": "min",
            "threshold": "20",
            "unit": "litres",
            "source": "Iraq camp standards",
            "active": "on",
        },
    )
    assert answer.status_code == 302
    water.refresh_from_db()
    assert (str(water.threshold), water.source) == ("20.00", "Iraq camp standards")
    bad = client.post(url, {"name": "", "direction": "min", "threshold": "-1", "unit": "l"})
    assert bad.status_code == 400
    water.refresh_from_db()
    assert water.name and str(water.threshold) == "20.00"


def test_a_role_without_camps_gets_403_on_every_monitoring_page() -> None:
    client = client_for(make_user("vendor_staff"))
    for name in ("round_list", "round_create", "gap_report", "standard_list"):
        assert client.get(reverse(f"camps:{name}")).status_code == 403


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_the_pages_read_right_to_left_in_arabic_and_kurdish(enumerator, lang: str) -> None:
    r = make_round(make_site())
    round_submit(user=enumerator, round_=r)
    enumerator.preferred_language = lang
    enumerator.save(update_fields=["preferred_language"])
    client = client_for(enumerator)
    for url in (
        reverse("camps:round_list"),
        reverse("camps:round_create"),
        reverse("camps:round_detail", args=[r.public_id]),
        reverse("camps:gap_report"),
        reverse("camps:standard_list"),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        html = answer.content.decode()
        assert 'dir="rtl"' in html, url
        # Bootstrap 5 logical classes only: nothing pinned to the left or the right.
        for physical in (" ml-", " mr-", "text-left", "text-right", "float-left"):
            assert physical not in html, (url, physical)
