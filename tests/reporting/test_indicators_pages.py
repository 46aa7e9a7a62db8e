"""The indicator pages, the targets page and its CSV, the API, the demo's indicators and
the rows of the permission matrix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanad.programmes.models import Programme
from sanad.reporting.models import Indicator
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ActivityFactory, TargetFactory, make_user

from .conftest import TODAY, days_ago

pytestmark = pytest.mark.django_db


def indicator(code: str, measure: str = "households", **fields: Any) -> Indicator:
    fields.setdefault("definition", f"Definition of {code}.")
    return Indicator.objects.create(code=code, name_en=f"Name of {code}", measure=measure, **fields)


@pytest.fixture
def world(deliver, household, refresh, project) -> dict[str, Any]:
    """A Duhok household of 4 with a winter kit on the NFI project; an NFI indicator of
    households with a kit, a mission-wide one of people, a shelter one; a target of 4
    households on the project."""
    nfi = Programme.objects.get(code="NFI")
    deliver(household=household, project=project)
    refresh()
    kits = indicator("kit_households", programme=nfi, items=["winter_kit"])
    people = indicator("people_reached", measure="people")
    shelter = indicator("shelter_people", programme=Programme.objects.get(code="SHELTER"))
    target = TargetFactory(
        activity=ActivityFactory(project=project, code="1.1"),
        indicator="kit_households",
        label="Households with a winter kit",
        unit="households",
        period_start=project.start_date,
        period_end=project.end_date,
        value=Decimal("4"),
    )
    return {
        "kits": kits,
        "people": people,
        "shelter": shelter,
        "target": target,
        "project": project,
    }


@pytest.fixture
def im() -> Any:
    return make_user("im_officer", governorates=(DUHOK,), programmes=("NFI",))


def period() -> str:
    return f"from={days_ago(300):%Y-%m}&to={TODAY:%Y-%m}"


def test_the_list_shows_each_figure_beside_its_definition(world, im):
    response = client_for(im).get(reverse("reporting:indicators") + "?" + period())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="value-kit_households"' in body
    assert "Definition of kit_households." in body
    assert "Definition of people_reached." in body
    assert "shelter_people" not in body  # another programme
    row = next(r for r in response.context["rows"] if r.indicator.code == "kit_households")
    assert row.value == 1
    assert (
        next(r for r in response.context["rows"] if r.indicator.code == "people_reached").value == 4
    )


def test_the_list_does_not_query_more_for_more_indicators(world, im):
    client = client_for(im)
    url = reverse("reporting:indicators") + "?" + period()
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        indicator(f"more_{n}", measure="records", items=[f"item_{n}"])
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_bad_month_is_refused_with_a_sentence(world, im):
    response = client_for(im).get(reverse("reporting:indicators") + "?from=2026-13")
    assert response.status_code == 400
    assert "Write the month as YYYY-MM" in response.content.decode()


def test_the_detail_page_by_month_by_governorate_and_targets(world, im):
    url = reverse("reporting:indicator_detail", args=[world["kits"].public_id])
    response = client_for(im).get(url + "?" + period())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="by-month"' in body and 'data-testid="by-governorate"' in body
    assert 'id="indicator-data"' in body and "reporting/indicator.js" in body
    assert "Households with a winter kit" in body
    governorates = response.context["governorates"]
    assert [(g["governorate"].pcode, g["value"]) for g in governorates] == [(DUHOK, 1)]
    assert sum(m["value"] for m in response.context["months"]) == 1
    assert [t.achieved for t in response.context["targets"]] == [1]


def test_a_module_indicator_page(world, im):
    from django.utils import timezone

    from tests.feedback.factories import make_case

    make_case(status="closed", closed_at=timezone.now(), loop_closed=True)
    made = indicator(
        "closed",
        measure="module",
        metric="cwc_cases_closed",
        programme=Programme.objects.get(code="NFI"),
    )
    response = client_for(im).get(reverse("reporting:indicator_detail", args=[made.public_id]))
    assert response.status_code == 200
    assert "Feedback cases closed" in response.content.decode()


def test_an_indicator_out_of_scope_is_not_found(world, im):
    client = client_for(im)
    assert (
        client.get(
            reverse("reporting:indicator_detail", args=[world["shelter"].public_id])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("reporting:indicator_edit", args=[world["shelter"].public_id])
        ).status_code
        == 404
    )
    # Mission-wide: seen by everyone with aggregates, changed only by a role covering all.
    assert (
        client.get(
            reverse("reporting:indicator_detail", args=[world["people"].public_id])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("reporting:indicator_edit", args=[world["people"].public_id])
        ).status_code
        == 404
    )


def test_defining_an_indicator_through_the_form(world, im):
    client = client_for(im)
    url = reverse("reporting:indicator_create")
    assert client.get(url).status_code == 200
    form = {
        "code": "Bad Code",
        "name_en": "Winter kits",
        "definition": "Kits handed over.",
        "measure": "quantity",
        "programme": "NFI",
        "items": "winter_kit",
        "kinds": ["in_kind"],
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "lowercase letters" in refused.content.decode()
    form["code"] = "winter_kits"
    response = client.post(url, form)
    made = Indicator.objects.get(code="winter_kits")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:indicator_detail", args=[made.public_id])
    assert made.items == ["winter_kit"] and made.kinds == ["in_kind"] and made.measure == "quantity"


def test_editing_deactivating_and_activating(world, im):
    client = client_for(im)
    kits = world["kits"]
    edit = reverse("reporting:indicator_edit", args=[kits.public_id])
    page = client.get(edit)
    assert page.status_code == 200 and "winter_kit" in page.content.decode()
    response = client.post(
        edit,
        {
            "code": "kit_households",
            "name_en": "Households with a kit",
            "name_ar": "الأسر التي تلقت حقيبة",
            "definition": "Each household once.",
            "measure": "households",
            "programme": "NFI",
            "items": "winter_kit",
        },
    )
    assert response.status_code == 302
    kits.refresh_from_db()
    assert kits.definition == "Each household once." and kits.name_ar == "الأسر التي تلقت حقيبة"
    client.post(reverse("reporting:indicator_action", args=[kits.public_id, "deactivate"]))
    kits.refresh_from_db()
    assert not kits.active
    listed = client.get(reverse("reporting:indicators"))
    assert "kit_households" not in listed.content.decode()
    assert (
        "kit_households"
        in client.get(reverse("reporting:indicators") + "?inactive=1").content.decode()
    )
    client.post(reverse("reporting:indicator_action", args=[kits.public_id, "activate"]))
    kits.refresh_from_db()
    assert kits.active
    assert (
        client.post(
            reverse("reporting:indicator_action", args=[kits.public_id, "explode"])
        ).status_code
        == 404
    )


def test_the_targets_page_and_its_csv(world, im):
    client = client_for(im)
    response = client.get(reverse("reporting:targets"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world["project"].code in body
    assert 'data-testid="percentage">25%' in body
    assert "Definition of kit_households." in body
    csv = client.get(reverse("reporting:targets") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("project,donor,programme,activity,indicator")
    assert ",kit_households,Households with a winter kit," in lines[1]
    assert ",4.00,1,25.0,households," in lines[1]
    other = client.get(reverse("reporting:targets") + "?programme=SHELTER")
    assert world["project"].code not in other.content.decode()


def test_a_donor_sees_small_counts_suppressed(world):
    donor = make_user("donor_viewer", governorates=(DUHOK,))
    client = client_for(donor)
    listed = client.get(reverse("reporting:indicators") + "?" + period())
    assert listed.status_code == 200
    row = next(r for r in listed.context["rows"] if r.indicator.code == "people_reached")
    assert row.value is None and row.suppressed
    assert 'data-testid="suppressed"' in listed.content.decode()
    targets = client.get(reverse("reporting:targets"))
    [row] = [r for _project, rows in targets.context["groups"] for r in rows]
    assert row.achieved is None and row.suppressed and row.percentage is None
    assert "suppressed" in client.get(reverse("reporting:targets") + "?format=csv").content.decode()
    detail = client.get(reverse("reporting:indicator_detail", args=[world["people"].public_id]))
    assert all(g["value"] is None for g in detail.context["governorates"])
    # No editing for a donor.
    assert client.get(reverse("reporting:indicator_create")).status_code == 403


def test_the_indicators_api(world, im):
    api = api_client_for(im)
    response = api.get(f"/api/v1/reporting/indicators/?{period()}&governorate={DUHOK}")
    assert response.status_code == 200
    data = response.json()
    assert data["governorate"] == DUHOK and data["suppressed_below"] is None
    values = {i["code"]: i for i in data["indicators"]}
    assert values["kit_households"]["value"] == 1
    assert values["people_reached"]["value"] == 4
    assert values["kit_households"]["definition"] == "Definition of kit_households."
    assert "shelter_people" not in values
    bad = api.get("/api/v1/reporting/indicators/?from=March")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["from"]
    donor = api_client_for(make_user("donor_viewer", governorates=(DUHOK,)))
    donated = {
        i["code"]: i for i in donor.get("/api/v1/reporting/indicators/").json()["indicators"]
    }
    assert donated["people_reached"]["value"] is None and donated["people_reached"]["suppressed"]


def test_the_targets_api(world, im):
    api = api_client_for(im)
    [row] = api.get("/api/v1/reporting/targets/").json()
    assert row["indicator"] == "kit_households" and row["indicator_defined"]
    assert (row["target"], row["achieved"], row["percentage"]) == (4, 1, 25)
    assert row["project"] == world["project"].code
    assert api.get(f"/api/v1/reporting/targets/?project={world['project'].public_id}").json()
    assert api.get("/api/v1/reporting/targets/?programme=SHELTER").json() == []
    assert api.get("/api/v1/reporting/targets/?from=2026-05&to=2026-01").status_code == 400
    assert (
        api_client_for(make_user("field_enumerator")).get("/api/v1/reporting/targets/").status_code
        == 403
    )


# --- the demo ----------------------------------------------------------------------------------
def test_the_demo_defines_an_indicator_for_every_target_of_the_demo_projects(db):
    from sanad.reporting import demo_indicators
    from sanad.reporting.metrics import METRICS
    from sanad.web.demo_data import PROJECTS

    admin = make_user("administrator")
    assert demo_indicators.seed(user=admin)["created"] == len(demo_indicators.INDICATORS)
    assert demo_indicators.seed(user=admin)["created"] == 0
    codes = set(Indicator.objects.values_list("code", flat=True))
    targets = {t[0] for p in PROJECTS for _code, _name, ts in p[10] for t in ts}
    assert targets <= codes, f"no demo indicator for {sorted(targets - codes)}"
    for made in Indicator.objects.all():
        assert made.name_ar and made.name_ckb and made.definition
        assert made.measure != "module" or made.metric in METRICS


# --- the permission matrix's rows ------------------------------------------------------------
@pytest.mark.parametrize("role", ["im_officer", "donor_viewer", "field_enumerator", "me_viewer"])
def test_the_matrix_rows_hold_for_a_few_roles(role):
    from tests.accounts.test_permission_matrix import HIDDEN, Check, _body, allowed, can
    from tests.reporting.matrix_indicators import indicators_checks, indicators_world

    world = indicators_world()
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    web, api = client_for(user), api_client_for(user)
    failures = []
    for check in indicators_checks(role, world, Check, can, allowed, HIDDEN):
        client = api if check.api else web
        response = getattr(client, check.method)(check.url, check.data or {})
        if response.status_code not in check.expect:
            failures.append(
                f"{check.label}: {response.status_code}, expected {sorted(check.expect)}"
            )
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent!r}")
    assert not failures, "\n".join(failures)
    out = Indicator.objects.get(code="mtx_ind_out")
    assert out.active and out.name_en == "Matrix mtx_ind_out"
    assert not Indicator.objects.filter(code="mtx_created_out").exists()


def test_every_indicator_route_has_a_matrix_row(db):
    from django.urls import get_resolver

    from tests.accounts.test_permission_matrix import HIDDEN, Check, _route_names, allowed, can
    from tests.reporting.matrix_indicators import indicators_checks, indicators_world

    covered = {
        c.label.split(" ")[0]
        for c in indicators_checks("administrator", indicators_world(), Check, can, allowed, HIDDEN)
    }
    ours = {
        "reporting:indicators",
        "reporting:indicator_create",
        "reporting:indicator_detail",
        "reporting:indicator_edit",
        "reporting:indicator_action",
        "reporting:targets",
        "reporting-indicator-list",
        "reporting-target-list",
    }
    assert ours <= _route_names(get_resolver().url_patterns)
    assert ours <= covered
