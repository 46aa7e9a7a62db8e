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

What made it fast (measured on a million households, PostgreSQL 15, 2 cores):
- an OFFSET 0 fence around the inner query, or the planner copies each condition's
  expression (and its sub-plans) into every outer reference to it;
- one sort for all windows; candidates ordered by score, the others by household id,
  so three quarters of the rows reach the (list, household) primary key in order;
- a lean entry row with a composite primary key: no sequence, no second unique index;
- work_mem raised for the transaction, so the sort stays in memory.
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
from sanad.targeting.fields import Context, units_within
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

    pmt = version is not None and not _weighted(version)
    values: dict[str, Any] = {}
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
            h_met=compiler.bits_expression(leaves, ctx),
            h_crit=scoring.criteria_bits(criteria, ctx),
            h_pmt=pmt_score,
            **values,
            h_quota=quota_expression(quotas),
            h_manual=_manual(include_ids, exclude_ids),
        )
    )
    inner_sql, inner_params = inner.query.sql_with_params()

    qn = connection.ops.quote_name
    hid, met, crit, manual, quota = (
        qn("h_id"),
        qn("h_met"),
        qn("h_crit"),
        qn("h_manual"),
        qn("h_quota"),
    )
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
    order = f"e_score {'DESC' if high_first else 'ASC'}, ({hid} * 2654435761) %% 4294967296"
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

    # A fence: without it the planner inlines the inner query's expressions into every
    # outer reference to them, evaluating each condition (and sub-plan) many times.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    # (S608 below: every piece of this SQL is written here or by the ORM; values, the
    # rule's included, are parameters.)
    layer2 = (
        f"SELECT src.*, {eligible_sql} AS e_ok, {score_sql} AS e_score "  # noqa: S608
        f"FROM ({inner_sql}{fence}) src"
    )
    base = (
        f"SELECT l2.*, ({manual} <> 2 AND e_ok AND {passes}) AS e_cand, {passes} AS e_pass "  # noqa: S608
        f"FROM ({layer2}) l2"
    )
    base_params = [*pass_params, *pass_params, *eligible_params, *score_params, *inner_params]
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


def _tune() -> None:
    """PostgreSQL, for this transaction only: room to sort in memory, and no JIT
    compilation (it costs more than it saves on these one-off queries)."""
    if connection.vendor != "postgresql":
        return
    work_mem = str(getattr(settings, "SANAD_TARGETING_WORK_MEM", "256MB"))
    with connection.cursor() as cursor:
        if _WORK_MEM.match(work_mem):
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute("SET LOCAL jit = off")


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
    with transaction.atomic():
        BeneficiaryList.objects.select_for_update().filter(pk=lst.pk).first()
        _tune()
        sql, params, used = build_sql(lst=lst, user=user, ctx=ctx)
        if progress:
            progress(0, 3, _("Removing the previous evaluation"))
        ListEntry.objects.filter(list=lst).delete()
        if progress:
            progress(1, 3, _("Evaluating the rule, scoring and ranking"))
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
