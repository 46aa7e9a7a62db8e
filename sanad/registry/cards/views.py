"""Household cards: one household's card, bulk printing, and the address a scanned card
leads to. A few dozen cards come back at once; more run as a background job."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanad.core.audit import personal_data_exported, personal_record_viewed
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.jobs import job_start
from sanad.core.views import require_permission
from sanad.registry.cards import jobs
from sanad.registry.cards.forms import BulkCardsForm
from sanad.registry.cards.pdf import cards_pdf, printable, token_from_scan
from sanad.registry.cards.selection import (
    PRINT,
    check_layout,
    households_printable_by,
    parse_ids,
    select,
)
from sanad.registry.models import Household
from sanad.registry.selectors import households_visible_to

VIEW = Household.VIEW_PERMISSION
DIRECT_LIMIT = 50  # more cards than this are laid out by the task worker


def _local_language() -> str:
    """The right-to-left language printed beside English: Kurdish for people working
    in Kurdish, Arabic otherwise."""
    return "ckb" if (get_language() or "").startswith("ckb") else "ar"


def _pdf_response(data: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # names of people: not in shared caches
    return response


def _final(household: Household) -> Household | None:
    """The household a merged household now lives on as, if there is one."""
    current: Household | None = household
    for _step in range(5):
        if current is None or current.status != Household.Status.MERGED:
            return current
        current = current.merged_into
    return None


@login_required
def card_household(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One household's card (an A4 sheet with the card and its cut lines)."""
    require_permission(request, PRINT)
    reach = households_printable_by(request.user)
    household = reach.filter(public_id=public_id).first()
    if household is None:
        raise Http404
    if household.status == Household.Status.MERGED:
        final = _final(household)
        if final is None or not reach.filter(pk=final.pk).exists():
            raise Http404
        messages.info(
            request,
            _("Household %(old)s was merged into %(new)s: this is the card of %(new)s.")
            % {"old": household.registration_id, "new": final.registration_id},
        )
        return redirect("registry:card_household", public_id=final.public_id)
    if household.status == Household.Status.WITHDRAWN:
        raise ValidationFailed(
            _("Household %(id)s has withdrawn from the registry; its card cannot be printed.")
            % {"id": household.registration_id},
            code="household_withdrawn",
        )
    layout = check_layout(request.GET.get("layout", "a6"))
    data = cards_pdf(
        printable(reach.filter(pk=household.pk)), layout=layout, local_language=_local_language()
    )
    personal_record_viewed(
        user=request.user,
        obj=household,
        action="export",
        purpose="household card",
        route=request.path,
    )
    return _pdf_response(data, f"card-{household.registration_id}.pdf", attachment=False)


@login_required
def card_bulk(request: HttpRequest) -> HttpResponse:
    """Cards for a list of households or a search: a PDF straight away for up to
    `DIRECT_LIMIT` cards, a background job (with its progress page) above that."""
    require_permission(request, PRINT)
    if request.method != "POST":
        initial = {"q": request.GET.get("q", ""), "households": request.GET.get("households", "")}
        return render(request, "registry/cards/bulk.html", {"form": BulkCardsForm(initial=initial)})
    form = BulkCardsForm(request.POST)
    if form.is_valid():
        # Checkboxes on a list page post `households` once per household.
        ids = request.POST.getlist("households")
        query = form.cleaned_data["q"]
        try:
            layout = check_layout(form.cleaned_data["layout"])
            selection = select(user=request.user, ids=ids, query=query)
            if selection.missing:
                shown = ", ".join(selection.missing[:10])
                raise ValidationFailed(
                    fields={
                        "households": _(
                            "Not found in your area: %(ids)s. Check the registration ids."
                        )
                        % {"ids": shown + (" …" if len(selection.missing) > 10 else "")}
                    }
                )
            if not selection.count:
                raise ValidationFailed(
                    fields={
                        "households": _(
                            "None of these households can be printed: merged or withdrawn households have no card."
                        )
                    }
                )
        except ValidationFailed as exc:
            for field, msgs in exc.fields.items():
                for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    form.add_error(field if field in form.fields else None, str(msg))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            if selection.count > DIRECT_LIMIT:
                try:
                    job = job_start(
                        kind=jobs.KIND,
                        user=request.user,
                        params={
                            "ids": parse_ids(ids),
                            "q": query,
                            "layout": layout,
                            "language": _local_language(),
                        },
                        title=_("Household cards (%(n)d)") % {"n": selection.count},
                    )
                except ApplicationError as exc:
                    form.add_error(None, str(exc.message))
                else:
                    return redirect("core:job_detail", public_id=job.public_id)
            else:
                data = cards_pdf(
                    selection.households, layout=layout, local_language=_local_language()
                )
                personal_data_exported(
                    user=request.user,
                    model=Household,
                    purpose="household cards",
                    route=request.path,
                    record_count=selection.count,
                )
                stamp = timezone.localdate().isoformat()
                return _pdf_response(data, f"household-cards-{stamp}.pdf", attachment=True)
    return render(request, "registry/cards/bulk.html", {"form": form}, status=400)


@login_required
def card_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where a scanned card leads: the household's page, if it is in the user's area.
    Scanners may pass the QR text as read (`SND1:<token>`) or the token alone."""
    require_permission(request, VIEW)
    token = token_from_scan(token)
    reach = households_visible_to(request.user, VIEW)
    household = reach.filter(card_token=token).first() if token else None
    if household is not None and household.status == Household.Status.MERGED:
        final = _final(household)
        household = final if final is not None and reach.filter(pk=final.pk).exists() else None
    if household is None:
        raise Http404
    return redirect("registry:household_detail", public_id=household.public_id)
