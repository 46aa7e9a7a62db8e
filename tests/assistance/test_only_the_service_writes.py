"""The ledger's rules hold only if nothing else writes it: a module that creates
AssistanceRecord rows itself would skip validation and idempotency."""

from __future__ import annotations

import re
from pathlib import Path

import sanad

ROOT = Path(sanad.__file__).resolve().parent
SERVICE = ROOT / "assistance" / "services.py"
WRITES = re.compile(
    r"AssistanceRecord\s*\.\s*objects\s*\.\s*(create|bulk_create|get_or_create|update_or_create|update)\b"
    r"|AssistanceRecord\s*\(",
)


def test_nothing_but_the_ledger_service_writes_assistance_records():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path == SERVICE or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("class AssistanceRecord("):
                continue  # the model itself
            if WRITES.search(line):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    assert not offenders, "Write the ledger through sanad.assistance.services:\n" + "\n".join(
        offenders
    )


def test_the_check_would_catch_a_module_creating_records_itself():
    assert WRITES.search("AssistanceRecord.objects.create(household=h)")
    assert WRITES.search("AssistanceRecord.objects.bulk_create(rows)")
    assert WRITES.search("record = AssistanceRecord(household=h); record.save()")
    assert not WRITES.search("AssistanceRecord.objects.filter(household=h)")
