"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
feedback pages (cases, inbox, contacts, campaigns, sessions, channels) and API:

    from tests.feedback.matrix import feedback_checks, feedback_world_for_matrix
    # in the world fixture (_registry_world):  "feedback": feedback_world_for_matrix(),
    # in registry_checks:  *feedback_checks(role, w.extras["feedback"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. The records "in" are NFI records
in Duhok; those "outside" are SHELTER records in Erbil. Besides, in scope: an abuse
report (category sea: only a PSEA focal point may know it exists) and a complaint about
staff conduct (only a feedback manager), and an inbound message that became the abuse
report, in the thread of the contact "in". Writes are checked on records the role may
not reach only (404, or 403 without the permission; nothing changes); tests/feedback
checks the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

VIEW_CASE, LOG_CASE, MANAGE_CASE = (
    "feedback.view_case",
    "feedback.log_case",
    "feedback.manage_case",
)
HANDLE_PSEA, VIEW_CONDUCT, VIEW_TRENDS = (
    "feedback.handle_psea",
    "feedback.view_conduct",
    "feedback.view_trends",
)
VIEW_INBOX, REPLY, MANAGE_CONTACT = (
    "feedback.view_inbox",
    "feedback.reply",
    "feedback.manage_contact",
)
VIEW_CAMPAIGN, MANAGE_CAMPAIGN = "feedback.view_campaign", "feedback.manage_campaign"
MANAGE_CHANNEL, MANAGE_SESSION = "feedback.manage_channel", "feedback.manage_session"

CASE_OUT = "Matrix case outside in Erbil"
SEA_TEXT = "Matrix abuse report words"
CONDUCT_TEXT = "Matrix conduct complaint words"
CONTACT_OUT = "Matrix contact outside"
CAMPAIGN_OUT = "Matrix campaign outside"
SESSION_OUT = "Matrix session outside"


def feedback_world_for_matrix() -> dict[str, Any]:
    import datetime

    from django.utils import timezone

    from sanad.feedback.models import Campaign, CommunitySession, Message
    from tests.factories import DUHOK, ERBIL, ProgrammeFactory, subdistrict_in
    from tests.feedback.factories import make_case, make_channel, make_contact

    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    sms = make_channel("log", name="Matrix SMS", code="matrix-sms")
    hotline = make_channel("hotline", name="Matrix hotline", code="matrix-hotline")
    contact_in = make_contact(name="Matrix contact inside")
    contact_out = make_contact(governorate=ERBIL, name=CONTACT_OUT)
    case_in = make_case(programme=nfi, channel=hotline, description="Matrix case inside")
    case_out = make_case(
        programme=shelter, governorate=ERBIL, channel=hotline, description=CASE_OUT
    )
    case_sea = make_case(category="sea", programme=nfi, channel=sms, description=SEA_TEXT)
    case_conduct = make_case(
        category="complaint_conduct", programme=nfi, channel=hotline, description=CONDUCT_TEXT
    )
    # The message that became the abuse report: the inbox must not show it to anyone
    # who may not know of the report.
    Message.objects.create(
        contact=contact_in,
        channel=sms,
        direction=Message.Direction.IN,
        status=Message.Status.RECEIVED,
        text=SEA_TEXT,
        case=case_sea,
    )
    Message.objects.filter(contact=contact_in).update(created_at=timezone.now())
    contact_in.last_message_at = timezone.now()
    contact_in.unread = 1
    contact_in.save(update_fields=["last_message_at", "unread"])

    def campaign(name: str, programme: Any) -> Campaign:
        return Campaign.objects.create(
            name=name,
            topic="distribution",
            programme=programme,
            channel=sms,
            text_ar="نص",
            audience={"governorates": [DUHOK]},
        )

    def session(title: str, programme: Any, governorate: str) -> CommunitySession:
        unit = subdistrict_in(governorate)
        return CommunitySession.objects.create(
            kind="focus_group",
            title=title,
            topic="distribution",
            programme=programme,
            admin_unit=unit,
            governorate=unit.governorate,
            held_on=datetime.date.today(),
            facilitators="Matrix facilitator",
        )

    return {
        "sms": sms,
        "hotline": hotline,
        "contact_in": contact_in,
        "contact_out": contact_out,
        "case_in": case_in,
        "case_out": case_out,
        "case_sea": case_sea,
        "case_conduct": case_conduct,
        "campaign_in": campaign("Matrix campaign inside", nfi),
        "campaign_out": campaign(CAMPAIGN_OUT, shelter),
        "session_in": session("Matrix session inside", nfi, DUHOK),
        "session_out": session(SESSION_OUT, shelter, ERBIL),
    }


