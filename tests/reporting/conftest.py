"""Shared set-up for the reporting tests: the ledger fixtures of tests/assistance
(programmes, a project, households in Duhok and Erbil, `deliver()`), and `refresh()`
to bring the summary up to date before reading figures."""

from __future__ import annotations

from typing import Any

import pytest

from sanad.reporting.services.summary import summary_refresh
from tests.assistance.conftest import (  # noqa: F401
    TODAY,
    _english,
    activity,
    days_ago,
    deliver,
    erbil_household,
    household,
    household_with_members,
    nfi,
    officer,
    project,
    shelter,
    system_user,
)


@pytest.fixture
def refresh(db: Any) -> Any:
    def _refresh(**kwargs: Any) -> Any:
        return summary_refresh(**kwargs)

    return _refresh
