"""Find the records that are the same person: blocking, comparison, Fellegi–Sunter
scoring with parameters estimated from the data (as Splink does), household context.

Stages (each reported to `progress(done, total, message)`):

1. *Prepare* (Python, memoised per distinct value): name parts (a full name is split),
   normalised and as cross-script skeletons (`names.py`), pairs of names with the same
   skeleton but other written long vowels (Hassan / حسين, Mohammed / محمود); dates with
   their precision (a year alone, 1 January, 1 July or an "estimated" flag make a date
   year-only); phones (`core.text.normalise_phone`), document numbers
   (`core.text.document_key`), locations, addresses. Loaded into an in-memory DuckDB
   database (through CSV files) with each name's term frequency and each whole name's
   count.
2. *Blocking*: the rules of `RULES`, each an equi-join on a block key (most on name
   skeletons, so across scripts). A key shared by more than `BLOCK_CAP` records is
   sub-blocked by further columns, so no key produces a quadratic number of pairs. A
   pair is produced by the first rule that finds it only (later rules add `AND NOT
   earlier rule`, as Splink does). Records of one household are never paired; with
   `link`, pairs are left × right only. Each candidate pair's comparison vector (the
   levels of `FIELDS`, and given/family names compared crosswise) is computed in one
   pass and stored as one integer.
3. *Training* (skipped when `params` are given): u-probabilities from a deterministic
   sample of random pairs; m-probabilities by expectation–maximisation over the
   aggregated comparison vectors of training blocks (`_SESSIONS`: pairs born the same
   day for everything but the date of birth; pairs with the same document number or
   phone for the date of birth), each session leaving out the fields its block fixes,
   as Splink does. Then the prior — the probability that two records taken at random
   are the same person — by EM on the prior alone over all candidate pairs.
4. *Scoring*: the weight of a pair is the prior log-odds plus each field's log2 Bayes
   factor log2(m/u), name agreements adjusted for how common the name is (term
   frequency), with two corrections for how Iraqi names are built (`_Pattern`):
   - relatives: siblings and twins share the father's, grandfather's and family names,
     often the phone, address and place, and twins the date of birth. When the given
     names are different while the father's or grandfather's name agrees, those fields
     count only against the match: they say "same family", not "same person". A father
     and a son with the same given name differ in the father's name and the date of
     birth, whose negative weights keep them apart;
   - common whole names: the names of the patronymic chain are not independent, so
     together they weigh at most what the frequency of the whole name allows.
   Every pair explains itself: one `Contribution` per field (and `full_name` for the
   cap of a common name, `household` for the household context).
5. *Household context*: when two households match each other member for member (at
   least two members, each pair at least `REVIEW_THRESHOLD`, matched one to one),
   each of those pairs gets `HOUSEHOLD_BONUS_BITS` per further matching member (at
   most three): two partner lists registering the same family agree on several people.

Partitions: `find_pairs(..., partition=(i, n), params=p)` generates and scores only the
candidate pairs whose (rule, block key) hashes to i modulo n, so that n workers share
the work; it returns every pair of at least min(threshold, REVIEW_THRESHOLD) *without*
the household context, and `combine_partitions` applies the household context over the
union — equal to the unpartitioned result. `estimate_params` gives the parameters first.
"""

# ruff: noqa: S608 — the SQL is built from the engine's own constants and numbers only;
# the records reach DuckDB through CSV files, never through the query text.
from __future__ import annotations

import contextlib
import csv
import math
import os
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import duckdb

from sanad.core.text import document_key, normalise_phone
from sanad.dedup.engine.names import NamePart, name_part, split_full_name, vowels_compatible
from sanad.dedup.engine.records import Record

__all__ = [
    "BLOCK_CAP",
    "FIELDS",
    "FLAG_THRESHOLD",
    "HOUSEHOLD_BONUS_BITS",
    "REVIEW_THRESHOLD",
    "RULES",
    "Contribution",
    "Pair",
    "Params",
    "Result",
    "combine_partitions",
    "estimate_params",
    "find_pairs",
]

FLAG_THRESHOLD = 0.9
"""Recommended probability at or above which a pair is flagged as a duplicate."""
REVIEW_THRESHOLD = 0.5
"""Lower bound of the grey zone: pairs between this and the flag threshold wait for a person."""
HOUSEHOLD_BONUS_BITS = 2.0
"""log2 Bayes factor added to each matching member pair per further matching member
of the same two households (k matching members: 2·min(k − 1, 3) bits)."""
BLOCK_CAP = 100
"""A block key shared by more records than this is sub-blocked by further columns."""
HARD_CAP_FACTOR = 8
"""A block still larger than BLOCK_CAP × this after sub-blocking is left out of its rule."""
U_SAMPLE = 1_000_000
"""At most this many random pairs are compared to estimate the u-probabilities."""
U_SAMPLE_PER_RECORD = 20
"""… and at most this many per record (at least U_SAMPLE_MIN): small data sets need no
million pairs to say how often random records agree."""
U_SAMPLE_MIN = 100_000
EM_MAX_PAIRS = 300_000
"""At most this many pairs per training session (a deterministic sample of blocks)."""
TF_MAX_BITS = 5.0
"""Term-frequency adjustments of name agreements are clamped to ± this many bits."""
MIN_FREQUENCY_RECORDS = 1000
"""Name frequencies (term-frequency adjustments, the cap of common whole names) are
used only when at least this many records show them: a few dozen records say nothing
of how common a name is."""
MEMORY_LIMIT = "4GB"
"""DuckDB's memory limit: past it, it spills to a temporary folder."""
DIFFERENT_M_FLOOR = 0.01
"""The m-probability of a field's "different" level is at least this (see Params.weights)."""

ProgressFn = Callable[[int, int, str], None]

# --- comparisons ---------------------------------------------------------------------------

NAME_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name")
_NAME_COLS = {"given_name": "g", "father_name": "f", "grandfather_name": "gf", "family_name": "fam"}
NAME_LEVELS = ("exact", "transliterated", "same_skeleton", "similar", "partly_similar", "different")
_AGREE_LEVELS = (0, 1, 2)  # name levels with a term-frequency adjustment
_DIFFERENT = 5

FIELDS: dict[str, tuple[str, ...]] = {
    "given_name": NAME_LEVELS,
    "father_name": NAME_LEVELS,
    "grandfather_name": NAME_LEVELS,
    "family_name": NAME_LEVELS,
    "date_of_birth": (
        "exact",
        "day_month_swapped",
        "one_edit",
        "within_1_month",
        "year_only",
        "within_1_year",
        "different",
    ),
    "sex": ("same", "different"),
    "phone": ("exact", "different"),
    "document_number": ("exact", "one_edit", "different"),
    "location": ("same_admin2", "same_admin1", "different"),
    "address": ("exact", "similar", "partly_similar", "different"),
}
"""Comparison levels per field, best first. A field missing on either side has no
level (it contributes nothing)."""
FIELD_NAMES = tuple(FIELDS)
# Names of the patronymic chain that agree together are not independent evidence
# (the father's and grandfather's names run in families and clans, and go with the
# family name): a whole name is as informative as it is rare. For the largest of these
# groups of names that agree on a pair, the names' weight is capped at log2(Π m / f),
# f the share of the other records with that whole name (see `_Pattern`). A given and
# a family name alone (Western lists) are left to the per-name term frequencies.
NAME_TUPLES: tuple[tuple[str, ...], ...] = (
    ("given_name", "father_name", "grandfather_name", "family_name"),
    ("given_name", "father_name", "grandfather_name"),
    ("given_name", "father_name", "family_name"),
    ("given_name", "father_name"),
)
_SIBLING_FIELDS = {
    "father_name",
    "grandfather_name",
    "family_name",
    "date_of_birth",
    "phone",
    "location",
    "address",
}

