"""`sanad dedup_file INPUT.csv --out PAIRS.csv`: find the duplicates in a CSV file of
people, or link two files, with the matching engine — no database needed.

    sanad dedup_file people.csv --out pairs.csv
    sanad dedup_file people.csv --out pairs.csv --clusters clusters.csv --threshold 0.9
    sanad dedup_file partner_a.csv --link partner_b.csv --out links.csv

Input: UTF-8 CSV with a header row; `record_id` is required and unique, the other
columns optional: household_id, given_name, father_name, grandfather_name, family_name,
full_name, sex, date_of_birth (YYYY-MM-DD or YYYY), phone, document_number, address,
admin1_pcode, admin2_pcode (also dob_estimated, relationship). Unknown columns are
ignored. Names may be in Arabic script or Latin letters in any row.

Output: `record_id_l,record_id_r,match_probability` for every pair at or above the
threshold (with --link, left from INPUT and right from OTHER), most likely first; with
--clusters, `record_id,cluster_id` for every record in such a pair (with --link a third
column `file`, since record ids may repeat across the two files).

Spread over machines: `--partitions N` hands the scoring out as N partitions to the
Redis workers started with `sanad dedup_worker` (docs/dedup.md); the pairs are the same.

Exit status: 0 when done; 1 when an input cannot be used (the message says why).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

# The engine's progress messages (it is pure Python, without translations).
_STAGES = {
    "Preparing the records": gettext_lazy("Preparing the records"),
    "Blocking": gettext_lazy("Blocking"),
    "Estimating the parameters": gettext_lazy("Estimating the parameters"),
    "Scoring": gettext_lazy("Scoring"),
    "Household context": gettext_lazy("Household context"),
    "Done": gettext_lazy("Done"),
}


class _Bar:
    """The engine's progress callback, drawn by tqdm on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.bar = tqdm(
            total=1,
            desc=_("Deduplication"),
            disable=quiet,
            file=sys.stderr,
            dynamic_ncols=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}",
        )

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if total:
            self.bar.total = total
        self.bar.n = min(done, self.bar.total or done)
        if message:
            self.bar.set_postfix_str(str(_STAGES.get(message, message))[:60], refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _probability(value: str) -> float:
    import argparse

    try:
        p = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("not a number: %(value)s") % {"value": value}) from exc
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(_("a probability is between 0 and 1"))
    return p


