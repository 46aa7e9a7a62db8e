"""The matching engine: scoring, relatives, household context, partitions, estimation,
clustering, CSV input."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from sanad.dedup.engine import (
    FLAG_THRESHOLD,
    REVIEW_THRESHOLD,
    Contribution,
    DedupInputError,
    Pair,
    Params,
    Record,
    clusters,
    combine_partitions,
    estimate_params,
    find_pairs,
    read_csv,
)
from sanad.dedup.engine.pipeline import _apply_household_context, parse_date
from sanad.registry.demo.names import ARAB_FAMILY, ARAB_FEMALE, ARAB_MALE

# Parameters as estimated on 20,000 synthetic Iraqi records (rounded): the tests of the
# scoring rules do not depend on the estimation.
_MU = {
    "given_name": (
        [0.5509, 0.3783, 0.0327, 0.0025, 0.0072, 0.0284],
        [0.00703, 0.00727, 0.0023, 0.000242, 0.00999, 0.973],
    ),
    "father_name": (
        [0.5474, 0.3912, 0.036, 0.0082, 0.0068, 0.0105],
        [0.012, 0.00976, 0.00149, 0.00031, 0.0149, 0.962],
    ),
    "grandfather_name": (
        [0.586, 0.3677, 0.03, 0.0001, 0.0078, 0.0085],
        [0.0115, 0.00977, 0.00163, 0.000299, 0.0158, 0.961],
    ),
    "family_name": (
        [0.5334, 0.4067, 0.0292, 0.0139, 0.0002, 0.0166],
        [0.0188, 0.0148, 0.0021, 0.000391, 0.00807, 0.956],
    ),
    "date_of_birth": (
        [0.6485, 0.0289, 0.0337, 0.0004, 0.2183, 0.0696, 0.0006],
        [6.85e-05, 1.52e-05, 0.00129, 0.00239, 0.00318, 0.00623, 0.987],
    ),
    "sex": ([0.9867, 0.0133], [0.501, 0.499]),
    "phone": ([0.6381, 0.3619], [6.82e-05, 1.0]),
    "document_number": ([0.997, 0.001, 0.002], [2.59e-05, 6.48e-06, 1.0]),
    "location": ([0.6988, 0.1982, 0.103], [0.132, 0.177, 0.691]),
    "address": ([0.8181, 0.0055, 0.1028, 0.0737], [0.0535, 0.0252, 0.197, 0.724]),
}
PARAMS = Params(
    m={f: list(mu[0]) for f, mu in _MU.items()},
    u={f: list(mu[1]) for f, mu in _MU.items()},
    matches_per_record=0.088,
    records=20000,
)


def background(n: int = 400, seed: int = 7) -> list[Record]:
    """People with Arabic names, each in a household of their own."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        female = rnd.random() < 0.5
        given = (ARAB_FEMALE if female else ARAB_MALE).pick(rnd.random())[0]
        out.append(
            Record(
                record_id=f"bg{i}",
                household_id=f"bgh{i}",
                given_name=given,
                father_name=ARAB_MALE.pick(rnd.random())[0],
                grandfather_name=ARAB_MALE.pick(rnd.random())[0],
                family_name=ARAB_FAMILY.pick(rnd.random())[0],
                sex="female" if female else "male",
                date_of_birth=f"{rnd.randint(1950, 2020)}-{rnd.randint(1, 12):02d}-{rnd.randint(2, 28):02d}",
                phone=f"0770{rnd.randint(1000000, 9999999)}",
                admin1_pcode="IQG09",
                admin2_pcode=f"IQG09Q0{rnd.randint(1, 6)}",
            )
        )
    return out


