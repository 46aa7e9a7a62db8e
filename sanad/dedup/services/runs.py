"""Runs of the matching engine: thresholds, starting a run (the registry, an import
batch; linking partners' lists is in `link`), executing it in the job, and storing its
pairs.

Storing a run's pairs:
- pairs inside one household are left out (merging households is the remedy here;
  two members of one household are relatives, or an error for the household page);
- a pair a reviewer rejected is never stored again (`PairDecision`);
- a pair still pending from an earlier run is superseded by the new one;
- a run over an import batch keeps only pairs that involve a member of the batch.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.core.jobs import job_start
from sanad.core.models import StatusTransition
from sanad.core.scoping import has_permission
from sanad.dedup.models import (
    CHANGE_SETTINGS,
    RUN,
    DedupRun,
    DedupSettings,
    MatchPair,
    PairDecision,
)
from sanad.dedup.services import records
from sanad.geo.selectors import governorates_within
from sanad.programmes.models import Programme
from sanad.registry.imports.selectors import import_batch_get
from sanad.registry.models import ImportBatch, Individual

logger = logging.getLogger(__name__)

JOB_KIND = "dedup.run"
ProgressFn = Callable[..., None]
CHUNK = 900  # ids per IN (…) clause: below SQLite's limit on query parameters
# Below this many records a run reuses the parameters an earlier, larger run estimated:
# the engine estimates m- and u-probabilities from the data, which needs enough of it.
MIN_RECORDS_TO_ESTIMATE = 1000


# --- thresholds -------------------------------------------------------------------------------


def thresholds_for(programme: Programme | None) -> tuple[float, float]:
    """(flag, review) thresholds of `programme` (None: runs for no programme): its own
    settings, else the general ones, else the engine's recommendation."""
    if programme is not None:
        own = DedupSettings.objects.filter(programme=programme).first()
        if own is not None:
            return own.flag_threshold, own.review_threshold
    general = DedupSettings.objects.filter(programme__isnull=True).first()
    if general is not None:
        return general.flag_threshold, general.review_threshold
    return records.default_thresholds()


def settings_set(
    *,
    user: Any,
    programme: Programme | None,
    flag_threshold: float | None,
    review_threshold: float | None,
) -> DedupSettings | None:
    """Set the thresholds of `programme` (None: the general ones). Both empty: back to
    the general thresholds (for a programme) or the engine's (general)."""
    if not has_permission(user, CHANGE_SETTINGS):
        raise PermissionDenied()
    current = DedupSettings.objects.filter(programme=programme).first()
    if flag_threshold is None and review_threshold is None:
        if current is not None:
            current.delete()
        return None
    fields: dict[str, list[str]] = {}
    if flag_threshold is None or not 0 < flag_threshold <= 1:
        fields["flag_threshold"] = [_("Give a probability above 0 and at most 1, such as 0.95.")]
    if review_threshold is None or not 0 < review_threshold <= 1:
        fields["review_threshold"] = [_("Give a probability above 0 and at most 1, such as 0.5.")]
    elif flag_threshold is not None and review_threshold > flag_threshold:
        fields["review_threshold"] = [
            _("The review threshold cannot be higher than the flag threshold.")
        ]
    if fields:
        raise ValidationFailed(fields=fields)
    row = current or DedupSettings(programme=programme)
    row.flag_threshold = float(flag_threshold)  # type: ignore[arg-type]
    row.review_threshold = float(review_threshold)  # type: ignore[arg-type]
    row.save()
    return row


# --- starting runs ------------------------------------------------------------------------


def _require(user: Any, permission: str) -> None:
    if not has_permission(user, permission):
        raise PermissionDenied()


def _reach(user: Any, permission: str) -> list[str]:
    codes = governorates_within(user, permission)
    return [] if codes is None else sorted(codes)


def _run_new(
    *, user: Any, import_batch: ImportBatch | None, programme: Programme | None
) -> DedupRun:
    _require(user, RUN)
    kind = DedupRun.Kind.REGISTRY
    if import_batch is not None:
        import_batch = import_batch_get(user=user, public_id=import_batch.public_id)
        if import_batch.status != ImportBatch.Status.COMMITTED:
            message = _("Only a committed import can be checked for duplicates.")
            raise ValidationFailed(message, code="batch_not_committed")
        kind = DedupRun.Kind.BATCH
    flag, review = thresholds_for(programme)
    return DedupRun.objects.create(
        kind=kind,
        import_batch=import_batch,
        programme=programme,
        governorates=_reach(user, RUN),
        flag_threshold=flag,
        review_threshold=review,
        created_by=user if getattr(user, "pk", None) else None,
    )


def run_start(
    *,
    user: Any,
    import_batch: ImportBatch | None = None,
    programme: Programme | None = None,
) -> DedupRun:
    """Start finding duplicates in the registry (within the user's governorates), or
    among the households of a committed import batch and between them and the
    registry. Runs as a background job; returns the run."""
    with transaction.atomic():
        run = _run_new(user=user, import_batch=import_batch, programme=programme)
        _start_job(run, user)
    return run


