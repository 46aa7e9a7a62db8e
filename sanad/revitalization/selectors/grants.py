"""Reads of business-grant calls and applications, always inside the user's scope: the
list of calls with their counts, a call's figures and committee progress, the
applications a committee member must score, and the ranking (the weighted mean of the
members' scores, ties broken by the household's vulnerability, the jobs planned and the
date of submission, each tie explained)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.registry.filters import VULNERABILITIES
from sanad.registry.models import Individual
from sanad.registry.selectors import members_ordered
from sanad.revitalization.models import (
    SCORE,
    VIEW,
    CommitteeMember,
    ConflictDeclaration,
    GrantApplication,
    GrantCall,
    Score,
    ScoringCriterion,
)

APP = GrantApplication.Status
# Applications that went through the committee: ranked while the call is scored, and
# still shown in the ranking once grantees are chosen.
RANKABLE = (APP.ELIGIBLE, APP.SELECTED, APP.RESERVE, APP.REJECTED, APP.AGREEMENT, APP.COMPLETED)
# Applications that hold money of the budget once chosen.
CHOSEN = (APP.SELECTED, APP.AGREEMENT, APP.COMPLETED)
CENT = Decimal("0.01")
FLAG_FIELDS = tuple(flag for flag, _label in VULNERABILITIES.values())


# --- calls -------------------------------------------------------------------------------
def _count(qs: QuerySet[Any]) -> Coalesce:
    sub = qs.order_by().values("call").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def calls_visible(user: Any, permission: str | None = None) -> QuerySet[GrantCall]:
    """The calls `user` reaches, with `applications_count` (not withdrawn) and
    `eligible_count` (applications that passed the checks, chosen or not)."""
    apps = GrantApplication.objects.filter(call=OuterRef("pk"))
    return (
        scoped(GrantCall.objects.all(), user, permission or VIEW)
        .select_related("governorate", "project")
        .annotate(
            applications_count=_count(apps.exclude(status=APP.WITHDRAWN)),
            eligible_count=_count(apps.filter(status__in=RANKABLE)),
        )
    )


def call_get(*, user: Any, public_id: Any, permission: str | None = None) -> GrantCall:
    call = calls_visible(user, permission).filter(public_id=public_id).first()
    if call is None:
        raise NotFound()
    return call


def call_history(call: GrantCall) -> QuerySet[Any]:
    return GrantCall.STATUS_MACHINE.history(call).order_by("at", "id")


def criteria_of(call: GrantCall) -> list[ScoringCriterion]:
    return list(ScoringCriterion.objects.filter(call=call).order_by("order", "id"))


def committee_of(call: GrantCall) -> list[CommitteeMember]:
    return list(
        CommitteeMember.objects.filter(call=call).select_related("user").order_by("role", "id")
    )


def weights_total(criteria: list[ScoringCriterion]) -> Decimal:
    return sum((c.weight for c in criteria), Decimal("0"))


@dataclass
class CallFigures:
    by_status: list[tuple[str, str, int]]  # (status, label, count)
    total: int
    eligible: int
    scored: int  # applications scored by at least `quorum` members without a conflict
    selected_amount: Decimal
    budget: Decimal

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.selected_amount

    @property
    def budget_percent(self) -> int:
        if not self.budget:
            return 0
        return min(100, int(self.selected_amount * 100 / self.budget))


def call_figures(call: GrantCall, ranking: Ranking | None = None) -> CallFigures:
    counts = dict(
        GrantApplication.objects.filter(call=call)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    selected = GrantApplication.objects.filter(call=call, status__in=CHOSEN).aggregate(
        total=Sum("requested_amount")
    )["total"] or Decimal("0")
    ranking = ranking or call_ranking(call)
    return CallFigures(
        by_status=[(value, str(label), counts.get(value, 0)) for value, label in APP.choices],
        total=sum(counts.values()),
        eligible=sum(counts.get(s, 0) for s in RANKABLE),
        scored=sum(1 for row in ranking.rows if row.scorers >= call.quorum),
        selected_amount=Decimal(selected),
        budget=call.budget,
    )


@dataclass
class MemberProgress:
    member: CommitteeMember
    declared: int
    conflicts: int
    scored: int  # applications this member scored on every criterion
    to_score: int  # eligible applications still waiting for this member

    @property
    def name(self) -> str:
        user = self.member.user
        return user.get_full_name() or user.username


def committee_progress(call: GrantCall) -> list[MemberProgress]:
    """Each member: how many applications they declared on (and with a conflict), how
    many they scored on every criterion, how many still wait for them."""
    members = committee_of(call)
    criteria_count = ScoringCriterion.objects.filter(call=call).count()
    pending = set(
        GrantApplication.objects.filter(call=call, status__in=RANKABLE).values_list("pk", flat=True)
    )
    declared: dict[int, dict[int, bool]] = defaultdict(dict)
    for member_id, app_id, conflict in ConflictDeclaration.objects.filter(
        application__call=call
    ).values_list("member_id", "application_id", "has_conflict"):
        declared[member_id][app_id] = conflict
    scored_counts: Counter[tuple[int, int]] = Counter(
        Score.objects.filter(application__call=call).values_list("member_id", "application_id")
    )
    out = []
    for member in members:
        mine = declared.get(member.pk, {})
        complete = {
            app_id
            for (member_id, app_id), n in scored_counts.items()
            if member_id == member.pk and criteria_count and n >= criteria_count
        }
        done = {a for a, conflict in mine.items() if conflict} | complete
        out.append(
            MemberProgress(
                member=member,
                declared=len(mine),
                conflicts=sum(1 for c in mine.values() if c),
                scored=len(complete & pending),
                to_score=len(pending - done),
            )
        )
    return out


def committee_candidates(call: GrantCall) -> list[Any]:
    """Active users who hold the scoring permission within the call's governorate and
    programme, and are not yet on its committee."""
    from sanad.accounts.models import User
    from sanad.accounts.roles import ROLE_PERMISSIONS

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if SCORE in perms]
    taken = CommitteeMember.objects.filter(call=call).values("user_id")
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(role_assignments__role__in=roles) | Q(is_superuser=True))
        .exclude(pk__in=taken)
        .distinct()
        .order_by("full_name", "username")
    )
    return [u for u in users if user_reaches_call(u, call, SCORE)]


def user_reaches_call(user: Any, call: GrantCall, permission: str) -> bool:
    """Whether `user` would reach `call` with `permission` (also for an unsaved call)."""
    from sanad.core.scoping import grants_for

    pcode = call.governorate.pcode
    code = call.programme.code
    for grant in grants_for(user, permission):
        if (grant.all_governorates or pcode in grant.governorates) and (
            grant.all_programmes or code in grant.programmes
        ):
            return True
    return False


# --- applications ------------------------------------------------------------------------
def applications_visible(user: Any, permission: str | None = None) -> QuerySet[GrantApplication]:
    return scoped(GrantApplication.objects.all(), user, permission or VIEW).select_related(
        "call", "household", "applicant", "community"
    )


def application_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> GrantApplication:
    application = (
        applications_visible(user, permission)
        .select_related("call__governorate", "call__project", "household__admin_unit")
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def application_history(application: GrantApplication) -> QuerySet[Any]:
    return GrantApplication.STATUS_MACHINE.history(application).order_by("at", "id")


def vulnerability_count(household: Any) -> int:
    return sum(1 for flag in FLAG_FIELDS if getattr(household, flag, False))


def vulnerability_labels(household: Any) -> list[str]:
    return [str(label) for flag, label in VULNERABILITIES.values() if getattr(household, flag)]


def active_members(household: Any) -> list[Individual]:
    """The household's current members in the order the registry shows them (head
    first): a member's number in an import is its place in this list (1 = first)."""
    return list(members_ordered().filter(household=household, status=Individual.Status.ACTIVE))


