from __future__ import annotations

from typing import Any

import pytest

from sanad.accounts.models import Organisation
from sanad.programmes.models import Programme
from tests.factories import OrganisationFactory, make_user


@pytest.fixture
def nfi(db: Any) -> Programme:
    return Programme.objects.get(code="NFI")


@pytest.fixture
def shelter(db: Any) -> Programme:
    return Programme.objects.get(code="SHELTER")


@pytest.fixture
def donor(db: Any) -> Organisation:
    return OrganisationFactory(
        name="European Civil Protection and Humanitarian Aid",
        acronym="ECHO",
        kind=Organisation.Kind.DONOR,
    )


@pytest.fixture
def manager(db: Any) -> Any:
    """A programme officer managing every programme."""
    return make_user("programme_officer")


@pytest.fixture
def nfi_manager(db: Any) -> Any:
    return make_user("programme_officer", programmes=("NFI",))


@pytest.fixture
def nfi_viewer(db: Any) -> Any:
    return make_user("field_enumerator", programmes=("NFI",))


@pytest.fixture
def donor_viewer(db: Any) -> Any:
    return make_user("donor_viewer")