def person(rid: str, hh: str, names: str, dob: str, sex: str = "male", **kw: Any) -> Record:
    given, father, grandfather, family = [*names.split("|"), "", "", ""][:4]
    defaults: dict[str, Any] = {"admin1_pcode": "IQG09", "admin2_pcode": "IQG09Q03"}
    defaults.update(kw)
    return Record(
        record_id=rid,
        household_id=hh,
        given_name=given,
        father_name=father,
        grandfather_name=grandfather,
        family_name=family,
        sex=sex,
        date_of_birth=dob,
        **defaults,
    )


def scored(records: list[Record], **kw: Any) -> dict[frozenset[str], Pair]:
    result = find_pairs(records, params=PARAMS, threshold=0.0, **kw)
    return {frozenset((p.left, p.right)): p for p in result.pairs}


def prob(pairs: dict[frozenset[str], Pair], a: str, b: str) -> float:
    p = pairs.get(frozenset((a, b)))
    return p.probability if p else 0.0


def level(pair: Pair, field: str) -> str:
    return next(c.level for c in pair.contributions if c.field == field)


# --- duplicates are found ------------------------------------------------------------------


def test_cross_script_duplicate_is_flagged() -> None:
    records = [
        *background(),
        person("a", "h1", "محمد|عبد الله|حسين|الجبوري", "1984-03-12", phone="07701234567"),
        person(
            "b", "h2", "Mohammed|Abdullah|Hussein|Al-Jubouri", "1984-03-12", admin2_pcode="IQG09Q05"
        ),
    ]
    pairs = scored(records)
    pair = pairs[frozenset(("a", "b"))]
    assert pair.probability >= FLAG_THRESHOLD
    assert level(pair, "given_name") == "transliterated"
    assert level(pair, "father_name") == "transliterated"
    assert level(pair, "family_name") == "transliterated"
    assert level(pair, "date_of_birth") == "exact"
    shown = {c.field: (c.left, c.right) for c in pair.contributions}
    assert shown["given_name"] == ("محمد", "Mohammed")
    # The weight is the prior plus every contribution.
    assert pair.weight == pytest.approx(
        pair.weight
        - sum(c.weight for c in pair.contributions)
        + sum(c.weight for c in pair.contributions)
    )


def test_full_name_only_record_meets_the_name_parts() -> None:
    records = [
        *background(),
        person("a", "h1", "عبد الرحمن|خالد|إبراهيم|الدليمي", "1990", dob_estimated=True),
        Record(
            record_id="b",
            household_id="h2",
            full_name="Abdulrahman Khaled Ibrahim Al-Dulaimi",
            sex="male",
            date_of_birth="1990-05-02",
            admin1_pcode="IQG09",
            admin2_pcode="IQG09Q03",
        ),
    ]
    pair = scored(records)[frozenset(("a", "b"))]
    assert pair.probability >= FLAG_THRESHOLD
    assert level(pair, "date_of_birth") == "year_only"
    assert level(pair, "grandfather_name") == "transliterated"


def test_spelling_variants_in_latin_letters() -> None:
    records = [
        *background(),
        person("a", "h1", "Youssef|Hussain|Qasim|Al-Obaidi", "2001-07-15"),
        person("b", "h2", "Yousef|Hussein|Kasim|Alobaidi", "2001-07-15"),
    ]
    pair = scored(records)[frozenset(("a", "b"))]
    assert pair.probability >= FLAG_THRESHOLD
    assert level(pair, "given_name") in {"exact", "same_skeleton"}


def test_day_and_month_swapped() -> None:
    records = [
        *background(),
        person("a", "h1", "زينب|علي|حسن|الشمري", "1995-04-11", sex="female"),
        person("b", "h2", "زينب|علي|حسن|الشمري", "1995-11-04", sex="female"),
    ]
    assert level(scored(records)[frozenset(("a", "b"))], "date_of_birth") == "day_month_swapped"


def test_given_and_family_names_swapped() -> None:
    records = [
        *background(),
        person("a", "h1", "Khalid|||Jubouri", "1970-02-03", document_number="A1234567"),
        person("b", "h2", "Jubouri|||Khalid", "1970-02-03", document_number="A1234567"),
    ]
    pair = scored(records)[frozenset(("a", "b"))]
    assert level(pair, "given_name") == "exact"
    assert level(pair, "family_name") == "exact"
    assert pair.probability >= FLAG_THRESHOLD