# Starting (and prior) m-probabilities, best level first.
_M0: dict[str, tuple[float, ...]] = {
    "given_name": (0.80, 0.08, 0.05, 0.03, 0.02, 0.02),
    "father_name": (0.80, 0.08, 0.05, 0.03, 0.02, 0.02),
    "grandfather_name": (0.75, 0.08, 0.05, 0.04, 0.03, 0.05),
    "family_name": (0.75, 0.08, 0.05, 0.04, 0.03, 0.05),
    "date_of_birth": (0.7, 0.02, 0.05, 0.03, 0.1, 0.05, 0.05),
    "sex": (0.97, 0.03),
    "phone": (0.6, 0.4),
    "document_number": (0.85, 0.05, 0.1),
    "location": (0.7, 0.15, 0.15),
    "address": (0.6, 0.15, 0.1, 0.15),
}
_PSEUDO_M = 2.0  # pseudo-pairs pulling m towards _M0 (matters only on tiny inputs)
_PSEUDO_U = 1.0


# Level of a Jaro–Winkler similarity s, looked up as _JW_LEVELS[floor(100 s) + 1] so that
# the similarity is computed once: ≥ 0.92 similar (3), ≥ 0.8 partly similar (4), else
# different (5).
_JW_LEVELS = "[" + ", ".join("3" if i >= 92 else "4" if i >= 80 else "5" for i in range(101)) + "]"


def _jw_level(a: str, b: str) -> str:
    return f"{_JW_LEVELS}[floor(100 * jaro_winkler_similarity({a}, {b}))::INTEGER + 1]"


def _name_level_sql(c: str, cr: str | None = None, conflicts: bool = True) -> str:
    """Level of name column prefix `c` of l against `cr` (default `c`) of r: NULL
    missing, 0 exact, 1 transliterated, 2 same skeleton, else by the Jaro–Winkler
    similarity of the normalised names (same script) or of the skeletons (across
    scripts)."""
    cr = cr or c
    # Same skeleton, but the written vowels say another name (Hassan / حسين): different.
    vowels = f"coalesce(list_contains(l.{c}_x, r.{cr}_i), FALSE)" if conflicts else "FALSE"
    # The same name part (one id per distinct text): exact, without comparing strings.
    same_id = f"WHEN l.{c}_i = r.{cr}_i THEN 0 " if cr == c else ""
    return (
        f"CASE WHEN l.{c}_n IS NULL OR r.{cr}_n IS NULL THEN NULL {same_id}"
        f"WHEN l.{c}_sc = r.{cr}_sc AND l.{c}_n = r.{cr}_n THEN 0 "
        f"WHEN (l.{c}_s = r.{cr}_s OR l.{c}_a = r.{cr}_a) "
        f"THEN CASE WHEN {vowels} THEN 5 WHEN l.{c}_sc <> r.{cr}_sc THEN 1 ELSE 2 END "
        f"WHEN l.{c}_sc = r.{cr}_sc THEN {_jw_level(f'l.{c}_n', f'r.{cr}_n')} "
        f"ELSE {_jw_level(f'l.{c}_s', f'r.{cr}_s')} END"
    )


def _agree_sql(c: str, cr: str) -> str:
    return f"coalesce(l.{c}_n = r.{cr}_n OR l.{c}_s = r.{cr}_s, FALSE)"


def _one_edit(a: str, b: str, same_length: bool = False) -> str:
    """One substitution, insertion, deletion or transposition of neighbours. The
    Damerau–Levenshtein distance is slow: only computed where a transposition is
    possible (two characters differ)."""
    if same_length:  # dates YYYYMMDD
        return f"(hamming({a}, {b}) <= 1 OR (hamming({a}, {b}) = 2 AND damerau_levenshtein({a}, {b}) = 1))"
    return (
        f"(CASE WHEN length({a}) = length({b}) THEN hamming({a}, {b}) <= 1 OR (hamming({a}, {b}) = 2 "
        f"AND damerau_levenshtein({a}, {b}) = 1) WHEN abs(length({a}) - length({b})) = 1 "
        f"THEN levenshtein({a}, {b}) <= 1 ELSE FALSE END)"
    )


# Given and family names entered the other way round (Western order on one list):
# compared crosswise when neither agrees straight.
_SWAP_GUARD = f"NOT {_agree_sql('g', 'g')} AND NOT {_agree_sql('fam', 'fam')}"

# Raw comparison levels: the ten fields in FIELD_NAMES order, then given and family
# names compared crosswise (`given_x`, `family_x`).
_RAW_EXPRS: tuple[str, ...] = (
    _name_level_sql("g"),
    _name_level_sql("f"),
    _name_level_sql("gf"),
    _name_level_sql("fam"),
    f"""CASE WHEN l.dob_y IS NULL OR r.dob_y IS NULL THEN NULL
        WHEN l.dob_p = 2 AND r.dob_p = 2 THEN
          CASE WHEN l.dob_s = r.dob_s THEN 0
               WHEN l.dob_y = r.dob_y AND l.dob_m = r.dob_d AND l.dob_d = r.dob_m THEN 1
               WHEN {_one_edit("l.dob_s", "r.dob_s", True)} THEN 2
               WHEN abs(l.dob_y::INTEGER * 372 + l.dob_m::INTEGER * 31 + l.dob_d
                        - r.dob_y::INTEGER * 372 - r.dob_m::INTEGER * 31 - r.dob_d) <= 31 THEN 3
               ELSE 6 END
        WHEN l.dob_y = r.dob_y THEN 4
        WHEN abs(l.dob_y - r.dob_y) <= 1 THEN 5
        ELSE 6 END""",
    "CASE WHEN l.sex IS NULL OR r.sex IS NULL THEN NULL WHEN l.sex = r.sex THEN 0 ELSE 1 END",
    "CASE WHEN l.phone IS NULL OR r.phone IS NULL THEN NULL WHEN l.phone = r.phone THEN 0 ELSE 1 END",
    f"""CASE WHEN l.doc IS NULL OR r.doc IS NULL THEN NULL
        WHEN l.doc = r.doc THEN 0
        WHEN length(l.doc) >= 5 AND {_one_edit("l.doc", "r.doc")} THEN 1
        ELSE 2 END""",
    """CASE WHEN coalesce(l.a2, l.a1) IS NULL OR coalesce(r.a2, r.a1) IS NULL THEN NULL
        WHEN l.a2 = r.a2 THEN 0 WHEN l.a1 = r.a1 THEN 1 ELSE 2 END""",
    """CASE WHEN l.addr IS NULL OR r.addr IS NULL THEN NULL
        WHEN l.addr = r.addr THEN 0
        ELSE [3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1][floor(10 * jaro_winkler_similarity(l.addr,
             r.addr))::INTEGER + 1] END""",
    f"CASE WHEN {_SWAP_GUARD} THEN {_name_level_sql('g', 'fam', False)} END",
    f"CASE WHEN {_SWAP_GUARD} THEN {_name_level_sql('fam', 'g', False)} END",
)
_GIVEN_X, _FAMILY_X = len(FIELD_NAMES), len(FIELD_NAMES) + 1

# The whole comparison vector as one integer, 3 bits per component (7: missing): each
# comparison is computed once, and everything that depends on the vector alone is
# computed once per distinct vector (a few thousand) in Python (`_Pattern`).
_KEY_SQL = " + ".join(
    f"coalesce(({expr}), 7)::BIGINT * {8**k}" for k, expr in enumerate(_RAW_EXPRS)
)


@lru_cache(maxsize=100_000)
def _decode_key(key: int) -> tuple[tuple[int | None, ...], bool]:
    """The levels of FIELD_NAMES, and whether given and family names are taken crosswise
    (when that agrees better: they were entered the other way round)."""
    raw: list[int | None] = []
    for _k in range(len(_RAW_EXPRS)):
        v = key % 8
        raw.append(None if v == 7 else v)
        key //= 8
    levels = raw[: len(FIELD_NAMES)]
    gx, fx = raw[_GIVEN_X], raw[_FAMILY_X]
    g, fam = levels[0], levels[3]
    swapped = (
        gx is not None
        and fx is not None
        and g is not None
        and fam is not None
        and gx + fx + 1 < g + fam
    )
    if swapped:
        levels[0], levels[3] = gx, fx
    return tuple(levels), swapped


def _key_sql(pairs: str, extra: str = "") -> str:
    """SELECT a, b, key (and `extra`, over l and r) for the pairs (a, b) of `pairs`."""
    return (
        f"SELECT p.a, p.b, {_KEY_SQL} AS key{extra} "
        f"FROM {pairs} p JOIN rec l ON l.id = p.a JOIN rec r ON r.id = p.b"
    )


