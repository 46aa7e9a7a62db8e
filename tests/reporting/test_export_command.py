"""`sanad export_4w`: the 4W of whole months to a file, written atomically."""

from __future__ import annotations

import io

import hxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from sanad.reporting.management.commands.export_4w import Command
from tests.factories import DUHOK, ERBIL

from .conftest import days_ago, household_with_members

MONTH = f"{days_ago(10):%Y-%m}"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_4w", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def deliveries(db, deliver):
    deliver(household=household_with_members(DUHOK, members=4))
    deliver(household=household_with_members(ERBIL, members=2))


def test_the_command_writes_the_hxl_csv_after_bringing_the_summary_up_to_date(deliveries, tmp_path):
    target = tmp_path / "4w.csv"
    out, err = run("--from", MONTH, "--to", MONTH, "--out", str(target), "--internal")
    assert "2 row(s) written to" in out and str(target) in out and "internal" in out
    assert "summary" in err.lower()  # it said it refreshed first
    rows = list(hxl.data(io.BytesIO(target.read_bytes())))
    assert sorted(int(r.get("#reached+ind")) for r in rows) == [2, 4]
    assert not list(tmp_path.glob(".*.part"))


def test_the_command_is_shared_unless_internal(deliveries, tmp_path):
    target = tmp_path / "4w.csv"
    out, _err = run("--from", MONTH, "--to", MONTH, "--out", str(target), "--quiet")
    assert "shared" in out
    rows = list(hxl.data(io.BytesIO(target.read_bytes())))
    erbil = next(r for r in rows if r.get("#adm1+code") == ERBIL)
    assert erbil.get("#reached+ind") in ("", None)  # 2 people: suppressed
    assert "not shown" in erbil.get("#meta+note")


def test_the_command_writes_xlsx_and_filters_by_governorate(deliveries, tmp_path):
    target = tmp_path / "4w.xlsx"
    out, _err = run(
        "--from",
        f"{days_ago(10):%Y-%m}-01",
        "--to",
        MONTH,
        "--format",
        "xlsx",
        "--governorate",
        "iqg09",
        "--programme",
        "nfi",
        "--out",
        str(target),
        "--internal",
        "--quiet",
    )
    assert "1 row(s)" in out
    sheet = load_workbook(target)["4W"]
    assert sheet["A2"].value == "#org+impl" and sheet["K3"].value == DUHOK


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13", "2026-12", "YYYY-MM"),
        ("2026-03-15", "2026-04", "first day of a month"),
        ("2026-03", "2026-04-15", "last day of a month"),
        ("2026-05", "2026-02", "earlier month first"),
    ],
)
def test_bad_dates_are_refused_with_the_reason_and_exit_status_2(
    db, tmp_path, start, end, message, capsys
):
    target = tmp_path / "4w.csv"
    with pytest.raises(CommandError) as caught:
        run("--from", start, "--to", end, "--out", str(target))
    assert caught.value.returncode == 2 and message in str(caught.value)
    # Through the command line proper: the message on stderr, exit status 2.
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["sanad", "export_4w", "--from", start, "--to", end, "--out", str(target)]
        )
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert not target.exists()


def test_unknown_places_programmes_and_projects_are_refused(db, tmp_path):
    target = str(tmp_path / "x.csv")
    for option, value, text in (
        ("--governorate", "IQG99", "no governorate"),
        ("--programme", "FOOD", "no programme"),
        ("--project", "NOPE-1", "no project"),
    ):
        with pytest.raises(CommandError) as caught:
            run("--from", MONTH, "--to", MONTH, option, value, "--out", target)
        assert caught.value.returncode == 2 and text in str(caught.value)


def test_a_failure_half_way_leaves_the_previous_file_untouched(deliveries, tmp_path, monkeypatch):
    target = tmp_path / "4w.csv"
    target.write_text("the previous export")

    def broken(*, out, **kwargs):
        out.write(b"Organisation,Donor\n#org+impl,#org+funder\nIOM")
        raise RuntimeError("disk full")

    monkeypatch.setattr("sanad.reporting.management.commands.export_4w.fourw_export", broken)
    with pytest.raises(RuntimeError):
        run("--from", MONTH, "--to", MONTH, "--out", str(target), "--quiet")
    assert target.read_text() == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["4w.csv"]  # no temporary file left
