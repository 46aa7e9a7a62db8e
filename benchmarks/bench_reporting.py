"""Reporting at scale (issue 13): 10 million ledger records for a million people on
PostgreSQL. Goals: the mission dashboard's figures in under 500 ms and the 4W export of
a month in under 10 s, from the summary of the ledger (`ReachCell` rows with roaring
bitmaps of the people and households reached, maintained month by month as records
arrive; ADR 0010), against the ledger's own count as the baseline.

Data, generated once into its own database (`sanad_bench_reporting` on the local
server, migrated by the bench) and reused while it holds the same sizes; `python -m
benchmarks.bench_reporting --fresh` generates it again, `--drop` drops it at the end:
1,000,000 individuals in about 180,000 households over all 18 governorates (weighted
towards Ninewa, Duhok, Erbil and Anbar; 26 camps holding about 9% of the households;
household ids in random order of place, the worst case for the bitmaps), with ages, sex
and disability, 2% who left or died during the period and 0.5% of households merged into
another with their members marked duplicates; and 10,000,000 ledger records over 24
months from 6 programmes, 20 projects and 40 activities, each activity in its project's
governorates and months (winter assistance in winter): 70% whole-household deliveries
(kits, fuel, cash, vouchers, shelter, transport, camp services) and 30% to one person
(courses, grants, cash for work, awareness sessions), deliveries to camp residents
recorded at the camp, written in delivery order as a ledger fills.

The bench writes the registry and the ledger with SQL (`INSERT … SELECT
generate_series`, month by month; secondary indexes and foreign keys dropped during the
load and recreated after it, the foreign keys `NOT VALID`), bypassing the services and
their validation: `assistance_record` checks and writes one delivery at a time and
would take hours for ten million. The summary is built by the engine itself.

Measured in one run: the full rebuild of the summary (`summary_refresh(rebuild=True)`);
an incremental refresh after 10,000 new records in the last month; the figures the
mission dashboard reads for the last 12 months (one `reach()`, then the total, by
programme, by month, by governorate and by place, as reporting/views/dashboards.py
does), cold (the first call in a fresh process, modules imported), warm (median of 5),
and once more after 1,000 new records and a refresh; the same for one governorate and
one quarter (Ninewa, the last full quarter; by district instead of by governorate); the
4W of the last month (`fourw_export`, HXL CSV into memory, shared: small counts
suppressed). Baselines on the same data: `assistance.selectors.people_reached` (stopped
after `SANAD_BENCH_REPORTING_BASELINE_TIMEOUT` s, default 120) and the same count
written as one SQL query (`COUNT DISTINCT` over the ledger and the registry); the
figures are compared. A prototype that is not part of the engine: the dashboard's 12
months unioned into a coarser roll-up (one row per month × programme × governorate ×
district × place) and read by the engine's own `Summary`. Notes give the CPU time of the
measuring process (the machine is shared: the wall time includes waiting for it) and
the load average. Sizes: `SANAD_BENCH_REPORTING_PEOPLE`, `_RECORDS`, `_NEW` and `_DB`
for a smaller run. `make bench` runs it in its PostgreSQL pass, in a child process on
its own database.

Where the time goes (runs of 2026-11-25 on 2 shared cores, load average about 3 from
other work; PostgreSQL 15 with its default 128 MB of shared buffers): the summary has
51,304 cells for the 24 months (about 2,100 a month: the cells grow with activities ×
places, not with deliveries), 51 MB of bitmaps. The 12-month dashboard reads 27,965 of
them; before this bench the engine took 850 ms cold and 690 ms warm for it: loading and
deserialising 56,000 bitmaps (about 430 ms) and one union of every cell per grouping
(5 groupings × about 110 ms). Changed, with the same figures (checked group by group
against the engine before, and by the tests): `Summary` groups its cells once by
programme × governorate × district × place and derives the total and the coarser
groupings from those few hundred groups (by month still from the cells); a process
keeps the deserialised bitmaps of the 13 months it read last while their `MonthState`
is unchanged (about 8 MB a month at this scale), so a warm call and a call after a
refresh of the current month read no bitmap, or one month's; on PostgreSQL the bitmaps
come in the binary protocol (half the bytes, no hexadecimal to decode). Warm: 690 →
about 340 ms, after a refresh about 390 ms; cold: 850 → 620–700 ms, about 500 ms of
it CPU in the process: reading and deserialising the cells' bitmaps is the floor at
this number of cells. The goal is met warm, NOT cold. The roll-up prototype answers the
same figures from 4,616 rows (18.9 MB) in about 320 ms cold and 210 ms warm: a
persisted roll-up (a model maintained by `summary_refresh` with the cells of each
month, read by `reach` when the filters and groupings fit it) would meet the goal cold
too. Governorate × quarter: 120 ms cold, 40 ms warm. The 4W of a month: about 0.3 s
(2,113 rows; most of it building the rows, not counting).

The rebuild was about 6 s a month through the ORM (every record a Python tuple; measured
on one month) and is now about 4 s (the month's records numbered by cell into a temporary table, each
cell's people and households aggregated in PostgreSQL as one `bytea` of ids,
`string_agg(int8send(id))`, turned into bitmaps by numpy; cells written with COPY):
106 s for the 24 months. The incremental refresh of 10,000 records takes 3.5 s, 2.2 s
of it counting the ledger month by month to find what changed (a scan of the 10
million records).

The baselines: `people_reached` did not finish within 120 s, nor within 600 s for the
quarter in a separate run; the same count as one SQL query takes 30 s for 12 months and
9 s for the quarter (the summary is 90× and 200× faster warm). The people counted are
the same. The households are NOT: the summary counts about 1,000 fewer over 12 months (20
in the quarter), the households reached only through deliveries to one of their members
(`people_reached` counts the household of every person counted; the summary's
household bitmaps hold only the households named by records).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("SANAD_BENCH_REPORTING_DB", "sanad_bench_reporting")
SERVER = os.environ.get("SANAD_BENCH_REPORTING_SERVER", "postgres://postgres@127.0.0.1:5432")
PEOPLE = int(os.environ.get("SANAD_BENCH_REPORTING_PEOPLE", "1000000"))
RECORDS = int(os.environ.get("SANAD_BENCH_REPORTING_RECORDS", "10000000"))
NEW_RECORDS = int(os.environ.get("SANAD_BENCH_REPORTING_NEW", "10000"))
MONTHS = 24
WARM_RUNS = 5
MEAN_SIZE = 5.56  # people per household
HOUSEHOLD_SHARE = 0.70  # of the records: whole-household deliveries
GOAL_DASHBOARD_MS = 500
GOAL_FOURW_MS = 10_000
BASELINE_TIMEOUT_S = int(os.environ.get("SANAD_BENCH_REPORTING_BASELINE_TIMEOUT", "120"))
GOVERNORATE = "IQG15"  # Ninewa, the largest caseload

# Households by governorate (share), and the share of them living in camps.
GOV_WEIGHTS = {
    "IQG15": 0.28,
    "IQG09": 0.15,
    "IQG11": 0.11,
    "IQG01": 0.10,
    "IQG16": 0.08,
    "IQG13": 0.06,
    "IQG06": 0.06,
    "IQG08": 0.05,
    "IQG10": 0.04,
    # the other nine: 7% together
    **dict.fromkeys(("IQG02", "IQG03", "IQG04", "IQG05", "IQG07"), 0.07 / 9),
    **dict.fromkeys(("IQG12", "IQG14", "IQG17", "IQG18"), 0.07 / 9),
}
CAMPS = {"IQG09": (12, 0.35), "IQG11": (4, 0.15), "IQG15": (5, 0.10), "IQG06": (2, 0.08)}
CAMPS |= {"IQG01": (2, 0.05), "IQG16": (1, 0.03)}
MAIN9 = ["IQG15", "IQG09", "IQG11", "IQG01", "IQG16", "IQG13", "IQG06", "IQG08", "IQG10"]
CAMP_GOVS = ["IQG09", "IQG11", "IQG15", "IQG06", "IQG01", "IQG16"]
WINTER = (11, 12, 1, 2)

# Projects: code, programme, donor, first and last month (0..23), governorates.
PROJECTS = [
    ("NFI-ECHO-1", "NFI", "ECHO", 0, 11, ["IQG15", "IQG09", "IQG11", "IQG01", "IQG16"]),
    ("NFI-BHA-2", "NFI", "USAID BHA", 8, 23, ["IQG15", "IQG13", "IQG16", "IQG10", "IQG08"]),
    ("NFI-WINTER", "NFI", "ECHO", 0, 23, MAIN9),
    ("NFI-CASH-GFFO", "NFI", "GFFO", 12, 23, ["IQG15", "IQG01", "IQG09"]),
    ("SHL-BHA", "SHELTER", "USAID BHA", 0, 17, ["IQG15", "IQG01", "IQG16"]),
    ("SHL-KFW", "SHELTER", "KfW", 6, 23, ["IQG15", "IQG13"]),
    ("SHL-ECHO", "SHELTER", "ECHO", 12, 23, ["IQG09", "IQG11", "IQG15"]),
    ("CCCM-UNHCR", "CCCM", "UNHCR", 0, 23, CAMP_GOVS),
    ("CCCM-MRT-BHA", "CCCM", "USAID BHA", 4, 23, ["IQG15", "IQG01", "IQG13", "IQG16", "IQG10"]),
    ("CCCM-ECHO", "CCCM", "ECHO", 12, 23, ["IQG09", "IQG15"]),
    ("TRN-ECHO", "TRANSPORT", "ECHO", 0, 23, ["IQG09", "IQG11", "IQG15", "IQG01", "IQG16"]),
    ("TRN-PRM", "TRANSPORT", "PRM", 12, 23, ["IQG01", "IQG15"]),
    ("CWC-BHA", "CWC", "USAID BHA", 0, 23, MAIN9),
    ("CWC-ECHO", "CWC", "ECHO", 12, 23, ["IQG09", "IQG15", "IQG11"]),
    ("CWC-UNICEF", "CWC", "UNICEF", 0, 11, ["IQG15", "IQG01"]),
    ("CRP-EU", "CRP", "European Union", 0, 23, ["IQG15", "IQG01", "IQG16"]),
    ("CRP-GIZ", "CRP", "GIZ", 4, 23, ["IQG15", "IQG13", "IQG10"]),
    ("CRP-JPN", "CRP", "Japan", 12, 23, ["IQG09", "IQG11"]),
    ("CRP-USAID", "CRP", "USAID BHA", 0, 11, ["IQG08", "IQG10", "IQG16"]),
    ("CRP-SIDA", "CRP", "Sida", 17, 23, ["IQG15", "IQG01"]),
]
# Activities, one a line: project, code, kind, item, unit, recipients (pool: "hh" whole
# households, "hh_camp" households in camps, "ind" anyone, "ind_adult" adults, "ind_camp"
# adults in camps), weight (share of the records), quantity, value, currency, months of
# the year ("w": winter, November to February; "w3": and March; "-": every month of the
# project). "-" is empty.
_ACTIVITY_TABLE = """
NFI-ECHO-1    A1 in_kind        nfi_basic_kit         kit      hh        6   1   85     USD -
NFI-ECHO-1    A2 in_kind        hygiene_kit           kit      hh        8   1   30     USD -
NFI-BHA-2     A1 voucher        nfi_evoucher          -        hh        6   -   150    USD -
NFI-BHA-2     A2 in_kind        replacement_kit       kit      hh        3   1   60     USD -
NFI-WINTER    A1 in_kind        winter_kit            kit      hh        8   1   120    USD w
NFI-WINTER    A2 in_kind        kerosene              litre    hh        6   200 -      -   w3
NFI-CASH-GFFO A1 cash           mpca                  -        hh        12  -   400000 IQD -
NFI-CASH-GFFO A2 cash           winter_cash           -        hh        3   -   200000 IQD w
SHL-BHA       A1 cash           shelter_rehab_cash    -        hh        2   -   1500   USD -
SHL-BHA       A2 in_kind        sealing_off_kit       kit      hh        3   1   150    USD -
SHL-KFW       A1 service        shelter_repair        -        hh        1.5 -   -      -   -
SHL-KFW       A2 cash           rental_subsidy        -        hh        4   -   300000 IQD -
SHL-ECHO      A1 service        shelter_upgrade       -        hh_camp   2   -   -      -   -
SHL-ECHO      A2 in_kind        tent                  tent     hh_camp   1.5 1   250    USD -
CCCM-UNHCR    A1 in_kind        cooking_gas           cylinder hh_camp   10  2   12     USD -
CCCM-UNHCR    A2 training       camp_committee        -        ind_camp  1.5 -   -      -   -
CCCM-MRT-BHA  A1 service        site_mitigation       -        hh        2   -   -      -   -
CCCM-MRT-BHA  A2 service        mrt_awareness         -        ind       4   -   -      -   -
CCCM-ECHO     A1 in_kind        cooking_gas           cylinder hh_camp   5   2   12     USD -
CCCM-ECHO     A2 service        camp_consultation     -        ind_camp  2   -   -      -   -
TRN-ECHO      A1 transport      return_transport      -        hh        1.5 -   -      -   -
TRN-ECHO      A2 transport      camp_relocation       -        hh_camp   1   -   -      -   -
TRN-PRM       A1 transport      family_reunification  -        hh        0.5 -   -      -   -
TRN-PRM       A2 cash           transport_grant       -        hh        1   -   150000 IQD -
CWC-BHA       A1 service        awareness_session     -        ind       10  -   -      -   -
CWC-BHA       A2 service        information_session   -        ind       5   -   -      -   -
CWC-ECHO      A1 service        focus_group           -        ind_adult 2   -   -      -   -
CWC-ECHO      A2 service        participatory_theatre -        ind       4   -   -      -   -
CWC-UNICEF    A1 service        child_awareness       -        ind       5   -   -      -   -
CWC-UNICEF    A2 service        hygiene_promotion     -        hh        3   -   -      -   -
CRP-EU        A1 training       vocational_course     -        ind_adult 5   -   -      -   -
CRP-EU        A2 grant          business_grant        -        ind_adult 1   -   2500   USD -
CRP-GIZ       A1 cash           cash_for_work         day      ind_adult 8   20  500000 IQD -
CRP-GIZ       A2 infrastructure water_network         -        hh        4   -   -      -   -
CRP-JPN       A1 training       business_skills       -        ind_adult 3   -   -      -   -
CRP-JPN       A2 grant          business_grant        -        ind_adult 1   -   3000   USD -
CRP-USAID     A1 training       life_skills           -        ind_adult 4   -   -      -   -
CRP-USAID     A2 service        psychosocial_support  -        ind       5   -   -      -   -
CRP-SIDA      A1 training       vocational_course     -        ind_adult 2   -   -      -   -
CRP-SIDA      A2 infrastructure community_centre      -        hh        2   -   -      -   -
"""
SEASONS = {"-": None, "w": WINTER, "w3": (*WINTER, 3)}


def _activity(line: str) -> tuple:
    project, code, kind, item, unit, pool, weight, qty, value, currency, season = line.split()
    return (
        project,
        code,
        kind,
        item,
        "" if unit == "-" else unit,
        pool,
        float(weight),
        None if qty == "-" else int(qty),
        None if value == "-" else int(value),
        "" if currency == "-" else currency,
        SEASONS[season],
    )


ACTIVITIES = [_activity(line) for line in _ACTIVITY_TABLE.strip().splitlines()]
RATE = 1310  # IQD per USD

ROWS = {
    "generate": "generate the registry and the ledger (SQL, once)",
    "rebuild": "summary rebuild: summary_refresh(rebuild=True)",
    "incremental": f"incremental refresh after {NEW_RECORDS:,} new records",
    "dashboard cold": "dashboard, last 12 months: cold (first call in a process)",
    "dashboard warm": f"dashboard, last 12 months: warm (median of {WARM_RUNS})",
    "dashboard after": "dashboard, last 12 months: after 1,000 new records and a refresh",
    "dashboard people_reached": "baseline: people_reached() on the ledger, last 12 months",
    "dashboard sql": "baseline: the same count in one SQL query, last 12 months",
    "quarter cold": "governorate × quarter: cold",
    "quarter warm": f"governorate × quarter: warm (median of {WARM_RUNS})",
    "quarter people_reached": "baseline: people_reached(), governorate × quarter",
    "quarter sql": "baseline: one SQL query, governorate × quarter",
    "rollup": "prototype, not in the engine: a coarser roll-up, built from the cells",
    "rollup cold": "prototype: the dashboard from the roll-up, cold",
    "rollup warm": f"prototype: the dashboard from the roll-up, warm (median of {WARM_RUNS})",
    "fourw cold": "4W export of one month, HXL CSV: cold",
    "fourw warm": "4W export of one month, HXL CSV: warm (median of 3)",
    "size": "summary size",
    "goals": "goals (issue 13)",
}
ROW_NAMES = list(ROWS.values())


def _say(text: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S', time.gmtime())}] reporting: {text}",
        file=sys.stderr,
        flush=True,
    )


# --- the period ------------------------------------------------------------------------
def _add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(day: datetime.date) -> datetime.date:
    return _add_months(day, 1) - datetime.timedelta(days=1)


def _period() -> list[datetime.date]:
    """The 24 months before the current one (first days)."""
    this = datetime.date.today().replace(day=1)
    return [_add_months(this, i - MONTHS) for i in range(MONTHS)]


# --- the database ------------------------------------------------------------------------
def _url() -> str:
    return f"{SERVER.rstrip('/')}/{DB_NAME}"


def _ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER.rstrip('/')}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            _say(f"creating database {DB_NAME}")
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanad.settings")
    os.environ["SANAD_TASK_BACKEND"] = "immediate"
    os.environ.setdefault("SANAD_VAR_DIR", f"/tmp/sanad-bench-reporting-var-{os.getuid()}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def _sql(sql: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _one(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _meta() -> dict[str, Any]:
    _sql("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    # Django reads jsonb as text (its fields decode it).
    return {
        k: json.loads(v) if isinstance(v, str) else v
        for k, v in _rows("SELECT key, value FROM bench_meta")
    }


def _rows(sql: str, params: Any = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _wanted() -> dict[str, Any]:
    return {"people": PEOPLE, "records": RECORDS, "months": MONTHS, "version": 1}


# --- generation ----------------------------------------------------------------------------
class _Unindexed:
    """Drop a table's secondary indexes, unique and foreign-key constraints for a bulk
    load; recreate them afterwards (foreign keys NOT VALID: the data is made valid)."""

    def __init__(self, table: str) -> None:
        self.table = table

    def __enter__(self) -> _Unindexed:
        t = self.table
        self.constraints = _rows(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [t],
        )
        for name, _kind, _definition in self.constraints:
            _sql(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
        self.indexes = _rows(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
            "AND c.conrelid = %s::regclass)",
            [t, t],
        )
        for name, _definition in self.indexes:
            _sql(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc: Any) -> None:
        t = self.table
        started = time.perf_counter()
        for name, kind, definition in self.constraints:
            if kind == "u":
                _sql(f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in self.indexes:
            _sql(definition)
        for name, kind, definition in self.constraints:
            if kind == "f":
                _sql(f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition} NOT VALID')
        _say(f"{t}: indexes and constraints recreated in {time.perf_counter() - started:.0f} s")


def _reference(period: list[datetime.date]) -> dict[str, Any]:
    """Donors, projects, activities and camps, through the ORM (a few hundred rows)."""
    from decimal import Decimal

    from sanad.accounts.models import Organisation
    from sanad.geo.models import AdminUnit, Place
    from sanad.programmes.models import Activity, Programme, Project

    rng = random.Random(13)
    govs = {u.pcode: u for u in AdminUnit.objects.filter(level=1)}
    programmes = {p.code: p for p in Programme.objects.all()}
    projects = {}
    for code, programme, donor, first, last, gov_codes in PROJECTS:
        org, _ = Organisation.objects.get_or_create(
            name=donor, defaults={"kind": Organisation.Kind.DONOR, "acronym": donor[:30]}
        )
        project, _ = Project.objects.update_or_create(
            code=code,
            defaults={
                "programme": programmes[programme],
                "title": f"{programme} {donor} ({code})",
                "donor": org,
                "start_date": period[first],
                "end_date": _month_end(period[last]),
                "currency": "USD",
                "budget": Decimal("1000000"),
                "status": "active",
            },
        )
        project.governorates.set([govs[g] for g in gov_codes])
        projects[code] = project
    activities = {}
    for spec in ACTIVITIES:
        project_code, code, _kind, item = spec[:4]
        activity, _ = Activity.objects.get_or_create(
            project=projects[project_code], code=code, defaults={"name": item.replace("_", " ")}
        )
        activities[(project_code, code)] = activity
    camps: dict[str, list[Any]] = {}
    for gov, (count, _share) in CAMPS.items():
        subs = list(AdminUnit.objects.filter(level=3, governorate=govs[gov]).order_by("pcode"))
        for i in range(count):
            place, _ = Place.objects.get_or_create(
                code=f"BENCH-{gov}-C{i + 1:02d}",
                defaults={
                    "kind": Place.Kind.FORMAL_CAMP,
                    "name_en": f"{govs[gov].name_en} camp {i + 1}",
                    "admin_unit": subs[rng.randrange(len(subs))],
                },
            )
            camps.setdefault(gov, []).append(place)
    return {"govs": govs, "programmes": programmes, "projects": projects, "acts": activities}


def _households(ref: dict[str, Any], period: list[datetime.date]) -> None:
    from sanad.geo.models import AdminUnit, Place

    govs = ref["govs"]
    n = round(PEOPLE / MEAN_SIZE)
    _sql("DROP TABLE IF EXISTS b_gov, b_sub, b_camp")
    _sql("CREATE TEMP TABLE b_gov (gov_id bigint, lo float8, hi float8, camp float8, n int)")
    _sql("CREATE TEMP TABLE b_sub (gov_id bigint, k int, admin_unit_id bigint)")
    _sql("CREATE TEMP TABLE b_camp (gov_id bigint, k int, place_id bigint, admin_unit_id bigint)")
    total = sum(GOV_WEIGHTS.values())
    lo = 0.0
    for i, (code, weight) in enumerate(GOV_WEIGHTS.items()):
        hi = 2.0 if i == len(GOV_WEIGHTS) - 1 else lo + weight / total
        subs = list(
            AdminUnit.objects.filter(level=3, governorate=govs[code])
            .order_by("pcode")
            .values_list("pk", flat=True)
        )
        rng = random.Random(code)
        rng.shuffle(subs)  # which sub-districts are the large ones
        camps = list(
            Place.objects.filter(code__startswith=f"BENCH-{code}-").values_list("pk", "admin_unit")
        )
        share = CAMPS.get(code, (0, 0.0))[1]
        _sql(
            "INSERT INTO b_gov VALUES (%s, %s, %s, %s, %s)",
            [govs[code].pk, lo, hi, share if camps else 0.0, len(subs)],
        )
        for k, pk in enumerate(subs):
            _sql("INSERT INTO b_sub VALUES (%s, %s, %s)", [govs[code].pk, k, pk])
        for k, (pk, unit) in enumerate(camps):
            _sql("INSERT INTO b_camp VALUES (%s, %s, %s, %s)", [govs[code].pk, k, pk, unit])
        lo = hi
    for table in ("b_gov", "b_sub", "b_camp"):
        _sql(f"ANALYZE {table}")
    registered = datetime.datetime.combine(period[0], datetime.time(8), datetime.UTC)
    _sql(
        """
        INSERT INTO registry_household (
            public_id, created_at, updated_at, registration_id, status, shelter_type,
            displacement_status, origin_place_name, notes, source, card_token, size,
            is_woman_headed, is_child_headed, is_older_person_alone, has_disability,
            has_unaccompanied_child, is_large, demographics, admin_unit_id, governorate_id,
            place_id)
        WITH base AS MATERIALIZED (
            SELECT g, random() AS rg, random() AS rc, random() AS rs, random() AS rk,
                   random() AS rd, random() AS rw,
                   greatest(1, least(14, round(%(mean)s + 2.3 * sqrt(-2 * ln(1 - random()))
                       * cos(2 * pi() * random()))))::int AS size,
                   %(registered)s::timestamptz - random() * interval '1500 days' AS at
            FROM generate_series(1, %(n)s) g
        ), placed AS MATERIALIZED (
            SELECT base.*, gv.gov_id, gv.n AS nsub,
                   (SELECT count(*) FROM b_camp c WHERE c.gov_id = gv.gov_id) AS ncamp,
                   base.rc < gv.camp AS in_camp
            FROM base JOIN b_gov gv ON base.rg >= gv.lo AND base.rg < gv.hi
        )
        SELECT gen_random_uuid(), p.at, p.at, 'BR' || lpad(p.g::text, 9, '0'), 'active',
               CASE WHEN p.in_camp THEN 'camp' WHEN p.rd < 0.5 THEN 'rented'
                    WHEN p.rd < 0.8 THEN 'own_house' ELSE 'host_family' END,
               CASE WHEN p.in_camp THEN 'idp_in_camp' WHEN p.rd < 0.35 THEN 'idp_out_of_camp'
                    WHEN p.rd < 0.75 THEN 'returnee' WHEN p.rd < 0.9 THEN 'host_community'
                    WHEN p.rd < 0.95 THEN 'idp_informal_site' ELSE 'syrian_refugee' END,
               '', '', 'import', md5(p.g::text || 'card'), p.size,
               p.rw < 0.12, false, p.size = 1 AND p.rw > 0.9, false, false, p.size >= 8,
               '{}'::jsonb,
               CASE WHEN p.in_camp THEN c.admin_unit_id ELSE s.admin_unit_id END,
               p.gov_id,
               CASE WHEN p.in_camp THEN c.place_id END
        FROM placed p
        JOIN b_sub s ON s.gov_id = p.gov_id AND s.k = floor(p.nsub * power(p.rs, 1.6))::int
        LEFT JOIN b_camp c ON p.in_camp AND c.gov_id = p.gov_id
             AND c.k = floor(p.ncamp * p.rk)::int
        ORDER BY p.g
        """,
        {"mean": MEAN_SIZE, "registered": registered, "n": n},
    )


def _individuals(period: list[datetime.date]) -> None:
    """The members of each household: a head, a spouse, children and some older people;
    about 2% who left or died during the period (their record's last change)."""
    end = _month_end(period[-1])
    start = datetime.datetime.combine(period[0], datetime.time(9), datetime.UTC)
    _sql(
        """
        INSERT INTO registry_individual (
            public_id, created_at, updated_at, given_name_ar, fathers_name_ar,
            grandfathers_name_ar, family_name_ar, given_name_en, fathers_name_en,
            grandfathers_name_en, family_name_en, sex, date_of_birth, dob_estimated,
            relationship, marital_status, is_pregnant, has_disability, has_chronic_illness,
            is_unaccompanied_or_separated, phone, preferred_language, is_alternate_collector,
            status, name_key, household_id)
        WITH m AS MATERIALIZED (
            SELECT h.id AS hh, h.created_at AS at, h.is_woman_headed AS woman, k,
                   random() AS rs, random() AS ra, random() AS rd, random() AS rt,
                   random() AS rw, random() AS rk
            FROM registry_household h CROSS JOIN LATERAL generate_series(1, h.size) k
        ), p AS MATERIALIZED (
            SELECT m.*,
                CASE WHEN k = 1 THEN (CASE WHEN woman THEN 'female' ELSE 'male' END)
                     WHEN k = 2 THEN (CASE WHEN woman THEN 'male' ELSE 'female' END)
                     WHEN rs < 0.5 THEN 'female' ELSE 'male' END AS sex,
                CASE WHEN k = 1 THEN 20 + ra * 55 WHEN k = 2 THEN 18 + ra * 50
                     WHEN rk < 0.9 THEN ra * 18 ELSE 60 + ra * 25 END AS age,
                CASE WHEN k = 1 THEN 'head' WHEN k = 2 THEN 'spouse'
                     WHEN rk >= 0.9 THEN (CASE WHEN rs < 0.5 THEN 'mother' ELSE 'father' END)
                     WHEN rs < 0.5 THEN 'daughter' ELSE 'son' END AS rel
            FROM m
        )
        SELECT gen_random_uuid(), p.at, CASE WHEN p.k > 1 AND p.rt < 0.02
                   THEN %(start)s::timestamptz + p.rw * interval '720 days' ELSE p.at END,
               '', '', '', '', '', '', '', '', p.sex,
               (%(end)s::date - (p.age * 365.25)::int),
               p.rw < 0.1, p.rel,
               CASE WHEN p.k <= 2 THEN 'married' WHEN p.age < 18 THEN 'single' ELSE 'widowed' END,
               false,
               p.rd < CASE WHEN p.age >= 60 THEN 0.25 WHEN p.age >= 18 THEN 0.06 ELSE 0.03 END,
               false, false, '', 'ar', false,
               CASE WHEN p.k > 1 AND p.rt < 0.015 THEN 'left'
                    WHEN p.k > 1 AND p.rt < 0.02 THEN 'deceased' ELSE 'active' END,
               '', p.hh
        FROM p ORDER BY p.hh, p.k
        """,
        {"start": start, "end": end},
    )


def _merges() -> None:
    """0.5% of the households merged into the next one, their members duplicates of its."""
    _sql(
        "UPDATE registry_household h SET status = 'merged', merged_into_id = h.id + 1 "
        "WHERE mod(h.id, 200) = 7 AND EXISTS (SELECT 1 FROM registry_household b WHERE b.id = h.id + 1)"
    )
    _sql(
        """
        WITH a AS (
            SELECT i.id, h.merged_into_id AS into_id,
                   row_number() OVER (PARTITION BY i.household_id ORDER BY i.id) AS k
            FROM registry_individual i JOIN registry_household h ON h.id = i.household_id
            WHERE h.status = 'merged'
        ), b AS (
            SELECT i.id, i.household_id,
                   row_number() OVER (PARTITION BY i.household_id ORDER BY i.id) AS k
            FROM registry_individual i
            WHERE i.household_id IN (SELECT merged_into_id FROM registry_household
                                     WHERE status = 'merged')
        )
        UPDATE registry_individual i SET duplicate_of_id = b.id
        FROM a JOIN b ON b.household_id = a.into_id AND b.k = a.k
        WHERE i.id = a.id
        """
    )


def _pools(period: list[datetime.date]) -> None:
    """Who each kind of activity can reach, numbered per governorate for random picks."""
    adult = _add_months(period[0], -18 * 12)
    _sql("DROP TABLE IF EXISTS bench_pool, bench_pool_n")
    _sql(
        """
        CREATE UNLOGGED TABLE bench_pool AS
        WITH ind AS (
            SELECT i.id, i.household_id, h.governorate_id, h.admin_unit_id, h.place_id,
                   i.date_of_birth
            FROM registry_individual i JOIN registry_household h ON h.id = i.household_id
        )
        SELECT 'hh'::text AS pool, governorate_id AS gov_id,
               row_number() OVER (PARTITION BY governorate_id ORDER BY id)::int AS seq,
               id AS household_id, NULL::bigint AS individual_id, admin_unit_id, place_id
        FROM registry_household
        UNION ALL
        SELECT 'hh_camp', governorate_id,
               row_number() OVER (PARTITION BY governorate_id ORDER BY id)::int,
               id, NULL, admin_unit_id, place_id
        FROM registry_household WHERE place_id IS NOT NULL
        UNION ALL
        SELECT 'ind', governorate_id,
               row_number() OVER (PARTITION BY governorate_id ORDER BY id)::int,
               NULL, id, admin_unit_id, place_id
        FROM ind
        UNION ALL
        SELECT 'ind_adult', governorate_id,
               row_number() OVER (PARTITION BY governorate_id ORDER BY id)::int,
               NULL, id, admin_unit_id, place_id
        FROM ind WHERE date_of_birth < %s
        UNION ALL
        SELECT 'ind_camp', governorate_id,
               row_number() OVER (PARTITION BY governorate_id ORDER BY id)::int,
               NULL, id, admin_unit_id, place_id
        FROM ind WHERE place_id IS NOT NULL AND date_of_birth < %s
        """,
        [adult, adult],
    )
    _sql("CREATE INDEX ON bench_pool (pool, gov_id, seq)")
    _sql(
        "CREATE UNLOGGED TABLE bench_pool_n AS "
        "SELECT pool, gov_id, count(*)::int AS n FROM bench_pool GROUP BY 1, 2"
    )
    _sql("ANALYZE bench_pool")
    _sql("ANALYZE bench_pool_n")


def _activities(ref: dict[str, Any], period: list[datetime.date]) -> dict[int, list[int]]:
    """bench_act (what each activity delivers) and bench_act_gov (where, weighted by
    who it can reach); returns the months (0..23) each activity is active in."""
    sizes: dict[tuple[str, int], int] = {
        (pool, gov): n for pool, gov, n in _rows("SELECT pool, gov_id, n FROM bench_pool_n")
    }
    projects = {p[0]: p for p in PROJECTS}
    _sql("DROP TABLE IF EXISTS bench_act, bench_act_gov, bench_month_n")
    _sql(
        "CREATE UNLOGGED TABLE bench_act (aid int PRIMARY KEY, programme_id bigint, "
        "project_id bigint, activity_id bigint, kind text, item text, unit text, pool text, "
        "quantity numeric, value numeric, currency text, rate numeric)"
    )
    _sql(
        "CREATE UNLOGGED TABLE bench_act_gov (aid int, gov_id bigint, lo float8, hi float8, n int)"
    )
    _sql("CREATE UNLOGGED TABLE bench_month_n (aid int, n int)")
    active: dict[int, list[int]] = {}
    for aid, spec in enumerate(ACTIVITIES):
        project_code, code, kind, item, unit, pool, _w, qty, value, currency, season = spec
        _pc, programme, _donor, first, last, gov_codes = projects[project_code]
        project = ref["projects"][project_code]
        _sql(
            "INSERT INTO bench_act VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                aid,
                ref["programmes"][programme].pk,
                project.pk,
                ref["acts"][(project_code, code)].pk,
                kind,
                item,
                unit,
                pool,
                qty,
                value,
                currency,
                RATE if value is not None else None,
            ],
        )
        where = [(ref["govs"][g].pk, sizes.get((pool, ref["govs"][g].pk), 0)) for g in gov_codes]
        where = [(g, n) for g, n in where if n > 0]
        total = sum(n for _g, n in where)
        lo = 0.0
        for i, (gov, n) in enumerate(where):
            hi = 2.0 if i == len(where) - 1 else lo + n / total
            _sql("INSERT INTO bench_act_gov VALUES (%s, %s, %s, %s, %s)", [aid, gov, lo, hi, n])
            lo = hi
        active[aid] = [
            m for m in range(first, last + 1) if season is None or period[m].month in season
        ]
    _sql("ANALYZE bench_act")
    _sql("ANALYZE bench_act_gov")
    return active