# --- blocking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    keys: tuple[str, ...]  # rec columns, all non-null for a record to be in the rule
    subs: tuple[str, ...]  # columns that sub-block a key larger than the cap, in order
    cap: float = 1.0  # the rule's cap, as a share of BLOCK_CAP


RULES: tuple[Rule, ...] = (
    Rule("document", ("doc",), ("g_s",)),
    Rule("phone", ("phone",), ("g_s", "dob_y")),
    Rule("given_father", ("g_s", "f_s"), ("gf_s", "dob_y", "a1", "a2"), 1.5),
    Rule("lineage_family", ("f_s", "gf_s", "fam_s"), ("dob_y", "a1", "a2")),
    Rule("given_family", ("g_fam",), ("dob_y", "a1", "a2"), 0.6),
    Rule("given_birth_year", ("g_s", "dob_y"), ("a1", "a2", "fam_s"), 0.6),
    Rule("family_dob", ("fam_s", "dob_full"), ("a1", "a2")),
    Rule("region_dob", ("a1", "dob_full"), ("a2", "g_s"), 0.5),
    Rule("family_place", ("fam_s", "a2"), ("g_s", "dob_y"), 0.3),
    Rule("given_place", ("g_s", "a2"), ("f_s", "dob_y"), 0.3),
)
"""Blocking rules, in order. Skeleton keys (`*_s`) are cross-script. The safety-net
rules at the end, for records whose names differ more, get smaller blocks."""

# Training sessions: the block keys, the fields whose m-probabilities the session
# estimates, whether u stays that of random pairs, and whether the session is only a
# fallback (used for fields no earlier session estimated).
#
# Names, sex, phone, document, location and address are estimated where the block is on
# the date of birth: people born the same day are otherwise like random pairs. The date
# of birth where the block is on the document number or the phone (two records of
# different households with the same number are mostly the same person, and a date of
# birth says nothing of a number). Blocks on names are only a fallback for the date of
# birth, when there are too few documents and phones: within blocks of the same names,
# people who are not the same person share the other names, the sex, the place and the
# address far more often than random pairs (relatives, the common names of a clan or a
# village), so those fields stay out — otherwise EM's "match" class would mean "same
# family" or "same village" rather than "same person" — and the non-matches get their
# own u (see `_em`).
_SESSIONS: tuple[tuple[tuple[str, ...], frozenset[str], bool, bool], ...] = (
    (("dob_full",), frozenset(FIELDS) - {"date_of_birth"}, True, False),
    (("doc",), frozenset({"date_of_birth"}), True, False),
    (("phone",), frozenset({"date_of_birth"}), True, False),
    (("g_s", "f_s"), frozenset({"date_of_birth", "phone", "document_number"}), False, True),
    (("g_s", "fam_s"), frozenset({"date_of_birth", "phone", "document_number"}), False, True),
)
_MIN_SESSION_PAIRS = 50


# --- results -------------------------------------------------------------------------------


@dataclass(slots=True)
class Contribution:
    """What one field added to a pair's weight (log2 Bayes factor), and the values compared."""

    field: str
    level: str
    weight: float
    left: str
    right: str


@dataclass(slots=True)
class Pair:
    """Two records (left and right record ids) and how likely they are the same person.
    `weight` is the log2 odds: the prior plus every contribution."""

    left: str
    right: str
    probability: float
    weight: float
    contributions: list[Contribution]
    left_household: str = ""
    right_household: str = ""


