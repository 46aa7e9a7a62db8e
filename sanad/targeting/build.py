"""Building a beneficiary list: evaluation, scores, quotas, ranking and the snapshot in
one INSERT … SELECT.

The innermost SELECT is an ORM query on `registry.Household` (the households
considered: active, in the list's area and the builder's scope, plus households
included by hand) that computes per household the bits of the rule's conditions, the
bits of the weighted criteria or the PMT score and variables, its quota and any manual
decision. Outer SELECTs, written here with integers and code-made column names only,
decide the rule from the bits, add the score, rank the candidates with one sort
(ROW_NUMBER() and, for each quota, a running count of its candidates in the same
order), fill the quotas, and name each household's outcome. The result goes straight
into `targeting_listentry`: no row crosses into Python, so a million households take
seconds (benchmarks/bench_targeting.py).

What made it fast (a million households, PostgreSQL 15 on 2 shared cores; from about
30 s to under 5 s of database CPU, docs/benchmarks.md):
- an OFFSET 0 fence around the inner query, or the planner copies each condition's
  expression (and its sub-plans) into every outer reference to it;
- only the candidates are sorted, on one 64-bit key for weighted scores, and each quota's
  rank is a running count over that one order; the others stream through unsorted;
- values computed from JSON (member counts) are computed once per household however
  many conditions and criteria ask about them;
- the ledger condition is an IN over one set (a merge chain adds sets only when the
  ledger has merged recipients);
- on PostgreSQL each build writes its own partition without indexes and indexes it in
  one pass (ADR 0006);
- a lean entry row with a composite primary key (no sequence), and work_mem raised for
  the transaction so sorts stay in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from sanad.core.scoping import scoped
from sanad.registry.models import Household
from sanad.targeting import compiler, scoring
from sanad.targeting.fields import FIELDS, Context, units_within
from sanad.targeting.models import (
    MANAGE,
    BeneficiaryList,
    ListEntry,
    ManualDecision,
    Quota,
    ScoringModel,
    ScoringModelVersion,
)

RUNNING_QUOTAS = 24  # up to this many quotas: running counts over the one sort
_WORK_MEM = re.compile(r"^\d{1,6}(kB|MB|GB)$")

ENTRY_COLUMNS = (
    "list_id",
    "household_id",
    "governorate_id",
    "admin_unit_id",
    "place_id",
    "size",
    "met",
    "criteria_met",
    "pmt_values",
    "score",
    "eligible",
    "included",
    "outcome",
    "rank",
    "quota_id",
    "quota_rank",
)


def universe(*, lst: BeneficiaryList, user: Any, include_ids: list[int]) -> QuerySet[Household]:
    """The households a build considers: active ones in the list's area (or everywhere)
    and the builder's scope, and those included by hand (if active and in scope)."""
    area = list(lst.area.values_list("pcode", flat=True))
    considered = Q()
    if area:
        considered = Q(admin_unit_id__in=units_within(area))
        if include_ids:
            considered |= Q(pk__in=include_ids)
    qs = Household.objects.filter(considered, status=Household.Status.ACTIVE)
    return scoped(qs, user, MANAGE)


