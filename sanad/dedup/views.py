"""Deduplication pages: the review queue, a pair side by side with the explanation of
its score, runs (registry, import batch, linking lists), merges and their undo, the
thresholds; and two fragments other pages load (the household page's note, the import
page's "find duplicates" panel). The rules are in services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_data_exported, personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.dedup import selectors, services
from sanad.dedup.forms import (
    ConfirmForm,
    LinkForm,
    PairFilter,
    RejectForm,
    RunForm,
    ThresholdsForm,
    UndoForm,
)
from sanad.dedup.models import (
    CHANGE_SETTINGS,
    REVIEW,
    RUN,
    VIEW,
    DedupRun,
    DedupSettings,
    MatchPair,
)
from sanad.programmes.models import Programme
from sanad.registry.imports.selectors import import_batch_get
from sanad.registry.models import ImportBatch, Individual
from sanad.registry.selectors import household_get

FIELD_LABELS = {
    "given_name": gettext_lazy("Given name"),
    "father_name": gettext_lazy("Father's name"),
    "grandfather_name": gettext_lazy("Grandfather's name"),
    "family_name": gettext_lazy("Family or tribal name"),
    "full_name": gettext_lazy("Full name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "phone": gettext_lazy("Phone"),
    "document_number": gettext_lazy("Document number"),
    "location": gettext_lazy("Location"),
    "address": gettext_lazy("Address"),
    "household": gettext_lazy("Household"),
}
# The engine's comparison levels (sanad.dedup.engine.pipeline.FIELDS).
LEVEL_LABELS = {
    "exact": gettext_lazy("same"),
    "same": gettext_lazy("same"),
    "transliterated": gettext_lazy("same name in the other script"),
    "same_skeleton": gettext_lazy("same name, other spelling"),
    "similar": gettext_lazy("similar"),
    "partly_similar": gettext_lazy("partly similar"),
    "day_month_swapped": gettext_lazy("day and month swapped"),
    "one_edit": gettext_lazy("one digit differs"),
    "year_only": gettext_lazy("same year"),
    "within_1_year": gettext_lazy("within a year"),
    "same_admin2": gettext_lazy("same district"),
    "same_admin1": gettext_lazy("same governorate"),
    "different": gettext_lazy("different"),
    "missing": gettext_lazy("missing on one side"),
}


def level_label(level: str) -> Any:
    """The translated name of a comparison level ("3_members_match" included)."""
    if level.endswith("_members_match") and level.split("_", 1)[0].isdigit():
        count = int(level.split("_", 1)[0])
        return ngettext(
            "%(count)s member of the two households matches",
            "%(count)s members of the two households match",
            count,
        ) % {"count": count}
    return LEVEL_LABELS.get(level, level)


def _require(request: HttpRequest, *permissions: str) -> None:
    if not any(has_permission(request.user, p) for p in permissions):
        raise DjangoPermissionDenied


def _messages_of(exc: ApplicationError) -> str:
    return " ".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message)


# --- the review queue ------------------------------------------------------------------------


class PairListView(ScopedListView):
    model = MatchPair
    permission = VIEW
    template_name = "dedup/pair_list.html"
    template_partial = "dedup/_pair_table.html"
    filterset_class = PairFilter
    sort_fields = {
        "probability": "probability",
        "created": "created_at",
        "band": "band",
        "status": "status",
    }
    default_sort = "-probability"

    def get_queryset(self) -> QuerySet[MatchPair]:
        qs = selectors.pairs_visible_to(self.request.user)
        self.filterset = PairFilter(self.request.GET or None, queryset=qs, request=self.request)
        if self.filterset.is_bound:
            qs = self.filterset.qs if self.filterset.is_valid() else qs.none()
        if "status" not in self.request.GET:
            qs = qs.filter(status=MatchPair.Status.PENDING)
        self.search = ""
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key in self.sort_fields:
            field = self.sort_fields[key]
            self.sort = sort
            return qs.order_by(f"-{field}" if sort.startswith("-") else field, "pk")
        self.sort = ""
        return qs.order_by("-probability", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        pending = selectors.pairs_visible_to(self.request.user).filter(
            status=MatchPair.Status.PENDING
        )
        ctx["waiting"] = pending.aggregate(
            flagged=Count("pk", filter=Q(band=MatchPair.Band.FLAGGED)),
            review=Count("pk", filter=Q(band=MatchPair.Band.REVIEW)),
        )
        ctx["can_run"] = has_permission(self.request.user, RUN)
        return ctx


pair_list = PairListView.as_view()


def _pair(request: HttpRequest, public_id: Any, permission: str = VIEW) -> MatchPair:
    _require(request, permission)
    try:
        return selectors.pair_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _bars(pair: MatchPair) -> list[dict[str, Any]]:
    """Each field's contribution with its bar: the share of the largest absolute weight."""
    contributions = list(pair.contributions or [])
    largest = max([abs(float(c.get("weight") or 0)) for c in contributions] + [1.0])
    rows = []
    for c in contributions:
        if c.get("field") == "household":  # the engine names the households by public id
            c = {
                **c,
                "left": pair.left_household.registration_id,
                "right": pair.right_household.registration_id,
            }
        if c.get("field") == "sex":  # the engine compares codes: show the words
            labels = dict(Individual.Sex.choices)
            c = {**c, "left": labels.get(c.get("left"), c.get("left")),
                 "right": labels.get(c.get("right"), c.get("right"))}  # fmt: skip
        weight = float(c.get("weight") or 0)
        rows.append(
            {
                **c,
                "weight": weight,
                "label": FIELD_LABELS.get(c.get("field", ""), c.get("field", "")),
                "level_label": level_label(str(c.get("level", ""))),
                "width": round(100 * abs(weight) / largest),
                "positive": weight > 0,
                "negative": weight < 0,
            }
        )
    return rows