@dataclass
class Params:
    """Fellegi–Sunter parameters: per field and level the m- and u-probabilities, and
    the expected number of matches per record (from which the prior follows for any
    number of records). JSON-serialisable with `to_dict` / `from_dict`."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    matches_per_record: float
    records: int = 0
    prior: float = 0.0  # probability that two random records match, in the estimating run
    version: int = 1

    def weights(self) -> dict[str, list[float]]:
        """log2(m/u) per field and level. At least DIFFERENT_M_FLOOR of true matches are
        taken to differ on any field (slips happen: no single field is a veto); random
        names agree across scripts no less often than within one; and no level weighs
        less than the field's last ("different"): any agreement is at least as good as
        none."""
        out: dict[str, list[float]] = {}
        for f in FIELD_NAMES:
            ms = list(self.m[f])
            ms[-1] = max(ms[-1], DIFFERENT_M_FLOOR)
            us = list(self.u[f])
            if f in _NAME_COLS:
                # Data with few names in the other script (or none) cannot show how often
                # random names agree across scripts: not less often than within one.
                us[1] = max(us[1], us[0])
                us[2] = max(us[2], us[0] / 4)
            ws = [math.log2(max(m, 1e-12) / max(u, 1e-12)) for m, u in zip(ms, us, strict=True)]
            out[f] = [max(w, ws[-1]) for w in ws]
        return out

    def prior_for(self, records: int, total_pairs: int) -> float:
        if total_pairs <= 0:
            return 0.0
        return min(0.5, max(1e-15, self.matches_per_record * records / total_pairs))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "matches_per_record": self.matches_per_record,
            "records": self.records,
            "prior": self.prior,
            "fields": {
                f: {
                    "levels": list(FIELDS[f]),
                    "m": [round(x, 8) for x in self.m[f]],
                    "u": [round(x, 10) for x in self.u[f]],
                }
                for f in FIELD_NAMES
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        fields_ = data["fields"]
        m: dict[str, list[float]] = {}
        u: dict[str, list[float]] = {}
        for f in FIELD_NAMES:
            spec = fields_.get(f)
            if not spec or list(spec.get("levels", [])) != list(FIELDS[f]):
                raise ValueError(f"Parameters for field {f!r} are missing or have other levels.")
            m[f] = [float(x) for x in spec["m"]]
            u[f] = [float(x) for x in spec["u"]]
        return cls(
            m=m,
            u=u,
            matches_per_record=float(data["matches_per_record"]),
            records=int(data.get("records", 0)),
            prior=float(data.get("prior", 0.0)),
            version=int(data.get("version", 1)),
        )


@dataclass
class Result:
    pairs: list[Pair]
    params: Params
    stats: dict[str, Any] = field(default_factory=dict)


# --- preparation ---------------------------------------------------------------------------

_SEX = {
    "m": 1,
    "male": 1,
    "man": 1,
    "boy": 1,
    "ذكر": 1,
    "1": 1,
    "نێر": 1,
    "f": 2,
    "female": 2,
    "woman": 2,
    "girl": 2,
    "أنثى": 2,
    "انثى": 2,
    "انثي": 2,
    "2": 2,
    "مێ": 2,
}
_DATE_ISO = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ].*)?\s*$")
_DATE_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_DATE_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_ALNUM = re.compile(r"[^\w]+")


@lru_cache(maxsize=100_000)
def parse_date(text: str, estimated: bool = False) -> tuple[int, int, int, int] | None:
    """(year, month, day, precision) with precision 2 for a full date and 1 for a year
    only (a year alone, 1 January, 1 July, or `estimated`); None when unreadable."""
    text = (text or "").translate(_ARABIC_DIGITS).strip()
    if not text:
        return None
    y = mo = d = 0
    if m := _DATE_COMPACT.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _DATE_ISO.match(text):
        y = int(m[1])
        mo = int(m[2]) if m[2] else 0
        d = int(m[3]) if m[3] else 0
    elif m := _DATE_DMY.match(text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        if mo > 12 and d <= 12:
            d, mo = mo, d
    else:
        return None
    if not 1880 <= y <= 2100:
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return (y, 0, 0, 1)
    if estimated or (mo, d) in ((1, 1), (7, 1)):
        return (y, mo, d, 1)
    return (y, mo, d, 2)


@lru_cache(maxsize=200_000)  # members of a household share them
def _phone(value: str) -> str:
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except ValueError:
        digits = re.sub(r"\D", "", value.translate(_ARABIC_DIGITS))
        return digits if len(digits) >= 7 else ""


@lru_cache(maxsize=200_000)  # members of a household share them
def _document(value: str) -> str:
    key = document_key(value) if value else ""
    return key if len(key) >= 3 else ""


@lru_cache(maxsize=200_000)  # members of a household share them
def _address(value: str) -> str:
    return " ".join(_NON_ALNUM.sub(" ", value.casefold()).split()) if value else ""


@lru_cache(maxsize=100_000)
def _split(full: str) -> tuple[str, str, str, str]:
    return split_full_name(full)


def name_parts(rec: Record) -> tuple[str, str, str, str]:
    """The record's (given, father's, grandfather's, family) names as given, or split
    from the full name when all four are empty."""
    parts = (rec.given_name, rec.father_name, rec.grandfather_name, rec.family_name)
    if any(p.strip() for p in parts):
        return tuple(p.strip() for p in parts)  # type: ignore[return-value]
    if rec.full_name.strip():
        return _split(rec.full_name.strip())
    return ("", "", "", "")


class _Prepared:
    """Records turned into the columns the SQL compares."""

    def __init__(self, left: Sequence[Record], right: Sequence[Record] | None) -> None:
        self.left = left
        self.right = right or []
        self.link = right is not None
        self.records: list[Record] = [*left, *self.right]
        self.n_left = len(left)
        self.n = len(self.records)
        self.parts: list[tuple[str, str, str, str]] = []
        # distinct name parts: (text, family) → id; id → NamePart
        self.part_ids: dict[tuple[str, bool], int] = {}
        self.part_list: list[NamePart] = []

    def part_id(self, text: str, family: bool) -> int | None:
        if not text:
            return None
        key = (text, family)
        pid = self.part_ids.get(key)
        if pid is None:
            np_ = name_part(text, family)
            if not np_.norm:
                pid = -1
            else:
                pid = len(self.part_list)
                self.part_list.append(np_)
            self.part_ids[key] = pid
        return None if pid < 0 else pid

    def write(self, folder: str) -> tuple[str, str]:
        """records.csv (one row per record) and names.csv (one row per distinct name part)."""
        rec_path = os.path.join(folder, "records.csv")
        hh_codes: dict[tuple[int, str], int] = {}
        with open(rec_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for idx, rec in enumerate(self.records):
                side = 1 if idx >= self.n_left else 0
                parts = name_parts(rec)
                self.parts.append(parts)
                ids = [self.part_id(parts[k], k == 3) for k in range(4)]
                hh_key = rec.household_id.strip()
                if hh_key:
                    hh = hh_codes.setdefault((side, hh_key), len(hh_codes) + 1)
                else:
                    hh = -(idx + 1)
                date = parse_date(rec.date_of_birth, bool(rec.dob_estimated))
                if date is None:
                    dy = dm = dd = dp = ""
                    ds = ""
                else:
                    dy, dm, dd, dp = date  # type: ignore[assignment]
                    ds = f"{dy:04d}{dm:02d}{dd:02d}" if dp == 2 else ""
                sex = _SEX.get(rec.sex.strip().casefold(), "") if rec.sex else ""
                w.writerow(
                    (
                        idx,
                        side,
                        hh,
                        *("" if i is None else i for i in ids),
                        dy,
                        dm,
                        dd,
                        dp,
                        ds,
                        sex,
                        _phone(rec.phone),
                        _document(rec.document_number),
                        rec.admin1_pcode.strip().upper(),
                        rec.admin2_pcode.strip().upper(),
                        _address(rec.address),
                    )
                )
        names_path = os.path.join(folder, "names.csv")
        with open(names_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for pid, np_ in enumerate(self.part_list):
                skel = np_.skel or "~" + np_.norm
                alt = np_.alt or skel
                w.writerow((pid, np_.norm, skel, alt, 1 if np_.script == "ar" else 2))
        return rec_path, names_path

    def conflicts(self) -> list[tuple[int, int]]:
        """Pairs of distinct name parts with the same skeleton whose written vowels say
        they are different names (Hassan / حسين, Mohammed / محمود)."""
        groups: dict[str, list[int]] = defaultdict(list)
        for pid, np_ in enumerate(self.part_list):
            if np_.skel:
                groups[np_.skel].append(pid)
            if np_.alt and np_.alt != np_.skel:
                groups["alt:" + np_.alt].append(pid)
        out: set[tuple[int, int]] = set()
        for ids in groups.values():
            if len(ids) < 2 or len(ids) > 400:
                continue
            for i, a in enumerate(ids):
                va = self.part_list[a].vowels
                for b in ids[i + 1 :]:
                    if not vowels_compatible(va, self.part_list[b].vowels):
                        out.add((a, b))
                        out.add((b, a))
        return sorted(out)


# --- the engine ----------------------------------------------------------------------------


class _Engine:
    def __init__(
        self,
        records: Sequence[Record],
        link: Sequence[Record] | None,
        progress: ProgressFn | None,
    ) -> None:
        self.prep = _Prepared(records, link)
        self.progress = progress
        self.stats: dict[str, Any] = {"records": self.prep.n, "seconds": {}}
        self.tmp = tempfile.mkdtemp(prefix="sanad-dedup-")
        # SANAD_DEDUP_THREADS: DuckDB threads per run (a worker sharing a machine with others).
        threads = int(os.environ.get("SANAD_DEDUP_THREADS") or 0) or os.cpu_count() or 1
        self.con = duckdb.connect(
            ":memory:",
            config={
                "threads": threads,
                "preserve_insertion_order": False,
                "temp_directory": os.path.join(self.tmp, "spill"),
                "memory_limit": MEMORY_LIMIT,
            },
        )
        self._t = time.perf_counter()
        self.stage = 0
        self.stages = 5

    # -- plumbing --
    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def step(self, name: str, message: str) -> None:
        now = time.perf_counter()
        self.stats["seconds"][name] = round(now - self._t, 3)
        self._t = now
        self.stage += 1
        if self.progress:
            self.progress(min(self.stage, self.stages), self.stages, message)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> Any:
        return self.con.execute(query, params or [])

    @property
    def total_pairs(self) -> int:
        p = self.prep
        if p.link:
            return p.n_left * (p.n - p.n_left)
        return p.n * (p.n - 1) // 2

    # -- 1. prepare --
    def load(self) -> None:
        if self.progress:
            self.progress(0, self.stages, "Preparing the records")
        rec_path, names_path = self.prep.write(self.tmp)
        name_cols = "{'id': 'INTEGER', 'norm': 'VARCHAR', 'skel': 'VARCHAR', 'alt': 'VARCHAR', 'sc': 'TINYINT'}"
        self.sql(
            "CREATE TABLE names AS SELECT * FROM read_csv(?, header=false, "
            f"columns={name_cols}, quote='\"', escape='\"', null_padding=true, "
            "allow_quoted_nulls=false)",
            [names_path],
        )
        rec_cols = (
            "{'id': 'INTEGER', 'side': 'TINYINT', 'hh': 'BIGINT', 'g_i': 'INTEGER', "
            "'f_i': 'INTEGER', 'gf_i': 'INTEGER', 'fam_i': 'INTEGER', 'dob_y': 'SMALLINT', "
            "'dob_m': 'TINYINT', 'dob_d': 'TINYINT', 'dob_p': 'TINYINT', 'dob_s': 'VARCHAR', "
            "'sex': 'TINYINT', 'phone': 'VARCHAR', 'doc': 'VARCHAR', 'a1': 'VARCHAR', "
            "'a2': 'VARCHAR', 'addr': 'VARCHAR'}"
        )
        self.sql(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, header=false, "
            f"columns={rec_cols}, quote='\"', escape='\"')",
            [rec_path],
        )
        # Names with the same skeleton whose written vowels say they are other names
        # (Hassan / حسين): per name, the list of such names.
        conflicts = self.prep.conflicts()
        self.sql("CREATE TABLE conflict (a INTEGER, b INTEGER)")
        if conflicts:
            path = os.path.join(self.tmp, "conflicts.csv")
            with open(path, "w", newline="") as fh:
                csv.writer(fh).writerows(conflicts)
            self.sql(
                "INSERT INTO conflict SELECT * FROM read_csv(?, header=false, "
                "columns={'a': 'INTEGER', 'b': 'INTEGER'})",
                [path],
            )
        self.sql("CREATE TABLE confl AS SELECT a AS id, list(b) AS conf FROM conflict GROUP BY a")
        selects = []
        joins = []
        for c in _NAME_COLS.values():
            selects.append(
                f"n_{c}.norm AS {c}_n, n_{c}.skel AS {c}_s, n_{c}.alt AS {c}_a, n_{c}.sc AS {c}_sc, "
                f"x_{c}.conf AS {c}_x"
            )
            joins.append(
                f"LEFT JOIN names n_{c} ON n_{c}.id = raw.{c}_i "
                f"LEFT JOIN confl x_{c} ON x_{c}.id = raw.{c}_i"
            )
        self.sql(
            "CREATE TABLE rec0 AS SELECT raw.id, side, hh, g_i, f_i, gf_i, fam_i, "
            + ", ".join(selects)
            + ", dob_y, dob_m, dob_d, dob_p, nullif(dob_s, '') AS dob_s, "
            "CASE WHEN dob_p = 2 THEN nullif(dob_s, '') END AS dob_full, sex, "
            "nullif(phone, '') AS phone, nullif(doc, '') AS doc, nullif(a1, '') AS a1, "
            "nullif(a2, '') AS a2, nullif(addr, '') AS addr FROM raw " + " ".join(joins)
        )
        self.sql("DROP TABLE raw")
        # Term frequency of each name skeleton: log2(Σf² / f) adjusts an agreement on it.
        tf_cols = []
        tf_joins = []
        for c in _NAME_COLS.values():
            self.sql(
                f"CREATE TABLE tf_{c} AS WITH c AS (SELECT {c}_s AS v, count(*)::DOUBLE AS n "
                f"FROM rec0 WHERE {c}_s IS NOT NULL GROUP BY 1), t AS (SELECT sum(n) AS tot, "
                f"sum(n * n) AS sq FROM c) SELECT v, CASE WHEN tot >= {MIN_FREQUENCY_RECORDS} "
                f"THEN greatest(-{TF_MAX_BITS}, least({TF_MAX_BITS}, "
                "log2((sq / (tot * tot)) / (n / tot)))) ELSE 0 END AS adj FROM c, t"
            )
            tf_cols.append(f"coalesce(tf_{c}.adj, 0)::REAL AS {c}_tf")
            tf_joins.append(f"LEFT JOIN tf_{c} ON tf_{c}.v = rec0.{c}_s")
        self.sql(
            "CREATE TABLE rec AS SELECT rec0.*, CASE WHEN g_s IS NOT NULL AND fam_s IS NOT NULL "
            "THEN least(g_s, fam_s) || '|' || greatest(g_s, fam_s) END AS g_fam, "
            + ", ".join(tf_cols)
            + " FROM rec0 "
            + " ".join(tf_joins)
            + " ORDER BY rec0.id"
        )
        self.sql("DROP TABLE rec0")
        # How many records have the same whole name (normalised, so within one script),
        # and how many records have names in that script: the share of the whole name.
        counts = ["count(*) OVER (PARTITION BY g_sc)::INTEGER AS nsc"]
        for j, tup in enumerate(NAME_TUPLES):
            cols = ", ".join(f"{_NAME_COLS[f]}_n" for f in tup)
            cond = " AND ".join(f"{_NAME_COLS[f]}_n IS NOT NULL" for f in tup)
            counts.append(
                f"CASE WHEN {cond} THEN count(*) OVER (PARTITION BY {cols}) END::INTEGER AS nt{j}"
            )
        self.sql(
            f"CREATE OR REPLACE TABLE rec AS SELECT *, {', '.join(counts)} FROM rec ORDER BY id"
        )
        self.stats["distinct_names"] = len(self.prep.part_list)
        self.stats["vowel_conflicts"] = len(conflicts) // 2
        self.step("prepare", "Blocking")

    # -- 2. blocking --
    def block_keys(self) -> None:
        """keys(id, side, hh, bk0 … bkR): each rule's block key, sub-blocked past the cap."""
        self.sql("CREATE TABLE keys AS SELECT id, side, hh FROM rec")
        capped: dict[str, int] = {}
        for r, rule in enumerate(RULES):
            cond = " AND ".join(f"{k} IS NOT NULL" for k in rule.keys)
            key = f"CASE WHEN {cond} THEN hash({r}, {', '.join(rule.keys)}) END"
            self.sql(f"CREATE OR REPLACE TABLE bk AS SELECT id, {key} AS b FROM rec")
            cap = max(2, int(BLOCK_CAP * rule.cap))
            for sub in rule.subs:
                self.sql(
                    "CREATE OR REPLACE TABLE bk AS SELECT bk.id, CASE WHEN bk.b IS NOT NULL AND "
                    f"count(*) OVER (PARTITION BY bk.b) > {cap} THEN hash(bk.b, rec.{sub}) "
                    "ELSE bk.b END AS b FROM bk JOIN rec ON rec.id = bk.id"
                )
            hard = cap * HARD_CAP_FACTOR
            self.sql(
                "CREATE OR REPLACE TABLE bk AS SELECT id, b, b IS NOT NULL AND "
                f"count(*) OVER (PARTITION BY b) > {hard} AS dropped FROM bk"
            )
            n_dropped = self.sql("SELECT count(*) FROM bk WHERE dropped").fetchone()[0]
            if n_dropped:
                capped[rule.name] = int(n_dropped)
                self.sql("UPDATE bk SET b = NULL WHERE dropped")
            self.sql(
                f"CREATE OR REPLACE TABLE keys AS SELECT keys.*, bk.b AS bk{r} "
                "FROM keys JOIN bk USING (id)"
            )
        self.sql("DROP TABLE bk")
        self.stats["records_left_out_of_oversized_blocks"] = capped

    def candidates(self, partition: tuple[int, int] | None) -> None:
        self.sql("CREATE TABLE cand (a INTEGER, b INTEGER, rule TINYINT)")
        per_rule: dict[str, int] = {}
        if self.prep.link:
            left = "(SELECT * FROM keys WHERE side = 0)"
            right = "(SELECT * FROM keys WHERE side = 1)"
            order = "TRUE"
        else:
            left = right = "keys"
            order = "l.id < r.id"
        for r in range(len(RULES)):
            earlier = " OR ".join(f"coalesce(l.bk{e} = r.bk{e}, FALSE)" for e in range(r))
            not_earlier = f"AND NOT ({earlier})" if earlier else ""
            part = ""
            if partition is not None:
                i, n = partition
                part = f"AND l.bk{r} % {int(n)} = {int(i)}"
            self.sql(
                f"INSERT INTO cand SELECT l.id, r.id, {r} FROM {left} l JOIN {right} r "
                f"ON l.bk{r} = r.bk{r} WHERE {order} AND l.hh <> r.hh {not_earlier} {part}"
            )
        for r, n in self.sql("SELECT rule, count(*) FROM cand GROUP BY rule").fetchall():
            per_rule[RULES[r].name] = int(n)
        self.stats["candidate_pairs"] = sum(per_rule.values())
        self.stats["candidate_pairs_per_rule"] = per_rule

    # -- 3. training --
    def _patterns(self, pairs_table: str) -> list[tuple[tuple[int | None, ...], int]]:
        source = pairs_table if pairs_table == "cmp" else f"({_key_sql(pairs_table)})"
        merged: Counter[tuple[int | None, ...]] = Counter()
        for key, n in self.sql(f"SELECT key, count(*) FROM {source} GROUP BY key").fetchall():
            merged[_decode_key(key)[0]] += int(n)
        return list(merged.items())

    def compare(self) -> None:
        """cmp(a, b, key): the comparison vector of every candidate pair."""
        self.sql(f"CREATE OR REPLACE TABLE cmp AS {_key_sql('cand')}")
        self.sql("DROP TABLE cand")

    def estimate_u(self) -> dict[str, list[float]]:
        p = self.prep
        sample = min(U_SAMPLE, max(U_SAMPLE_MIN, U_SAMPLE_PER_RECORD * p.n))
        if self.total_pairs <= sample:
            if p.link:
                q = "SELECT l.id AS a, r.id AS b FROM rec l, rec r WHERE l.side = 0 AND r.side = 1"
            else:
                q = "SELECT l.id AS a, r.id AS b FROM rec l, rec r WHERE l.id < r.id"
        elif p.link:
            nl, nr = p.n_left, p.n - p.n_left
            q = (
                f"SELECT (hash(i, 7) % {nl})::INTEGER AS a, ({nl} + hash(i, 13) % {nr})::INTEGER "
                f"AS b FROM range({sample}) t(i)"
            )
        else:
            q = (
                f"SELECT a, b FROM (SELECT (hash(i, 7) % {p.n})::INTEGER AS a, "
                f"(hash(i, 13) % {p.n})::INTEGER AS b FROM range({sample}) t(i)) WHERE a <> b"
            )
        self.sql(f"CREATE OR REPLACE TABLE upairs AS {q}")
        patterns = self._patterns("upairs")
        self.sql("DROP TABLE upairs")
        u: dict[str, list[float]] = {}
        for k, f in enumerate(FIELD_NAMES):
            counts = [0] * len(FIELDS[f])
            for pat, n in patterns:
                lvl = pat[k]
                if lvl is not None:
                    counts[lvl] += n
            total = sum(counts)
            levels = len(counts)
            u[f] = [max((c + _PSEUDO_U / levels) / (total + _PSEUDO_U), 1e-9) for c in counts]
        self.stats["u_sample_pairs"] = sum(n for _pat, n in patterns)
        return u

    def session_patterns(self, keys: tuple[str, ...]) -> list[tuple[tuple[int | None, ...], int]]:
        cond = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        key = f"hash({', '.join(keys)})"
        p = self.prep
        self.sql(
            f"CREATE OR REPLACE TABLE skeys AS SELECT id, side, hh, {key} AS k FROM rec WHERE {cond}"
        )
        if p.link:
            total = self.sql(
                "SELECT coalesce(sum(nl * nr), 0) FROM (SELECT k, count(*) FILTER (side = 0) AS nl, "
                "count(*) FILTER (side = 1) AS nr FROM skeys GROUP BY k)"
            ).fetchone()[0]
        else:
            total = self.sql(
                "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM skeys "
                "GROUP BY k)"
            ).fetchone()[0]
        modulus = max(1, math.ceil(float(total) / EM_MAX_PAIRS))
        sample = f"AND l.k % {modulus} = 0" if modulus > 1 else ""
        order = "l.side = 0 AND r.side = 1" if p.link else "l.id < r.id"
        self.sql(
            "CREATE OR REPLACE TABLE spairs AS SELECT l.id AS a, r.id AS b FROM skeys l JOIN skeys r "
            f"ON l.k = r.k WHERE {order} AND l.hh <> r.hh {sample}"
        )
        patterns = self._patterns("spairs")
        self.sql("DROP TABLE spairs")
        self.sql("DROP TABLE skeys")
        return patterns

    def train(self) -> Params:
        u = self.estimate_u()
        sums: dict[str, list[list[float]]] = {f: [] for f in FIELD_NAMES}
        sessions = []
        for keys, estimated, fix_u, fallback in _SESSIONS:
            if fallback and all(sums[f] for f in estimated):
                continue
            patterns = self.session_patterns(keys)
            npairs = sum(n for _p, n in patterns)
            if npairs < _MIN_SESSION_PAIRS:
                sessions.append({"keys": list(keys), "pairs": npairs, "skipped": True})
                continue
            active = [f in estimated and not (fallback and sums[f]) for f in FIELD_NAMES]
            m, lam = _em(patterns, active, u, fix_u=fix_u)
            sessions.append({"keys": list(keys), "pairs": npairs, "lambda": round(lam, 6)})
            for k, f in enumerate(FIELD_NAMES):
                if active[k] and m.get(f) is not None:
                    sums[f].append(m[f])
        m_final: dict[str, list[float]] = {}
        for f in FIELD_NAMES:
            if sums[f]:
                levels = len(FIELDS[f])
                avg = [sum(ms[i] for ms in sums[f]) / len(sums[f]) for i in range(levels)]
                m_final[f] = avg
            else:
                m_final[f] = list(_M0[f])
        self.stats["training_sessions"] = sessions
        return Params(m=m_final, u=u, matches_per_record=0.0, records=self.prep.n)

    def weigh(self, params: Params) -> None:
        """scored(a, b, w): each candidate pair's weight without the prior — the sum of
        the fields' log2 Bayes factors with the term-frequency adjustments, the
        relatives rule and the cap of common whole names, as `_Pattern` explains them.
        The parts that depend on the comparison vector only are computed once per
        distinct vector (a few thousand) and joined."""
        weights = params.weights()
        keys = [k for (k,) in self.sql("SELECT DISTINCT key FROM cmp").fetchall()]
        self.stats["distinct_comparison_vectors"] = len(keys)
        rows = []
        for key in keys:
            levels, swapped = _decode_key(key)
            pat = _Pattern(levels, swapped, weights, params.m)
            tf = [int(f in pat.tf_fields) for f in NAME_FIELDS]
            rows.append((key, pat.base, *tf, pat.cap_tuple, pat.cap_const, pat.cap_names))
        columns = (
            "key BIGINT, base DOUBLE, tg TINYINT, tf TINYINT, tgf TINYINT, tfam TINYINT, "
            "cap_j TINYINT, cap_const DOUBLE, cap_names DOUBLE"
        )
        self.sql(f"CREATE OR REPLACE TABLE pw ({columns})")
        if rows:  # one bulk load through a CSV file, not thousands of INSERT statements
            path = os.path.join(self.tmp, "patterns.csv")
            with open(path, "w", newline="") as fh:
                csv.writer(fh).writerows(
                    ["" if v is None else repr(v) if isinstance(v, float) else v for v in row]
                    for row in rows
                )
            spec = (
                "{"
                + ", ".join(
                    f"'{name}': '{kind}'" for name, kind in (c.split() for c in columns.split(", "))
                )
                + "}"
            )
            self.sql(
                f"INSERT INTO pw SELECT * FROM read_csv(?, header=false, columns={spec})", [path]
            )
        tf_sum = " + ".join(f"p.t{c} * l.{c}_tf" for c in _NAME_COLS.values())
        caps = " ".join(
            f"WHEN {j} THEN least(0, p.cap_const - log2({_share_sql(j)}) - (p.cap_names + "
            + " + ".join(f"l.{_NAME_COLS[f]}_tf" for f in tup)
            + "))"
            for j, tup in enumerate(NAME_TUPLES)
        )
        self.sql(
            f"CREATE OR REPLACE TABLE scored AS SELECT c.a, c.b, c.key, (p.base + {tf_sum} + "
            f"coalesce(CASE p.cap_j {caps} END, 0))::REAL AS w FROM cmp c JOIN pw p ON p.key = c.key "
            "JOIN rec l ON l.id = c.a JOIN rec r ON r.id = c.b"
        )
        self.sql("DROP TABLE cmp")

    def estimate_prior(self, params: Params) -> None:
        """The fraction of all pairs that match, by EM on the prior alone over the
        candidate pairs (pairs left out by blocking count as non-matches)."""
        rows = self.sql("SELECT round(w, 2) AS w, count(*) FROM scored GROUP BY 1").fetchall()
        total = max(self.total_pairs, 1)
        pi = min(0.5, max(1.0 / total, self.prep.n / total))
        for _ in range(500):
            logit = math.log2(pi / (1 - pi))
            expected = sum(n / (1.0 + 2.0 ** -min(max(logit + w, -60), 60)) for w, n in rows)
            new = min(0.5, max(expected / total, 1e-15))
            if abs(new - pi) <= 1e-7 * pi:
                pi = new
                break
            pi = new
        params.prior = pi
        params.matches_per_record = pi * total / max(self.prep.n, 1)
        params.records = self.prep.n

    # -- 4. scoring --
    def score(self, params: Params, minimum: float) -> list[Pair]:
        weights = params.weights()
        self.m = params.m
        prior = params.prior_for(self.prep.n, self.total_pairs)
        prior_logit = math.log2(prior / (1 - prior))
        self.stats["prior"] = prior
        bound = math.log2(minimum / (1 - minimum)) - prior_logit - 1e-3 if minimum > 0 else -1e9
        tfs = ", ".join(f"l.{c}_tf" for c in _NAME_COLS.values())
        shares = ", ".join(f"({_share_sql(j)})::DOUBLE" for j in range(len(NAME_TUPLES)))
        rows = self.sql(
            f"SELECT s.a, s.b, s.key, {tfs}, {shares} FROM scored s "
            f"JOIN rec l ON l.id = s.a JOIN rec r ON r.id = s.b WHERE s.w >= {bound!r}"
        ).fetchall()
        pairs: list[Pair] = []
        for row in rows:
            a, b, key = row[0], row[1], row[2]
            levels, swapped = _decode_key(key)
            tf = dict(zip(_NAME_COLS.values(), row[3:7], strict=True))
            pair = self._pair(a, b, levels, tf, weights, prior_logit, swapped, row[7:])
            if pair.probability >= minimum:
                pairs.append(pair)
        return pairs

    def _pair(
        self,
        a: int,
        b: int,
        levels: Sequence[int | None],
        tfs: dict[str, float],
        weights: dict[str, list[float]],
        prior_logit: float,
        swapped: bool = False,
        shares: Sequence[float | None] = (),
    ) -> Pair:
        ra, rb = self.prep.records[a], self.prep.records[b]
        pa, pb = self.prep.parts[a], self.prep.parts[b]
        if swapped:  # given and family names the other way round on the right
            pb = (pb[3], pb[1], pb[2], pb[0])
        pat = _Pattern(tuple(levels), swapped, weights, self.m)
        contributions: list[Contribution] = []
        total = prior_logit
        for f in FIELD_NAMES:
            lvl = pat.levels[f]
            shown = _shown(f, ra, rb, pa, pb)
            if lvl is None:
                if shown[0] or shown[1]:
                    contributions.append(Contribution(f, "missing", 0.0, shown[0], shown[1]))
                continue
            w = pat.field_weight[f]
            if f in pat.tf_fields:
                w += float(tfs[_NAME_COLS[f]] or 0.0)
            total += w
            contributions.append(Contribution(f, FIELDS[f][lvl], round(w, 4), shown[0], shown[1]))
        if pat.cap_tuple is not None:
            j = pat.cap_tuple
            share = shares[j] if j < len(shares) else None
            if share:
                tup = NAME_TUPLES[j]
                current = pat.cap_names + sum(float(tfs[_NAME_COLS[f]] or 0.0) for f in tup)
                correction = min(0.0, pat.cap_const - math.log2(share) - current)
                if correction < 0:
                    total += correction
                    by = {c.field: c for c in contributions}
                    contributions.append(
                        Contribution(
                            "full_name",
                            "common_name",
                            round(correction, 4),
                            " ".join(by[f].left for f in tup if f in by),
                            " ".join(by[f].right for f in tup if f in by),
                        )
                    )
        return Pair(
            left=ra.record_id,
            right=rb.record_id,
            probability=_probability(total),
            weight=total,
            contributions=contributions,
            left_household=ra.household_id,
            right_household=rb.household_id,
        )


