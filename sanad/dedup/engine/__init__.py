"""The matching engine: pure Python and DuckDB, no Django (it runs in the command line,
in job workers and in benchmarks). See `pipeline` for the method."""

from sanad.dedup.engine.cluster import clusters
from sanad.dedup.engine.names import normalise, script, skeleton, split_full_name
from sanad.dedup.engine.pipeline import (
    FIELDS,
    FLAG_THRESHOLD,
    HOUSEHOLD_BONUS_BITS,
    MIN_RECORDS_TO_ESTIMATE,
    REVIEW_THRESHOLD,
    Contribution,
    Pair,
    Params,
    Result,
    combine_partitions,
    estimate_params,
    find_pairs,
    reference_params,
)
from sanad.dedup.engine.records import DedupInputError, Record, read_csv

__all__ = [
    "FIELDS",
    "FLAG_THRESHOLD",
    "HOUSEHOLD_BONUS_BITS",
    "MIN_RECORDS_TO_ESTIMATE",
    "REVIEW_THRESHOLD",
    "Contribution",
    "DedupInputError",
    "Pair",
    "Params",
    "Record",
    "Result",
    "clusters",
    "combine_partitions",
    "estimate_params",
    "find_pairs",
    "normalise",
    "read_csv",
    "reference_params",
    "script",
    "skeleton",
    "split_full_name",
]
