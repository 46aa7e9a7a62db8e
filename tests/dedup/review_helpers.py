"""Helpers of the deduplication product tests (review, merges, runs, pages, API).

`FakeEngine` stands in for `sanad.dedup.engine` where a test needs to decide exactly
which pairs a run finds: two records of different households with the same date of
birth and sex are a pair, "very likely" when their given names are the same. Tests
that run the real engine say so (`real_engine`)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import types
from pathlib import Path
from typing import Any

import pytest

from sanad.dedup import services
from sanad.dedup.models import DedupRun
from sanad.dedup.services import records as engine_side
from sanad.registry.models import Household
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household, member_data


@dataclasses.dataclass
class Record:
    record_id: str
    household_id: str = ""
    given_name: str = ""
    father_name: str = ""
    grandfather_name: str = ""
    family_name: str = ""
    full_name: str = ""
    sex: str = ""
    date_of_birth: str = ""
    dob_estimated: bool = False
    phone: str = ""
    document_number: str = ""
    address: str = ""
    admin1_pcode: str = ""
    admin2_pcode: str = ""
    relationship: str = ""


@dataclasses.dataclass
class Contribution:
    field: str
    level: str
    weight: float
    left: str
    right: str


@dataclasses.dataclass
class Pair:
    left: str
    right: str
    probability: float
    weight: float
    contributions: list[Contribution]


class DedupInputError(Exception):
    pass


def _read_csv(path: str) -> list[Record]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise DedupInputError(f"cannot read {path}") from exc
    if not rows or "record_id" not in rows[0]:
        raise DedupInputError("the file has no record_id column")
    names = {f.name for f in dataclasses.fields(Record)}
    return [Record(**{k: v for k, v in row.items() if k in names}) for row in rows]


def _pair(a: Record, b: Record) -> Pair | None:
    if (a.household_id and a.household_id == b.household_id) or not a.date_of_birth:
        return None
    if (a.date_of_birth, a.sex) != (b.date_of_birth, b.sex):
        return None
    same = a.given_name == b.given_name
    contributions = [
        Contribution(
            "given_name",
            "exact" if same else "different",
            4.0 if same else -2.0,
            a.given_name,
            b.given_name,
        ),
        Contribution("date_of_birth", "exact", 3.0, a.date_of_birth, b.date_of_birth),
    ]
    weight = sum(c.weight for c in contributions)
    left, right = sorted((a, b), key=lambda r: r.record_id)
    return Pair(left.record_id, right.record_id, 0.99 if same else 0.6, weight, contributions)


def _find_pairs(records, *, link=None, threshold=0.95, params=None, progress=None):
    pairs = []
    if link is None:
        for i, a in enumerate(records):
            for b in records[i + 1 :]:
                p = _pair(a, b)
                if p is not None and p.probability >= threshold:
                    pairs.append(p)
    else:
        for a in records:
            for b in link:
                p = _pair(a, b)
                if p is not None and p.probability >= threshold:
                    p.left, p.right = a.record_id, b.record_id
                    pairs.append(p)
    if progress:
        progress(1, 1, "scoring")
    params = types.SimpleNamespace(to_dict=lambda: {"fake": True})
    return types.SimpleNamespace(pairs=pairs, params=params, stats={"records": len(records)})


class Params:
    @classmethod
    def from_dict(cls, data):
        return data


FAKE = types.SimpleNamespace(
    Record=Record,
    Params=Params,
    find_pairs=_find_pairs,
    read_csv=_read_csv,
    DedupInputError=DedupInputError,
    FLAG_THRESHOLD=0.95,
    REVIEW_THRESHOLD=0.5,
    reference_params=lambda: {"reference": True},
)


@pytest.fixture
def fake_engine(monkeypatch: Any) -> Any:
    monkeypatch.setattr(engine_side, "engine", lambda: FAKE)
    return FAKE


@pytest.fixture
def reviewer(db: Any) -> Any:
    return make_user("im_officer", username="reviewer")


def family(*, governorate: str = DUHOK, latin: bool = True, **data: Any) -> Household:
    """A household of three: a head, his wife and a son, always the same people."""
    members = [
        member_data(
            relationship="head",
            sex="male",
            date_of_birth=datetime.date(1980, 5, 1),
            given_name_ar="أحمد",
            given_name_en="Ahmed",
            fathers_name_ar="علي",
            fathers_name_en="Ali",
        ),
        member_data(
            relationship="spouse",
            sex="female",
            date_of_birth=datetime.date(1983, 7, 9),
            given_name_ar="فاطمة",
            given_name_en="Fatima",
        ),
        member_data(
            relationship="son",
            sex="male",
            date_of_birth=datetime.date(2010, 1, 15),
            given_name_ar="يوسف",
            given_name_en="Yousef",
        ),
    ]
    if not latin:
        for m in members:
            for key in [k for k in m if k.endswith("_en")]:
                m[key] = ""
    return make_household(governorate=governorate, members=members, **data)


def run_now(*, user: Any, **kwargs: Any) -> DedupRun:
    """Start a run and execute it here (not through the job)."""
    run = DedupRun.objects.create(
        kind=DedupRun.Kind.BATCH if kwargs.get("import_batch") else DedupRun.Kind.REGISTRY,
        flag_threshold=kwargs.pop("flag_threshold", 0.95),
        review_threshold=kwargs.pop("review_threshold", 0.5),
        governorates=kwargs.pop("governorates", []),
        created_by=user,
        **kwargs,
    )
    services.run_execute(run=run)
    run.refresh_from_db()
    return run


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = sorted({k for row in rows for k in row})
    fields.remove("record_id")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["record_id", *fields])
        writer.writeheader()
        writer.writerows(rows)
    return path
