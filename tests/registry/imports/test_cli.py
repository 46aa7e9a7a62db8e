"""`sanad import_households` and its exit status."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sanad.registry.models import Household, ImportBatch
from tests.registry.imports.conftest import HEAD, household, template_csv

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_households", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_without_commit_the_command_checks_and_reports_as_json(importer, tmp_files):
    path = template_csv(tmp_files / "ok.csv", [household(), household()])
    code, out = run(str(path), "--json", "--user", importer.username)
    summary = json.loads(out)
    assert code == 0
    assert (summary["households"], summary["individuals"], summary["errors"]) == (2, 6, [])
    assert (
        summary["format"] == "template"
        and summary["status"] == "ready"
        and not summary["committed"]
    )
    assert ImportBatch.objects.get(public_id=summary["batch"]) and Household.objects.count() == 0


def test_with_commit_a_clean_file_is_committed(importer, tmp_files):
    path = template_csv(tmp_files / "ok.csv", [household()])
    code, out = run(str(path), "--format", "template", "--commit", "--user", importer.username)
    assert code == 0 and "Committed." in out
    assert Household.objects.count() == 1


def test_a_file_with_errors_exits_non_zero_and_commits_nothing(importer, tmp_files):
    path = template_csv(tmp_files / "bad.csv", [household(members=[{**HEAD, "sex": "?"}])])
    code, out = run(str(path), "--commit", "--json", "--user", importer.username)
    summary = json.loads(out)
    assert code == 1 and summary["error_count"] == 1 and not summary["committed"]
    assert summary["errors"][0]["column"] == "sex"
    assert Household.objects.count() == 0


def test_the_user_defaults_to_the_only_administrator_and_unknown_names_are_refused(
    admin_user, tmp_files
):
    path = template_csv(tmp_files / "ok.csv", [household()])
    assert run(str(path))[0] == 0
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_households", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="No column mapping"):
        call_command("import_households", str(path), "--mapping", "nope")
