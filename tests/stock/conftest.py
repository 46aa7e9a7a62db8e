from __future__ import annotations

from typing import Any

import pytest

from tests.factories import DUHOK, ERBIL, make_user
from tests.stock.factories import make_project, make_warehouse


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def project(db: Any) -> Any:
    return make_project("NFI", code="NFI-TEST-01")


@pytest.fixture
def warehouse(db: Any) -> Any:
    return make_warehouse(DUHOK, code="duhok-main", name="Duhok main warehouse")


@pytest.fixture
def erbil_warehouse(db: Any) -> Any:
    return make_warehouse(ERBIL, code="erbil-main", name="Erbil main warehouse")


@pytest.fixture
def officer(db: Any) -> Any:
    """A warehouse officer in Duhok and Erbil, NFI."""
    return make_user(
        "warehouse_officer", username="officer", governorates=(DUHOK, ERBIL), programmes=("NFI",)
    )


@pytest.fixture
def second_officer(db: Any) -> Any:
    return make_user(
        "warehouse_officer", username="second", governorates=(DUHOK, ERBIL), programmes=("NFI",)
    )
