"""Drivers: list with licence expiry, register, edit."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sanad.core.audit import personal_record_viewed
from sanad.core.listing import ScopedListView
from sanad.core.views import require_permission
from sanad.transport.forms.fleet import (
    DriverForm,
)
from sanad.transport.models import (
    FLEET,
    VIEW,
    Driver,
)
from sanad.transport.selectors import fleet as selectors
from sanad.transport.services import fleet as services
from sanad.transport.services._common import today
from sanad.transport.views.fleet._base import (
    _by_contractor,
    _can_manage,
    _form_page,
    _governorates,
    _lookup,
    _save,
)

# --- drivers ---------------------------------------------------------------------------


class DriverListView(ScopedListView):
    model = Driver
    permission = VIEW
    template_name = "transport/fleet/driver_list.html"
    filters: dict[str, str]
    search_fields = ("name", "contractor__name")
    sort_fields = {"name": "name", "licence": "licence_expires_on"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Driver]:
        get = self.request.GET
        self.filters = f = {
            k: get.get(k, "") for k in ("contractor", "governorate", "licence", "active")
        }
        qs = Driver.objects.select_related("contractor").prefetch_related("governorates")
        day = today()
        if f["contractor"] == "owned":
            qs = qs.filter(contractor__isnull=True)
        elif f["contractor"]:
            qs = _by_contractor(qs, f["contractor"])
        if f["governorate"]:
            qs = qs.filter(governorates__pcode=f["governorate"])
        if f["licence"] == "expired":
            qs = qs.filter(licence_expires_on__lt=day)
        elif f["licence"] == "expiring":
            qs = qs.filter(
                licence_expires_on__gte=day,
                licence_expires_on__lte=day
                + datetime.timedelta(days=selectors.LICENCE_WARNING_DAYS),
            )
        if f["active"] in ("1", "0"):
            qs = qs.filter(is_active=f["active"] == "1")
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        day = today()
        for driver in ctx["object_list"]:
            driver.licence = selectors.licence_state(driver, day)
        ctx.update(
            filters=self.filters,
            contractors=selectors.contractors_visible(self.request.user).order_by("name"),
            governorates=_governorates(),
            can_manage=_can_manage(self.request),
            search_placeholder=_("Name or contractor"),
            fleet_tab="drivers",
        )
        return ctx


def _licence_warning(request: HttpRequest, driver: Driver) -> None:
    if selectors.licence_expired(driver):
        messages.warning(
            request,
            _("%(name)s's driving licence expired on %(d)s: they are not offered for convoys.")
            % {"name": driver.name, "d": driver.licence_expires_on},
        )


@login_required
def driver_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, FLEET)
    form = DriverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        driver = _save(form, lambda d: services.driver_create(user=request.user, **d))
        if driver is not None:
            messages.success(request, _("%(name)s is registered.") % {"name": driver.name})
            _licence_warning(request, driver)
            return redirect("transport:driver_list")
    return _form_page(request, "driver_form.html", form, driver=None, fleet_tab="drivers")


@login_required
def driver_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    driver = _lookup(request, selectors.driver_get, public_id, FLEET)
    form = DriverForm(
        request.POST or None,
        user=request.user,
        current=driver,
        editing=True,
        initial=DriverForm.initial_of(driver),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda d: services.driver_update(user=request.user, driver=driver, **d))
        if saved is not None:
            messages.success(request, _("The driver is saved."))
            _licence_warning(request, saved)
            return redirect("transport:driver_list")
    elif request.method == "GET":
        personal_record_viewed(
            user=request.user, obj=driver, purpose="fleet driver", route=request.path
        )
    return _form_page(
        request,
        "driver_form.html",
        form,
        driver=driver,
        licence=selectors.licence_state(driver),
        fleet_tab="drivers",
    )