@login_required
def pair_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    pair = _pair(request, public_id)
    left, right, group = selectors.pair_sides(pair)
    for household in (left.household, right.household):
        personal_record_viewed(
            user=request.user, obj=household, purpose="duplicate review", route=request.path
        )
    keep = (
        left.household
        if (left.household.created_at, left.household.pk)
        <= (right.household.created_at, right.household.pk)
        else right.household
    )
    can_review = has_permission(request.user, REVIEW) and pair.status == MatchPair.Status.PENDING
    following = selectors.next_pending(user=request.user, after=pair)
    return render(
        request,
        "dedup/pair_detail.html",
        {
            "pair": pair,
            "left": left,
            "right": right,
            "group": group,
            "pending_in_group": sum(1 for p in group if p.status == MatchPair.Status.PENDING),
            "contributions": _bars(pair),
            "keep": keep,
            "can_review": can_review,
            "can_undo": has_permission(request.user, REVIEW),
            "confirm_form": ConfirmForm(),
            "reject_form": RejectForm(),
            "next_pair": following,
            "history": MatchPair.STATUS_MACHINE.history(pair),
            "merges": list(pair.merges.select_related("survivor", "duplicate")),
            "status_choices": MatchPair.Status.choices,
        },
    )


def _after_review(request: HttpRequest, pair: MatchPair) -> HttpResponse:
    following = selectors.next_pending(user=request.user, after=pair)
    if following is not None:
        return redirect("dedup:pair_detail", public_id=following.public_id)
    return redirect("dedup:pair_list")


