"""The committee's work and what follows: a member declares, for each eligible
application, whether they have a conflict of interest (before any score; a conflict
deletes their scores on it and they cannot score it), then scores every criterion
(0 to its highest score, by halves) while the call is being scored. `call_rank` keeps
the aggregated score, rank and tie note on each application; `call_select` chooses the
grantees by rank within the budget, a reserve list and the rest, with the officer's
moves (each with a reason), and moves the call to "selected"."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed, field_error
from sanad.revitalization.models import (
    GRANTS,
    SCORE,
    CommitteeMember,
    ConflictDeclaration,
    GrantApplication,
    GrantCall,
    Score,
    ScoringCriterion,
)
from sanad.revitalization.selectors.grants import (
    Ranking,
    call_ranking,
    membership,
    selection_proposal,
)
from sanad.revitalization.services._common import actor, require
from sanad.revitalization.services.grants.applications import _money

APP = GrantApplication.Status
CALL = GrantCall.Status
HALF = Decimal("0.5")
DECISIONS = (APP.SELECTED, APP.RESERVE, APP.REJECTED)
MAX_RESERVE = 1000


def _member_for(user: Any, application: GrantApplication) -> CommitteeMember:
    """The user's seat on the application's committee; 403 for anyone else."""
    require(user, SCORE, application)
    member = membership(user, application.call)
    if member is None:
        raise PermissionDenied(
            _("You are not on this call's committee: only its members score it."),
            code="not_a_member",
        )
    return member


def _scoring_open(application: GrantApplication) -> None:
    if application.call.status != CALL.SCORING:
        raise Conflict(
            _("The call is not being scored (it is “%(status)s”): scores can no longer change.")
            % {"status": application.call.get_status_display()},
            code="call_not_scoring",
        )
    if application.status != APP.ELIGIBLE:
        raise Conflict(
            _("Only eligible applications are scored (this one is “%(status)s”).")
            % {"status": application.get_status_display()},
            code="application_not_eligible",
        )


def application_declare(
    *, user: Any, application: GrantApplication, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """The member's declaration on one application, before scoring it. With a conflict
    (say what it is) their scores on it, if any, are deleted and they cannot score it.
    A declared conflict stands: it cannot be turned back into "no conflict"."""
    member = _member_for(user, application)
    note = str(note or "").strip()
    if has_conflict and not note:
        raise field_error(
            "note",
            _("Say what the conflict is (a relative, a business partner, a neighbour…)."),
            "conflict_note_required",
        )
    if len(note) > 300:
        raise field_error("note", _("Keep the note under 300 characters."), "note_too_long")
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=application.pk)
        )
        _scoring_open(application)
        existing = ConflictDeclaration.objects.filter(
            application=application, member=member
        ).first()
        if existing is not None and existing.has_conflict and not has_conflict:
            raise Conflict(
                _(
                    "You declared a conflict of interest on this application: it stands, and "
                    "you cannot score it."
                ),
                code="conflict_stands",
            )
        if has_conflict:
            Score.objects.filter(application=application, member=member).delete()
        if existing is None:
            return ConflictDeclaration.objects.create(
                application=application,
                member=member,
                has_conflict=bool(has_conflict),
                note=note if has_conflict else "",
            )
        existing.has_conflict = bool(has_conflict)
        existing.note = note if has_conflict else ""
        existing.save(update_fields=["has_conflict", "note"])
        return existing


def _value(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def application_score(
    *,
    user: Any,
    application: GrantApplication,
    scores: Mapping[Any, Any],
    comments: Mapping[Any, Any] | None = None,
) -> list[Score]:
    """The member's scores on every criterion (keys: criteria or their ids), each from
    0 to the criterion's highest score in steps of 0.5, with an optional comment each.
    Changed freely until the call leaves "scoring". Errors name `score_<criterion id>`."""
    member = _member_for(user, application)
    comments = comments or {}

    def key(k: Any) -> int:
        return k.pk if isinstance(k, ScoringCriterion) else int(k)

    given = {key(k): v for k, v in scores.items()}
    notes = {key(k): str(v or "").strip() for k, v in comments.items()}
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=application.pk)
        )
        _scoring_open(application)
        declaration = ConflictDeclaration.objects.filter(
            application=application, member=member
        ).first()
        if declaration is None:
            raise Conflict(
                _("Declare first whether you have a conflict of interest with this application."),
                code="declaration_missing",
            )
        if declaration.has_conflict:
            raise Conflict(
                _("You declared a conflict of interest: you cannot score this application."),
                code="conflict_declared",
            )
        criteria = list(ScoringCriterion.objects.filter(call=application.call).order_by("order"))
        errors: dict[str, list[str]] = {}
        values: dict[int, Decimal] = {}
        for criterion in criteria:
            name = f"score_{criterion.pk}"
            value = _value(given.get(criterion.pk))
            if value is None:
                errors[name] = [_("Score “%(criterion)s”.") % {"criterion": criterion.name}]
            elif not 0 <= value <= criterion.max_score or value % HALF != 0:
                errors[name] = [
                    _("Give a score from 0 to %(max)d, in steps of 0.5.")
                    % {"max": criterion.max_score}
                ]
            else:
                values[criterion.pk] = value
            if len(notes.get(criterion.pk, "")) > 300:
                errors.setdefault(f"comment_{criterion.pk}", []).append(
                    _("Keep the comment under 300 characters.")
                )
        unknown = set(given) - {c.pk for c in criteria}
        if unknown:
            errors.setdefault("scores", []).append(
                _("Some scores are for criteria of another call.")
            )
        if errors:
            raise ValidationFailed(fields=errors)
        saved = []
        for criterion in criteria:
            score, _created = Score.objects.update_or_create(
                application=application,
                member=member,
                criterion=criterion,
                defaults={"value": values[criterion.pk], "comment": notes.get(criterion.pk, "")},
            )
            saved.append(score)
    return saved


# --- ranking ---------------------------------------------------------------------------
def _store(ranking: Ranking) -> None:
    rows = []
    for row in ranking.rows:
        app = row.application
        app.total_score, app.scorers, app.rank, app.rank_note = (
            row.score,
            row.scorers,
            row.rank,
            row.note,
        )
        rows.append(app)
    GrantApplication.objects.bulk_update(
        rows, ["total_score", "scorers", "rank", "rank_note"], batch_size=500
    )
    ids = [r.application.pk for r in ranking.rows]
    GrantApplication.objects.filter(call=ranking.call).exclude(pk__in=ids).exclude(
        rank__isnull=True, total_score__isnull=True
    ).update(rank=None, total_score=None, scorers=0, rank_note="")


def call_rank(*, user: Any, call: GrantCall) -> Ranking:
    """Aggregate the committee's scores and keep, on each application, its score (the
    mean of the weighted totals of the members who scored every criterion without a
    conflict), how many members counted, its rank and how its ties were broken.
    Applications scored by fewer than `quorum` members are not ranked."""
    require(user, GRANTS, call)
    with transaction.atomic():
        call = GrantCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
        if call.status != CALL.SCORING:
            raise Conflict(
                _("Applications are ranked while the call is being scored."),
                code="call_not_scoring",
            )
        ranking = call_ranking(call)
        _store(ranking)
    return ranking


# --- selection -------------------------------------------------------------------------
def call_select(
    *,
    user: Any,
    call: GrantCall,
    reserve: int,
    moves: Mapping[Any, tuple[str, str]] | None = None,
) -> GrantCall:
    """Choose the grantees: by rank, selected while the cumulative requested amount
    fits the budget; the next `reserve` on the reserve list; the rest not selected.
    `moves` ({application or its public id: (status, reason)}) puts an application on
    another list than proposed, with the reason. The selected must fit the budget.
    Every application waiting for scores blocks the selection. The call → selected."""
    require(user, GRANTS, call)
    if isinstance(reserve, bool) or not isinstance(reserve, int) or not 0 <= reserve <= MAX_RESERVE:
        raise field_error(
            "reserve",
            _("Enter the length of the reserve list, from 0 to %(n)d.") % {"n": MAX_RESERVE},
            "invalid_reserve",
        )
    wanted: dict[str, tuple[str, str]] = {}
    for k, (status, reason) in (moves or {}).items():
        ident = str(k.public_id) if isinstance(k, GrantApplication) else str(k)
        wanted[ident] = (status, str(reason or "").strip())
    given = call
    with transaction.atomic():
        call = GrantCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
        if call.status != CALL.SCORING:
            raise Conflict(
                _("Grantees are selected once the call is closed and scored."),
                code="call_not_scoring",
            )
        ranking = call_ranking(call)
        _store(ranking)
        if ranking.waiting:
            raise Conflict(
                ngettext(
                    "%(n)d application is still waiting for scores (%(refs)s): the committee "
                    "finishes scoring before the selection.",
                    "%(n)d applications are still waiting for scores (%(refs)s): the committee "
                    "finishes scoring before the selection.",
                    len(ranking.waiting),
                )
                % {
                    "n": len(ranking.waiting),
                    "refs": ", ".join(r.application.reference for r in ranking.waiting[:5])
                    + ("…" if len(ranking.waiting) > 5 else ""),
                },
                code="scores_missing",
            )
        if not ranking.ranked:
            raise Conflict(
                _("No application is ranked: there is nothing to select."),
                code="nothing_ranked",
            )
        proposal = selection_proposal(ranking, reserve=reserve)
        errors: dict[str, list[str]] = {}
        final: list[tuple[GrantApplication, str, str, int | None]] = []
        for item in proposal:
            app = item.row.application
            ident = str(app.public_id)
            status, reason = wanted.get(ident, (item.proposed, ""))
            if status not in DECISIONS:
                errors[f"status_{ident}"] = [_("Choose selected, reserve or not selected.")]
                continue
            if len(reason) > 250:
                errors[f"reason_{ident}"] = [_("Keep the reason under 250 characters.")]
                continue
            if status != item.proposed and not reason:
                errors[f"reason_{ident}"] = [
                    _("Say why %(reference)s is moved from the proposed list.")
                    % {"reference": app.reference}
                ]
                continue
            final.append((app, status, reason if status != item.proposed else "", item.row.rank))
        total = sum(
            (a.requested_amount for a, s, _r, _k in final if s == APP.SELECTED), Decimal("0")
        )
        if total > call.budget:
            errors.setdefault("reserve", []).append(
                _("The selected applications ask %(total)s, more than the budget of %(budget)s.")
                % {
                    "total": _money(total, call.currency),
                    "budget": _money(call.budget, call.currency),
                }
            )
        if errors:
            raise ValidationFailed(fields=errors)
        reserve_number = 0
        cumulative = Decimal("0")
        chosen = 0
        for app, status, moved, rank in final:
            if status == APP.SELECTED:
                cumulative += app.requested_amount
                chosen += 1
                text = _("Rank %(rank)d: selected (%(sum)s of the budget of %(budget)s).") % {
                    "rank": rank or 0,
                    "sum": _money(cumulative, call.currency),
                    "budget": _money(call.budget, call.currency),
                }
            elif status == APP.RESERVE:
                reserve_number += 1
                text = _("Rank %(rank)d: number %(n)d on the reserve list.") % {
                    "rank": rank or 0,
                    "n": reserve_number,
                }
            else:
                text = _(
                    "Rank %(rank)d: not selected; the budget goes to higher-ranked applications."
                ) % {"rank": rank or 0}
            if moved:
                text = _("Moved by the officer: %(reason)s") % {"reason": moved}
            app.decision_note = text[:300]
            app.updated_by = actor(user)
            GrantApplication.STATUS_MACHINE.transition(
                app,
                to=status,
                by=user,
                reason=text,
                extra_updates=("decision_note", "updated_by"),
            )
        call.updated_by = actor(user)
        GrantCall.STATUS_MACHINE.transition(
            call,
            to=CALL.SELECTED,
            by=user,
            reason=ngettext(
                "%(n)d application selected for %(total)s of %(budget)s.",
                "%(n)d applications selected for %(total)s of %(budget)s.",
                chosen,
            )
            % {
                "n": chosen,
                "total": _money(cumulative, call.currency),
                "budget": _money(call.budget, call.currency),
            },
            extra_updates=("updated_by",),
        )
    given.status = call.status
    return given
