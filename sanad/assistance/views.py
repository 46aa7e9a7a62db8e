"""Web pages of the assistance ledger: the ledger list (with its CSV download), a
household's history as the fragment the household page loads, and the form to record a
delivery by hand. They adapt requests to selectors and services; the rules are there."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.assistance import selectors, services
from sanad.assistance.filters import AssistanceFilter
from sanad.assistance.forms import RecordForm, apply_errors, new_idempotency_key
from sanad.assistance.models import AssistanceRecord
from sanad.core.audit import personal_data_exported
from sanad.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission
from sanad.registry.models import Household
from sanad.registry.selectors import households_visible_to

VIEW = selectors.VIEW
RECORD = services.RECORD
HOUSEHOLD_VIEW = Household.VIEW_PERMISSION
HISTORY_LIMIT = 200


# --- the ledger --------------------------------------------------------------------------


class RecordListView(ScopedListView):
    model = AssistanceRecord
    permission = VIEW
    template_name = "assistance/record_list.html"
    template_partial = "assistance/_record_table.html"
    filterset_class = AssistanceFilter
    search_fields = ("item", "description", "household__registration_id")
    sort_fields = {
        "date": "delivered_on",
        "programme": "programme__code",
        "project": "project__code",
        "kind": "kind",
        "item": "item",
        "governorate": "governorate__name_en",
        "household": "household__registration_id",
    }
    default_sort = "-date"

    def get_base_queryset(self) -> QuerySet[AssistanceRecord]:
        return selectors.records_all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_record"] = has_permission(self.request.user, RECORD)
        ctx["search_placeholder"] = _("Item, description or registration id")
        ctx["export_query"] = self.request.GET.urlencode()
        return ctx


# (header, HXL hashtag, value): humanitarian tools read the file without a mapping.
COLUMNS: list[tuple[Any, str, Any]] = [
    (gettext_lazy("Date"), "#date", lambda r: r.delivered_on.isoformat()),
    (
        gettext_lazy("Household"),
        "#household+id",
        lambda r: r.household.registration_id if r.household else "",
    ),
    (gettext_lazy("Programme"), "#sector+code", lambda r: r.programme.code),
    (
        gettext_lazy("Project"),
        "#activity+project+code",
        lambda r: r.project.code if r.project else "",
    ),
    (gettext_lazy("Activity"), "#activity+code", lambda r: r.activity.code if r.activity else ""),
    (gettext_lazy("Kind"), "#modality", lambda r: r.kind),
    (gettext_lazy("Item"), "#item+code", lambda r: r.item),
    (gettext_lazy("Description"), "#item+description", lambda r: r.description),
    (gettext_lazy("Quantity"), "#output+num", lambda r: "" if r.quantity is None else r.quantity),
    (gettext_lazy("Unit"), "#output+unit", lambda r: r.unit),
    (gettext_lazy("Value"), "#value", lambda r: "" if r.value is None else r.value),
    (gettext_lazy("Currency"), "#currency", lambda r: r.currency),
    (
        gettext_lazy("IQD per USD"),
        "#value+rate",
        lambda r: "" if r.exchange_rate is None else r.exchange_rate,
    ),
    (gettext_lazy("Governorate P-code"), "#adm1+code", lambda r: r.governorate.pcode),
    (gettext_lazy("Admin unit P-code"), "#adm3+code", lambda r: r.admin_unit.pcode),
    (gettext_lazy("Place"), "#loc+name", lambda r: r.place.name_en if r.place else ""),
    (gettext_lazy("Source"), "#meta+source", lambda r: r.source_type),
    (gettext_lazy("Source id"), "#meta+source+id", lambda r: r.source_id),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def record_export(request: HttpRequest) -> StreamingHttpResponse:
    """The ledger list as CSV, with the same filters, streamed (no registry personal
    fields: registration ids only)."""
    require_permission(request, VIEW)
    qs = selectors.records_visible_to(request.user)
    filters = AssistanceFilter(request.GET or None, queryset=qs, request=request)
    if filters.is_bound and not filters.is_valid():
        qs = qs.none()
    elif filters.is_bound:
        qs = filters.qs
    search = request.GET.get("q", "").strip()
    if search:
        for term in search.split()[:5]:
            qs = qs.filter(
                reduce(or_, (Q(**{f"{f}__icontains": term}) for f in RecordListView.search_fields))
            )
    qs = qs.order_by("-delivered_on", "-id")
    personal_data_exported(
        user=request.user,
        model=AssistanceRecord,
        purpose="assistance ledger CSV",
        route=request.get_full_path(),
        record_count=qs.count(),
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        # UTF-8 byte-order mark: Excel then shows Arabic instead of mojibake.
        yield "\ufeff"
        yield writer.writerow([str(h) for h, _tag, _v in COLUMNS])
        yield writer.writerow([tag for _h, tag, _v in COLUMNS])
        for record in qs.iterator(chunk_size=1000):
            yield writer.writerow([value(record) for _h, _tag, value in COLUMNS])

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assistance-{stamp}.csv"'
    return response


# --- a household's history (fragment) ----------------------------------------------------


@login_required
def household_history(request: HttpRequest, public_id: Any) -> HttpResponse:
    """What the household page shows under "Assistance received": an HTML fragment.

    Outside the user's registry scope, the household does not exist (404). Without the
    permission to see the ledger, an explanation instead of the table."""
    household = (
        households_visible_to(request.user, HOUSEHOLD_VIEW).filter(public_id=public_id).first()
    )
    if household is None:
        raise Http404
    ctx: dict[str, Any] = {"household": household, "can_view": has_permission(request.user, VIEW)}
    if ctx["can_view"]:
        records = list(
            selectors.household_history(user=request.user, household=household)[: HISTORY_LIMIT + 1]
        )
        ctx["records"] = records[:HISTORY_LIMIT]
        ctx["truncated"] = len(records) > HISTORY_LIMIT
        ctx["ledger_url"] = (
            reverse("assistance:record_list") + f"?household={household.registration_id}"
        )
    ctx["can_record"] = (
        has_permission(request.user, RECORD) and household.status == Household.Status.ACTIVE
    )
    return render(request, "assistance/_household_history.html", ctx)


# --- record a delivery by hand -----------------------------------------------------------


def _household_for(request: HttpRequest, value: str) -> Household | None:
    """A household in the user's registry scope by registration id or public id."""
    text = (value or "").strip()
    if not text:
        return None
    qs = households_visible_to(request.user, HOUSEHOLD_VIEW)
    found = qs.filter(registration_id__iexact=text).first()
    if found is None:
        try:
            found = qs.filter(public_id=uuid.UUID(text)).first()
        except ValueError:
            found = None
    return found


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RECORD)
    initial: dict[str, Any] = {}
    preset = _household_for(request, request.GET.get("household", ""))
    if preset is not None:
        initial["household"] = preset.registration_id
    form = RecordForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            household = _household_for(request, data["household"])
            if household is None:
                form.add_error(
                    "household",
                    _("No household with this registration id in your area. Check the card."),
                )
            else:
                try:
                    record = services.assistance_record(
                        user=request.user,
                        household=household,
                        programme=data["programme"],
                        project=data.get("project"),
                        activity=data.get("activity"),
                        kind=data["kind"],
                        item=data["item"],
                        description=data.get("description") or "",
                        quantity=data.get("quantity"),
                        unit=data.get("unit") or "",
                        value=data.get("value"),
                        currency=data.get("currency") or "",
                        exchange_rate=data.get("exchange_rate"),
                        delivered_on=data["delivered_on"],
                        place=data.get("place"),
                        source_type=services.MANUAL_SOURCE,
                        source_id=data["idempotency_key"],
                    )
                except ValidationFailed as exc:
                    apply_errors(form, exc)
                except Conflict:
                    # The form was sent before with other values (the back button):
                    # the first delivery stands; a new key lets the person record this
                    # one as another delivery if that is what they mean.
                    fresh = request.POST.copy()
                    fresh["idempotency_key"] = new_idempotency_key()
                    form.data = fresh
                    form.add_error(
                        None,
                        _(
                            "This form was already sent with other values, and that first delivery is recorded. "
                            "Send the form again to record this one as another delivery."
                        ),
                    )
                except NotFound as exc:
                    raise Http404 from exc
                except ApplicationError as exc:
                    if exc.status_code == 403:
                        form.add_error(None, str(exc.message))
                    else:
                        raise
                else:
                    if getattr(record, "replayed", False):
                        messages.info(request, _("This delivery was already recorded."))
                    else:
                        messages.success(
                            request,
                            _("The delivery to %(id)s was recorded.")
                            % {"id": household.registration_id},
                        )
                    return redirect(
                        reverse("assistance:record_list")
                        + f"?household={household.registration_id}"
                    )
        status = 400
    return render(request, "assistance/record_form.html", {"form": form}, status=status)