def _shown(
    f: str,
    ra: Record,
    rb: Record,
    pa: tuple[str, str, str, str],
    pb: tuple[str, str, str, str],
) -> tuple[str, str]:
    if f in _NAME_COLS:
        k = NAME_FIELDS.index(f)
        return pa[k], pb[k]
    if f == "date_of_birth":
        return ra.date_of_birth, rb.date_of_birth
    if f == "sex":
        return ra.sex, rb.sex
    if f == "phone":
        return ra.phone, rb.phone
    if f == "document_number":
        return ra.document_number, rb.document_number
    if f == "location":
        return (ra.admin2_pcode or ra.admin1_pcode, rb.admin2_pcode or rb.admin1_pcode)
    if f == "address":
        return ra.address, rb.address
    return "", ""


def _share_sql(j: int) -> str:
    """The share of the other records with the pair's whole name NAME_TUPLES[j], counted
    among the records written in the script of the side with more such records (a name
    in a script few records use says little of its frequency); NULL (no cap) when fewer
    than MIN_FREQUENCY_RECORDS records say how common names are."""
    return (
        f"CASE WHEN greatest(l.nsc, r.nsc) < {MIN_FREQUENCY_RECORDS} THEN NULL "
        f"WHEN l.nsc >= r.nsc THEN greatest(l.nt{j} - 1, 1) / l.nsc "
        f"ELSE greatest(r.nt{j} - 1, 1) / r.nsc END"
    )