def feedback_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view_case, log_case, manage_case = (
        can(role, VIEW_CASE),
        can(role, LOG_CASE),
        can(role, MANAGE_CASE),
    )
    psea, conduct, trends = can(role, HANDLE_PSEA), can(role, VIEW_CONDUCT), can(role, VIEW_TRENDS)
    inbox, reply, manage_contact = (
        can(role, VIEW_INBOX),
        can(role, REPLY),
        can(role, MANAGE_CONTACT),
    )
    view_campaign, manage_campaign = can(role, VIEW_CAMPAIGN), can(role, MANAGE_CAMPAIGN)
    manage_channel, manage_session = can(role, MANAGE_CHANNEL), can(role, MANAGE_SESSION)
    # Sessions are seen with view_campaign, or by those who record them (manage_session).
    view_session = view_campaign or manage_session
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    url = lambda name, *args: reverse(f"feedback:{name}", args=args)  # noqa: E731
    w = world
    c_in, c_out = w["case_in"].public_id, w["case_out"].public_id
    sea, cond = w["case_sea"], w["case_conduct"]
    k_in, k_out = w["contact_in"].public_id, w["contact_out"].public_id
    m_in, m_out = w["campaign_in"].public_id, w["campaign_out"].public_id
    s_in, s_out = w["session_in"].public_id, w["session_out"].public_id
    # A restricted case: found only by who holds the permission unlocking it.
    restricted = lambda unlock: {200} if view_case and unlock else out404(view_case)  # noqa: E731
    sea_absent = None if psea else SEA_TEXT
    reason = {"reason": "matrix"}
    api = "/api/v1/feedback"
    return [
        # --- cases -----------------------------------------------------------------------
        Check("feedback:case_list", "get", url("case_list"), allowed(view_case), absent=CASE_OUT),
        Check(
            "feedback:case_list (abuse report searched)",
            "get",
            url("case_list") + f"?q={sea.reference}",
            allowed(view_case),
            absent=sea_absent,
        ),
        Check(
            "feedback:case_list (conduct complaint)",
            "get",
            url("case_list"),
            allowed(view_case),
            absent=None if conduct else CONDUCT_TEXT,
        ),
        Check("feedback:case_create", "get", url("case_create"), allowed(log_case)),
        Check("feedback:case_detail in", "get", url("case_detail", c_in), hid(view_case)),
        Check("feedback:case_detail out", "get", url("case_detail", c_out), out404(view_case)),
        Check(
            "feedback:case_detail abuse report",
            "get",
            url("case_detail", sea.public_id),
            restricted(psea),
        ),
        Check(
            "feedback:case_detail conduct complaint",
            "get",
            url("case_detail", cond.public_id),
            restricted(conduct),
        ),
        Check(
            "feedback:case_action out",
            "post",
            url("case_action", c_out, "acknowledge"),
            out404(manage_case),
            {},
        ),
        *(
            []
            if psea
            else [
                Check(
                    "feedback:case_action abuse report",
                    "post",
                    url("case_action", sea.public_id, "acknowledge"),
                    out404(manage_case),
                    {},
                )
            ]
        ),
        *(
            []
            if conduct
            else [
                Check(
                    "feedback:case_action conduct complaint",
                    "post",
                    url("case_action", cond.public_id, "note"),
                    out404(manage_case),
                    {"text": "matrix"},
                )
            ]
        ),
        Check(
            "feedback:case_export",
            "post",
            url("case_export"),
            allowed(view_case, ok_codes={302}),
            {},
        ),
        Check(
            "feedback:case_trends",
            "get",
            url("case_trends"),
            allowed(trends),
            absent=CASE_OUT,
        ),
        Check(
            "feedback:case_trends (csv)",
            "get",
            url("case_trends") + "?format=csv",
            allowed(trends),
        ),
        Check(
            "feedback:response_standards", "get", url("response_standards"), allowed(manage_channel)
        ),
        # --- inbox and contacts ----------------------------------------------------------
        Check("feedback:inbox", "get", url("inbox"), allowed(inbox), absent=CONTACT_OUT),
        Check(
            "feedback:inbox (abuse report)", "get", url("inbox"), allowed(inbox), absent=sea_absent
        ),
        Check("feedback:thread in", "get", url("thread", k_in), hid(inbox), absent=sea_absent),
        Check("feedback:thread out", "get", url("thread", k_out), out404(inbox)),
        Check(
            "feedback:thread out (reply)",
            "post",
            url("thread", k_out),
            out404(reply),
            {"text": "matrix"},
        ),
        Check(
            "feedback:contact_list", "get", url("contact_list"), allowed(inbox), absent=CONTACT_OUT
        ),
        Check("feedback:contact_create", "get", url("contact_create"), allowed(manage_contact)),
        Check("feedback:contact_detail in", "get", url("contact_detail", k_in), hid(inbox)),
        Check("feedback:contact_detail out", "get", url("contact_detail", k_out), out404(inbox)),
        Check(
            "feedback:contact_opt_out out",
            "post",
            url("contact_opt_out", k_out),
            out404(manage_contact),
            {},
        ),
        Check(
            "feedback:contact_opt_in out",
            "post",
            url("contact_opt_in", k_out),
            out404(manage_contact),
            {"consent_recorded_on": "2026-01-01"},
        ),
        # --- campaigns -------------------------------------------------------------------
        Check(
            "feedback:campaign_list",
            "get",
            url("campaign_list"),
            allowed(view_campaign),
            absent=CAMPAIGN_OUT,
        ),
        Check("feedback:campaign_create", "get", url("campaign_create"), allowed(manage_campaign)),
        Check(
            "feedback:campaign_detail in", "get", url("campaign_detail", m_in), hid(view_campaign)
        ),
        Check(
            "feedback:campaign_detail out",
            "get",
            url("campaign_detail", m_out),
            out404(view_campaign),
        ),
        Check("feedback:campaign_edit in", "get", url("campaign_edit", m_in), hid(manage_campaign)),
        Check(
            "feedback:campaign_edit out",
            "get",
            url("campaign_edit", m_out),
            out404(manage_campaign),
        ),
        Check(
            "feedback:campaign_preview",
            "get",
            url("campaign_preview") + "?governorates=IQG09",
            allowed(manage_campaign),
        ),
        Check(
            "feedback:campaign_action out",
            "post",
            url("campaign_action", m_out, "cancel"),
            out404(manage_campaign),
            reason,
        ),
        # --- community sessions ----------------------------------------------------------
        Check(
            "feedback:session_list",
            "get",
            url("session_list"),
            allowed(view_session),
            absent=SESSION_OUT,
        ),
        Check("feedback:session_create", "get", url("session_create"), allowed(manage_session)),
        Check("feedback:session_detail in", "get", url("session_detail", s_in), hid(view_session)),
        Check(
            "feedback:session_detail out",
            "get",
            url("session_detail", s_out),
            out404(view_session),
        ),
        Check("feedback:session_edit in", "get", url("session_edit", s_in), hid(manage_session)),
        Check(
            "feedback:session_edit out",
            "get",
            url("session_edit", s_out),
            out404(manage_session),
        ),
        Check(
            "feedback:session_campaign out",
            "post",
            url("session_campaign", s_out),
            out404(manage_campaign and manage_session),
            {},
        ),
        # --- channels (not scoped: one set for the whole operation) --------------------
        Check("feedback:channel_list", "get", url("channel_list"), allowed(view_campaign)),
        Check("feedback:channel_create", "get", url("channel_create"), allowed(manage_channel)),
        Check(
            "feedback:channel_edit",
            "get",
            url("channel_edit", w["sms"].public_id),
            hid(manage_channel),
        ),
        # --- API -------------------------------------------------------------------------
        Check(
            "feedback-case-list",
            "get",
            f"{api}/cases/",
            allowed(view_case),
            api=True,
            absent=CASE_OUT,
        ),
        Check(
            "feedback-case-list (abuse report searched)",
            "get",
            f"{api}/cases/?q={sea.reference}",
            allowed(view_case),
            api=True,
            absent=None if psea else sea.reference,
        ),
        Check(
            "feedback-case-list (conduct complaint)",
            "get",
            f"{api}/cases/",
            allowed(view_case),
            api=True,
            absent=None if conduct else cond.reference,
        ),
        Check(
            "feedback-case-list (log)",
            "post",
            f"{api}/cases/",
            allowed(log_case, ok_codes={400}),
            {"category": "nonsense"},
            api=True,
        ),
        Check("feedback-case-detail in", "get", f"{api}/cases/{c_in}/", hid(view_case), api=True),
        Check(
            "feedback-case-detail out", "get", f"{api}/cases/{c_out}/", out404(view_case), api=True
        ),
        Check(
            "feedback-case-detail abuse report",
            "get",
            f"{api}/cases/{sea.public_id}/",
            restricted(psea),
            api=True,
        ),
        Check(
            "feedback-case-detail conduct complaint",
            "get",
            f"{api}/cases/{cond.public_id}/",
            restricted(conduct),
            api=True,
        ),
        Check(
            "feedback-case-transition out",
            "post",
            f"{api}/cases/{c_out}/transition/",
            out404(manage_case),
            {"action": "acknowledge"},
            api=True,
        ),
        *(
            []
            if psea
            else [
                Check(
                    "feedback-case-transition abuse report",
                    "post",
                    f"{api}/cases/{sea.public_id}/transition/",
                    out404(manage_case),
                    {"action": "acknowledge"},
                    api=True,
                )
            ]
        ),
        Check(
            "feedback-contact-list",
            "get",
            f"{api}/contacts/",
            allowed(inbox),
            api=True,
            absent=CONTACT_OUT,
        ),
        Check("feedback-contact-detail in", "get", f"{api}/contacts/{k_in}/", hid(inbox), api=True),
        Check(
            "feedback-contact-detail out",
            "get",
            f"{api}/contacts/{k_out}/",
            out404(inbox),
            api=True,
        ),
        Check(
            "feedback-contact-opt-out out",
            "post",
            f"{api}/contacts/{k_out}/opt-out/",
            out404(manage_contact),
            {},
            api=True,
        ),
        Check(
            "feedback-campaign-list",
            "get",
            f"{api}/campaigns/",
            allowed(view_campaign),
            api=True,
            absent=CAMPAIGN_OUT,
        ),
        Check(
            "feedback-campaign-detail in",
            "get",
            f"{api}/campaigns/{m_in}/",
            hid(view_campaign),
            api=True,
        ),
        Check(
            "feedback-campaign-detail out",
            "get",
            f"{api}/campaigns/{m_out}/",
            out404(view_campaign),
            api=True,
        ),
        Check(
            "feedback-session-list",
            "get",
            f"{api}/sessions/",
            allowed(view_session),
            api=True,
            absent=SESSION_OUT,
        ),
        Check(
            "feedback-session-detail in",
            "get",
            f"{api}/sessions/{s_in}/",
            hid(view_session),
            api=True,
        ),
        Check(
            "feedback-session-detail out",
            "get",
            f"{api}/sessions/{s_out}/",
            out404(view_session),
            api=True,
        ),
        # The gateways' webhooks take the channel's token, never a user: 401 for everyone.
        Check(
            "feedback-hook-inbound",
            "post",
            f"{api}/hooks/{w['sms'].code}/inbound",
            {401},
            {"text": "matrix"},
            api=True,
        ),
        Check(
            "feedback-hook-status",
            "post",
            f"{api}/hooks/{w['sms'].code}/status",
            {401},
            {},
            api=True,
        ),
    ]