# --- relatives are not duplicates -----------------------------------------------------------


def test_brothers_are_not_duplicates() -> None:
    common = {"phone": "07712345678", "address": "Hay al-Tahrir, street 4"}
    records = [
        *background(),
        person("a", "h1", "أحمد|علي|حسين|الجبوري", "1990-03-01", **common),
        person("b", "h2", "عمر|علي|حسين|الجبوري", "1992-06-15", **common),
    ]
    assert prob(scored(records), "a", "b") < REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("حسن", "حسين"),  # the usual twins' names, same script
        ("Hassan", "حسين"),  # across scripts: same skeleton, other written vowels
        ("Hussein", "Hassan"),
        ("محمد", "محمود"),
        ("أحمد", "عمر"),
    ],
)
def test_twins_are_not_duplicates(first: str, second: str) -> None:
    common = {"phone": "07712345678", "address": "Hay al-Tahrir, street 4"}
    records = [
        *background(),
        person("a", "h1", f"{first}|علي|كاظم|الجبوري", "2005-09-20", **common),
        person("b", "h2", f"{second}|علي|كاظم|الجبوري", "2005-09-20", **common),
    ]
    pair = scored(records).get(frozenset(("a", "b")))
    assert pair is None or pair.probability < REVIEW_THRESHOLD
    if pair is not None:
        assert level(pair, "given_name") == "different"
        # The lineage, the date of birth, the phone say "same family", not "same person".
        assert all(
            c.weight <= 0
            for c in pair.contributions
            if c.field
            in {"father_name", "grandfather_name", "family_name", "date_of_birth", "phone"}
        )


def test_father_and_son_with_the_same_given_name() -> None:
    # A son named after his grandfather shares the given name with… his father's
    # father; and father and son may share a given name too.
    records = [
        *background(),
        person("father", "h1", "علي|حسين|كاظم|الجبوري", "1958-01-10"),
        person("son", "h2", "علي|علي|حسين|الجبوري", "1985-06-02"),
        person("grandson", "h3", "علي|محمد|علي|الجبوري", "2010-02-14"),
    ]
    pairs = scored(records)
    assert prob(pairs, "father", "son") < REVIEW_THRESHOLD
    assert prob(pairs, "son", "grandson") < REVIEW_THRESHOLD
    assert prob(pairs, "father", "grandson") < REVIEW_THRESHOLD


def test_members_of_one_household_are_never_paired() -> None:
    records = [
        *background(),
        person("a", "h1", "فاطمة|علي|حسن|العبيدي", "2000-01-05", sex="female"),
        person("b", "h1", "فاطمة|علي|حسن|العبيدي", "2000-01-05", sex="female"),
    ]
    assert frozenset(("a", "b")) not in scored(records)


def test_a_common_whole_name_is_weaker_evidence() -> None:
    people = [
        person(f"c{i}", f"hc{i}", "محمد|علي|حسين|الجبوري", f"{1960 + i}-0{1 + i % 9}-1{i % 9}")
        for i in range(12)
    ]
    records = [
        *background(1000),  # enough records to tell how common a name is
        *people,
        person("a", "h1", "نوفل|شاكر|عواد|الكربولي", "1977", dob_estimated=True),
        person("b", "h2", "نوفل|شاكر|عواد|الكربولي", "1977", dob_estimated=True),
    ]
    pairs = scored(records)
    common = pairs[frozenset(("c0", "c1"))]
    assert any(c.field == "full_name" and c.weight < 0 for c in common.contributions)
    assert common.probability < REVIEW_THRESHOLD  # same name, different dates: not flagged
    assert prob(pairs, "a", "b") > common.probability  # a rare whole name counts more


