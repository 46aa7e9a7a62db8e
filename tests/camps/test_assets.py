"""A site's infrastructure: recording assets, their condition and its history."""

from __future__ import annotations

import pytest

from sanad.camps.models import Asset, Condition
from sanad.camps.services import assets as services
from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.camps.factories import make_site
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user("camp_manager", governorates=(DUHOK,))


@pytest.fixture
def site():
    return make_site()


def test_a_manager_records_an_asset_in_good_condition_by_default(manager, site):
    asset = services.asset_create(
        user=manager, site=site, data={"kind": "tap", "code": "TAP-B-04", "sector": "B"}
    )
    assert asset.condition == Condition.GOOD and asset.site == site


def test_an_im_officer_records_assets_too(site):
    imo = make_user("im_officer", governorates=(DUHOK,))
    assert services.asset_create(user=imo, site=site, data={"kind": "road", "code": "R-1"})


def test_codes_are_unique_within_a_site_whatever_the_case(manager, site):
    services.asset_create(user=manager, site=site, data={"kind": "tap", "code": "TAP-1"})
    with pytest.raises(ValidationFailed) as exc:
        services.asset_create(user=manager, site=site, data={"kind": "tap", "code": "tap-1"})
    assert exc.value.code == "code_taken"
    other = make_site()
    assert services.asset_create(user=manager, site=other, data={"kind": "tap", "code": "TAP-1"})


def test_bad_values_are_refused_with_the_field(manager, site):
    for data, field in (
        ({"kind": "spaceship", "code": "X"}, "kind"),
        ({"kind": "tap", "code": ""}, "code"),
        ({"kind": "tap", "code": "X", "condition": "shiny"}, "condition"),
        ({"kind": "tap", "code": "X", "lat": 123}, "lat"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.asset_create(user=manager, site=site, data=data)
        assert field in exc.value.fields


def test_the_condition_history_comes_from_the_audit_trail(manager, site):
    from sanad.core import context

    with context.acting_as(manager):
        asset = services.asset_create(
            user=manager, site=site, data={"kind": "shower", "code": "S-1"}
        )
        services.asset_update(user=manager, asset=asset, data={"condition": Condition.POOR})
        services.asset_update(user=manager, asset=asset, data={"condition": Condition.BROKEN})
        services.asset_update(user=manager, asset=asset, data={"description": "Block A showers"})
    history = services.asset_condition_history(asset)
    assert {h["by"] for h in history} == {manager}
    assert [(h["from"], h["to"]) for h in history] == [
        ("Poor", "Not working"),
        ("Good", "Poor"),
        ("", "Good"),
    ]
    asset.refresh_from_db()
    assert asset.kind == "shower" and asset.description == "Block A showers"


def test_roles_without_asset_rights_and_other_governorates_are_refused(manager, site):
    with pytest.raises(PermissionDenied):
        services.asset_create(
            user=make_user("maintenance_team", governorates=(DUHOK,)),
            site=site,
            data={"kind": "tap", "code": "X"},
        )
    with pytest.raises(NotFound):
        services.asset_create(
            user=manager, site=make_site(governorate=ERBIL), data={"kind": "tap", "code": "X"}
        )
    assert not Asset.objects.exists()