def quota_expression(quotas: list[Quota]) -> Any:
    """The quota each household falls in: a place's quota first, then the most precise
    admin unit's."""
    whens = [When(place_id=q.place_id, then=Value(q.pk)) for q in quotas if q.place_id]
    units = [(q, q.admin_unit.pcode) for q in quotas if q.admin_unit is not None]
    units.sort(key=lambda pair: -len(pair[1]))  # the most precise unit first
    whens += [When(admin_unit_id__in=units_within([pcode]), then=Value(q.pk)) for q, pcode in units]
    if not whens:
        # Typed: an untyped NULL in a subquery reads as text on PostgreSQL.
        return Cast(Value(None), IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _manual(include_ids: list[int], exclude_ids: list[int]) -> Any:
    whens = []
    if include_ids:
        whens.append(When(pk__in=include_ids, then=Value(1)))
    if exclude_ids:
        whens.append(When(pk__in=exclude_ids, then=Value(2)))
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _is_shared(leaf: Any) -> bool:
    return bool(getattr(leaf.field, "shared", False))


def _value_alias(code: str) -> str:
    return f"h_v_{code}"


_COMPARE = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _with_shared(column: str, leaves: list[tuple[Any, int]], qn: Any) -> tuple[str, list[Any]]:
    """`column` plus the bits of conditions on shared values, compared outside the inner
    query: `(h_met + CASE WHEN h_v_members_0_5 >= %s THEN %s ELSE 0 END + …)`. Operators
    come from a fixed table; values and bits are parameters."""
    parts, params = [column], []
    for leaf, bit in leaves:
        value = qn(_value_alias(leaf.field.code))
        if leaf.operator == "between":
            test = f"{value} >= %s AND {value} <= %s"
            params += [int(leaf.value[0]), int(leaf.value[1])]
        else:
            test = f"{value} {_COMPARE[leaf.operator]} %s"
            params.append(int(leaf.value))
        parts.append(f"CASE WHEN {test} THEN %s ELSE 0 END")
        params.append(1 << bit)
    return "(" + " + ".join(parts) + ")", params


def _weighted(version: ScoringModelVersion | None) -> bool:
    return version is not None and version.model.kind == ScoringModel.Kind.WEIGHTED


def fingerprint(lst: BeneficiaryList, as_of: Any) -> str:
    """What a build is made of: the same fingerprint means the same list (on the same
    day, before any registry edit)."""
    data = {
        "tree": lst.rule.tree,
        "version": lst.model_version_id,
        "area": sorted(lst.area.values_list("pcode", flat=True)),
        "quotas": sorted(
            lst.quotas.values_list("admin_unit_id", "place_id", "max_households"),
            key=lambda row: (row[0] or 0, row[1] or 0, row[2]),
        ),
        "decisions": sorted(
            ManualDecision.objects.filter(list=lst).values_list("household_id", "decision")
        ),
        "as_of": str(as_of),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def build_sql(
    *, lst: BeneficiaryList, user: Any, ctx: Context
) -> tuple[str, list[Any], dict[str, Any]]:
    """The INSERT … SELECT of a build, its parameters and what it used."""
    tree, leaves = compiler.validate_tree(lst.rule.tree)
    version = lst.model_version
    criteria = scoring.criteria_of(version) if version is not None and _weighted(version) else []
    decisions = dict(
        ManualDecision.objects.filter(list=lst).values_list("household_id", "decision")
    )
    include_ids = sorted(h for h, d in decisions.items() if d == ManualDecision.Decision.INCLUDE)
    exclude_ids = sorted(h for h, d in decisions.items() if d == ManualDecision.Decision.EXCLUDE)
    quotas = list(lst.quotas.select_related("admin_unit"))

    # Conditions on a computed value (members counted from the demographics): the value
    # is computed once in the inner query and compared outside it, however many
    # conditions and criteria ask about it.
    shared_rule = [leaf for leaf in leaves if _is_shared(leaf)]
    shared_criteria = [c for c in criteria if _is_shared(c.leaf)]
    values: dict[str, Any] = {
        _value_alias(code): FIELDS[code].value_expression(ctx)  # type: ignore[attr-defined]
        for code in sorted(
            {leaf.field.code for leaf in shared_rule} | {c.leaf.field.code for c in shared_criteria}
        )
    }
    inner_leaves = [leaf for leaf in leaves if not _is_shared(leaf)]
    inner_criteria = [c for c in criteria if not _is_shared(c.leaf)]
    pmt = version is not None and not _weighted(version)
    if pmt:
        assert version is not None
        pmt_score, values["h_vals"] = scoring.pmt_expressions(version, ctx)
    else:
        pmt_score = Value(0.0, output_field=FloatField())
    inner = (
        universe(lst=lst, user=user, include_ids=include_ids)
        .order_by()
        .values(
            h_id=F("pk"),
            h_gov=F("governorate_id"),
            h_unit=F("admin_unit_id"),
            h_place=F("place_id"),
            h_size=F("size"),
            h_met=compiler.bits_expression(inner_leaves, ctx),
            h_crit=scoring.criteria_bits(inner_criteria, ctx),
            h_pmt=pmt_score,
            **values,
            h_quota=quota_expression(quotas),
            h_manual=_manual(include_ids, exclude_ids),
        )
    )
    inner_sql, inner_params = inner.query.sql_with_params()

    qn = connection.ops.quote_name
    hid, manual, quota = qn("h_id"), qn("h_manual"), qn("h_quota")
    # A fence: without it the planner inlines the inner query's expressions into every
    # outer reference to them, evaluating each condition (and sub-plan) many times.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    source, source_params = f"({inner_sql}{fence})", list(inner_params)
    met, crit = qn("h_met"), qn("h_crit")
    if values:
        met_sql, met_params = _with_shared(met, [(lf, lf.index) for lf in shared_rule], qn)
        crit_sql, crit_params = _with_shared(crit, [(c.leaf, c.index) for c in shared_criteria], qn)
        source = (
            f"(SELECT s0.*, {met_sql} AS e_met, {crit_sql} AS e_crit "  # noqa: S608
            f"FROM {source} s0{fence})"
        )
        source_params = [*met_params, *crit_params, *source_params]
        met, crit = "e_met", "e_crit"
    eligible_sql, eligible_params = compiler.eligible_sql(tree, met)
    if _weighted(version):
        score_sql, score_params = scoring.weighted_score_sql(criteria, crit)
    else:
        score_sql, score_params = qn("h_pmt"), []
    high_first = version is None or version.direction == ScoringModelVersion.Direction.HIGH
    if version is not None and version.threshold is not None:
        passes = f"(e_score {'>=' if high_first else '<='} %s)"
        pass_params: list[Any] = [float(version.threshold)]
    else:
        passes, pass_params = "(1 = 1)", []
    # Candidates in score order, ties to a multiplicative hash of the household's id (a
    # permutation of 32-bit ids: no household is favoured by when it registered, and
    # the order is the same on every build).
    tie = f"(({hid} * 2654435761) %% 4294967296)"
    if version is None or _weighted(version):
        # Points have two decimals, so score and tie fit one 64-bit key (|score| ≤ 4e5:
        # 4e7 × 2³² < 2⁶³), and one integer sorts several times faster than two keys.
        order = f"(CAST(ROUND(e_score * 100) AS BIGINT) * -4294967296 + {tie})"
    else:
        order = f"e_score {'DESC' if high_first else 'ASC'}, {tie}"
    window = f"OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING)"
    limit_params: list[Any] = []
    quota_params: list[Any] = []
    if quotas:
        limit_sql = (
            f"CASE {quota} " + " ".join("WHEN %s THEN %s" for _q in quotas) + " ELSE NULL END"
        )
        for q in quotas:
            limit_params += [q.pk, q.max_households]
        if len(quotas) <= RUNNING_QUOTAS:
            # Each quota's rank: a running count of its candidates in the one order.
            quota_rank = (
                f"CASE {quota} "
                + " ".join(
                    f"WHEN %s THEN SUM(CASE WHEN {quota} = %s THEN 1 ELSE 0 END) {window}"
                    for _q in quotas
                )
                + " END"
            )
            for q in quotas:
                quota_params += [q.pk, q.pk]
        else:
            quota_rank = f"ROW_NUMBER() OVER (PARTITION BY {quota} ORDER BY {order})"
    else:
        limit_sql = "CAST(NULL AS INTEGER)"
        quota_rank = "CAST(NULL AS INTEGER)"

    # (S608 below: every piece of this SQL is written here or by the ORM; values, the
    # rule's included, are parameters.)
    layer2 = (
        f"SELECT src.*, {eligible_sql} AS e_ok, {score_sql} AS e_score "  # noqa: S608
        f"FROM {source} src"
    )
    base = (
        f"SELECT l2.*, ({manual} <> 2 AND e_ok AND {passes}) AS e_cand, {passes} AS e_pass "  # noqa: S608
        f"FROM ({layer2}) l2"
    )
    base_params = [*pass_params, *pass_params, *eligible_params, *score_params, *source_params]
    kinds = ListEntry.Outcome
    outcome = (
        f"CASE WHEN {manual} = 1 THEN %s WHEN {manual} = 2 THEN %s WHEN NOT e_ok THEN %s "
        "WHEN NOT e_pass THEN %s WHEN NOT e_in THEN %s ELSE %s END"
    )
    outcome_params = [
        int(o)
        for o in (
            kinds.MANUAL_IN,
            kinds.MANUAL_OUT,
            kinds.RULE,
            kinds.SCORE,
            kinds.QUOTA,
            kinds.INCLUDED,
        )
    ]
    no_values = "CAST(NULL AS jsonb)" if connection.vendor == "postgresql" else "NULL"
    values_sql = (
        f"%s, {hid}, {qn('h_gov')}, {qn('h_unit')}, {qn('h_place')}, {qn('h_size')}, "
        f"{met}, {crit}, {qn('h_vals') if pmt else no_values}, e_score, e_ok, e_in, {outcome}"
    )
    # Only the candidates are sorted and ranked; the others (usually most of a large
    # registry) stream through in household order, the primary key's.
    others = (
        f"SELECT {values_sql}, CAST(NULL AS INTEGER), {quota}, CAST(NULL AS INTEGER) "  # noqa: S608
        f"FROM (SELECT base.*, ({manual} = 1) AS e_in FROM base WHERE NOT e_cand) o"
    )
    ranked = (
        f"SELECT base.*, ROW_NUMBER() {window} AS e_rank, {quota_rank} AS e_qrank "  # noqa: S608
        "FROM base WHERE e_cand"
    )
    candidates = (
        f"SELECT {values_sql}, e_rank, {quota}, e_qrank FROM ("  # noqa: S608
        f"SELECT r.*, ({manual} = 1 OR {quota} IS NULL OR e_qrank <= {limit_sql}) AS e_in "
        f"FROM ({ranked}) r) c"
    )
    columns = ", ".join(qn(c) for c in ENTRY_COLUMNS)
    sql = (
        f"WITH base AS MATERIALIZED ({base}) "
        f"INSERT INTO {qn(ListEntry._meta.db_table)} ({columns}) {others} UNION ALL {candidates}"
    )
    params = [
        *base_params,
        lst.pk,
        *outcome_params,
        lst.pk,
        *outcome_params,
        *limit_params,
        *quota_params,
    ]
    used = {
        "tree": tree,
        "criteria": [
            {"label": c.label, "condition": c.leaf.as_json(), "points": str(c.points)}
            for c in criteria
        ],
        "conditions": len(leaves),
        "manual": len(decisions),
    }
    return sql, params, used


def _write_partition(lst: BeneficiaryList, sql: str, params: list[Any]) -> None:
    """PostgreSQL: write the build into a new table with no index (the entries table is
    partitioned by list, migration 0002), index it in one pass, and swap it for the
    list's previous partition. Indexing a million rows at once costs a fraction of
    updating the indexes row by row, and replacing a build drops a table instead of
    deleting a million rows. The exclusive lock the swap needs on the entries table is
    taken last, so it is held only until the commit."""
    import secrets

    table = ListEntry._meta.db_table
    list_id = int(lst.pk)  # an integer: safe in the DDL below, which takes no parameters
    prefix = f"{table}_l{list_id}_"
    new = f"{prefix}{secrets.token_hex(4)}"  # unique, so index names never collide
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {qn(new)} (LIKE {qn(table)} INCLUDING DEFAULTS, "
            f"CHECK (list_id IS NOT NULL AND list_id = {list_id}))"
        )
        cursor.execute(
            sql.replace(f"INSERT INTO {qn(table)} ", f"INSERT INTO {qn(new)} ", 1), params
        )
        cursor.execute(f"ALTER TABLE {qn(new)} ADD PRIMARY KEY (list_id, household_id)")
        cursor.execute(f"CREATE INDEX ON {qn(new)} (list_id, rank) WHERE included")
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass AND c.relname LIKE %s",
            [table, prefix.replace("_", r"\_") + "%"],
        )
        old = [row[0] for row in cursor.fetchall()]
        for name in old:
            cursor.execute(f"ALTER TABLE {qn(table)} DETACH PARTITION {qn(name)}")
            cursor.execute(f"DROP TABLE {qn(name)}")
        cursor.execute(
            f"ALTER TABLE {qn(table)} ATTACH PARTITION {qn(new)} FOR VALUES IN ({list_id})"
        )


def _tune(*, asynchronous_commit: bool = False) -> None:
    """PostgreSQL, for this transaction only: room to sort in memory, no JIT compilation
    (it costs more than it saves on these one-off queries), and — for a draft's build in
    its own transaction — no wait at the commit for the write-ahead log of a million rows
    to reach the disk: a crash in that instant leaves the draft as it was before, to be
    evaluated again. A lock (which may build) commits durably."""
    if connection.vendor != "postgresql":
        return
    work_mem = str(getattr(settings, "SANAD_TARGETING_WORK_MEM", "256MB"))
    with connection.cursor() as cursor:
        if _WORK_MEM.match(work_mem):
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute("SET LOCAL jit = off")
        if asynchronous_commit:
            cursor.execute("SET LOCAL synchronous_commit = off")


def summarise(lst: BeneficiaryList) -> dict[str, Any]:
    """Counts of a built list: by outcome, by governorate, and each quota's fill (one
    aggregate query)."""
    from django.db.models import Count

    from sanad.geo.models import AdminUnit

    rows = (
        ListEntry.objects.filter(list=lst)
        .order_by()
        .values("governorate_id", "outcome", "quota_id")
        .annotate(n=Count("household_id"))
    )
    by_outcome: dict[str, int] = {}
    included_codes = {o.name.lower() for o in ListEntry.INCLUDED_OUTCOMES}
    by_gov: dict[int, dict[str, int]] = {}
    by_quota: dict[int, dict[str, int]] = {}
    for row in rows:
        code = ListEntry.Outcome(row["outcome"]).name.lower()
        is_in = row["outcome"] in ListEntry.INCLUDED_OUTCOMES
        by_outcome[code] = by_outcome.get(code, 0) + row["n"]
        gov = by_gov.setdefault(row["governorate_id"], {"considered": 0, "included": 0})
        gov["considered"] += row["n"]
        gov["included"] += row["n"] if is_in else 0
        if row["quota_id"]:
            q = by_quota.setdefault(row["quota_id"], {"included": 0, "over_quota": 0})
            q["included"] += row["n"] if is_in else 0
            q["over_quota"] += row["n"] if row["outcome"] == ListEntry.Outcome.QUOTA else 0
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=list(by_gov))}
    quotas = [
        {
            "id": q.pk,
            "where": str(q.place or q.admin_unit),
            "max": q.max_households,
            **by_quota.get(q.pk, {"included": 0, "over_quota": 0}),
        }
        for q in lst.quotas.select_related("admin_unit", "place")
    ]
    total = sum(by_outcome.values())
    included = sum(n for code, n in by_outcome.items() if code in included_codes)
    return {
        "considered": total,
        "included": included,
        "excluded": total - included,
        "by_outcome": by_outcome,
        "by_governorate": sorted(
            (
                {
                    "pcode": units[g].pcode if g in units else "",
                    "name_en": units[g].name_en if g in units else "",
                    "name_ar": units[g].name_ar if g in units else "",
                    **counts,
                }
                for g, counts in by_gov.items()
            ),
            key=lambda r: r["pcode"],
        ),
        "quotas": quotas,
    }