def _month_counts(active: dict[int, list[int]], total: int, seed: int) -> list[dict[int, int]]:
    """Records per activity per month, adding up to `total`."""
    rng = random.Random(seed)
    weights = {aid: spec[6] for aid, spec in enumerate(ACTIVITIES)}
    hh = sum(w for aid, w in weights.items() if ACTIVITIES[aid][5].startswith("hh"))
    ind = sum(w for aid, w in weights.items() if ACTIVITIES[aid][5].startswith("ind"))
    raw: list[dict[int, float]] = [{} for _ in range(MONTHS)]
    for aid, months in active.items():
        level = (
            HOUSEHOLD_SHARE / hh
            if ACTIVITIES[aid][5].startswith("hh")
            else ((1 - HOUSEHOLD_SHARE) / ind)
        )
        per_month = weights[aid] * level / len(months)
        for m in months:
            raw[m][aid] = per_month * rng.uniform(0.85, 1.15)
    scale = total / sum(sum(d.values()) for d in raw)
    out = [{aid: round(x * scale) for aid, x in d.items()} for d in raw]
    short = total - sum(sum(d.values()) for d in out)
    biggest = max(out[-1], key=out[-1].get)
    out[-1][biggest] += short
    return out


_LEDGER_INSERT = """
INSERT INTO assistance_assistancerecord (
    public_id, created_at, updated_at, kind, item, description, quantity, unit, value,
    currency, exchange_rate, delivered_on, source_type, source_id, activity_id,
    admin_unit_id, governorate_id, household_id, individual_id, place_id, programme_id,
    project_id)
WITH x AS MATERIALIZED (
    SELECT mn.aid, g, random() AS rg, random() AS rs, floor(random() * %(days)s)::int AS d,
           random() AS rt
    FROM bench_month_n mn CROSS JOIN LATERAL generate_series(1, mn.n) g
), y AS MATERIALIZED (
    SELECT x.*, ag.gov_id, 1 + floor(x.rs * ag.n)::int AS seq
    FROM x JOIN bench_act_gov ag ON ag.aid = x.aid AND x.rg >= ag.lo AND x.rg < ag.hi
)
SELECT gen_random_uuid(), t.at, t.at, a.kind, a.item, '', a.quantity, a.unit, a.value,
       a.currency, a.rate, %(month)s::date + y.d, %(source)s,
       %(prefix)s || y.aid || '-' || y.g, a.activity_id, p.admin_unit_id, y.gov_id,
       p.household_id, p.individual_id, p.place_id, a.programme_id, a.project_id
FROM y
JOIN bench_act a ON a.aid = y.aid
JOIN bench_pool p ON p.pool = a.pool AND p.gov_id = y.gov_id AND p.seq = y.seq
CROSS JOIN LATERAL (
    SELECT (%(month)s::date + y.d)::timestamp + interval '8 hours'
           + y.rt * interval '10 hours' AS at
) t
ORDER BY y.d, y.rt
"""