@login_required
@require_POST
def pair_confirm(request: HttpRequest, public_id: Any) -> HttpResponse:
    pair = _pair(request, public_id, REVIEW)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the household to keep."))
        return redirect("dedup:pair_detail", public_id=pair.public_id)
    try:
        merge = services.pair_confirm(
            pair=pair,
            user=request.user,
            survivor=form.cleaned_data.get("survivor"),
            reason=form.cleaned_data.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("dedup:pair_detail", public_id=pair.public_id)
    messages.success(
        request,
        _("Household %(old)s was merged into %(new)s.")
        % {"old": merge.duplicate.registration_id, "new": merge.survivor.registration_id},
    )
    return _after_review(request, pair)


@login_required
@require_POST
def pair_reject(request: HttpRequest, public_id: Any) -> HttpResponse:
    pair = _pair(request, public_id, REVIEW)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect("dedup:pair_detail", public_id=pair.public_id)
    try:
        rejected = services.pair_reject(
            pair=pair, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("dedup:pair_detail", public_id=pair.public_id)
    messages.success(
        request,
        _("Recorded as different people; %(count)s pair(s) will not be proposed again.")
        % {"count": len(rejected)},
    )
    return _after_review(request, pair)


# --- runs ------------------------------------------------------------------------------------


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW, RUN)
    runs = list(selectors.runs_visible_to(request.user).order_by("-created_at")[:50])
    return render(
        request,
        "dedup/run_list.html",
        {
            "runs": runs,
            "form": RunForm() if has_permission(request.user, RUN) else None,
            "can_link": has_permission(request.user, RUN),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    _require(request, RUN)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a programme or the general thresholds."))
        return redirect("dedup:run_list")
    try:
        run = services.run_start(user=request.user, programme=form.cleaned_data.get("programme"))
    except ApplicationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("dedup:run_list")
    return redirect("dedup:run_detail", public_id=run.public_id)


def _run(request: HttpRequest, public_id: Any) -> DedupRun:
    _require(request, VIEW, RUN)
    try:
        return selectors.run_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def run_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    run = _run(request, public_id)
    ctx: dict[str, Any] = {"run": run, "job": run.job, "status_choices": DedupRun.Status.choices}
    if run.is_link:
        rows, total = services.link_rows(run)
        ctx.update(rows=rows, rows_total=total, has_file=services.link_result_path(run) is not None)
    elif has_permission(request.user, VIEW):
        ctx["counts"] = selectors.run_counts(user=request.user, run=run)
    template = (
        "dedup/_run_summary.html" if request.headers.get("HX-Request") else "dedup/run_detail.html"
    )
    return render(request, template, ctx)


@login_required
def link_download(request: HttpRequest, public_id: Any) -> FileResponse:
    run = _run(request, public_id)
    path = services.link_result_path(run) if run.is_link else None
    if path is None:
        raise Http404
    personal_data_exported(
        user=request.user,
        model=Individual,
        purpose="partner list linking",
        route=request.path,
        record_count=run.pairs_found,
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"linked-{run.public_id}.csv")


@login_required
def link_upload(request: HttpRequest) -> HttpResponse:
    _require(request, RUN)
    form = LinkForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            second = form.cleaned_data.get("second_file")
            try:
                run = services.link_start(
                    user=request.user,
                    file=form.cleaned_data["file"],
                    name=form.cleaned_data["file"].name,
                    second_file=second,
                    second_name=second.name if second else "",
                    programme=form.cleaned_data.get("programme"),
                )
            except ApplicationError as exc:
                for field, msgs in exc.fields.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, str(msg))
                if not exc.fields:
                    form.add_error(None, str(exc.message))
            else:
                return redirect("dedup:run_detail", public_id=run.public_id)
        status = 400
    return render(request, "dedup/link_upload.html", {"form": form}, status=status)


# --- fragments for the registry's pages -------------------------------------------------------


@login_required
def household_note(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The household page's note: possible duplicates and merges (empty for a role
    that does not review duplicates)."""
    try:
        household = household_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if not has_permission(request.user, VIEW):
        return HttpResponse("")
    note = selectors.household_note(user=request.user, household=household)
    return render(
        request,
        "dedup/_household_note.html",
        {
            "household": household,
            "household_url": reverse("registry:household_detail", args=[household.public_id]),
            **note,
        },
    )


@login_required
def batch_duplicates(request: HttpRequest, public_id: Any) -> HttpResponse:
    """On a committed import's page: its runs, and a button to find duplicates of its
    households (POST starts the run)."""
    try:
        batch = import_batch_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    can_run = has_permission(request.user, RUN)
    if request.method == "POST":
        if not can_run:
            raise DjangoPermissionDenied
        try:
            run = services.run_start(user=request.user, import_batch=batch)
        except ApplicationError as exc:
            messages.error(request, _messages_of(exc))
            return redirect("registry:import_detail", public_id=batch.public_id)
        return redirect("dedup:run_detail", public_id=run.public_id)
    if not (can_run or has_permission(request.user, VIEW)):
        return HttpResponse("")
    return render(
        request,
        "dedup/_batch_panel.html",
        {
            "batch": batch,
            "runs": list(selectors.runs_of_batch(batch)[:5]),
            "can_run": can_run and batch.status == ImportBatch.Status.COMMITTED,
        },
    )


# --- merges ----------------------------------------------------------------------------------


@login_required
def merge_list(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW)
    merges = list(selectors.merges_visible_to(request.user)[:100])
    return render(
        request,
        "dedup/merge_list.html",
        {
            "merges": merges,
            "can_undo": has_permission(request.user, REVIEW),
        },
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request, REVIEW)
    try:
        merge = selectors.merge_get(user=request.user, public_id=public_id, permission=REVIEW)
    except NotFound as exc:
        raise Http404 from exc
    form = UndoForm(request.POST)
    back = request.POST.get("next") or reverse("dedup:merge_list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("dedup:merge_list")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect(back)
    try:
        services.merge_undo(merge=merge, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(
            request,
            _("The merge was undone: %(old)s is a separate household again.")
            % {"old": merge.duplicate.registration_id},
        )
    return redirect(back)


# --- thresholds ------------------------------------------------------------------------------


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _require(request, CHANGE_SETTINGS)
    programmes = list(Programme.objects.order_by("code"))
    saved = {s.programme_id: s for s in DedupSettings.objects.all()}
    rows: list[tuple[Programme | None, ThresholdsForm]] = []
    for programme in [None, *programmes]:
        prefix = f"p-{programme.code if programme else 'general'}"
        current = saved.get(programme.pk if programme else None)
        initial = (
            {"flag_threshold": current.flag_threshold, "review_threshold": current.review_threshold}
            if current
            else {}
        )
        form = ThresholdsForm(
            request.POST if request.method == "POST" else None, prefix=prefix, initial=initial
        )
        rows.append((programme, form))
    defaults = services.default_thresholds()
    if request.method == "POST":
        ok = True
        for programme, form in rows:
            if not form.is_valid():
                ok = False
                continue
            if not form.has_changed():
                continue
            try:
                services.settings_set(
                    user=request.user,
                    programme=programme,
                    flag_threshold=form.cleaned_data.get("flag_threshold"),
                    review_threshold=form.cleaned_data.get("review_threshold"),
                )
            except ApplicationError as exc:
                ok = False
                for field, msgs in exc.fields.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, str(msg))
        if ok:
            messages.success(request, _("The thresholds were saved."))
            return redirect("dedup:settings")
    return render(
        request,
        "dedup/settings.html",
        {
            "rows": [{"programme": p, "form": f} for p, f in rows],
            "default_flag": defaults[0],
            "default_review": defaults[1],
        },
        status=400 if request.method == "POST" else 200,
    )
