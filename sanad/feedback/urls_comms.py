"""URLs of the feedback app: the inbox, contacts, campaigns and community sessions."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.feedback.views import campaigns, comms, sessions

urlpatterns: list[Any] = [
    # the two-way inbox and contacts
    path("inbox/", comms.InboxView.as_view(), name="inbox"),
    path("inbox/<uuid:public_id>/", comms.thread, name="thread"),
    path("contacts/", comms.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", comms.contact_create, name="contact_create"),
    path("contacts/<uuid:public_id>/", comms.contact_detail, name="contact_detail"),
    path("contacts/<uuid:public_id>/opt-out/", comms.contact_opt_out, name="contact_opt_out"),
    path("contacts/<uuid:public_id>/opt-in/", comms.contact_opt_in, name="contact_opt_in"),
    # campaigns
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/preview/", campaigns.campaign_preview, name="campaign_preview"),
    path("campaigns/<uuid:public_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<uuid:public_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<uuid:public_id>/<slug:action>/",
        campaigns.campaign_action,
        name="campaign_action",
    ),
    # community sessions
    path("sessions/", sessions.SessionListView.as_view(), name="session_list"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<uuid:public_id>/", sessions.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<uuid:public_id>/campaign/", sessions.session_campaign, name="session_campaign"),
]