def _ledger_month(month: datetime.date, counts: dict[int, int], source: str, prefix: str) -> None:
    _sql("TRUNCATE bench_month_n")
    for aid, n in counts.items():
        if n > 0:
            _sql("INSERT INTO bench_month_n VALUES (%s, %s)", [aid, n])
    _sql("ANALYZE bench_month_n")
    days = (_month_end(month) - month).days + 1
    _sql(
        _LEDGER_INSERT,
        {"days": days, "month": month, "source": source, "prefix": prefix},
    )


def generate() -> float:
    from django.db import transaction

    started = time.perf_counter()
    period = _period()
    _say(
        f"generating {PEOPLE:,} people and {RECORDS:,} records, {period[0]:%Y-%m}..{period[-1]:%Y-%m}"
    )
    _sql("SET work_mem = '512MB'")
    _sql("SET maintenance_work_mem = '1GB'")
    _sql("SET synchronous_commit = off")
    _sql("DELETE FROM bench_meta")
    _sql(
        "TRUNCATE assistance_assistancerecord, registry_individual, registry_household, "
        "reporting_reachcell, reporting_monthstate, reporting_attributeset, "
        "reporting_summarystate CASCADE"
    )
    with transaction.atomic():
        ref = _reference(period)
    with _Unindexed("registry_household"), _Unindexed("registry_individual"):
        t = time.perf_counter()
        _households(ref, period)
        _say(f"households in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        _individuals(period)
        _say(f"individuals in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    _merges()
    _sql("VACUUM ANALYZE registry_household")
    _sql("VACUUM ANALYZE registry_individual")
    _pools(period)
    active = _activities(ref, period)
    _say(f"merges, pools and activities in {time.perf_counter() - t:.0f} s")
    counts = _month_counts(active, RECORDS, seed=1)
    with _Unindexed("assistance_assistancerecord"):
        for i, month in enumerate(period):
            t = time.perf_counter()
            _ledger_month(month, counts[i], "bench", f"{i}-")
            _say(
                f"ledger {month:%Y-%m}: {sum(counts[i].values()):,} records in "
                f"{time.perf_counter() - t:.1f} s"
            )
    t = time.perf_counter()
    _sql("VACUUM ANALYZE assistance_assistancerecord")
    _say(f"ledger vacuumed and analysed in {time.perf_counter() - t:.0f} s")
    seconds = time.perf_counter() - started
    meta = {
        **_wanted(),
        "first_month": period[0].isoformat(),
        "last_month": period[-1].isoformat(),
        "generated_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(seconds, 1),
        "households": _one("SELECT count(*) FROM registry_household"),
        "individuals": _one("SELECT count(*) FROM registry_individual"),
        "ledger": _one("SELECT count(*) FROM assistance_assistancerecord"),
    }
    for key, value in meta.items():
        _sql("INSERT INTO bench_meta VALUES (%s, %s)", [key, json.dumps(value)])
    _say(f"generated in {seconds:.0f} s: {meta}")
    return seconds


def _new_records(meta: dict[str, Any], n: int = NEW_RECORDS) -> None:
    """`n` more records in the last month, as if they had just arrived."""
    first = datetime.date.fromisoformat(meta["first_month"])
    period = [_add_months(first, i) for i in range(MONTHS)]
    active = {aid: [MONTHS - 1] for aid in _activities_active_last(period)}
    counts = _month_counts(active, n, seed=time.time_ns())
    stamp = f"n{time.time_ns()}-"
    _ledger_month(period[-1], counts[-1], "bench.new", stamp)


def _activities_active_last(period: list[datetime.date]) -> set[int]:
    projects = {p[0]: p for p in PROJECTS}
    out = set()
    for aid, spec in enumerate(ACTIVITIES):
        _pc, _prog, _donor, first, last, _govs = projects[spec[0]]
        season = spec[10]
        if first <= MONTHS - 1 <= last and (season is None or period[-1].month in season):
            out.add(aid)
    return out


# --- the measurements ------------------------------------------------------------------------
def _filters(meta: dict[str, Any], scenario: str) -> Any:
    from sanad.reporting.selectors.figures import Filters

    last = datetime.date.fromisoformat(meta["last_month"])
    if scenario == "dashboard":
        return Filters(start=_add_months(last, -11), end=_month_end(last))
    if scenario == "quarter":
        q_last = _add_months(last, -(last.month % 3))  # the last full quarter's end
        return Filters(
            start=_add_months(q_last, -2), end=_month_end(q_last), governorate=GOVERNORATE
        )
    if scenario == "fourw":
        return Filters(start=last, end=_month_end(last))
    raise ValueError(scenario)


def _dashboard(filters: Any) -> dict[str, Any]:
    """What the dashboard page reads (reporting/views/dashboards.py): one `reach()`, the
    total, by programme, by month, by governorate (by district when a governorate is
    chosen) and by place (the map's sites)."""
    from sanad.reporting.selectors.figures import reach

    summary = reach(filters=filters)
    total = summary.total()
    groups = [
        summary.by("programme"),
        summary.by("month"),
        summary.by("district" if filters.governorate else "governorate"),
        summary.by("place"),
    ]
    return {
        "people": total.people,
        "households": total.households,
        "cells": len(summary),
        "groups": sum(len(g) for g in groups),
    }


# --- a prototype: the dashboard from a coarser roll-up ------------------------------------
# Not part of the engine: the cells of the dashboard's 12 months unioned into one row per
# month × programme × governorate × district × place (the dimensions the dashboard groups
# by), kept in a table of this database only, and read by the engine's own `Summary`.
ROLLUP = ("month", "programme_id", "governorate_id", "district_id", "place_id")


def _rollup_build(filters: Any) -> tuple[float, int, int]:
    """Fill bench_rollup from the summary's cells; (ms, rows, bitmap bytes)."""
    from pyroaring import BitMap

    from sanad.reporting.common import from_bytes, to_bytes
    from sanad.reporting.selectors.figures import cells_for

    t = time.perf_counter()
    groups: dict[tuple, list[Any]] = {}
    for row in cells_for(filters=filters).values_list(
        *ROLLUP, "records", "quantity", "value_usd", "value_iqd", "people", "households"
    ):
        key = row[:5]
        group = groups.setdefault(key, [0, 0, 0, 0, [], []])
        for i in range(4):
            group[i] += row[5 + i] or 0
        group[4].append(from_bytes(row[9]))
        group[5].append(from_bytes(row[10]))
    _sql(
        "CREATE TABLE IF NOT EXISTS bench_rollup (month date, programme_id bigint, "
        "governorate_id bigint, district_id bigint, place_id bigint, records integer, "
        "quantity numeric, value_usd numeric, value_iqd numeric, people bytea, "
        "households bytea)"
    )
    _sql("TRUNCATE bench_rollup")
    size = 0
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy("COPY bench_rollup FROM STDIN") as copy:
        for key, (records, qty, usd, iqd, people, households) in groups.items():
            p, h = to_bytes(BitMap.union(*people)), to_bytes(BitMap.union(*households))
            size += len(p) + len(h)
            copy.write_row([*key, records, qty, usd, iqd, p, h])
    _sql("ANALYZE bench_rollup")
    return (time.perf_counter() - t) * 1000, len(groups), size


def _rollup_dashboard(filters: Any) -> dict[str, Any]:
    """The dashboard's figures (as `_dashboard`) from bench_rollup, by the engine's
    `Summary` (its rows with the roll-up's bytes for bitmaps)."""
    import psycopg
    from django.db import connection

    from sanad.reporting.selectors.figures import Summary, _attributes

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            "SELECT month, programme_id, NULL, NULL, '', '', '', governorate_id, district_id, "
            "NULL, place_id, records, quantity, value_usd, value_iqd, people, households "
            "FROM bench_rollup WHERE month >= %s AND month <= %s",
            [filters.start, filters.end],
            binary=True,
        )
        rows = cursor.fetchall()
    summary = Summary(rows, filters, _attributes())
    total = summary.total()
    groups = [summary.by(d) for d in ("programme", "month", "governorate", "place")]
    return {
        "people": total.people,
        "households": total.households,
        "cells": len(summary),
        "groups": sum(len(g) for g in groups),
    }


def _fourw(filters: Any) -> dict[str, Any]:
    try:
        from sanad.reporting.services.fourw import fourw_export
    except ImportError:
        fourw_export = None
    out = io.BytesIO()
    if fourw_export is not None:
        rows = fourw_export(user=None, filters=filters, format="hxl-csv", shared=True, out=out)
        return {"rows": rows, "bytes": out.tell(), "how": "fourw_export"}
    import csv

    from sanad.reporting.selectors.figures import reach

    groups = reach(filters=filters).by(
        "programme",
        "project",
        "activity",
        "governorate",
        "district",
        "admin_unit",
        "place",
        "month",
    )
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    for key, fig in groups.items():
        writer.writerow([*key, fig.people, fig.households, fig.female, fig.male, fig.children])
    text.flush()
    return {"rows": len(groups), "bytes": out.tell(), "how": "reach().by(8 dimensions) + csv"}


def _scenario(meta: dict[str, Any], name: str, runs: int) -> dict[str, Any]:
    """In a fresh process: the first call (cold), then `runs` more (warm). The modules
    are imported first, as a web server has them at start."""
    import sanad.reporting.selectors.figures
    import sanad.reporting.services.fourw  # noqa: F401

    filters = _filters(meta, "dashboard" if name == "rollup" else name)
    work = {"fourw": _fourw, "rollup": _rollup_dashboard}.get(name, _dashboard)
    t, c = time.perf_counter(), time.process_time()
    info = work(filters)
    cold, cold_cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
    warm, warm_cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        work(filters)
        warm.append((time.perf_counter() - t) * 1000)
        warm_cpu.append((time.process_time() - c) * 1000)
    after: dict[str, float] = {}
    if name == "dashboard":
        # Records arrive and the periodic refresh extends the last month: the next call
        # reads that month's bitmaps again, the other eleven come from the cache.
        from sanad.reporting.services.summary import summary_refresh

        _new_records(meta, 1_000)
        summary_refresh()
        t, c = time.perf_counter(), time.process_time()
        work(filters)
        after = {
            "after_ms": (time.perf_counter() - t) * 1000,
            "after_cpu_ms": (time.process_time() - c) * 1000,
        }
    return {
        **after,
        "cold_ms": cold,
        "warm_ms": statistics.median(warm),
        "cold_cpu_ms": cold_cpu,
        "warm_cpu_ms": statistics.median(warm_cpu),
        "runs": runs,
        **info,
    }


def _in_child(name: str, runs: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": _url()}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_reporting",
            "--scenario",
            name,
            "--runs",
            str(runs),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"scenario {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _baseline(filters: Any) -> tuple[float, dict[str, Any] | None]:
    """`people_reached` over the ledger, stopped after BASELINE_TIMEOUT_S (None)."""
    from django.db import connection, transaction

    from sanad.assistance.selectors import people_reached

    t = time.perf_counter()
    try:
        with transaction.atomic():
            _sql(f"SET LOCAL statement_timeout = '{BASELINE_TIMEOUT_S}s'")
            got = people_reached(
                start=filters.start, end=filters.end, governorate=filters.governorate
            )
    except Exception as error:
        if "statement timeout" not in str(error):
            raise
        connection.close()
        return (time.perf_counter() - t) * 1000, None
    return (time.perf_counter() - t) * 1000, {
        "people": got["individuals"],
        "households": got["households"],
    }


# The same count as `people_reached` (its module's rules), written as one SQL query.
_SQL_COUNT = """
WITH r AS MATERIALIZED (
    SELECT household_id, individual_id, delivered_on FROM assistance_assistancerecord
    WHERE delivered_on >= %(start)s AND delivered_on <= %(end)s {where}
), members AS (
    SELECT i.id FROM r
    LEFT JOIN registry_household h1 ON h1.id = r.household_id
    LEFT JOIN registry_household h2 ON h2.id = h1.merged_into_id
    LEFT JOIN registry_household h3 ON h3.id = h2.merged_into_id
    JOIN registry_individual i ON i.household_id
        = COALESCE(h3.merged_into_id, h2.merged_into_id, h1.merged_into_id, r.household_id)
    WHERE r.individual_id IS NULL AND i.date_of_birth <= r.delivered_on
      AND (i.status = 'active' OR i.updated_at >= r.delivered_on)
), named AS (
    SELECT COALESCE(d3.duplicate_of_id, d2.duplicate_of_id, d1.duplicate_of_id, d1.id) AS id
    FROM r JOIN registry_individual d1 ON d1.id = r.individual_id
    LEFT JOIN registry_individual d2 ON d2.id = d1.duplicate_of_id
    LEFT JOIN registry_individual d3 ON d3.id = d2.duplicate_of_id
), people AS (
    SELECT id FROM members UNION SELECT id FROM named
)
SELECT count(*),
       count(DISTINCT COALESCE(h3.merged_into_id, h2.merged_into_id, h1.merged_into_id, h1.id))
FROM people p JOIN registry_individual i ON i.id = p.id
JOIN registry_household h1 ON h1.id = i.household_id
LEFT JOIN registry_household h2 ON h2.id = h1.merged_into_id
LEFT JOIN registry_household h3 ON h3.id = h2.merged_into_id
"""


def _sql_baseline(filters: Any) -> tuple[float, dict[str, Any]]:
    """The same figures in one hand-written SQL query (COUNT DISTINCT over the ledger)."""
    from django.db import transaction

    params: dict[str, Any] = {"start": filters.start, "end": filters.end}
    where = ""
    if filters.governorate:
        where = "AND governorate_id = (SELECT id FROM geo_adminunit WHERE pcode = %(gov)s)"
        params["gov"] = filters.governorate
    t = time.perf_counter()
    with transaction.atomic():
        _sql("SET LOCAL work_mem = '256MB'")
        people, households = _rows(_SQL_COUNT.format(where=where), params)[0]
    return (time.perf_counter() - t) * 1000, {"people": people, "households": households}


def _row(key: str, ms: float, note: str = "", runs: int = 1) -> dict[str, Any]:
    return {"name": ROWS[key], "median_ms": ms, "runs": runs, "note": note}


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f})"