def person_name(individual: Any) -> str:
    ar, en = individual.full_name_ar, individual.full_name_en
    if ar and en:
        return f"{ar} / {en}"
    return ar or en or "—"


def age_on(individual: Individual, day: datetime.date) -> int:
    from sanad.registry.derive import age_on as _age

    return _age(individual.date_of_birth, day)


# --- committee scoring -------------------------------------------------------------------
def membership(user: Any, call: GrantCall) -> CommitteeMember | None:
    if not getattr(user, "pk", None):
        return None
    return CommitteeMember.objects.filter(call=call, user=user).first()


def calls_to_score(user: Any) -> QuerySet[GrantCall]:
    """The calls in scoring on whose committee `user` sits (and reaches with SCORE)."""
    return (
        calls_visible(user, SCORE)
        .filter(status=GrantCall.Status.SCORING, committee__user=user)
        .distinct()
    )


@dataclass
class ScoringRow:
    application: GrantApplication
    declaration: ConflictDeclaration | None
    scores: dict[int, Score] = field(default_factory=dict)  # by criterion id

    @property
    def conflict(self) -> bool:
        return bool(self.declaration and self.declaration.has_conflict)

    @property
    def declared(self) -> bool:
        return self.declaration is not None

    def complete(self, criteria_count: int) -> bool:
        return criteria_count > 0 and len(self.scores) >= criteria_count