def run_inline(
    *,
    user: Any,
    import_batch: ImportBatch | None = None,
    programme: Programme | None = None,
    progress: ProgressFn | None = None,
) -> DedupRun:
    """The same run, executed now in this process (the demo seed, commands)."""
    run = _run_new(user=user, import_batch=import_batch, programme=programme)
    return run_execute(run=run, progress=progress)


def _start_job(run: DedupRun, user: Any) -> None:
    title = {
        DedupRun.Kind.REGISTRY: _("Find duplicates in the registry"),
        DedupRun.Kind.BATCH: _("Find duplicates of an import"),
        DedupRun.Kind.LINK_REGISTRY: _("Link a partner's list to the registry"),
        DedupRun.Kind.LINK_FILES: _("Link two partners' lists"),
    }[DedupRun.Kind(run.kind)]
    job = job_start(kind=JOB_KIND, user=user, params={"run": str(run.public_id)}, title=title)
    run.job = job
    run.save(update_fields=["job", "updated_at"])


# --- executing runs (the job) --------------------------------------------------------------


def _progress_adapter(progress: ProgressFn | None) -> Callable[[int, int, str], None] | None:
    if progress is None:
        return None
    stages = {
        "preparing the records": _("Preparing the records"),
        "blocking": _("Finding candidate pairs"),
        "estimating the parameters": _("Estimating the model from the data"),
        "scoring": _("Scoring candidate pairs"),
        "household context": _("Weighing household context"),
        "done": _("Comparing records"),
    }

    def report(done: int, total: int, message: str = "") -> None:
        text = stages.get(str(message).strip().lower(), _("Comparing records"))
        progress(done, total, text)

    return report


def run_execute(*, run: DedupRun, progress: ProgressFn | None = None) -> DedupRun:
    """Run the engine for `run` (queued) and store what it found. A failure marks the
    run failed and is raised again (the job records it)."""
    DedupRun.STATUS_MACHINE.transition(run, to=DedupRun.Status.RUNNING, by=run.created_by)
    DedupRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    try:
        if run.is_link:
            from sanad.dedup.services.link import execute_link

            execute_link(run, progress)
        else:
            _execute_registry(run, progress)
    except BaseException as exc:
        error = str(exc.message) if isinstance(exc, ApplicationError) else _("The run stopped.")
        run.error = error[:2000]
        run.finished_at = timezone.now()
        try:
            DedupRun.STATUS_MACHINE.transition(
                run, to=DedupRun.Status.FAILED, extra_updates=["error", "finished_at"]
            )
        except ApplicationError:
            logger.exception("could not mark dedup run %s failed", run.public_id)
        raise
    finally:
        if run.is_link:
            from sanad.dedup.services.link import uploads_dir

            shutil.rmtree(uploads_dir(run), ignore_errors=True)
    run.finished_at = timezone.now()
    DedupRun.STATUS_MACHINE.transition(
        run,
        to=DedupRun.Status.DONE,
        extra_updates=[
            "finished_at",
            "params",
            "stats",
            "records",
            "pairs_found",
            "pairs_new",
            "pairs_skipped",
            "result_file",
        ],
    )
    return run


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _params_dict(result: Any) -> dict[str, Any]:
    params = getattr(result, "params", None)
    if params is None:
        return {}
    to_dict = getattr(params, "to_dict", None)
    return _json(to_dict() if callable(to_dict) else params)


def _reused_params(n_records: int) -> tuple[Any, DedupRun | None]:
    """Parameters for a run over too few records to estimate them (a small import, a
    governorate with few families, a short list): those of the latest run over the
    registry that estimated them from enough records, else the engine's reference
    parameters. None: enough records, let the engine estimate."""
    if n_records >= MIN_RECORDS_TO_ESTIMATE:
        return None, None
    source = (
        DedupRun.objects.filter(
            status=DedupRun.Status.DONE,
            kind__in=[DedupRun.Kind.REGISTRY, DedupRun.Kind.BATCH],
            records__gte=MIN_RECORDS_TO_ESTIMATE,
        )
        .exclude(params={})
        .order_by("-finished_at", "-pk")
        .first()
    )
    if source is None:  # no run has learned them yet: the engine's reference weights
        return records.engine().reference_params(), None
    try:
        return records.engine().Params.from_dict(source.params), source
    except (KeyError, TypeError, ValueError):  # parameters of an older engine version
        return None, None


def _execute_registry(run: DedupRun, progress: ProgressFn | None) -> None:
    if progress:
        progress(0, 1, _("Preparing the records"))
    data = records.registry_records(records.households_for_run(run.governorates))
    run.records = len(data.records)
    params, source = _reused_params(run.records)
    result = records.engine().find_pairs(
        data.records,
        threshold=run.review_threshold,
        params=params,
        progress=_progress_adapter(progress),
    )
    run.params = _params_dict(result)
    run.stats = _json(dict(getattr(result, "stats", {}) or {}))
    if source is not None:
        run.stats["params_from_run"] = str(source.public_id)
    keep: set[int] | None = None
    if run.kind == DedupRun.Kind.BATCH:
        keep = set(
            Individual.objects.filter(household__import_batch=run.import_batch).values_list(
                "pk", flat=True
            )
        )
    if progress:
        progress(0, max(len(result.pairs), 1), _("Storing the pairs"))
    with transaction.atomic():
        store_pairs(run=run, pairs=result.pairs, ids=data.ids, keep=keep)


