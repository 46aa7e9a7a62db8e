"""Browser tests: Playwright for Python driving Debian's Chromium (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("SANAD_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    os.environ.setdefault(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's sync API runs an event loop
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "Chromium is not installed: `make test-browser` installs Debian's chromium package."
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@contextmanager
def own_chromium(shared: Any, args: list[str]) -> Iterator[Any]:
    """A Chromium of a test's own (a fake camera, say), launched by the session's
    Playwright: a second `sync_playwright()` in one process is refused once the session's
    is running, whichever test happened to start it."""
    own = shared.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        yield own
    finally:
        own.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ar-IQ",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# The demo database as the first `demo_data` test of this process seeded it (SQLite in
# memory, the browser tests' database): later tests get a copy of it instead of seeding
# again (seed_demo takes ~10 s; a copy takes milliseconds).
_DEMO_SNAPSHOT: dict[str, Any] = {}


def _in_memory_sqlite(connection: Any) -> bool:
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.settings_dict["NAME"]
    )


@pytest.fixture
def demo_data(transactional_db: Any, live_server: Any) -> None:
    """The demo data set (`seed_demo`, 200 households). It replaces the whole database,
    so a test lists it before any fixture of its own that adds records."""
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units

    snapshot = _DEMO_SNAPSHOT.get("db")
    if snapshot is not None and _in_memory_sqlite(connection):
        # The test before flushed every table; put the seeded database back, whole
        # (the live server's thread shares this connection).
        connection.ensure_connection()
        snapshot.backup(connection.connection)
        ContentType.objects.clear_cache()  # its ids are the snapshot's now
        return

    # A transactional test's flush removes the admin units the data migration loaded.
    load_admin_units(AdminUnit)

    call_command("seed_demo", "--quiet-logins", "--households", "200", verbosity=0)

    if _in_memory_sqlite(connection):
        connection.ensure_connection()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _DEMO_SNAPSHOT["db"] = snapshot


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(
    page: Any, base: str, username: str, password: str = "Sanad-demo-2026", lands: str = "/"
) -> None:
    """Sign in through the login form; `lands` is where the user arrives (a vendor's
    cashier is sent on from the dashboard to the redemption page)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{lands}")
