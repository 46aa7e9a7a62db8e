"""The Iraqi-names generator of the deduplication benchmark (sanad.dedup.synthetic):
deterministic, its truth consistent with what it wrote, cross-script duplicates a real
share, and the relatives that must not be merged present."""

from __future__ import annotations

import itertools
import pickle
from collections import Counter

import pytest

from sanad.dedup import synthetic
from sanad.dedup.engine.records import Record

N = 6000


@pytest.fixture(scope="module")
def syn() -> synthetic.Synthetic:
    return synthetic.generate_full(N, seed=3)


def test_same_seed_same_data_other_seed_other_data(syn: synthetic.Synthetic) -> None:
    again = synthetic.generate_full(N, seed=3)
    assert again.records == syn.records
    assert again.truth == syn.truth
    other = synthetic.generate_full(N, seed=4)
    assert other.records != syn.records


def test_generate_returns_records_and_pairs() -> None:
    records, truth = synthetic.generate(500, seed=1)
    assert len(records) == 500
    assert all(isinstance(r, Record) for r in records)
    assert all(isinstance(p, frozenset) and len(p) == 2 for p in truth)


def test_exact_size_unique_ids_and_valid_fields(syn: synthetic.Synthetic) -> None:
    assert len(syn.records) == N
    ids = [r.record_id for r in syn.records]
    assert len(set(ids)) == N
    for r in syn.records:
        assert r.sex in ("male", "female", "")
        dob = r.date_of_birth
        assert dob == "" or len(dob) in (4, 10)
        assert r.admin1_pcode.startswith("IQG")
        assert r.admin2_pcode.startswith(r.admin1_pcode)
        assert r.given_name or r.full_name


def test_truth_is_the_people(syn: synthetic.Synthetic) -> None:
    ids = {r.record_id for r in syn.records}
    by_person: dict[int, set[str]] = {}
    for r, pid in zip(syn.records, syn.person, strict=True):
        by_person.setdefault(pid, set()).add(r.record_id)
    expected = {
        frozenset(p) for group in by_person.values() for p in itertools.combinations(group, 2)
    }
    assert syn.truth == expected
    assert all(p <= ids for p in syn.truth)
    # Duplicates are re-registrations: never two records of one person in one household.
    household = {r.record_id: r.household_id for r in syn.records}
    assert all(len({household[x] for x in p}) == 2 for p in syn.truth)
    # A real share of the records has a duplicate (about 8 % of households again).
    assert 0.04 < len({x for p in syn.truth for x in p}) / N < 0.25


def test_duplicates_mostly_agree_on_who_they_are(syn: synthetic.Synthetic) -> None:
    """Same person: same sex nearly always, birth years within a year or two."""
    index = {r.record_id: r for r in syn.records}
    same_sex = close_year = 0
    for p in syn.truth:
        a, b = (index[x] for x in p)
        same_sex += a.sex == b.sex or "" in (a.sex, b.sex)
        ya, yb = a.date_of_birth[:4], b.date_of_birth[:4]
        close_year += not ya or not yb or abs(int(ya) - int(yb)) <= 2
    assert same_sex / len(syn.truth) > 0.98
    assert close_year / len(syn.truth) > 0.97


def test_cross_script_duplicates_are_30_to_50_percent(syn: synthetic.Synthetic) -> None:
    scripts = Counter(synthetic.name_script(r) for r in syn.records)
    assert scripts["ar"] > scripts["latin"] > 0.15 * N
    cross = sum(syn.cross_script(p) for p in syn.truth)
    assert 0.3 <= cross / len(syn.truth) <= 0.5


