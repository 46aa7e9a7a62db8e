"""`sanad dedup_file`: the command-line contract."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dedup.test_engine import background

HEADER = [
    "record_id",
    "household_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "sex",
    "date_of_birth",
    "phone",
    "document_number",
    "address",
    "admin1_pcode",
    "admin2_pcode",
    "notes",  # unknown: ignored
]


def _rows(records: list) -> list[list[str]]:
    return [
        [
            r.record_id,
            r.household_id,
            r.given_name,
            r.father_name,
            r.grandfather_name,
            r.family_name,
            r.full_name,
            r.sex,
            r.date_of_birth,
            r.phone,
            r.document_number,
            r.address,
            r.admin1_pcode,
            r.admin2_pcode,
            "-",
        ]
        for r in records
    ]


DUPLICATES = [
    [
        "a1",
        "H1",
        "محمد",
        "عبد الله",
        "حسين",
        "الجبوري",
        "",
        "male",
        "1984-03-12",
        "07701234567",
        "",
        "",
        "IQG09",
        "IQG09Q03",
        "",
    ],
    [
        "a2",
        "H2",
        "Mohammed",
        "Abdullah",
        "Hussein",
        "Al-Jubouri",
        "",
        "male",
        "1984-03-12",
        "+964 770 123 4567",
        "",
        "",
        "IQG09",
        "IQG09Q05",
        "",
    ],
    [
        "a3",
        "H3",
        "",
        "",
        "",
        "",
        "Mohamed Abdulla Husain Aljubouri",
        "m",
        "1984-03-12",
        "",
        "",
        "",
        "IQG09",
        "IQG09Q03",
        "",
    ],
    [
        "b1",
        "H4",
        "زينب",
        "عمر",
        "خالد",
        "الدليمي",
        "",
        "female",
        "1990-01-20",
        "",
        "A123456",
        "",
        "IQG01",
        "IQG01Q02",
        "",
    ],
    [
        "b2",
        "H5",
        "Zainab",
        "Omar",
        "Khalid",
        "Al-Dulaimi",
        "",
        "female",
        "1990-01-20",
        "",
        "A123456",
        "",
        "IQG01",
        "IQG01Q02",
        "",
    ],
]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def people(tmp_path: Path) -> Path:
    return _write(tmp_path / "people.csv", _rows(background(300)) + DUPLICATES)


def test_pairs_and_clusters(people: Path, tmp_path: Path) -> None:
    out, clusters = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    call_command(
        "dedup_file", str(people), "--out", str(out), "--clusters", str(clusters), verbosity=0
    )
    rows = _read(out)
    assert rows[0] == ["record_id_l", "record_id_r", "match_probability"]
    found = {frozenset(r[:2]): float(r[2]) for r in rows[1:]}
    assert frozenset(("a1", "a2")) in found
    assert frozenset(("b1", "b2")) in found
    assert all(p >= 0.9 for p in found.values())
    assert all(len(r[2].split(".")[1]) == 6 for r in rows[1:])  # 6 decimal places
    cl = _read(clusters)
    assert cl[0] == ["record_id", "cluster_id"]
    of = dict(cl[1:])
    assert of["a1"] == of["a2"] == of["a3"] == "a1"
    assert of["b1"] == of["b2"] == "b1"


def test_threshold(people: Path, tmp_path: Path) -> None:
    low, high = tmp_path / "low.csv", tmp_path / "high.csv"
    call_command("dedup_file", str(people), "--out", str(low), "--threshold", "0.01", verbosity=0)
    call_command(
        "dedup_file", str(people), "--out", str(high), "--threshold", "0.999999", verbosity=0
    )
    low_rows, high_rows = _read(low)[1:], _read(high)[1:]
    assert len(low_rows) > len(high_rows)
    assert all(float(r[2]) >= 0.01 for r in low_rows)
    assert all(float(r[2]) >= 0.999999 for r in high_rows)
    with pytest.raises(CommandError):
        call_command(
            "dedup_file", str(people), "--out", str(low), "--threshold", "1.5", verbosity=0
        )


def test_link_two_files(tmp_path: Path) -> None:
    left = _write(
        tmp_path / "left.csv", DUPLICATES[:1] + DUPLICATES[3:4] + _rows(background(150, 1))
    )
    # The same record ids appear in the second file, for other people.
    right_rows = [
        ["a1", "X1", *DUPLICATES[1][2:]],
        ["b1", "X2", *DUPLICATES[4][2:]],
        *_rows(background(150, 2)),
    ]
    right = _write(tmp_path / "right.csv", right_rows, bom=False)
    out, clusters = tmp_path / "links.csv", tmp_path / "clusters.csv"
    call_command(
        "dedup_file",
        str(left),
        "--link",
        str(right),
        "--out",
        str(out),
        "--clusters",
        str(clusters),
        verbosity=0,
    )
    rows = _read(out)[1:]
    assert ["a1", "a1"] in [r[:2] for r in rows]
    assert ["b1", "b1"] in [r[:2] for r in rows]
    cl = _read(clusters)
    assert cl[0] == ["record_id", "cluster_id", "file"]
    assert ["a1", "a1", "left.csv"] in cl and ["a1", "a1", "right.csv"] in cl


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("given_name\nAli\n", "record_id"),
        ("record_id,given_name\n7,Ali\n7,Omar\n", "duplicate record ids: 7"),
    ],
)
def test_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("dedup_file", str(path), "--out", str(tmp_path / "o.csv"), verbosity=0)


def test_missing_files(people: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("dedup_file", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "dedup_file",
            str(people),
            "--link",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command("dedup_file", str(people), "--out", str(tmp_path / "no" / "o.csv"))


def test_exit_status_and_progress(people: Path, tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanad.settings"}
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAli\n", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "sanad", "dedup_file", str(bad), "--out", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert failed.returncode != 0
    assert "record_id" in failed.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sanad",
            "dedup_file",
            str(people),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "%" in done.stderr  # the progress bar
    assert (tmp_path / "o.csv").exists()


def test_a_small_file_uses_the_reference_weights_and_finds_a_cross_script_duplicate(tmp_path):
    """Five records cannot teach the weights: the reference ones are used, so the same
    man written in Arabic and in Latin letters (day and month swapped) is still found,
    and Hassan is not taken for Hussein."""
    from django.core.management import call_command

    people = tmp_path / "people.csv"
    people.write_text(
        "record_id,household_id,given_name,father_name,grandfather_name,family_name,sex,date_of_birth,phone\n"
        "1,H1,محمد,عبد الرحمن,علي,الجبوري,M,1985-03-12,07701234567\n"
        "2,H2,Mohammed,Abdul Rahman,Ali,Al-Jubouri,M,1985-12-03,+9647701234567\n"
        "3,H1,حسن,محمد,عبد الرحمن,الجبوري,M,2010-01-01,\n"
        "4,H3,Hussein,Mohammed,Abdulrahman,Jubouri,M,2010,\n"
        "5,H4,فاطمة,حسين,كاظم,,F,1990-05-05,\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.csv"
    call_command("dedup_file", str(people), "--out", str(out), verbosity=0)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "record_id_l,record_id_r,match_probability"
    assert [r.split(",")[:2] for r in rows[1:]] == [["1", "2"]]
