"""Reads of targeting: rules, models and lists a user may see, a list's entries, the
households of an approved list (for distribution and cash), the live preview, the
explanation of one household and the appeal look-up."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, QuerySet
from django.utils import timezone

from sanad.core.errors import Conflict, NotFound
from sanad.core.scoping import has_permission, scoped
from sanad.registry.models import Household, Individual
from sanad.targeting import compiler, scoring
from sanad.targeting.fields import Context, units_within
from sanad.targeting.models import (
    EXPORT,
    MANAGE,
    VIEW,
    BeneficiaryList,
    ListEntry,
    ManualDecision,
    Rule,
    ScoringModel,
    ScoringModelVersion,
)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- rules and models ---------------------------------------------------------------------
def rules_visible_to(user: Any) -> QuerySet[Rule]:
    return scoped(Rule.objects.select_related("programme"), user, VIEW)


def rule_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Rule:
    key = _uuid(public_id)
    rule = (
        scoped(Rule.objects.select_related("programme"), user, permission)
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if rule is None:
        raise NotFound()
    return rule


def models_visible_to(user: Any) -> QuerySet[ScoringModel]:
    return scoped(
        ScoringModel.objects.select_related("programme").annotate(version_count=Count("versions")),
        user,
        VIEW,
    )


def model_get(*, user: Any, public_id: Any, permission: str = VIEW) -> ScoringModel:
    key = _uuid(public_id)
    model = (
        scoped(ScoringModel.objects.select_related("programme"), user, permission)
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if model is None:
        raise NotFound()
    return model


def versions_visible_to(user: Any) -> QuerySet[ScoringModelVersion]:
    return scoped(
        ScoringModelVersion.objects.select_related("model__programme").prefetch_related(
            "coefficients__region"
        ),
        user,
        VIEW,
    )


# --- lists --------------------------------------------------------------------------------
def lists_all() -> QuerySet[BeneficiaryList]:
    return BeneficiaryList.objects.select_related(
        "programme",
        "project",
        "activity",
        "rule",
        "model_version__model",
        "locked_by",
        "approved_by",
        "built_by",
    )


def lists_visible_to(user: Any, permission: str = VIEW) -> QuerySet[BeneficiaryList]:
    return scoped(lists_all(), user, permission)


def list_get(*, user: Any, public_id: Any, permission: str = VIEW) -> BeneficiaryList:
    key = _uuid(public_id)
    lst = lists_visible_to(user, permission).filter(public_id=key).first() if key else None
    if lst is None:
        raise NotFound()
    return lst


def entries_visible_to(
    user: Any, lst: BeneficiaryList, permission: str = VIEW
) -> QuerySet[ListEntry]:
    """The list's entries in the user's governorates (entries are scoped by the
    governorate the household lived in when the list was built)."""
    return scoped(ListEntry.objects.filter(list=lst), user, permission).select_related(
        "household", "governorate", "admin_unit", "place"
    )


def list_households(lst: BeneficiaryList, *, require_approved: bool = True) -> QuerySet[Household]:
    """The households on the list (included), best rank first: what distribution and
    cash serve. Only an approved (or in use) list, unless `require_approved` is False."""
    if require_approved and lst.status not in (
        BeneficiaryList.Status.APPROVED,
        BeneficiaryList.Status.IN_USE,
    ):
        raise Conflict(
            _t("Only an approved list can be used: this one is “%(status)s”.")
            % {"status": lst.get_status_display()},
            code="list_not_approved",
        )
    from django.db.models import OuterRef, Subquery

    ranks = ListEntry.objects.filter(list=lst, household=OuterRef("pk")).values("rank")[:1]
    return (
        Household.objects.filter(
            pk__in=ListEntry.objects.filter(list=lst, included=True).values("household_id")
        )
        .annotate(list_rank=Subquery(ranks))
        .order_by("list_rank", "pk")
    )


def _t(text: str) -> str:
    from django.utils.translation import gettext

    return gettext(text)


def decisions_for(lst: BeneficiaryList, household_ids: list[int]) -> dict[int, ManualDecision]:
    return {
        d.household_id: d
        for d in ManualDecision.objects.filter(
            list=lst, household_id__in=household_ids
        ).select_related("created_by", "updated_by")
    }


def heads_for(household_ids: list[int]) -> dict[int, Individual]:
    heads = Individual.objects.filter(
        household_id__in=household_ids,
        relationship=Individual.Relationship.HEAD,
        status=Individual.Status.ACTIVE,
    )
    return {h.household_id: h for h in heads}


# --- preview ------------------------------------------------------------------------------
def preview_counts(
    *, user: Any, tree: dict[str, Any], area: list[str], as_of: datetime.date
) -> dict[str, Any]:
    """Active households in the user's scope (and area) that the rule matches, by
    governorate: {"total", "in_scope", "by_governorate": [{pcode, name, count}]}."""
    permission = MANAGE if has_permission(user, MANAGE) else VIEW
    base = scoped(Household.objects.filter(status=Household.Status.ACTIVE), user, permission)
    if area:
        base = base.filter(admin_unit_id__in=units_within(area))
    matched = base.filter(compiler.tree_q(tree, Context(as_of=as_of)))
    rows = list(
        matched.order_by()
        .values("governorate__pcode", "governorate__name_en", "governorate__name_ar")
        .annotate(n=Count("id"))
        .order_by("-n", "governorate__pcode")
    )
    from django.utils.translation import get_language

    arabic = (get_language() or "en").split("-")[0] in {"ar", "ckb"}
    return {
        "total": sum(r["n"] for r in rows),
        "by_governorate": [
            {
                "pcode": r["governorate__pcode"],
                "name": (
                    r["governorate__name_ar"]
                    if arabic and r["governorate__name_ar"]
                    else r["governorate__name_en"]
                ),
                "count": r["n"],
            }
            for r in rows
        ],
        "as_of": as_of,
    }


# --- explanation ----------------------------------------------------------------------------
def entry_get(*, user: Any, lst: BeneficiaryList, household_public_id: Any) -> ListEntry:
    key = _uuid(household_public_id)
    household = (
        Household.objects.filter(public_id=key).values_list("pk", flat=True).first()
        if key
        else None
    )
    entry = (
        entries_visible_to(user, lst).filter(household_id=household).first() if household else None
    )
    if entry is None:
        raise NotFound()
    return entry


def explanation(*, user: Any, lst: BeneficiaryList, entry: ListEntry) -> dict[str, Any]:
    """Why the household is in or out of the list: each condition met or failed when the
    list was built (and what the household's record says today), its score broken down,
    the quota and any manual decision."""
    tree = lst.rule_tree or compiler.EMPTY_TREE
    leaves = compiler.leaves_of(tree)
    met = compiler.met_of(entry.met, leaves)
    rows = compiler.outline(tree, met)
    household = (
        Household.objects.select_related("admin_unit", "governorate", "place")
        .filter(pk=entry.household_id)
        .first()
    )
    today = Context(as_of=timezone.localdate())
    if household is not None and leaves:
        annotations = {
            f"c{leaf.index}": ExpressionWrapper(leaf.q(today), output_field=BooleanField())
            for leaf in leaves
        }
        now = (
            Household.objects.filter(pk=household.pk)
            .annotate(**annotations)
            .values(*annotations)
            .first()
            or {}
        )
        for row in rows:
            if not row["group"]:
                leaf = row["leaf"]
                row["now_met"] = bool(now.get(f"c{leaf.index}"))
                row["now_value"] = leaf.field.current_value(household, today, leaf.value)
                row["changed"] = row["now_met"] != row["met"]
    version = lst.model_version
    score: dict[str, Any] = {"kind": None, "rows": [], "total": entry.score}
    if version is not None:
        if version.model.kind == ScoringModel.Kind.WEIGHTED:
            score = {
                "kind": "weighted",
                "rows": scoring.weighted_breakdown(
                    scoring.criteria_of(version), entry.criteria_met
                ),
                "total": entry.score,
            }
        else:
            score = {
                "kind": "pmt",
                "rows": scoring.pmt_breakdown(version, entry.governorate_id, entry.pmt_values),
                "total": entry.score,
            }
        score["threshold"] = version.threshold
        score["direction"] = version.direction
    quota = None
    if entry.quota_id:
        quota = lst.quotas.select_related("admin_unit", "place").filter(pk=entry.quota_id).first()
    decision = (
        ManualDecision.objects.filter(list=lst, household_id=entry.household_id)
        .select_related("created_by", "updated_by")
        .first()
    )
    return {
        "entry": entry,
        "household": household,
        "head": heads_for([entry.household_id]).get(entry.household_id),
        "rows": rows,
        "rule_met": compiler.decide(tree, met) if leaves else True,
        "score": score,
        "quota": quota,
        "decision": decision,
        "changed_since": any(r.get("changed") for r in rows if not r["group"]),
    }


def appeal_lookup(*, user: Any, registration_id: str) -> list[ListEntry]:
    """Every list (in the user's scope) that considered the household with this
    registration id, newest first: the start of an answer to "why not me?"."""
    text = (registration_id or "").strip().upper().replace(" ", "")
    if not text:
        return []
    if not text.startswith("SND-") and text.startswith("SND") and len(text) == 11:
        text = f"SND-{text[3:7]}-{text[7:]}"
    household_ids = list(
        Household.objects.filter(registration_id=text).values_list("pk", flat=True)
    )
    # A household merged into another after a list was built: look for both.
    household_ids += list(
        Household.objects.filter(merged_into_id__in=household_ids).values_list("pk", flat=True)
    )
    if not household_ids:
        return []
    lists = lists_visible_to(user)
    return list(
        scoped(ListEntry.objects.filter(household_id__in=household_ids), user, VIEW)
        .filter(list__in=lists)
        .select_related("list__programme", "governorate", "household")
        .order_by("-list__created_at")
    )


def can_export(user: Any) -> bool:
    return has_permission(user, EXPORT)


def list_history(lst: BeneficiaryList) -> QuerySet[Any]:
    return BeneficiaryList.STATUS_MACHINE.history(lst)


def rule_lists(rule: Rule) -> QuerySet[BeneficiaryList]:
    return rule.lists.order_by("-created_at")


def model_versions(model: ScoringModel) -> QuerySet[ScoringModelVersion]:
    return model.versions.order_by("-number").prefetch_related(
        Prefetch("coefficients", queryset=_coefficients())
    )


def _coefficients() -> Any:
    from sanad.targeting.models import PmtCoefficient

    return PmtCoefficient.objects.select_related("region").order_by("variable", "region__pcode")