def member_worklist(member: CommitteeMember) -> list[ScoringRow]:
    """The applications a member must score (eligible ones), with their declaration and
    their scores."""
    apps = list(
        GrantApplication.objects.filter(call=member.call_id, status=APP.ELIGIBLE)
        .select_related("household", "applicant", "community")
        .order_by("reference")
    )
    declarations = {
        d.application_id: d
        for d in ConflictDeclaration.objects.filter(member=member, application__in=apps)
    }
    scores: dict[int, dict[int, Score]] = defaultdict(dict)
    for s in Score.objects.filter(member=member, application__in=apps):
        scores[s.application_id][s.criterion_id] = s
    return [
        ScoringRow(application=a, declaration=declarations.get(a.pk), scores=scores.get(a.pk, {}))
        for a in apps
    ]


# --- ranking -----------------------------------------------------------------------------
@dataclass
class MemberTotal:
    member_id: int
    conflict: bool = False
    declared: bool = False
    scored: int = 0  # criteria scored
    total: Decimal | None = None  # Σ score/max × weight, when every criterion is scored


@dataclass
class RankedRow:
    application: GrantApplication
    vulnerability: int
    totals: dict[int, MemberTotal]
    score: Decimal | None = None
    scorers: int = 0
    waiting: int = 0  # more members who must score before it is ranked
    rank: int | None = None
    note: str = ""

    def cells(self, members: list[CommitteeMember]) -> list[MemberTotal]:
        return [self.totals.get(m.pk) or MemberTotal(member_id=m.pk) for m in members]


@dataclass
class Ranking:
    call: GrantCall
    members: list[CommitteeMember]
    criteria: list[ScoringCriterion]
    rows: list[RankedRow]  # ranked first (by rank), then those still waiting

    @property
    def ranked(self) -> list[RankedRow]:
        return [r for r in self.rows if r.rank is not None]

    @property
    def waiting(self) -> list[RankedRow]:
        return [r for r in self.rows if r.rank is None]


def member_total(values: dict[int, Decimal], criteria: list[ScoringCriterion]) -> Decimal | None:
    """Σ (score / highest score × weight) over the criteria (0–100), or None when a
    criterion is not scored."""
    if not criteria or any(c.pk not in values for c in criteria):
        return None
    total = sum(
        (values[c.pk] / Decimal(c.max_score or 1) * c.weight for c in criteria), Decimal("0")
    )
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _tie_key(row: RankedRow) -> tuple[Any, ...]:
    a = row.application
    return (-(row.score or 0), -row.vulnerability, -a.jobs_planned, a.submitted_on)


def _broken_by(higher: RankedRow, lower: RankedRow) -> str | None:
    """Why `higher` is ranked above `lower` at the same score (None: no rule breaks it)."""
    a, b = higher.application, lower.application
    if higher.vulnerability != lower.vulnerability:
        return _("more vulnerability flags on the household (%(a)d against %(b)d)") % {
            "a": higher.vulnerability,
            "b": lower.vulnerability,
        }
    if a.jobs_planned != b.jobs_planned:
        return _("more jobs planned (%(a)d against %(b)d)") % {
            "a": a.jobs_planned,
            "b": b.jobs_planned,
        }
    if a.submitted_on != b.submitted_on:
        return _("submitted earlier (%(a)s against %(b)s)") % {
            "a": a.submitted_on.isoformat(),
            "b": b.submitted_on.isoformat(),
        }
    return None


def _lost_by(lower: RankedRow, higher: RankedRow) -> str | None:
    a, b = lower.application, higher.application
    if lower.vulnerability != higher.vulnerability:
        return _("fewer vulnerability flags on the household (%(a)d against %(b)d)") % {
            "a": lower.vulnerability,
            "b": higher.vulnerability,
        }
    if a.jobs_planned != b.jobs_planned:
        return _("fewer jobs planned (%(a)d against %(b)d)") % {
            "a": a.jobs_planned,
            "b": b.jobs_planned,
        }
    if a.submitted_on != b.submitted_on:
        return _("submitted later (%(a)s against %(b)s)") % {
            "a": a.submitted_on.isoformat(),
            "b": b.submitted_on.isoformat(),
        }
    return None