def _agrees(level: int | None) -> bool:
    """A name level of agreement: exact, transliterated or same skeleton."""
    return level is not None and level <= 2


class _Pattern:
    """The weights a comparison vector gives, before the term-frequency adjustments
    (which depend on the names themselves).

    - `field_weight[f]`: log2(m/u) of the field's level; with the relatives rule
      (given names different while the father's or grandfather's name agrees: likely
      siblings or cousins), the lineage names, date of birth, phone, location and
      address count only against the match (their weight at most 0).
    - `tf_fields`: the names whose agreement gets the term-frequency adjustment
      (agreeing, and not under the relatives rule).
    - The cap of common whole names: for the first of NAME_TUPLES whose names all
      agree, the names' weight (with their term frequencies) is capped at
      log2(Π m_agree) − log2(share of the other records with that whole name);
      `cap_names` is those names' weight without term frequencies. Not when given and
      family names were compared crosswise.
    """

    __slots__ = (
        "base",
        "cap_const",
        "cap_names",
        "cap_tuple",
        "field_weight",
        "levels",
        "tf_fields",
    )

    def __init__(
        self,
        levels: tuple[int | None, ...],
        swapped: bool,
        weights: dict[str, list[float]],
        m: dict[str, list[float]],
    ) -> None:
        self.levels = dict(zip(FIELD_NAMES, levels, strict=True))
        lv = self.levels
        sibling = lv["given_name"] == _DIFFERENT and any(
            _agrees(lv[f]) for f in ("father_name", "grandfather_name")
        )
        self.field_weight: dict[str, float] = {}
        self.tf_fields: set[str] = set()
        for f, lvl in lv.items():
            if lvl is None:
                continue
            w = weights[f][lvl]
            if sibling and f in _SIBLING_FIELDS:
                w = min(w, 0.0)
            elif f in _NAME_COLS and lvl in _AGREE_LEVELS:
                self.tf_fields.add(f)
            self.field_weight[f] = w
        self.base = sum(self.field_weight.values())
        self.cap_tuple: int | None = None
        self.cap_const = 0.0
        self.cap_names = 0.0
        if not swapped:
            agree = {f for f in NAME_FIELDS if _agrees(lv[f])}
            for j, tup in enumerate(NAME_TUPLES):
                if set(tup) <= agree:
                    self.cap_tuple = j
                    self.cap_const = sum(math.log2(max(sum(m[f][:3]), 1e-12)) for f in tup)
                    self.cap_names = sum(self.field_weight[f] for f in tup)
                    break