def measure_all(*, skip_rebuild: bool = False) -> list[dict[str, Any]]:
    from sanad.reporting.services.summary import summary_refresh

    meta = _meta()
    rows: list[dict[str, Any]] = [
        _row(
            "generate",
            meta["seconds"] * 1000,
            f"{meta['individuals']:,} individuals in {meta['households']:,} households, "
            f"{meta['ledger']:,} records, {meta['first_month'][:7]}..{meta['last_month'][:7]}; "
            f"generated {meta['generated_at']}",
        )
    ]
    # Leftovers of an earlier run's incremental step.
    _sql("DELETE FROM assistance_assistancerecord WHERE source_type = 'bench.new'")
    if skip_rebuild:
        t = time.perf_counter()
        result = summary_refresh()
        rows.append(_row("rebuild", (time.perf_counter() - t) * 1000, "skipped: a plain refresh"))
    else:
        _say(f"rebuilding the summary ({_load()})")
        t = time.perf_counter()
        result = summary_refresh(rebuild=True)
        ms = (time.perf_counter() - t) * 1000
        rows.append(
            _row(
                "rebuild",
                ms,
                f"{len(result.months_rebuilt)} months, {result.records_read:,} records, "
                f"{result.records_read / (ms / 1000):,.0f} records/s; {_load()}",
            )
        )
        _say(f"rebuilt in {ms / 1000:.1f} s")
    _new_records(meta)
    t = time.perf_counter()
    result = summary_refresh()
    ms = (time.perf_counter() - t) * 1000
    rows.append(
        _row(
            "incremental",
            ms,
            f"{result.records_read:,} records read; months extended "
            f"{', '.join(result.months_extended) or '-'}, rebuilt "
            f"{', '.join(result.months_rebuilt) or '-'}",
        )
    )
    _say(f"incremental refresh in {ms:.0f} ms: {result.as_dict()}")

    checks: list[str] = []
    timings: dict[str, dict[str, Any]] = {}
    for scenario in ("dashboard", "quarter"):
        filters = _filters(meta, scenario)
        label = f"{filters.start:%Y-%m}..{filters.end:%Y-%m}" + (
            f" in {filters.governorate}" if filters.governorate else ""
        )
        got = _in_child(scenario, WARM_RUNS)
        timings[scenario] = got
        _say(f"{scenario} {label}: {got} ({_load()})")
        rows.append(
            _row(
                f"{scenario} cold",
                got["cold_ms"],
                f"{label}: {got['cells']:,} cells, {got['groups']} groups; {got['people']:,} "
                f"people, {got['households']:,} households; CPU of the process "
                f"{got['cold_cpu_ms']:.0f} ms; {_load()}",
            )
        )
        rows.append(
            _row(
                f"{scenario} warm",
                got["warm_ms"],
                f"CPU of the process {got['warm_cpu_ms']:.0f} ms",
                runs=WARM_RUNS,
            )
        )
        if "after_ms" in got:
            rows.append(
                _row(
                    f"{scenario} after",
                    got["after_ms"],
                    f"the month changed is read again, the others come from the cache; CPU of "
                    f"the process {got['after_cpu_ms']:.0f} ms",
                )
            )
        # Now (the dashboard's child added records): the figures the baselines must match.
        total = _engine_total(filters)
        engine = {"people": total.people, "households": total.households}

        _say(f"baseline people_reached for {scenario} (stopped after {BASELINE_TIMEOUT_S} s)")
        base_ms, base = _baseline(filters)
        if base is None:
            note = (
                f"stopped after {BASELINE_TIMEOUT_S} s: more than "
                f"{base_ms / got['warm_ms']:,.0f}× the summary's warm time"
            )
        else:
            note = (
                f"{_same(base, engine)}; the summary is {base_ms / got['warm_ms']:,.0f}× "
                f"faster warm, {base_ms / got['cold_ms']:,.0f}× cold"
            )
            checks.append(f"{scenario} (people_reached): {_same(base, engine)}")
        rows.append(_row(f"{scenario} people_reached", base_ms, note))
        _say(f"people_reached: {base_ms / 1000:.1f} s: {note}")

        _say(f"baseline SQL for {scenario}")
        sql_ms, sql = _sql_baseline(filters)
        note = (
            f"{_same(sql, engine)}; the summary is {sql_ms / got['warm_ms']:,.0f}× faster "
            f"warm, {sql_ms / got['cold_ms']:,.0f}× cold"
        )
        checks.append(f"{scenario} (SQL): {_same(sql, engine)}")
        rows.append(_row(f"{scenario} sql", sql_ms, note))
        _say(f"SQL: {sql_ms / 1000:.1f} s: {note}")

    filters = _filters(meta, "dashboard")
    ms, count, size = _rollup_build(filters)
    rows.append(
        _row(
            "rollup",
            ms,
            f"{count:,} rows (month × programme × governorate × district × place) for "
            f"{filters.start:%Y-%m}..{filters.end:%Y-%m}, {size / 1e6:.1f} MB of bitmaps",
        )
    )
    got = _in_child("rollup", WARM_RUNS)
    _say(f"roll-up: {got}")
    now = _engine_total(filters)
    same = (got["people"], got["households"]) == (now.people, now.households)
    rows.append(
        _row(
            "rollup cold",
            got["cold_ms"],
            f"{got['people']:,} people, {got['households']:,} households "
            f"({'the same as' if same else 'NOT the same as'} from the cells); CPU of the "
            f"process {got['cold_cpu_ms']:.0f} ms",
        )
    )
    rows.append(
        _row(
            "rollup warm",
            got["warm_ms"],
            f"CPU of the process {got['warm_cpu_ms']:.0f} ms",
            runs=WARM_RUNS,
        )
    )

    filters = _filters(meta, "fourw")
    got = _in_child("fourw", 3)
    _say(f"4W: {got}")
    rows.append(
        _row(
            "fourw cold",
            got["cold_ms"],
            f"{filters.start:%Y-%m}: {got['rows']:,} rows, {got['bytes'] / 1e6:.1f} MB "
            f"({got['how']}); CPU of the process {got['cold_cpu_ms']:.0f} ms",
        )
    )
    rows.append(
        _row(
            "fourw warm", got["warm_ms"], f"CPU of the process {got['warm_cpu_ms']:.0f} ms", runs=3
        )
    )
    fourw = got

    _sql("VACUUM FULL reporting_reachcell")  # the rebuild's dead rows out of the size
    cells, people_bytes, household_bytes = _rows(
        "SELECT count(*), coalesce(sum(length(people)), 0), coalesce(sum(length(households)), 0) "
        "FROM reporting_reachcell"
    )[0]
    table = _one("SELECT pg_total_relation_size('reporting_reachcell')")
    ledger = _one("SELECT pg_total_relation_size('assistance_assistancerecord')")
    database = _one("SELECT pg_database_size(current_database())")
    rows.append(
        _row(
            "size",
            0.0,
            f"{cells:,} cells; bitmaps {people_bytes / 1e6:,.1f} MB of people and "
            f"{household_bytes / 1e6:,.1f} MB of households; the table with its indexes "
            f"{table / 1e6:,.0f} MB (the ledger {ledger / 1e9:,.1f} GB, the database "
            f"{database / 1e9:,.1f} GB)",
            runs=0,
        )
    )
    dashboard = timings["dashboard"]
    worst = max(dashboard["cold_ms"], dashboard["warm_ms"])
    goals = [
        f"dashboard {dashboard['warm_ms']:.0f} ms warm, {dashboard['cold_ms']:.0f} ms cold "
        f"(goal < {GOAL_DASHBOARD_MS} ms: "
        + (
            "met"
            if worst < GOAL_DASHBOARD_MS
            else "met warm, NOT cold"
            if dashboard["warm_ms"] < GOAL_DASHBOARD_MS
            else "NOT met"
        )
        + ")",
        f"4W of a month {fourw['cold_ms'] / 1000:.1f} s cold, {fourw['warm_ms'] / 1000:.1f} s warm"
        f" (goal < {GOAL_FOURW_MS // 1000} s: "
        f"{'met' if max(fourw['cold_ms'], fourw['warm_ms']) < GOAL_FOURW_MS else 'NOT met'})",
        "figures against the ledger's: " + "; ".join(checks),
    ]
    rows.append(_row("goals", 0.0, "; ".join(goals), runs=0))
    return rows