def _tie_note(row: RankedRow, other: RankedRow, higher: bool) -> str:
    reason = _broken_by(row, other) if higher else _lost_by(row, other)
    values = {"score": f"{row.score:.2f}", "other": other.application.reference}
    if reason is None:
        return (
            _("Tied at %(score)s with %(other)s; no rule breaks the tie: the rank is shared")
            % values
        )
    if higher:
        return _("Tied at %(score)s with %(other)s; ranked higher: %(reason)s") % {
            **values,
            "reason": reason,
        }
    return _("Tied at %(score)s with %(other)s; ranked lower: %(reason)s") % {
        **values,
        "reason": reason,
    }


def rank_rows(rows: list[RankedRow], quorum: int) -> list[RankedRow]:
    """Rank the rows scored by the quorum: by score, then (ties) more vulnerability
    flags, more jobs planned, earlier submission; a tie no rule breaks shares the rank.
    Each tied row gets a note naming the neighbour it was compared with and the rule."""
    ranked = sorted(
        (r for r in rows if r.score is not None and r.scorers >= quorum),
        key=lambda r: (*_tie_key(r), r.application.reference),
    )
    previous: RankedRow | None = None
    for position, row in enumerate(ranked, start=1):
        if previous is not None and _tie_key(previous) == _tie_key(row):
            row.rank = previous.rank
        else:
            row.rank = position
        previous = row
    for i, row in enumerate(ranked):
        notes = []
        if i > 0 and ranked[i - 1].score == row.score:
            notes.append(_tie_note(row, ranked[i - 1], higher=False))
        if i + 1 < len(ranked) and ranked[i + 1].score == row.score:
            notes.append(_tie_note(row, ranked[i + 1], higher=True))
        note = " · ".join(notes)
        row.note = note if len(note) <= 300 else note[:299] + "…"
    waiting = sorted((r for r in rows if r.rank is None), key=lambda r: r.application.reference)
    for row in waiting:
        row.waiting = max(quorum - row.scorers, 0)
        row.note = ""
    return ranked + waiting


def call_ranking(call: GrantCall) -> Ranking:
    """The committee's scores aggregated: for each application that passed the checks,
    each member's weighted total (members who declared a conflict, or did not score
    every criterion, are not counted), the mean of the counted totals, and the rank."""
    criteria = criteria_of(call)
    members = committee_of(call)
    apps = list(
        GrantApplication.objects.filter(call=call, status__in=RANKABLE)
        .select_related("household")
        .order_by("reference")
    )
    declarations = {
        (d.application_id, d.member_id): d.has_conflict
        for d in ConflictDeclaration.objects.filter(application__call=call)
    }
    values: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for app_id, member_id, criterion_id, value in Score.objects.filter(
        application__call=call
    ).values_list("application_id", "member_id", "criterion_id", "value"):
        values[(app_id, member_id)][criterion_id] = Decimal(value)
    rows = []
    for app in apps:
        totals: dict[int, MemberTotal] = {}
        counted: list[Decimal] = []
        for member in members:
            key = (app.pk, member.pk)
            conflict = declarations.get(key)
            given = values.get(key, {})
            cell = MemberTotal(
                member_id=member.pk,
                conflict=bool(conflict),
                declared=conflict is not None,
                scored=len(given),
            )
            if conflict is False:
                cell.total = member_total(given, criteria)
                if cell.total is not None:
                    counted.append(cell.total)
            totals[member.pk] = cell
        score = None
        if counted:
            score = (sum(counted, Decimal("0")) / len(counted)).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
        rows.append(
            RankedRow(
                application=app,
                vulnerability=vulnerability_count(app.household),
                totals=totals,
                score=score,
                scorers=len(counted),
            )
        )
    return Ranking(call=call, members=members, criteria=criteria, rows=rank_rows(rows, call.quorum))


# --- selection ---------------------------------------------------------------------------
@dataclass
class Proposal:
    row: RankedRow
    proposed: str  # selected, reserve or rejected
    cumulative: Decimal  # requested amounts of the selected so far (this one included if selected)


def selection_proposal(ranking: Ranking, *, reserve: int) -> list[Proposal]:
    """By rank: selected while the cumulative requested amount fits the budget; the
    next `reserve` on the reserve list; the rest not selected."""
    out: list[Proposal] = []
    budget = ranking.call.budget
    total = Decimal("0")
    filling = True
    reserved = 0
    for row in ranking.ranked:
        amount = row.application.requested_amount
        if filling and total + amount <= budget:
            total += amount
            out.append(Proposal(row=row, proposed=APP.SELECTED, cumulative=total))
            continue
        filling = False
        if reserved < reserve:
            reserved += 1
            out.append(Proposal(row=row, proposed=APP.RESERVE, cumulative=total))
        else:
            out.append(Proposal(row=row, proposed=APP.REJECTED, cumulative=total))
    return out