def _probability(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** -min(max(weight, -1000.0), 1000.0))


def _em(
    patterns: list[tuple[tuple[int | None, ...], int]],
    active: list[bool],
    u: dict[str, list[float]],
    iterations: int = 100,
    fix_u: bool = True,
) -> tuple[dict[str, list[float]], float]:
    """m-probabilities of the active fields and the match proportion λ, by EM on the
    aggregated comparison vectors. With `fix_u` the u-probabilities stay those of random
    pairs (Splink's default); without, the session's non-matches get their own u (the
    block makes them agree on fields related to its key: the same given name means the
    same sex, the same community the same place), which are not kept."""
    fields_ = [(k, f) for k, f in enumerate(FIELD_NAMES) if active[k]]
    m = {f: list(_M0[f]) for _k, f in fields_}
    uu = {f: list(u[f]) for _k, f in fields_}
    rows: list[tuple[list[tuple[str, int]], int]] = []
    for pat, n in patterns:
        comps = [(f, lvl) for k, f in fields_ if (lvl := pat[k]) is not None]
        if comps:
            rows.append((comps, n))
    total = sum(n for _c, n in rows)
    if not total:
        return m, 0.0
    lam = 0.1
    for _ in range(iterations):
        log_m = {f: [math.log(max(x, 1e-12)) for x in m[f]] for f in m}
        log_u = {f: [math.log(max(x, 1e-12)) for x in uu[f]] for f in m}
        acc_m = {f: [0.0] * len(m[f]) for f in m}
        acc_u = {f: [0.0] * len(m[f]) for f in m}
        matched = 0.0
        lm0, lu0 = math.log(lam), math.log(1 - lam)
        for comps, n in rows:
            a = lm0
            b = lu0
            for f, lvl in comps:
                a += log_m[f][lvl]
                b += log_u[f][lvl]
            d = b - a
            post = 1.0 / (1.0 + math.exp(d)) if d < 700 else 0.0
            wn = post * n
            matched += wn
            for f, lvl in comps:
                acc_m[f][lvl] += wn
                acc_u[f][lvl] += n - wn
        new_lam = min(max(matched / total, 1e-9), 0.999)
        delta = abs(new_lam - lam)
        for f in m:
            levels = len(m[f])
            s_m = sum(acc_m[f])
            new = [(acc_m[f][i] + _PSEUDO_M * _M0[f][i]) / (s_m + _PSEUDO_M) for i in range(levels)]
            delta = max(delta, max(abs(x - y) for x, y in zip(new, m[f], strict=True)))
            m[f] = [max(x, 1e-6) for x in new]
            if not fix_u:
                s_u = sum(acc_u[f])
                uu[f] = [
                    max((acc_u[f][i] + _PSEUDO_U * u[f][i]) / (s_u + _PSEUDO_U), 1e-9)
                    for i in range(levels)
                ]
        lam = new_lam
        if delta < 1e-5:
            break
    return m, lam