def _engine_total(filters: Any) -> Any:
    from sanad.reporting.selectors.figures import reach

    return reach(filters=filters).total()


def _same(base: dict[str, Any], engine: dict[str, Any]) -> str:
    people = "same people" if base["people"] == engine["people"] else "people DIFFER"
    households = (
        "same households"
        if base["households"] == engine["households"]
        else f"households DIFFER by {engine['households'] - base['households']:+,}"
    )
    return f"{base['people']:,} people, {base['households']:,} households: {people}, {households}"


def _not_measured() -> list[dict[str, Any]]:
    return [
        {"name": name, "median_ms": 0.0, "runs": 0, "note": "PostgreSQL only: not measured"}
        for name in ROW_NAMES
    ]


def run() -> list[dict[str, Any]]:
    """`make bench` (benchmarks/run.py): on its PostgreSQL pass, the whole bench in a
    child process on its own database (on the same server), reused between runs."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return _not_measured()
    s = connection.settings_dict
    server = f"postgres://{s['USER']}" + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    server += f"@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    env = {**os.environ, "SANAD_BENCH_REPORTING_SERVER": server}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_reporting", "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError("bench_reporting failed (its log is above)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--skip-rebuild", action="store_true", help="refresh, don't rebuild")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=WARM_RUNS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scenario:  # a child: one scenario, cold then warm
        _setup_django()
        meta = _meta()
        print(json.dumps(_scenario(meta, args.scenario, args.runs)))
        return 0

    _ensure_database()
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    meta = _meta()
    if args.fresh or any(meta.get(k) != v for k, v in _wanted().items()):
        if meta and not args.fresh:
            _say(f"the database holds other sizes ({meta}): generating again")
        generate()
    else:
        _say(f"reusing the data generated {meta['generated_at']}")
    if args.generate_only:
        return 0
    rows = measure_all(skip_rebuild=args.skip_rebuild)
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            print(f"{r['name']:<66} {r['median_ms']:>11.1f} ms  {r['note']}")
    if args.drop:
        from django.db import connection

        connection.close()
        drop_database()
        _say(f"dropped {DB_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
