"""Writes for deduplication: start and execute runs of the matching engine (`runs`,
with the engine's view of the registry in `records`), confirm (merge) or reject the
pairs it proposes and undo merges (`review`), set the thresholds (`runs`), link
partners' lists (`link`).

Views, the API, jobs and commands call these names; tests replace the engine with
`records.engine`.
"""

from sanad.dedup.services import records
from sanad.dedup.services.link import link_result_path, link_rows, link_start, uploads_dir
from sanad.dedup.services.records import (
    RegistryRecords,
    default_thresholds,
    engine,
    households_for_run,
    registry_records,
)
from sanad.dedup.services.review import merge_undo, pair_confirm, pair_reject
from sanad.dedup.services.runs import (
    JOB_KIND,
    run_execute,
    run_get_for_job,
    run_inline,
    run_start,
    settings_set,
    store_pairs,
    thresholds_for,
)

__all__ = [
    "JOB_KIND",
    "RegistryRecords",
    "default_thresholds",
    "engine",
    "households_for_run",
    "link_result_path",
    "link_rows",
    "link_start",
    "merge_undo",
    "pair_confirm",
    "pair_reject",
    "records",
    "registry_records",
    "run_execute",
    "run_get_for_job",
    "run_inline",
    "run_start",
    "settings_set",
    "store_pairs",
    "thresholds_for",
    "uploads_dir",
]
