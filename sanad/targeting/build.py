"""Building a beneficiary list: evaluation, scores, quotas, ranking and the snapshot in
one INSERT … SELECT.

The innermost SELECT is an ORM query on `registry.Household` (the households
considered: active, in the list's area and the builder's scope, plus households
included by hand) that computes per household the bits of the rule's conditions, the
bits of the weighted criteria or the PMT score and variables, its quota and any manual
decision. Outer SELECTs, written here with integers and code-made column names only,
decide the rule from the bits, add the score, rank the candidates inside each quota
with ROW_NUMBER(), fill the quotas, rank the included households, and name each
household's outcome. The result goes straight into `targeting_listentry`: no row
crosses into Python, so a million households take seconds (benchmarks/bench_targeting.py).
"""

from __future__ import annotations

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

_WORK_MEM = re.compile(r"^\d{1,6}(kB|MB|GB)$")

ENTRY_COLUMNS = (
    "list_id",
    "household_id",
    "registration_id",
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
    considered = Q(admin_unit_id__in=units_within(area)) if area else Q()
    if include_ids:
        considered = considered | Q(pk__in=include_ids) if area else considered
    qs = Household.objects.filter(considered, status=Household.Status.ACTIVE)
    return scoped(qs, user, MANAGE)


def quota_expression(quotas: list[Quota]) -> Any:
    """The quota each household falls in: a place's quota first, then the most precise
    admin unit's."""
    whens = [When(place_id=q.place_id, then=Value(q.pk)) for q in quotas if q.place_id]
    by_precision = sorted(
        (q for q in quotas if q.admin_unit_id), key=lambda q: -len(q.admin_unit.pcode)
    )
    whens += [
        When(admin_unit_id__in=units_within([q.admin_unit.pcode]), then=Value(q.pk))
        for q in by_precision
    ]
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


def build_sql(
    *, lst: BeneficiaryList, user: Any, ctx: Context
) -> tuple[str, list[Any], dict[str, Any]]:
    """The INSERT … SELECT of a build, its parameters and what it used."""
    tree, leaves = compiler.validate_tree(lst.rule.tree)
    version = lst.model_version
    criteria = scoring.criteria_of(version) if _weighted(version) else []
    decisions = dict(ManualDecision.objects.filter(list=lst).values_list("household_id", "decision"))
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
            h_reg=F("registration_id"),
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
    met, crit, manual = qn("h_met"), qn("h_crit"), qn("h_manual")
    quota, reg = qn("h_quota"), qn("h_reg")
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
    # Ties go to the registration id: random, so no household is favoured by when or
    # where it registered. "C" collation on PostgreSQL: a byte order, and faster.
    tie = f'{reg} COLLATE "C"' if connection.vendor == "postgresql" else reg
    order = f"e_score {'DESC' if high_first else 'ASC'}, {tie}"
    limit_params: list[Any] = []
    if quotas:
        limit_sql = (
            f"CASE {quota} " + " ".join("WHEN %s THEN %s" for _q in quotas) + " ELSE NULL END"
        )
        for q in quotas:
            limit_params += [q.pk, q.max_households]
    else:
        limit_sql = "NULL"

    layer2 = f"SELECT src.*, {eligible_sql} AS e_ok, {score_sql} AS e_score FROM ({inner_sql}) src"
    params2 = [*eligible_params, *score_params, *inner_params]
    layer3 = (
        f"SELECT l2.*, ({manual} <> 2 AND e_ok AND {passes}) AS e_cand, {passes} AS e_pass "
        f"FROM ({layer2}) l2"
    )
    params3 = [*pass_params, *pass_params, *params2]
    layer4 = (
        "SELECT l3.*, CASE WHEN e_cand THEN ROW_NUMBER() OVER "
        f"(PARTITION BY e_cand, {quota} ORDER BY {order}) END AS e_qrank FROM ({layer3}) l3"
    )
    layer5 = (
        f"SELECT l4.*, ({manual} = 1 OR (e_cand AND ({quota} IS NULL OR e_qrank <= {limit_sql}))) "
        f"AS e_in FROM ({layer4}) l4"
    )
    params5 = [*limit_params, *params3]
    O = ListEntry.Outcome  # noqa: N806
    outcome = (
        f"CASE WHEN {manual} = 1 THEN %s WHEN {manual} = 2 THEN %s WHEN NOT e_ok THEN %s "
        "WHEN NOT e_pass THEN %s WHEN NOT e_in THEN %s ELSE %s END"
    )
    outcome_params = [O.MANUAL_IN, O.MANUAL_OUT, O.RULE, O.SCORE, O.QUOTA, O.INCLUDED]
    select = (
        f"SELECT %s, {qn('h_id')}, {reg}, {qn('h_gov')}, {qn('h_unit')}, {qn('h_place')}, "
        f"{qn('h_size')}, {met}, {crit}, {qn('h_vals') if pmt else 'NULL'}, e_score, e_ok, e_in, {outcome}, "
        f"CASE WHEN e_in THEN ROW_NUMBER() OVER (PARTITION BY e_in ORDER BY {order}) END, "
        f"{quota}, e_qrank FROM ({layer5}) l5"
    )
    columns = ", ".join(qn(c) for c in ENTRY_COLUMNS)
    sql = f"INSERT INTO {qn(ListEntry._meta.db_table)} ({columns}) {select}"
    params = [lst.pk, *outcome_params, *params5]
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
    """PostgreSQL, for this transaction only: sort the window functions in memory and
    skip JIT compilation (it costs more than it saves on these one-off queries)."""
    if connection.vendor != "postgresql":
        return
    work_mem = str(getattr(settings, "SANAD_TARGETING_WORK_MEM", "64MB"))
    with connection.cursor() as cursor:
        if _WORK_MEM.match(work_mem):
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute("SET LOCAL jit = off")


def summarise(lst: BeneficiaryList) -> dict[str, Any]:
    """Counts of a built list: by outcome, by governorate, and each quota's fill."""
    from django.db.models import Count

    from sanad.geo.models import AdminUnit

    rows = (
        ListEntry.objects.filter(list=lst)
        .order_by()
        .values("governorate_id", "outcome")
        .annotate(n=Count("id"))
    )
    by_outcome: dict[str, int] = {}
    by_gov: dict[int, dict[str, int]] = {}
    for row in rows:
        by_outcome[row["outcome"]] = by_outcome.get(row["outcome"], 0) + row["n"]
        gov = by_gov.setdefault(row["governorate_id"], {"considered": 0, "included": 0})
        gov["considered"] += row["n"]
        if row["outcome"] in ListEntry.INCLUDED_OUTCOMES:
            gov["included"] += row["n"]
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=list(by_gov))}
    quotas = []
    for q in lst.quotas.select_related("admin_unit", "place"):
        counts = ListEntry.objects.filter(list=lst, quota=q).aggregate(
            included=Count("id", filter=Q(included=True)),
            waiting=Count("id", filter=Q(outcome=ListEntry.Outcome.QUOTA)),
        )
        quotas.append(
            {
                "id": q.pk,
                "where": str(q.place or q.admin_unit),
                "max": q.max_households,
                "included": counts["included"],
                "over_quota": counts["waiting"],
            }
        )
    total = sum(by_outcome.values())
    included = sum(by_outcome.get(o, 0) for o in ListEntry.INCLUDED_OUTCOMES)
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
        BeneficiaryList.objects.filter(pk=lst.pk).update(
            summary=lst.summary,
            rule_tree=lst.rule_tree,
            criteria_used=lst.criteria_used,
            as_of=lst.as_of,
            built_at=lst.built_at,
            built_by=lst.built_by,
            build_seconds=lst.build_seconds,
            updated_at=timezone.now(),
        )
    if progress:
        progress(3, 3, _("Finished"))
    return lst
