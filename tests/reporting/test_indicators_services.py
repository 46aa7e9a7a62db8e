"""Defining indicators: every refusal says what to fix, and people define indicators only
within the programmes their role covers."""

from __future__ import annotations

from typing import Any

import pytest

from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from sanad.reporting.models import Indicator
from sanad.reporting.services.indicators import (
    indicator_activate,
    indicator_create,
    indicator_deactivate,
    indicator_update,
)
from tests.factories import DUHOK, make_user

pytestmark = pytest.mark.django_db


def data(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "households_winter",
        "name_en": "Households receiving a winter kit",
        "definition": "Unique households that received a winter kit.",
        "measure": "households",
        "programme": "NFI",
        "kinds": ["in_kind"],
        "items": "winter_kit",
    }
    values.update(changes)
    return values


@pytest.fixture
def im() -> Any:
    return make_user("im_officer")


@pytest.fixture
def nfi_im() -> Any:
    return make_user("im_officer", governorates=(DUHOK,), programmes=("NFI",))


def refusal(user: Any, **changes: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        indicator_create(user=user, data=data(**changes))
    return caught.value


def test_an_indicator_is_defined_with_its_items_as_a_list(im):
    made = indicator_create(
        user=im, data=data(items="winter_kit, winter_replacement_kit\nwinter_kit")
    )
    assert made.code == "households_winter"
    assert made.programme.code == "NFI"
    assert made.items == ["winter_kit", "winter_replacement_kit"]
    assert made.kinds == ["in_kind"]
    assert made.active and made.created_by == im


def test_the_code_must_be_a_slug_and_unique(im):
    assert "lowercase letters" in str(refusal(im, code="Winter Kits!").fields["code"][0])
    indicator_create(user=im, data=data())
    message = str(refusal(im).fields["code"][0])
    assert "households_winter exists already" in message


def test_a_name_a_definition_and_a_known_measure_are_needed(im):
    exc = refusal(im, name_en="", definition=" ", measure="everything")
    assert "name in English" in str(exc.fields["name_en"][0])
    assert "definition is shown next to every figure" in str(exc.fields["definition"][0])
    assert "Unique people reached" in str(exc.fields["measure"][0])


def test_a_module_figure_must_be_known_and_counts_its_own_records(im):
    exc = refusal(im, measure="module", metric="", kinds=[], items="")
    assert "Choose the module figure" in str(exc.fields["metric"][0])
    exc = refusal(im, measure="module", metric="crystal_ball", kinds=[], items="")
    assert "No module figure has the code crystal_ball" in str(exc.fields["metric"][0])
    exc = refusal(im, measure="module", metric="cwc_cases_closed")
    assert "leave the kinds of assistance, items and unit empty" in str(exc.fields["measure"][0])
    exc = refusal(im, measure="module", metric="cccm_people_in_sites", kinds=[], items="")
    assert "CCCM programme" in str(exc.fields["programme"][0])
    made = indicator_create(
        user=im,
        data=data(measure="module", metric="cwc_cases_closed", kinds=[], items="", programme=None),
    )
    assert made.metric == "cwc_cases_closed"


def test_a_quantity_needs_a_unit_or_items(im):
    exc = refusal(im, measure="quantity", items="", unit="")
    assert "name the unit" in str(exc.fields["unit"][0])
    assert indicator_create(user=im, data=data(measure="quantity", unit="kit")).unit == "kit"


def test_kinds_must_be_kinds_of_assistance(im):
    exc = refusal(im, kinds=["in_kind", "hugs"])
    assert "Unknown kind of assistance: hugs" in str(exc.fields["kinds"][0])


def test_a_metric_is_dropped_when_the_measure_is_not_module(im):
    made = indicator_create(user=im, data=data(metric="cwc_cases_closed"))
    assert made.metric == ""


def test_an_unknown_programme_is_refused(im):
    exc = refusal(im, programme="FOOD")
    assert "No programme has the code FOOD" in str(exc.fields["programme"][0])


def test_a_programme_outside_the_users_scope_is_refused(nfi_im):
    exc = refusal(nfi_im, programme="SHELTER")
    assert "SHELTER is not one of them" in str(exc.fields["programme"][0])
    exc = refusal(nfi_im, programme=None)
    assert "mission-wide" in str(exc.fields["programme"][0])
    assert indicator_create(user=nfi_im, data=data()).programme.code == "NFI"


def test_someone_without_the_permission_cannot_define_indicators():
    donor = make_user("donor_viewer")
    with pytest.raises(PermissionDenied):
        indicator_create(user=donor, data=data())
    assert not Indicator.objects.exists()


def test_an_update_changes_only_what_it_is_given(im):
    made = indicator_create(user=im, data=data())
    indicator_update(user=im, indicator=made, data={"definition": "Each household once."})
    made.refresh_from_db()
    assert made.definition == "Each household once."
    assert made.items == ["winter_kit"] and made.programme.code == "NFI"
    with pytest.raises(ValidationFailed):
        indicator_update(user=im, indicator=made, data={"measure": "quantity", "items": ""})


def test_an_indicator_out_of_scope_cannot_be_changed(im, nfi_im):
    made = indicator_create(user=im, data=data(programme="SHELTER"))
    wide = indicator_create(user=im, data=data(code="wide", programme=None))
    for target in (made, wide):
        with pytest.raises(NotFound):
            indicator_update(user=nfi_im, indicator=target, data={"definition": "Changed."})
        with pytest.raises(NotFound):
            indicator_deactivate(user=nfi_im, indicator=target)
    made.refresh_from_db()
    assert made.active and made.definition.startswith("Unique households")


def test_deactivating_and_activating(im):
    made = indicator_create(user=im, data=data())
    assert not indicator_deactivate(user=im, indicator=made).active
    assert Indicator.objects.get(pk=made.pk).active is False
    assert indicator_activate(user=im, indicator=made).active


def test_the_audit_trail_shows_a_change_of_a_field_called_items(im, client):
    # A template's `changes.items` looked up the changed field "items" and broke the page.
    made = indicator_create(user=im, data=data())
    indicator_update(user=im, indicator=made, data={"items": "winter_kit, solar_lamp"})
    admin = make_user("administrator")
    client.force_login(admin)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert "solar_lamp" in response.content.decode()