# --- household context ----------------------------------------------------------------------


def _two_registrations(households: bool) -> list[Record]:
    family = [
        ("حيدر|كاظم|جعفر|البياتي", "Haidar|Kadhim|Jafar|Al-Bayati", "1975", "male"),
        ("زهراء|عباس|مهدي|البياتي", "Zahraa|Abbas|Mahdi|Al-Bayati", "1979", "female"),
        ("كرار|حيدر|كاظم|البياتي", "Karrar|Haidar|Kadhim|Al-Bayati", "2004", "male"),
    ]
    records = [*background(1000)]
    for i, (ar, latin, year, sex) in enumerate(family):
        # Estimated birth years, and a move to another governorate: each pair alone is
        # in the grey zone.
        records.append(
            person(f"a{i}", "ha" if households else f"ha{i}", ar, year, sex, dob_estimated=True)
        )
        records.append(
            person(
                f"b{i}",
                "hb" if households else f"hb{i}",
                latin,
                year,
                sex,
                dob_estimated=True,
                admin1_pcode="IQG01",
                admin2_pcode="IQG01Q02",
            )
        )
    return records


def test_household_context_raises_matching_members() -> None:
    alone = scored(_two_registrations(households=False))
    together = scored(_two_registrations(households=True))
    for i in range(3):
        key = frozenset((f"a{i}", f"b{i}"))
        assert not any(c.field == "household" for c in alone[key].contributions)
        assert REVIEW_THRESHOLD <= alone[key].probability < FLAG_THRESHOLD
        bonus = [c for c in together[key].contributions if c.field == "household"]
        assert bonus and bonus[0].weight > 0 and bonus[0].level == "3_members_match"
        assert together[key].probability > alone[key].probability
        assert together[key].weight == pytest.approx(alone[key].weight + bonus[0].weight)


def _pair(left: str, right: str, p: float, hl: str = "A", hr: str = "B") -> Pair:
    import math

    return Pair(left, right, p, math.log2(p / (1 - p)), [], hl, hr)


def test_household_context_is_one_to_one() -> None:
    # A1 matches B1 and, less well, B2 (his brother's re-registration).
    pairs = [_pair("A1", "B1", 0.9), _pair("A2", "B2", 0.8), _pair("A1", "B2", 0.6)]
    _apply_household_context(pairs)
    by = {(p.left, p.right): p for p in pairs}
    assert any(c.field == "household" for c in by[("A1", "B1")].contributions)
    assert any(c.field == "household" for c in by[("A2", "B2")].contributions)
    assert not by[("A1", "B2")].contributions
    assert by[("A1", "B1")].probability > 0.9


def test_a_pair_alone_in_its_households_gets_no_bonus() -> None:
    pairs = [_pair("A1", "B1", 0.9), _pair("A2", "C1", 0.9, "A", "C")]
    _apply_household_context(pairs)
    assert all(not p.contributions for p in pairs)
    below = [_pair("A1", "B1", 0.9), _pair("A2", "B2", 0.3)]  # under the review threshold
    _apply_household_context(below)
    assert all(not p.contributions for p in below)


# --- partitions, parameters, estimation ------------------------------------------------------