class Command(BaseCommand):
    help = _(
        "Find duplicate people in a CSV file (or link two files) and write the pairs "
        "with their match probability."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", metavar="INPUT.csv", help=_("CSV file of people."))
        parser.add_argument(
            "--link",
            metavar="OTHER.csv",
            help=_("A second file: pairs are only between the two files."),
        )
        parser.add_argument(
            "--out", required=True, metavar="PAIRS.csv", help=_("Where to write the pairs.")
        )
        parser.add_argument(
            "--clusters",
            metavar="CLUSTERS.csv",
            help=_("Also write the clusters of duplicates (record_id, cluster_id)."),
        )
        parser.add_argument(
            "--threshold",
            type=_probability,
            default=None,
            metavar="P",
            help=_("Lowest match probability written (default: the recommended %(default)s)."),
        )

        parser.add_argument(
            "--partitions",
            type=int,
            default=0,
            metavar="N",
            help=_(
                "Spread the scoring over N partitions handed to the workers of "
                "`sanad dedup_worker` through Redis (default: run here)."
            ),
        )
        parser.add_argument(
            "--redis",
            default="",
            metavar="URL",
            help=_(
                "Redis for --partitions (default: SANAD_REDIS_URL or redis://127.0.0.1:6379/0)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sanad.dedup import engine

        verbosity = int(options.get("verbosity", 1))
        threshold = options["threshold"]
        if threshold is None:
            threshold = engine.FLAG_THRESHOLD
        out = Path(options["out"])
        clusters_path = Path(options["clusters"]) if options.get("clusters") else None
        for target in (out, clusters_path):
            if target is not None and not target.parent.exists():
                raise CommandError(
                    _("The folder %(folder)s does not exist: create it or write elsewhere.")
                    % {"folder": target.parent}
                )
        try:
            left = engine.read_csv(options["input"])
            right = engine.read_csv(options["link"]) if options.get("link") else None
        except engine.DedupInputError as exc:
            raise CommandError(str(exc)) from exc
        if options["partitions"] < 0:
            raise CommandError(_("--partitions must be 1 or more."))
        params = None
        if len(left) + len(right or []) < engine.MIN_RECORDS_TO_ESTIMATE:
            params = engine.reference_params()
            if verbosity > 0:
                self.stderr.write(
                    _(
                        "Fewer than %(min)d records: too few to learn the weights from, so "
                        "Sanad's reference weights (learned on Iraqi registrations) are used."
                    )
                    % {"min": engine.MIN_RECORDS_TO_ESTIMATE}
                )
        bar = _Bar(quiet=verbosity == 0)
        try:
            if options["partitions"]:
                result = self._distributed(left, right, threshold, options, bar, params)
            else:
                result = engine.find_pairs(
                    left, link=right, threshold=threshold, params=params, progress=bar
                )
        finally:
            bar.close()
        try:
            with out.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["record_id_l", "record_id_r", "match_probability"])
                for p in result.pairs:
                    writer.writerow([p.left, p.right, f"{p.probability:.6f}"])
            if clusters_path is not None:
                self._write_clusters(clusters_path, result.pairs, threshold, options, linked=right)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s")
                % {"path": exc.filename, "error": exc.strerror}
            ) from exc
        if verbosity > 0:
            self.stderr.write(
                _("%(pairs)d pairs at or above %(threshold)s among %(records)d records → %(out)s")
                % {
                    "pairs": len(result.pairs),
                    "threshold": threshold,
                    "records": len(left) + len(right or []),
                    "out": out,
                }
            )

    def _distributed(
        self,
        left: list[Any],
        right: list[Any] | None,
        threshold: float,
        options: dict[str, Any],
        bar: Any,
        params: Any = None,
    ) -> Any:
        from django.conf import settings
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisDown

        from sanad.dedup.distributed import DistributedError, find_pairs_distributed

        url = options["redis"] or getattr(settings, "REDIS_URL", "") or "redis://127.0.0.1:6379/0"
        try:
            Redis.from_url(url).ping()
        except RedisDown as exc:
            raise CommandError(
                _("Cannot reach Redis at %(url)s: start it, or give --redis.") % {"url": url}
            ) from exc
        try:
            return find_pairs_distributed(
                left,
                link=right,
                redis_url=url,
                partitions=options["partitions"],
                threshold=threshold,
                params=params,
                progress=bar,
            )
        except DistributedError as exc:
            raise CommandError(str(exc)) from exc

    def _write_clusters(
        self,
        path: Path,
        pairs: list[Any],
        threshold: float,
        options: dict[str, Any],
        *,
        linked: list[Any] | None,
    ) -> None:
        from sanad.dedup import engine

        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            if linked is None:
                writer.writerow(["record_id", "cluster_id"])
                found = engine.clusters(pairs, threshold)
                for rid, cid in sorted(found.items(), key=lambda kv: (kv[1], kv[0])):
                    writer.writerow([rid, cid])
                return
            # Record ids may repeat across the two files: cluster on (file, id).
            names = (Path(options["input"]).name, Path(options["link"]).name)
            if names[0] == names[1]:
                names = (str(options["input"]), str(options["link"]))
            tagged = [
                engine.Pair(
                    left=f"0\t{p.left}",
                    right=f"1\t{p.right}",
                    probability=p.probability,
                    weight=p.weight,
                    contributions=[],
                )
                for p in pairs
            ]
            found = engine.clusters(tagged, threshold)
            writer.writerow(["record_id", "cluster_id", "file"])
            rows: list[tuple[str, int, str, str]] = []
            for key, cid in found.items():
                tag, rid = key.split("\t", 1)
                rows.append((cid, int(tag), rid, cid.split("\t", 1)[1]))
            for _cid, side, rid, cluster in sorted(rows):
                writer.writerow([rid, cluster, names[side]])
