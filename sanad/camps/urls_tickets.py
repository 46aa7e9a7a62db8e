"""URLs of the camps app (tickets part): maintenance tickets, infrastructure assets,
preventive maintenance schedules."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.camps.views import assets, tickets

urlpatterns: list[Any] = [
    path("tickets/", tickets.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/from-case/<uuid:case_id>/", tickets.ticket_from_case, name="ticket_from_case"),
    path("tickets/photos/<uuid:public_id>/", tickets.ticket_photo, name="ticket_photo"),
    path("tickets/<uuid:public_id>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<uuid:public_id>/<slug:action>/", tickets.ticket_action, name="ticket_action"),
    path("assets/", assets.AssetListView.as_view(), name="asset_list"),
    path("assets/new/", assets.asset_create, name="asset_create"),
    path("assets/<uuid:public_id>/edit/", assets.asset_edit, name="asset_edit"),
    path("schedules/", assets.ScheduleListView.as_view(), name="schedule_list"),
    path("schedules/new/", assets.schedule_create, name="schedule_create"),
    path("schedules/<uuid:public_id>/edit/", assets.schedule_edit, name="schedule_edit"),
]
