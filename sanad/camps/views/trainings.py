"""Trainings for camp-management actors: the list, recording and editing one, and its page
with participants (added one by one or pasted from a spreadsheet), by sex and
organisation, and the average pre- and post-test scores with the gain."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.camps.forms.mrt import (
    ParticipantForm,
    ParticipantsPasteForm,
    TrainingForm,
    apply_errors,
)
from sanad.camps.models import MANAGE_TRAINING, VIEW, Training
from sanad.camps.selectors import mrt as selectors
from sanad.camps.services import trainings as services
from sanad.camps.views.mrt import allowed, page
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission


class TrainingListView(ScopedListView):
    model = Training
    permission = VIEW
    template_name = "camps/trainings/list.html"
    search_fields = ("title", "topic", "facilitators", "site__place__name_en")
    sort_fields = {"starts_on": "starts_on", "title": "title", "participants": "participant_count"}
    default_sort = "-starts_on"

    def get_base_queryset(self) -> QuerySet[Training]:
        return selectors.trainings_visible(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page(
                self.request,
                "trainings",
                can_manage=has_permission(self.request.user, MANAGE_TRAINING),
                search_placeholder=_("Title, topic, facilitator or site"),
            )
        )
        return ctx


def _form_page(request: HttpRequest, form: TrainingForm, training: Training | None) -> HttpResponse:
    return render(
        request,
        "camps/trainings/form.html",
        page(request, "trainings", form=form, training=training),
        status=400 if form.errors else 200,
    )


def _save(request: HttpRequest, form: TrainingForm, training: Training | None) -> Any:
    try:
        if training is None:
            return services.training_create(user=request.user, data=form.service_data())
        return services.training_update(
            user=request.user, training=training, data=form.service_data()
        )
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
    return None


@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_TRAINING)
    form = TrainingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        training = _save(request, form, None)
        if training is not None:
            messages.success(request, _("The training is recorded. Add its participants."))
            return redirect("camps:training_detail", public_id=training.public_id)
    return _form_page(request, form, None)


@login_required
def training_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, MANAGE_TRAINING)
    training = selectors.training_get(
        user=request.user, public_id=public_id, permission=MANAGE_TRAINING
    )
    form = TrainingForm(request.POST or None, user=request.user, training=training)
    if request.method == "POST" and form.is_valid() and _save(request, form, training):
        messages.success(request, _("The training is saved."))
        return redirect("camps:training_detail", public_id=training.public_id)
    return _form_page(request, form, training)


def _detail(
    request: HttpRequest,
    training: Training,
    *,
    status: int = 200,
    participant_form: ParticipantForm | None = None,
    paste_form: ParticipantsPasteForm | None = None,
) -> HttpResponse:
    participants = list(training.participants.select_related("organisation").order_by("name"))
    can_manage = allowed(request, training, MANAGE_TRAINING)
    return render(
        request,
        "camps/trainings/detail.html",
        page(
            request,
            "trainings",
            training=training,
            participants=participants,
            summary=selectors.training_summary(participants),
            can_manage=can_manage,
            participant_form=participant_form or ParticipantForm(prefix="one"),
            paste_form=paste_form or ParticipantsPasteForm(prefix="paste"),
        ),
        status=status,
    )


@login_required
def training_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    training = selectors.training_get(user=request.user, public_id=public_id)
    return _detail(request, training)


@login_required
@require_POST
def training_participants(request: HttpRequest, public_id: Any) -> HttpResponse:
    """POST: add one participant (fields prefixed "one-"), paste lines ("paste-lines") or
    remove one ("remove" = its id)."""
    require_permission(request, MANAGE_TRAINING)
    training = selectors.training_get(
        user=request.user, public_id=public_id, permission=MANAGE_TRAINING
    )
    done = redirect("camps:training_detail", public_id=training.public_id)
    user = request.user
    if request.POST.get("remove", "").isdigit():
        services.participant_remove(
            user=user, training=training, participant_id=int(request.POST["remove"])
        )
        messages.success(request, _("The participant is removed."))
        return done
    if "paste-lines" in request.POST:
        paste = ParticipantsPasteForm(request.POST, prefix="paste")
        if paste.is_valid():
            try:
                n = services.participants_import(
                    user=user, training=training, text=paste.cleaned_data["lines"]
                )
            except ValidationFailed as exc:
                apply_errors(paste, exc)
            else:
                messages.success(request, _("%(n)s participants are added.") % {"n": n})
                return done
        return _detail(request, training, status=400, paste_form=paste)
    form = ParticipantForm(request.POST, prefix="one")
    if form.is_valid():
        try:
            services.participant_add(user=user, training=training, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The participant is added."))
            return done
    return _detail(request, training, status=400, participant_form=form)
