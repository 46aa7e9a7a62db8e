from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_hashing_and_files(settings: Any, tmp_path: Any, request: Any) -> None:
    """Argon2 is deliberately slow; tests that check hashing opt back in with the
    `real_hashers` marker. Job files go to a temporary folder."""
    if "real_hashers" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.SANAD_IMPORTS_DIR = tmp_path / "imports"


@pytest.fixture(autouse=True)
def _reset_axes(db: Any) -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_user(db: Any) -> Any:
    return make_user("administrator", username="admin1")


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _admin_units_present(request: Any) -> None:
    """Transactional tests flush every table, including the admin units that a data
    migration loads; put them back for whichever test comes next."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from sanad.geo.models import AdminUnit
        from sanad.geo.reference import load_admin_units

        request.getfixturevalue("transactional_db")
        load_admin_units(AdminUnit)
