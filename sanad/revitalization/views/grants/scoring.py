"""The committee member's pages (made for a phone): the calls they score, the
applications of a call with where they stand (to declare, to score, scored, conflict),
and one application: first the conflict-of-interest declaration, then one score per
criterion. Only members of the call's committee who hold the scoring permission see
them (others: 403, or 404 out of scope)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError
from sanad.core.views import require_permission
from sanad.revitalization.forms.grants import DeclarationForm, ScoreForm
from sanad.revitalization.models import (
    SCORE,
    CommitteeMember,
    ConflictDeclaration,
    GrantApplication,
    GrantCall,
    Score,
)
from sanad.revitalization.selectors import grants as selectors
from sanad.revitalization.services.grants import scoring as services
from sanad.revitalization.views.grants._common import form_error, get_application, get_call


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except (ValueError, TypeError):
        return ""


def _seat(request: HttpRequest, call: GrantCall) -> CommitteeMember:
    member = selectors.membership(request.user, call)
    if member is None:
        raise PermissionDenied(_("You are not on this call's committee."))
    return member


@login_required
def scoring_list(request: HttpRequest) -> HttpResponse:
    """The calls being scored on whose committee the user sits."""
    require_permission(request, SCORE)
    calls = list(selectors.calls_to_score(request.user).order_by("closes_on"))
    summaries = []
    for call in calls:
        member = selectors.membership(request.user, call)
        rows = selectors.member_worklist(member) if member else []
        count = len(selectors.criteria_of(call))
        done = sum(1 for r in rows if r.conflict or r.complete(count))
        summaries.append((call, len(rows), done))
    return render(request, "revitalization/grants/scoring_list.html", {"summaries": summaries})


@login_required
def scoring_call(request: HttpRequest, public_id: Any) -> HttpResponse:
    call = get_call(request, public_id, SCORE)
    member = _seat(request, call)
    criteria = selectors.criteria_of(call)
    rows = selectors.member_worklist(member)
    count = len(criteria)
    return render(
        request,
        "revitalization/grants/scoring_call.html",
        {
            "call": call,
            "member": member,
            "rows": [(r, r.complete(count)) for r in rows],
            "done": sum(1 for r in rows if r.conflict or r.complete(count)),
            "scoring": call.status == GrantCall.Status.SCORING,
        },
    )


def _page(
    request: HttpRequest,
    application: GrantApplication,
    member: CommitteeMember,
    declaration_form: DeclarationForm | None = None,
    score_form: ScoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    criteria = selectors.criteria_of(call)
    declaration = ConflictDeclaration.objects.filter(application=application, member=member).first()
    mine = {s.criterion_id: s for s in Score.objects.filter(application=application, member=member)}
    if score_form is None:
        score_form = ScoreForm(
            criteria=criteria,
            initial={
                **{f"score_{k}": s.value.normalize() for k, s in mine.items()},
                **{f"comment_{k}": s.comment for k, s in mine.items()},
            },
        )
    if declaration_form is None:
        declaration_form = DeclarationForm(
            initial={"conflict": "no"} if declaration is None else {"conflict": "yes"}
        )
    rows = selectors.member_worklist(member)
    ids = [r.application.pk for r in rows]
    position = ids.index(application.pk) if application.pk in ids else -1
    following = rows[position + 1].application if 0 <= position < len(rows) - 1 else None
    return render(
        request,
        "revitalization/grants/scoring_application.html",
        {
            "call": call,
            "application": application,
            "member": member,
            "declaration": declaration,
            "declaration_form": declaration_form,
            "score_form": score_form,
            "scored": len(mine) >= len(criteria) > 0,
            "scoring": call.status == GrantCall.Status.SCORING
            and application.status == GrantApplication.Status.ELIGIBLE,
            "position": position + 1,
            "count": len(rows),
            "following": following,
            "total": selectors.member_total({k: s.value for k, s in mine.items()}, criteria),
        },
        status=status,
    )


@login_required
def scoring_application(request: HttpRequest, public_id: Any) -> HttpResponse:
    """GET: the application, the declaration or the score form. POST `step=declare`
    records the declaration; POST `step=score` the scores."""
    application = get_application(request, public_id, SCORE)
    member = _seat(request, application.call)
    if request.method != "POST":
        return _page(request, application, member)
    step = request.POST.get("step")
    if step == "declare":
        form = DeclarationForm(request.POST)
        if form.is_valid():
            try:
                services.application_declare(
                    user=request.user,
                    application=application,
                    has_conflict=form.has_conflict(),
                    note=form.cleaned_data.get("note", ""),
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                if form.has_conflict():
                    messages.success(
                        request,
                        _("Your conflict of interest is recorded: you do not score %(ref)s.")
                        % {"ref": application.reference},
                    )
                    return redirect(
                        "revitalization:scoring_call", public_id=application.call.public_id
                    )
                messages.success(request, _("No conflict declared: score the application."))
                return redirect(
                    "revitalization:scoring_application", public_id=application.public_id
                )
        return _page(request, application, member, declaration_form=form, status=400)
    criteria = selectors.criteria_of(application.call)
    score_form = ScoreForm(request.POST, criteria=criteria)
    if score_form.is_valid():
        try:
            services.application_score(
                user=request.user,
                application=application,
                scores=score_form.scores(),
                comments=score_form.comments(),
            )
        except ApplicationError as exc:
            form_error(score_form, exc)
        else:
            messages.success(
                request, _("Your scores on %(ref)s are saved.") % {"ref": application.reference}
            )
            following = _uuid(request.POST.get("next", ""))
            if following:
                nxt = GrantApplication.objects.filter(
                    public_id=following, call=application.call
                ).first()
                if nxt is not None:
                    return redirect("revitalization:scoring_application", public_id=nxt.public_id)
            return redirect("revitalization:scoring_call", public_id=application.call.public_id)
    return _page(request, application, member, score_form=score_form, status=400)
