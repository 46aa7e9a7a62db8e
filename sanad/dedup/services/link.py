"""Linking lists: a partner's beneficiary list (CSV, the `sanad dedup_file` input
format) against the registry in the user's governorates, or against a second list.
The uploads are checked at once, matched in the job (`runs.run_execute`) and deleted
when it ends; the result holds record ids, registration ids and probabilities only."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.dedup.models import RUN, DedupRun
from sanad.dedup.services import records
from sanad.dedup.services.runs import (
    ProgressFn,
    _json,
    _params_dict,
    _progress_adapter,
    _reach,
    _require,
    _reused_params,
    _start_job,
    thresholds_for,
)
from sanad.programmes.models import Programme
from sanad.registry.models import Household

LINK_SUFFIXES = (".csv",)


def uploads_dir(run: DedupRun) -> Path:
    return Path(settings.SANAD_IMPORTS_DIR) / "dedup" / str(run.public_id)


def _max_bytes() -> int:
    return int(getattr(settings, "SANAD_IMPORT_MAX_MB", 1024)) * 1024 * 1024


def _store_upload(file: Any, name: str, target: Path, field: str) -> None:
    if Path(name or "").suffix.lower() not in LINK_SUFFIXES:
        message = _("Upload the list as a CSV file (UTF-8, with a header row).")
        raise ValidationFailed(fields={field: [message]})
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
        for chunk in chunks:
            written += len(chunk)
            if written > _max_bytes():
                raise ValidationFailed(
                    fields={
                        field: [
                            _("The file is larger than %(mb)s MB.")
                            % {"mb": _max_bytes() // (1024 * 1024)}
                        ]
                    }
                )
            out.write(chunk)
    if written == 0:
        raise ValidationFailed(fields={field: [_("The file is empty.")]})


def _read_list(path: Path, field: str, name: str = "") -> list[Any]:
    module = records.engine()
    try:
        return list(module.read_csv(str(path)))
    except module.DedupInputError as exc:
        # The engine names the file by its path on the server: name the upload instead.
        problem = str(exc).replace(str(path), name or path.name)
        message = _("The list cannot be used: %(problem)s") % {"problem": problem}
        raise ValidationFailed(message, fields={field: [message]}) from exc


def link_start(
    *,
    user: Any,
    file: IO[bytes] | Any,
    name: str,
    second_file: IO[bytes] | Any | None = None,
    second_name: str = "",
    programme: Programme | None = None,
) -> DedupRun:
    """Link a partner's beneficiary list (CSV in the `sanad dedup_file` input format) to
    the registry within the user's governorates, or to a second list. The files are
    checked now, matched in a background job and deleted when the job ends."""
    _require(user, RUN)
    flag, review = thresholds_for(programme)
    kind = DedupRun.Kind.LINK_FILES if second_file is not None else DedupRun.Kind.LINK_REGISTRY
    run = DedupRun(
        kind=kind,
        programme=programme,
        governorates=_reach(user, RUN),
        flag_threshold=flag,
        review_threshold=review,
        left_name=Path(name or "list.csv").name[:255],
        right_name=Path(second_name).name[:255] if second_file is not None else "",
        created_by=user if getattr(user, "pk", None) else None,
    )
    folder = uploads_dir(run)
    try:
        _store_upload(file, name, folder / "left.csv", "file")
        left = _read_list(folder / "left.csv", "file", run.left_name)
        if second_file is not None:
            _store_upload(second_file, second_name, folder / "right.csv", "second_file")
            _read_list(folder / "right.csv", "second_file", run.right_name)
        if not left:
            message = _("The list has no rows.")
            raise ValidationFailed(message, fields={"file": [message]})
        with transaction.atomic():
            run.save()
            _start_job(run, user)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return run


def execute_link(run: DedupRun, progress: ProgressFn | None) -> None:
    module = records.engine()
    folder = uploads_dir(run)
    if not (folder / "left.csv").is_file():
        raise ApplicationError(
            _("The uploaded list is no longer on the server. Upload it again."), code="upload_gone"
        )
    if progress:
        progress(0, 1, _("Preparing the records"))
    left = _read_list(folder / "left.csv", "file", run.left_name)
    ids: dict[str, tuple[int, int]] = {}
    if run.kind == DedupRun.Kind.LINK_FILES:
        right = _read_list(folder / "right.csv", "second_file", run.right_name)
    else:
        data = records.registry_records(records.households_for_run(run.governorates))
        right, ids = data.records, data.ids
    run.records = len(left) + len(right)
    params, source = _reused_params(run.records)
    result = module.find_pairs(
        left,
        link=right,
        threshold=run.review_threshold,
        params=params,
        progress=_progress_adapter(progress),
    )
    run.params = _params_dict(result)
    run.stats = _json(dict(getattr(result, "stats", {}) or {}))
    if source is not None:
        run.stats["params_from_run"] = str(source.public_id)
    pairs = sorted(result.pairs, key=lambda p: (-float(p.probability), str(p.left), str(p.right)))
    registration = {}
    if ids:
        households = {ids[str(p.right)][1] for p in pairs if str(p.right) in ids}
        registration = dict(
            Household.objects.filter(pk__in=households).values_list("pk", "registration_id")
        )
    folder_out = Path(settings.JOB_FILES_DIR) / str(run.job.public_id if run.job else run.public_id)
    folder_out.mkdir(parents=True, exist_ok=True)
    path = folder_out / "linked-pairs.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        if run.kind == DedupRun.Kind.LINK_FILES:
            writer.writerow(["record_id_l", "record_id_r", "match_probability", "band"])
        else:
            writer.writerow(
                ["record_id", "registration_id", "individual_id", "match_probability", "band"]
            )
        for p in pairs:
            probability = float(p.probability)
            band = "flagged" if probability >= run.flag_threshold else "review"
            if run.kind == DedupRun.Kind.LINK_FILES:
                writer.writerow([p.left, p.right, f"{probability:.4f}", band])
            else:
                household = ids.get(str(p.right), (0, 0))[1]
                writer.writerow(
                    [p.left, registration.get(household, ""), p.right, f"{probability:.4f}", band]
                )
    run.result_file = str(path)
    run.pairs_found = run.pairs_new = len(pairs)


def link_rows(run: DedupRun, limit: int = 500) -> tuple[list[dict[str, str]], int]:
    """The first `limit` rows of a linking run's result, and how many there are."""
    path = link_result_path(run)
    if path is None:
        return [], 0
    rows: list[dict[str, str]] = []
    total = 0
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            total += 1
            if len(rows) < limit:
                rows.append(row)
    return rows, total


def link_result_path(run: DedupRun) -> Path | None:
    if not run.result_file:
        return None
    path = Path(run.result_file)
    root = Path(settings.JOB_FILES_DIR).resolve()
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return None
    return path if path.is_file() else None
