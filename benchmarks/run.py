"""`make bench`: run every benchmarks/bench_*.py on a fresh SQLite database (and on
PostgreSQL when DATABASE_URL is set), print a table and write docs/benchmarks.md with
the machine the numbers came from. Compare ratios within one run: the machine is shared
and noisy."""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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
        kb = int(
            next(
                x
                for x in Path("/proc/meminfo").read_text().splitlines()
                if x.startswith("MemTotal")
            ).split()[1]
        )
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sanad-bench-")
    os.environ.setdefault("SANAD_VAR_DIR", tmp)
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

        setup_databases(verbosity=0, interactive=False)
    call_command("migrate", verbosity=0)
    backend = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}".strip()

    sections = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        print(f"== {path.stem}: {module.__doc__.strip().splitlines()[0]}")
        rows = module.run()
        header = "| measurement | median | runs | note |\n| --- | ---: | ---: | --- |"
        lines = [
            f"| {r['name']} | {r['median_ms']:.2f} ms | {r['runs']} | {r.get('note', '')} |"
            for r in rows
        ]
        for r in rows:
            print(
                f"  {r['name']:<60} {r['median_ms']:>9.2f} ms  ({r['runs']} runs) {r.get('note', '')}"
            )
        sections.append(
            f"## {path.stem}\n\n{module.__doc__.strip()}\n\n{header}\n" + "\n".join(lines)
        )

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# Benchmarks\n\n"
        "Written by `make bench` (benchmarks/run.py). Numbers are medians of repeated runs in one "
        "process on a shared, noisy machine: compare the ratios within one run, not absolute "
        "times across runs.\n\n"
        f"- Run: {stamp}\n- Machine: {machine()}\n- Database: {backend}\n\n"
        + "\n\n".join(sections)
        + "\n"
    )
    (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")
    print(f"\nWrote docs/benchmarks.md ({backend}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