def _decided(individual_pks: set[int]) -> set[tuple[int, int]]:
    keys: set[tuple[int, int]] = set()
    ordered = sorted(individual_pks)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        keys.update(
            PairDecision.objects.filter(individual_low_id__in=chunk).values_list(
                "individual_low_id", "individual_high_id"
            )
        )
    return keys


def _pending_before(run: DedupRun, individual_pks: set[int]) -> dict[tuple[int, int], list[int]]:
    found: dict[tuple[int, int], list[int]] = {}
    ordered = sorted(individual_pks)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for pk, a, b in (
            MatchPair.objects.filter(status=MatchPair.Status.PENDING, left_individual_id__in=chunk)
            .exclude(run=run)
            .values_list("pk", "left_individual_id", "right_individual_id")
        ):
            found.setdefault((min(a, b), max(a, b)), []).append(pk)
    return found


def store_pairs(
    *,
    run: DedupRun,
    pairs: Iterable[Any],
    ids: dict[str, tuple[int, int]],
    keep: set[int] | None = None,
) -> list[MatchPair]:
    """Store the engine's pairs for `run` (see the module's docstring for what is left
    out), superseding pairs still pending from earlier runs."""
    candidates: list[tuple[Any, tuple[int, int], tuple[int, int]]] = []
    found = 0
    for p in pairs:
        left, right = ids.get(str(p.left)), ids.get(str(p.right))
        if left is None or right is None or left[1] == right[1]:
            continue
        if keep is not None and left[0] not in keep and right[0] not in keep:
            continue
        found += 1
        candidates.append((p, left, right))
    people = {x for _p, left, right in candidates for x in (left[0], right[0])}
    rejected = _decided(people)
    earlier = _pending_before(run, people)
    new: list[MatchPair] = []
    seen: set[tuple[int, int]] = set()
    skipped = 0
    for p, left, right in candidates:
        key = (min(left[0], right[0]), max(left[0], right[0]))
        if key in rejected:
            skipped += 1
            continue
        if key in seen:
            continue
        seen.add(key)
        probability = float(p.probability)
        new.append(
            MatchPair(
                run=run,
                left_individual_id=left[0],
                right_individual_id=right[0],
                left_household_id=left[1],
                right_household_id=right[1],
                probability=probability,
                weight=float(getattr(p, "weight", 0) or 0),
                contributions=[_contribution(c) for c in getattr(p, "contributions", ()) or ()],
                band=(
                    MatchPair.Band.FLAGGED
                    if probability >= run.flag_threshold
                    else MatchPair.Band.REVIEW
                ),
                created_by=run.created_by,
            )
        )
    superseded = [pk for key in seen for pk in earlier.get(key, ())]
    if superseded:
        supersede(
            superseded,
            by=run.created_by,
            reason=_("Found again by a later run (%(date)s).")
            % {"date": timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")},
        )
    MatchPair.objects.bulk_create(new, batch_size=500)
    run.pairs_found = found
    run.pairs_new = len(new)
    run.pairs_skipped = skipped
    return new


def _contribution(c: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(c) and not isinstance(c, type):
        data = dataclasses.asdict(c)
    else:
        data = dict(c)
    return {
        "field": str(data.get("field", "")),
        "level": str(data.get("level", "")),
        "weight": round(float(data.get("weight") or 0), 3),
        "left": "" if data.get("left") is None else str(data.get("left")),
        "right": "" if data.get("right") is None else str(data.get("right")),
    }


def supersede(pks: list[int], *, by: Any, reason: str) -> None:
    """Mark pending pairs superseded in bulk, each transition recorded."""
    content_type = ContentType.objects.get_for_model(MatchPair)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        changed = list(
            MatchPair.objects.filter(pk__in=chunk, status=MatchPair.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        MatchPair.objects.filter(pk__in=changed, status=MatchPair.Status.PENDING).update(
            status=MatchPair.Status.SUPERSEDED, updated_at=timezone.now()
        )
        StatusTransition.objects.bulk_create(
            [
                StatusTransition(
                    content_type=content_type,
                    object_pk=str(pk),
                    field="status",
                    from_state=MatchPair.Status.PENDING,
                    to_state=MatchPair.Status.SUPERSEDED,
                    by=by if getattr(by, "pk", None) else None,
                    reason=reason,
                )
                for pk in changed
            ]
        )


def run_get_for_job(params: dict[str, Any]) -> DedupRun:
    run = (
        DedupRun.objects.filter(public_id=str((params or {}).get("run") or ""))
        .select_related("import_batch", "job", "created_by")
        .first()
    )
    if run is None:
        raise NotFound()
    return run