def _with_duplicates(n: int = 300, seed: int = 11) -> list[Record]:
    base = background(n, seed)
    rnd = random.Random(seed)
    dups = []
    for r in rnd.sample(base, n // 5):
        dups.append(
            Record(
                record_id="d" + r.record_id,
                household_id="d" + r.household_id,
                given_name=r.given_name,
                father_name=r.father_name,
                grandfather_name=r.grandfather_name if rnd.random() < 0.7 else "",
                family_name=r.family_name,
                sex=r.sex,
                date_of_birth=r.date_of_birth if rnd.random() < 0.7 else r.date_of_birth[:4],
                phone=r.phone if rnd.random() < 0.5 else "",
                admin1_pcode=r.admin1_pcode,
                admin2_pcode=r.admin2_pcode,
            )
        )
    return base + dups


def test_partitions_together_equal_the_whole() -> None:
    records = _with_duplicates()
    whole = find_pairs(records, params=PARAMS, threshold=REVIEW_THRESHOLD)
    parts = [
        find_pairs(records, params=PARAMS, threshold=REVIEW_THRESHOLD, partition=(i, 3))
        for i in range(3)
    ]
    combined = combine_partitions(parts, threshold=REVIEW_THRESHOLD)
    assert sum(p.stats["candidate_pairs"] for p in parts) == whole.stats["candidate_pairs"]
    key = [(p.left, p.right, round(p.probability, 9)) for p in whole.pairs]
    assert [(p.left, p.right, round(p.probability, 9)) for p in combined.pairs] == key
    assert len(key) > 20


def test_partition_needs_parameters() -> None:
    with pytest.raises(ValueError):
        find_pairs(_with_duplicates(50), partition=(0, 2))
    with pytest.raises(ValueError):
        find_pairs(_with_duplicates(50), params=PARAMS, partition=(2, 2))


def test_parameters_round_trip_through_json() -> None:
    data = json.loads(json.dumps(PARAMS.to_dict()))
    again = Params.from_dict(data)
    for f, ws in PARAMS.weights().items():
        assert again.weights()[f] == pytest.approx(ws, abs=1e-4)
    data["fields"]["sex"]["levels"] = ["same"]
    with pytest.raises(ValueError):
        Params.from_dict(data)


def test_estimation_from_the_data() -> None:
    records = _with_duplicates(600, seed=5)
    steps: list[tuple[int, int, str]] = []
    result = find_pairs(records, progress=lambda d, t, m: steps.append((d, t, m)))
    truth = {
        frozenset((r.record_id, "d" + r.record_id))
        for r in records
        if not r.record_id.startswith("d")
    }
    truth = {t for t in truth if all(any(r.record_id == x for r in records) for x in t)}
    found = {frozenset((p.left, p.right)) for p in result.pairs}
    tp = len(found & truth)
    assert tp / len(truth) > 0.8
    assert tp / max(len(found), 1) > 0.9
    assert steps and steps[-1][0] == steps[-1][1]
    assert result.stats["candidate_pairs"] > 0 and "seconds" in result.stats
    # The estimated parameters can be stored and used again, with the same result.
    params = Params.from_dict(json.loads(json.dumps(result.params.to_dict())))
    again = find_pairs(records, params=params)
    assert {frozenset((p.left, p.right)) for p in again.pairs} == found
    assert estimate_params(records).matches_per_record == pytest.approx(
        result.params.matches_per_record, rel=1e-6
    )


def test_link_pairs_only_across_the_two_lists() -> None:
    left = [
        person("1", "x1", "محمد|علي|حسين|الجبوري", "1984-03-12"),
        person("2", "x2", "زينب|عمر|خالد|الدليمي", "1990-01-20", sex="female"),
    ]
    right = [
        *background(100),
        person("1", "y1", "Mohammed|Ali|Hussein|Al-Jubouri", "1984-03-12"),
        person("9", "y9", "محمد|علي|حسين|الجبوري", "1984-03-12"),
    ]
    result = find_pairs(left, link=right, params=PARAMS, threshold=REVIEW_THRESHOLD)
    lefts = {r.record_id for r in left}
    assert all(p.left in lefts for p in result.pairs)
    found = {(p.left, p.right) for p in result.pairs}
    assert ("1", "1") in found and ("1", "9") in found


def test_tiny_inputs() -> None:
    assert find_pairs([]).pairs == []
    assert find_pairs([person("a", "h", "علي", "2000")]).pairs == []
    assert find_pairs([person("a", "h", "علي", "2000")], link=[]).pairs == []
    with pytest.raises(ValueError):
        find_pairs([person("a", "h", "علي", "2000"), person("a", "h2", "علي", "2000")])


@pytest.mark.parametrize(
    ("text", "estimated", "expected"),
    [
        ("1990-05-12", False, (1990, 5, 12, 2)),
        ("1990", False, (1990, 0, 0, 1)),
        ("1990-01-01", False, (1990, 1, 1, 1)),  # 1 January: year only
        ("1990-07-01", False, (1990, 7, 1, 1)),  # 1 July: year only
        ("1990-05-12", True, (1990, 5, 12, 1)),  # estimated
        ("12/05/1990", False, (1990, 5, 12, 2)),  # dd/mm/yyyy
        ("19900512", False, (1990, 5, 12, 2)),
        ("١٩٩٠-٠٥-١٢", False, (1990, 5, 12, 2)),
        ("1990-13-40", False, (1990, 0, 0, 1)),
        ("unknown", False, None),
        ("", False, None),
    ],
)
def test_dates_and_their_precision(text: str, estimated: bool, expected: Any) -> None:
    assert parse_date(text, estimated) == expected


# --- clusters -------------------------------------------------------------------------------


def _p(a: str, b: str, prob_: float) -> Pair:
    return Pair(a, b, prob_, 0.0, [])


def test_weak_chain_is_not_one_cluster() -> None:
    found = clusters([_p("A", "B", 0.96), _p("B", "C", 0.95)], threshold=0.9)
    assert found["A"] == found["B"]
    assert found["C"] != found["A"]


def test_strong_triangle_and_separate_clusters() -> None:
    pairs = [
        _p("A", "B", 0.99),
        _p("B", "C", 0.98),
        _p("A", "C", 0.97),
        _p("X", "Y", 0.95),
        _p("Y", "Z", 0.5),  # below the threshold: Z is in no cluster
    ]
    found = clusters(pairs, threshold=0.9)
    assert found["A"] == found["B"] == found["C"] == "A"
    assert found["X"] == found["Y"] == "X"
    assert "Z" not in found


def test_long_chain_of_strong_links_without_cross_links_stays_apart() -> None:
    chain = [_p(f"R{i}", f"R{i + 1}", 0.99) for i in range(6)]
    found = clusters(chain, threshold=0.9)
    assert len({found[f"R{i}"] for i in range(7)}) > 1


# --- CSV input --------------------------------------------------------------------------------


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_read_csv(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "in.csv",
        "\ufeffrecord_id,given_name,unknown,date_of_birth,dob_estimated\n"
        "1,محمد,x,1990,yes\n"
        "2,Ali,y,1991-02-03,\n"
        ",,,,\n",
    )
    records = read_csv(path)
    assert [r.record_id for r in records] == ["1", "2"]
    assert records[0].given_name == "محمد" and records[0].dob_estimated
    assert records[1].date_of_birth == "1991-02-03" and not records[1].dob_estimated


def test_read_csv_semicolons(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.csv", "record_id;given_name\n1;Ali\n")
    assert read_csv(path)[0].given_name == "Ali"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("given_name\nAli\n", "no record_id column"),
        ("record_id,given_name\n1,Ali\n1,Omar\n2,X\n2,Y\n", "duplicate record ids: 1, 2"),
        ("record_id,given_name\n,Ali\n", "without a record_id"),
        ("", "empty"),
    ],
)
def test_read_csv_errors(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DedupInputError, match=message):
        read_csv(_write(tmp_path / "in.csv", content))


def test_read_csv_missing_and_undecodable(tmp_path: Path) -> None:
    with pytest.raises(DedupInputError, match="no such file"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DedupInputError, match="not UTF-8"):
        read_csv(_write(tmp_path / "in.csv", "record_id,given_name\n1,محمد\n", "cp1256"))


def test_contribution_is_plain_data() -> None:
    c = Contribution("sex", "same", 1.0, "male", "male")
    assert (c.field, c.level, c.weight, c.left, c.right) == ("sex", "same", 1.0, "male", "male")
