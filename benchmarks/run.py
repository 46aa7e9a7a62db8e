"""`make bench`: run every benchmarks/bench_*.py on a fresh SQLite database and, when
PostgreSQL answers (DATABASE_URL, or the local server on 127.0.0.1:5432), on
PostgreSQL; print a table and write docs/benchmarks.md with the machine the numbers
came from. Compare ratios within one run: the machine is shared and noisy."""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/sanad_bench"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def run_one_backend() -> dict:
    """In a child process: set Django up on the backend in DATABASE_URL, run every bench."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "sanad.settings"
    os.environ["SANAD_TASK_BACKEND"] = "immediate"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if connection.vendor == "postgresql":
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)  # a throw-away test_ database
    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        backend = f"SQLite {connection.Database.sqlite_version} (WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            backend = f"PostgreSQL {cursor.fetchone()[0]}"
    results = []
    first_pass = connection.vendor == "sqlite"
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        once = getattr(module, "BACKEND_INDEPENDENT", False)  # runs on the first database only
        rows = module.run() if first_pass or not once else None
        results.append({"name": path.stem, "doc": module.__doc__.strip(), "rows": rows})
    if connection.vendor == "postgresql":
        from django.test.utils import teardown_databases

        connection.close()
        teardown_databases(
            [(connection, settings.DATABASES["default"]["NAME"].removeprefix("test_"), True)], 0
        )
    return {"backend": backend, "results": results}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    probe = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    return PG_DEFAULT if probe.returncode == 0 else None


def main() -> int:
    if "--child" in sys.argv:
        print(json.dumps(run_one_backend()))
        return 0
    runs = []
    targets = [("sqlite", None)]
    if (pg := postgres_url()) is not None:
        targets.append(("postgresql", pg))
    for label, url in targets:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SANAD_VAR_DIR"] = tempfile.mkdtemp(prefix=f"sanad-bench-{label}-")
        if url:
            env["DATABASE_URL"] = url
        print(f"== {label}", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr[-3000:])
            return out.returncode
        data = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(data)
        for bench in data["results"]:
            if bench["rows"] is None:
                continue
            print(f"  {bench['name']}")
            for r in bench["rows"]:
                print(
                    f"    {r['name']:<62} {r['median_ms']:>9.2f} ms  ({r['runs']} runs) {r.get('note', '')}"
                )

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmarks\n",
        "Written by `make bench` (benchmarks/run.py). Numbers are medians of repeated runs in one "
        "process on a shared, noisy machine: compare ratios within one run, not absolute times "
        "across runs.\n",
        f"- Run: {stamp}\n- Machine: {machine()}\n- Databases: "
        + "; ".join(r["backend"] for r in runs)
        + "\n",
    ]
    names = [b["name"] for b in runs[0]["results"]]
    for i, name in enumerate(names):
        parts.append(f"## {name}\n\n{runs[0]['results'][i]['doc']}\n")
        ran = [r for r in runs if r["results"][i]["rows"] is not None]
        if len(ran) < len(runs):  # independent of the database: one column
            header = "| measurement | result (no database involved) |"
        else:
            header = "| measurement | " + " | ".join(r["backend"] for r in ran) + " |"
        parts.append(header + "\n|---|" + "---:|" * len(ran))
        for j, row in enumerate(ran[0]["results"][i]["rows"]):
            cells = []
            for r in ran:
                cell_row = r["results"][i]["rows"][j]
                note = f" ({cell_row['note']})" if cell_row.get("note") else ""
                cells.append(f"{cell_row['median_ms']:.2f} ms{note}")
            parts.append(f"| {row['name']} | " + " | ".join(cells) + " |")
        parts.append("")
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(parts), encoding="utf-8")
    print("\nWrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
