from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user

# --- Test databases: migrated once, then copied ------------------------------------
# Running the migrations takes ~35 s of CPU; every xdist worker of every run used to do
# it. Instead the first process to need a test database migrates a template (under a
# file lock: the other workers wait for it) and every process copies the template:
# PostgreSQL `CREATE DATABASE … TEMPLATE`, SQLite the backup API (milliseconds). The
# template is kept (var/test-db/ for SQLite, a `test_<name>_tpl_<key>` database for
# PostgreSQL) under a key that changes with any file of sanad/ that could shape the
# database (code, migrations, data files), with the installed packages (Django's and
# the third-party apps' migrations), and with the date; so later runs and the CI's later
# stages reuse it, and a stale one is never used. SANAD_TEST_DB_TEMPLATE=0 migrates
# every test database as before; --reuse-db and --nomigrations also bypass it.
_SCHEMA_SUFFIXES = {".py", ".csv", ".json", ".geojson", ".sql", ".txt", ".yaml", ".yml"}
_PROJECT = Path(__file__).resolve().parents[1]


def _schema_key(vendor: str) -> str:
    digest = hashlib.sha256(f"{vendor}|{datetime.date.today().isoformat()}".encode())
    for path in sorted((_PROJECT / "sanad").rglob("*")):
        if path.suffix in _SCHEMA_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(_PROJECT)).encode())
            digest.update(path.read_bytes())
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:12]


def _template_dir() -> Path:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "test-db"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def _locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _template_name(creation: Any, key: str) -> str:
    connection = creation.connection
    if connection.vendor == "sqlite":
        return str(_template_dir() / f"sqlite-{key}.sqlite3")
    return f"test_{connection.settings_dict['NAME']}_tpl_{key}"[:63]


def _lock_of(template: str) -> Path:
    return _template_dir() / f"{Path(template).name}.lock"


def _template_exists(creation: Any, name: str) -> bool:
    if creation.connection.vendor == "sqlite":
        return os.path.exists(name)
    with creation._nodb_cursor() as cursor:
        return creation._database_exists(cursor, name)


def _build_template(creation: Any, name: str, verbosity: int) -> None:
    """Migrate a database under a temporary name with Django's own create_test_db, then
    give it the template's name (so a half-built one is never used)."""
    connection = creation.connection
    alias = connection.alias
    from django.conf import settings

    building = f"{name}.building" if connection.vendor == "sqlite" else f"{name[:54]}_building"
    saved_name, saved_test_name = (
        connection.settings_dict["NAME"],
        connection.settings_dict["TEST"].get("NAME"),
    )
    connection.settings_dict["TEST"]["NAME"] = building
    try:
        _ORIGINAL_CREATE_TEST_DB(
            creation, verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # one self-contained file, no -wal beside it
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved_name
        settings.DATABASES[alias]["NAME"] = saved_name
        connection.settings_dict["TEST"]["NAME"] = saved_test_name
    if connection.vendor == "sqlite":
        os.replace(building, name)
    else:
        with creation._nodb_cursor() as cursor:
            cursor.execute(
                f"ALTER DATABASE {creation._quote_name(building)} RENAME TO {creation._quote_name(name)}"
            )


def _forget_old_templates(creation: Any, current: str) -> None:
    """Drop the templates of other keys nobody is using (code changed since)."""
    connection = creation.connection
    folder = _template_dir()
    if connection.vendor == "sqlite":
        for path in folder.glob("sqlite-*.sqlite3"):
            if str(path) != current:
                with _locked(_lock_of(str(path)), wait=False) as mine:
                    if mine:
                        path.unlink(missing_ok=True)
                        _lock_of(str(path)).unlink(missing_ok=True)
        return
    prefix = current[: current.rindex("_tpl_") + len("_tpl_")]
    with creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
            [prefix, current],
        )
        for (old,) in cursor.fetchall():
            if old.endswith("_building"):
                continue  # a build under way, or one that failed: replaced when rebuilt
            with _locked(_lock_of(old), wait=False) as mine:
                if mine:
                    with contextlib.suppress(Exception):
                        cursor.execute(f"DROP DATABASE IF EXISTS {creation._quote_name(old)}")
                    _lock_of(old).unlink(missing_ok=True)


def _copy_template(creation: Any, template: str) -> str:
    """Make this process's test database a copy of the template and point the connection
    at it, as create_test_db leaves it."""
    from django.conf import settings

    connection = creation.connection
    test_name = creation._get_test_db_name()
    if connection.vendor == "sqlite":
        creation._create_test_db(0, autoclobber=True, keepdb=False)  # removes an old file
    else:
        connection.close()
        params = {
            "dbname": creation._quote_name(test_name),
            "suffix": creation._get_database_create_suffix(template=template),
        }
        with creation._nodb_cursor() as cursor:
            try:
                creation._execute_create_test_db(cursor, params, keepdb=False)
            except Exception:  # it exists (a run that was killed): replace it
                cursor.execute("DROP DATABASE {dbname}".format(**params))
                creation._execute_create_test_db(cursor, params, keepdb=False)
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"{Path(template).as_uri()}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    return test_name


def _create_test_db_from_template(
    self: Any,
    verbosity: int = 1,
    autoclobber: bool = False,
    serialize: bool = True,
    keepdb: bool = False,
) -> str:
    connection = self.connection
    usable = (
        os.environ.get("SANAD_TEST_DB_TEMPLATE", "1") != "0"
        and not keepdb
        and connection.settings_dict["TEST"].get("MIGRATE", True) is not False
        and connection.vendor in {"sqlite", "postgresql"}
    )
    if not usable:
        return _ORIGINAL_CREATE_TEST_DB(
            self, verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb
        )
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    key = _schema_key(connection.vendor)
    template = _template_name(self, key)
    with _locked(_lock_of(template)):
        if not _template_exists(self, template):
            if verbosity >= 1:
                self.log(f"Migrating the test database template {template} …")
            _forget_old_templates(self, template)
            _build_template(self, template, verbosity)
        if verbosity >= 1:
            self.log(f"Copying the test database for alias {connection.alias!r} from {template}")
        test_name = _copy_template(self, template)
    ContentType.objects.clear_cache()
    if serialize:
        connection._test_serialized_contents = self.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return test_name


def _install_test_db_templates() -> None:
    from django.db.backends.base import creation

    global _ORIGINAL_CREATE_TEST_DB
    if creation.BaseDatabaseCreation.create_test_db is not _create_test_db_from_template:
        _ORIGINAL_CREATE_TEST_DB = creation.BaseDatabaseCreation.create_test_db
        creation.BaseDatabaseCreation.create_test_db = _create_test_db_from_template


_ORIGINAL_CREATE_TEST_DB: Any = None
_install_test_db_templates()


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