# --- household context ---------------------------------------------------------------------


def _apply_household_context(pairs: list[Pair]) -> list[Pair]:
    """Add the household bonus to the member pairs of two households that match each
    other member for member.

    Per pair of households, the member pairs at or above REVIEW_THRESHOLD are matched
    one to one (best first: a person is at most one person of the other household);
    with k ≥ 2 members so matched, each pair of the matching gets
    HOUSEHOLD_BONUS_BITS · min(k − 1, 3). Pairs outside the matching (a brother who
    matches his brother's re-registration less well) get nothing."""
    groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for p in pairs:
        if p.left_household and p.right_household and p.probability >= REVIEW_THRESHOLD:
            groups[(p.left_household, p.right_household)].append(p)
    for (hl, hr), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda p: (-p.weight, p.left, p.right))
        used_l: set[str] = set()
        used_r: set[str] = set()
        matching: list[Pair] = []
        for p in members:
            if p.left in used_l or p.right in used_r:
                continue
            used_l.add(p.left)
            used_r.add(p.right)
            matching.append(p)
        k = len(matching)
        if k < 2:
            continue
        bonus = HOUSEHOLD_BONUS_BITS * min(k - 1, 3)
        for p in matching:
            p.contributions.append(
                Contribution("household", f"{k}_members_match", round(bonus, 4), hl, hr)
            )
            p.weight += bonus
            p.probability = _probability(p.weight)
    return pairs


def combine_partitions(results: Iterable[Result], threshold: float = FLAG_THRESHOLD) -> Result:
    """The result of a partitioned run: the union of the partitions' pairs, with the
    household context applied, at or above `threshold`."""
    results = list(results)
    pairs: list[Pair] = []
    stats: dict[str, Any] = {"partitions": len(results), "candidate_pairs": 0}
    for r in results:
        pairs.extend(r.pairs)
        stats["candidate_pairs"] += int(r.stats.get("candidate_pairs", 0))
        stats.setdefault("records", r.stats.get("records"))
    _apply_household_context(pairs)
    kept = sorted(
        (p for p in pairs if p.probability >= threshold),
        key=lambda p: (-p.probability, p.left, p.right),
    )
    stats["pairs"] = len(kept)
    return Result(pairs=kept, params=results[0].params if results else None, stats=stats)  # type: ignore[arg-type]


# --- public API ----------------------------------------------------------------------------


def _check(records: Sequence[Record], link: Sequence[Record] | None) -> None:
    for label, recs in (("records", records), ("link", link or [])):
        counts = Counter(r.record_id for r in recs)
        dups = [rid for rid, n in counts.items() if n > 1]
        if dups:
            raise ValueError(f"Duplicate record ids in {label}: {', '.join(map(str, dups[:5]))}")


MIN_RECORDS_TO_ESTIMATE = 1000
"""Below this many records the data cannot teach the parameters: use `reference_params`."""


def reference_params() -> Params:
    """Parameters estimated once on 50,000 synthetic Iraqi records
    (`data/reference_params.json`, made by `estimate_params` on `synthetic.generate(50000,
    seed=1)`): for inputs too small to estimate their own (a short list, a few families)."""
    import json
    from pathlib import Path

    path = Path(__file__).with_name("data") / "reference_params.json"
    return Params.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _empty_params(n: int) -> Params:
    return Params(
        m={f: list(_M0[f]) for f in FIELD_NAMES},
        u={f: [1.0 / len(FIELDS[f])] * len(FIELDS[f]) for f in FIELD_NAMES},
        matches_per_record=0.0,
        records=n,
    )


def estimate_params(
    records: Sequence[Record],
    *,
    link: Sequence[Record] | None = None,
    progress: ProgressFn | None = None,
) -> Params:
    """Estimate the parameters only (u by sampling, m by EM, the prior over the
    candidate pairs): what a partitioned run needs first."""
    _check(records, link)
    engine = _Engine(records, link, progress)
    try:
        engine.load()
        engine.block_keys()
        engine.candidates(None)
        engine.compare()
        engine.step("blocking", "Estimating the parameters")
        params = engine.train()
        engine.weigh(params)
        engine.estimate_prior(params)
        engine.step("training", "Done")
        return params
    finally:
        engine.close()


def find_pairs(
    records: Sequence[Record],
    *,
    link: Sequence[Record] | None = None,
    threshold: float = FLAG_THRESHOLD,
    params: Params | None = None,
    progress: ProgressFn | None = None,
    partition: tuple[int, int] | None = None,
) -> Result:
    """Pairs of records that are probably the same person, at or above `threshold`.

    Without `link`: pairs within `records` (left id < right id in input order). With
    `link`: pairs of one record of `records` (left) and one of `link` (right). Without
    `params` they are estimated from the data (see `Result.params`). With `partition`
    (i, n) only the share i of n of the candidate pairs is scored, and the household
    context is left to `combine_partitions` (so pairs down to REVIEW_THRESHOLD are kept)."""
    if partition is not None:
        i, n = partition
        if not (isinstance(n, int) and n >= 1 and 0 <= i < n):
            raise ValueError("partition must be (i, n) with 0 <= i < n")
    _check(records, link)
    n_records = len(records) + len(link or [])
    if n_records < 2 or (link is not None and (not records or not link)):
        return Result(
            pairs=[], params=params or _empty_params(n_records), stats={"records": n_records}
        )
    engine = _Engine(records, link, progress)
    try:
        engine.load()
        engine.block_keys()
        engine.candidates(partition)
        engine.compare()
        engine.step("blocking", "Estimating the parameters" if params is None else "Scoring")
        if params is None:
            if partition is not None:
                raise ValueError("A partitioned run needs params (see estimate_params).")
            params = engine.train()
            engine.weigh(params)
            engine.estimate_prior(params)
        else:
            engine.weigh(params)
        engine.step("training", "Scoring")
        minimum = min(threshold, REVIEW_THRESHOLD)
        pairs = engine.score(params, minimum)
        engine.step("scoring", "Household context")
        if partition is None:
            _apply_household_context(pairs)
            pairs = [p for p in pairs if p.probability >= threshold]
        pairs.sort(key=lambda p: (-p.probability, p.left, p.right))
        engine.stats["pairs"] = len(pairs)
        engine.stats["params"] = {
            "prior": params.prior_for(engine.prep.n, engine.total_pairs),
            "matches_per_record": params.matches_per_record,
        }
        engine.step("household", "Done")
        engine.stats["seconds"]["total"] = round(sum(engine.stats["seconds"].values()), 3)
        return Result(pairs=pairs, params=params, stats=engine.stats)
    finally:
        engine.close()