def build(
    *,
    lst: BeneficiaryList,
    user: Any,
    as_of: Any = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BeneficiaryList:
    """Replace the list's entries with a fresh evaluation, in one transaction (the old
    snapshot stays if anything fails). The caller checks status and permission."""
    from django.utils.translation import gettext as _

    started = time.perf_counter()
    ctx = Context(as_of=as_of or timezone.localdate())
    alone = not connection.in_atomic_block  # not part of a lock's transaction
    with transaction.atomic():
        BeneficiaryList.objects.select_for_update().filter(pk=lst.pk).first()
        _tune(asynchronous_commit=alone)
        sql, params, used = build_sql(lst=lst, user=user, ctx=ctx)
        if progress:
            progress(1, 3, _("Evaluating the rule, scoring and ranking"))
        if connection.vendor == "postgresql":
            _write_partition(lst, sql, params)
        else:
            ListEntry.objects.filter(list=lst).delete()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        if progress:
            progress(2, 3, _("Counting"))
        lst.summary = summarise(lst)
        lst.rule_tree = used["tree"]
        lst.criteria_used = used["criteria"]
        lst.as_of = ctx.as_of
        lst.built_at = timezone.now()
        lst.built_by = user if getattr(user, "pk", None) else None
        lst.build_seconds = round(time.perf_counter() - started, 3)
        lst.build_fingerprint = fingerprint(lst, ctx.as_of)
        BeneficiaryList.objects.filter(pk=lst.pk).update(
            summary=lst.summary,
            rule_tree=lst.rule_tree,
            criteria_used=lst.criteria_used,
            as_of=lst.as_of,
            built_at=lst.built_at,
            built_by=lst.built_by,
            build_seconds=lst.build_seconds,
            build_fingerprint=lst.build_fingerprint,
            updated_at=timezone.now(),
        )
    if progress:
        progress(3, 3, _("Finished"))
    return lst


def is_current(lst: BeneficiaryList) -> bool:
    """Whether the last build still stands for the list as configured today."""
    return bool(
        lst.built_at
        and lst.build_fingerprint
        and lst.build_fingerprint == fingerprint(lst, timezone.localdate())
    )