def test_variants_of_duplicates_are_present(syn: synthetic.Synthetic) -> None:
    index = {r.record_id: r for r in syn.records}
    seen: Counter[str] = Counter()
    for p in syn.truth:
        a, b = (index[x] for x in p)
        if a.full_name or b.full_name:
            seen["full name only"] += 1
        if a.admin2_pcode != b.admin2_pcode:
            seen["other district"] += 1
        if a.date_of_birth != b.date_of_birth:
            seen["other date of birth"] += 1
        if len(a.date_of_birth) == 4 or len(b.date_of_birth) == 4:
            seen["year only"] += 1
        da, db = a.date_of_birth, b.date_of_birth
        if len(da) == len(db) == 10 and da[:4] == db[:4] and da[5:7] == db[8:10] != db[5:7]:
            seen["day and month swapped"] += 1
        if bool(a.grandfather_name) != bool(b.grandfather_name) and not (
            a.full_name or b.full_name
        ):
            seen["missing name part"] += 1
        if a.phone and b.phone and a.phone[-9:] != b.phone[-9:]:
            seen["new phone"] += 1
        if synthetic.name_script(a) == synthetic.name_script(b) == "latin" and (
            a.given_name and b.given_name and a.given_name != b.given_name
        ):
            seen["another Latin spelling"] += 1
    for kind in (
        "full name only",
        "other district",
        "other date of birth",
        "year only",
        "day and month swapped",
        "missing name part",
        "new phone",
        "another Latin spelling",
    ):
        assert seen[kind] > 0, kind


def test_hard_non_matches_are_present(syn: synthetic.Synthetic) -> None:
    index = {r.record_id: r for r in syn.records}
    kinds: Counter[str] = Counter()
    twins_same_father = 0
    for members in _households(syn).values():
        for a, b in itertools.combinations(members, 2):
            kind = syn.kind(a, b)
            kinds[kind] += 1
            ra, rb = index[a], index[b]
            if kind == "twins" and ra.date_of_birth == rb.date_of_birth:
                twins_same_father += ra.father_name == rb.father_name
                assert ra.given_name != rb.given_name or ra.full_name != rb.full_name
    assert kinds["twins"] >= 5
    assert twins_same_father >= 5
    assert kinds["siblings"] > 100
    assert kinds["parent_child"] > 100
    assert kinds["same_person"] == 0  # a household never holds one person twice
    # Cousins across households: a brother's household (same grandfather and family).
    clans = {h for h, c in syn.clan.items() if c != h}
    assert clans
    # A son named after his grandfather: given name = the head's father's name.
    named_after = 0
    for members in _households(syn).values():
        head = next((index[m] for m in members if index[m].relationship == "head"), None)
        if head is None or not head.father_name:
            continue
        named_after += any(
            index[m].relationship == "son" and index[m].given_name == head.father_name
            for m in members
        )
    assert named_after > 10
    # Common names: different people with the same given and father's name.
    people: dict[tuple[str, str], set[int]] = {}
    for r, pid in zip(syn.records, syn.person, strict=True):
        if r.given_name and r.father_name:
            people.setdefault((r.given_name, r.father_name), set()).add(pid)
    assert sum(len(p) > 1 for p in people.values()) > 50
    top = Counter(r.given_name for r in syn.records if r.given_name).most_common(1)[0][1]
    assert top > 0.005 * N  # the most common name: Mohammed, Khidir or Nadia


def test_kind_explains_pairs(syn: synthetic.Synthetic) -> None:
    pair = sorted(next(iter(syn.truth)))
    assert syn.kind(*pair) == "same_person"
    a, b = syn.records[0].record_id, syn.records[-1].record_id
    assert syn.kind(a, b) in ("unrelated", "cousins", "same_person")


def test_cached_set_survives_a_pickle(tmp_path: object) -> None:
    small = synthetic.generate_full(300, seed=9)
    back = pickle.loads(pickle.dumps(small))  # noqa: S301 — our own bytes
    assert back.records == small.records
    assert back.truth == small.truth


def _households(syn: synthetic.Synthetic) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in syn.records:
        out.setdefault(r.household_id, []).append(r.record_id)
    return out
