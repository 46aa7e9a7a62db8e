"""Communication with communities in the demo dataset (`sanad seed_demo`):

- channels: "SMS (demo)" (the log channel: sends nothing, reports delivery at once),
  the hotline 80069, the help desk in Domiz 1 and the suggestion box;
- contacts for the phones of the demo registry's households (their consent for
  communication decides who may receive messages);
- a campaign in Arabic, Sorani and Badini to the families of Domiz 1, already sent
  (delivered through the log channel, a few failed, two replies), and a camp-safety
  campaign to Duhok scheduled for next week;
- about 25 feedback cases over the last six months, across categories and stages:
  closed ones with the person's satisfaction, overdue ones, one referred to a partner,
  an abuse report (seen only by the PSEA focal point `psea`) and a complaint about a
  guard's conduct (seen only by the accountability manager `aap`);
- three community sessions (a focus group, an awareness session, a theatre play) with
  their findings, the focus group having raised a follow-up campaign;
- an inbox with unread messages, one of which became a case.

Everything goes through the services, as the pages would. Idempotent: nothing is added
when the demo SMS channel exists."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from sanad.core.context import acting_as
from sanad.feedback.models import Campaign, Case, Channel, Contact, Message

SMS_CODE = "sms-demo"

# code, name, kind, rate per minute (the log channel reports delivery at once, so it
# may be fast: the demo campaign is sent in one pass)
CHANNELS = [
    (SMS_CODE, "SMS (demo)", "log", 60_000),
    ("hotline-80069", "Hotline 80069", "hotline", 600),
    ("help-desk-domiz1", "Help desk Domiz 1", "help_desk", 600),
    ("suggestion-box", "Suggestion box", "suggestion_box", 600),
]

CAMP = "DHK-DMZ1"
CAMPAIGN_TEXTS = {
    "text_ar": (
        "توزيع مستلزمات الشتاء في دوميز 1 يوم الأحد من الساعة 9 صباحاً في مركز التوزيع. "
        "أحضروا بطاقة العائلة. للاستفسار أو الشكوى اتصلوا مجاناً على 80069."
    ),
    "text_ckb": (
        "دابەشکردنی کەلوپەلی زستان لە دۆمیز 1 ڕۆژی یەکشەممە لە کاتژمێر 9ی بەیانی. "
        "کارتی خێزان لەگەڵ خۆتان بهێنن. بۆ پرسیار یان سکاڵا بە خۆڕایی پەیوەندی بکەن بە 80069."
    ),
    "text_kmr": (
        "Belavkirina tiştên zivistanê li Domîz 1 roja Yekşemê saet 9ê sibê. "
        "Karta malbatê bi xwe re bînin. Ji bo pirs an gilîyan belaş li 80069 bigerin."
    ),
}
REPLIES = [
    "شكراً، هل يمكن لابني أن يستلم بدلاً مني؟ أنا مريضة",
    "Spas. Em ê werin. Lê karta me winda bûye, çi bikin?",
]
INBOX = [
    # (from a registry contact?, text, becomes a case?)
    (True, "متى توزيع النفط الأبيض في كبرتو؟ ما استلمنا الشهر الماضي", False),
    (True, "Xêra we bê, sobeya me xera bûye û zarok sar dibin", True),
    (True, "سڵاو، ژمارەی تەلەفۆنم گۆڕاوە، چۆن نوێی بکەمەوە؟", False),
    (False, "Hello, I am a teacher in Khanke. Can our school get solar lamps?", False),
]

# category, channel, programme, site code (or None), days ago, stage, description,
# caller (name, phone, sex, age group) or None for anonymous, satisfaction
CASES: list[tuple[Any, ...]] = [
    ("complaint_assistance", "hotline-80069", "NFI", "DHK-DMZ1", 170, "closed",
     "The blankets in our winter kit were torn and two were missing.",
     ("Hamid Sulaiman", "0750 311 2201", "male", "18-59"), 4),
    ("information", "hotline-80069", "NFI", "DHK-DMZ2", 160, "closed",
     "When is the next kerosene distribution in Domiz 2?",
     ("Zozan Ali", "0751 220 1193", "female", "18-59"), 5),
    ("assistance", "help-desk-domiz1", "NFI", "DHK-DMZ1", 150, "closed",
     "Family of seven with a newborn asks for an extra mattress and blankets.",
     ("Bushra Omar", "0750 402 7781", "female", "18-59"), 3),
    ("positive", "suggestion-box", "CCCM", "DHK-DMZ1", 140, "closed",
     "Thank you to the camp management for fixing the water taps in sector C.", None, None),
    ("complaint_assistance", "hotline-80069", "NFI", "DHK-KBR1", 130, "closed_unconfirmed",
     "The heater we received does not work; the wick burns out in one day.",
     ("Ahmed Khalaf", "0770 512 3345", "male", "60+"), None),
    ("data_correction", "help-desk-domiz1", "NFI", "DHK-DMZ1", 120, "closed",
     "The date of birth of my daughter is wrong on the card.",
     ("Nisreen Hassan", "0750 118 4402", "female", "18-59"), 4),
    ("exclusion_appeal", "hotline-80069", "NFI", "DHK-KHN", 110, "closed",
     "We were not selected for winter kits although my husband has a disability.",
     ("Gulistan Murad", "0751 993 2210", "female", "18-59"), 2),
    ("information", "hotline-80069", "CCCM", "DHK-SHR", 100, "closed",
     "Where can we register a new baby in Sharya camp?",
     ("Khalid Rasho", "0750 776 1290", "male", "18-59"), 5),
    ("complaint_assistance", "suggestion-box", "NFI", "DHK-DMZ2", 90, "closed",
     "The queue at the distribution was four hours with no shade for older people.",
     None, None),
    ("assistance", "hotline-80069", "SHELTER", "DHK-KBR2", 80, "responded",
     "The roof of our caravan leaks when it rains.",
     ("Adel Ibrahim", "0770 334 9012", "male", "18-59"), None),
    ("complaint_conduct", "hotline-80069", "NFI", "DHK-DMZ1", 75, "acknowledged",
     "A guard at the distribution point shouted at women and pushed an old man.",
     ("Layla Qasim", "0750 888 1203", "female", "18-59"), None),
    ("information", "help-desk-domiz1", "NFI", "DHK-DMZ1", 65, "closed",
     "Can a neighbour collect the kit for a family where everyone is sick?",
     ("Rezan Hasan", "0751 001 9921", "male", "18-59"), 4),
    ("complaint_assistance", "hotline-80069", "NFI", "DHK-BJK", 60, "referred",
     "The landlord wants us out because the rent support stopped.",
     ("Sami Younis", "0770 610 2283", "male", "18-59"), None),
    ("sea", "hotline-80069", "NFI", "DHK-KHN", 45, "new",
     "A caller reports that a distributor asked a young woman for something in exchange "
     "for a kit. She wants to stay anonymous.",
     None, None),
    ("assistance", "suggestion-box", "CCCM", "DHK-DMZ1", 40, "assigned",
     "There is no light between the latrines and the tents in sector F at night.", None, None),
    ("complaint_assistance", "hotline-80069", "NFI", "DHK-DMZ2", 35, "new",
     "We were told to come for the kit but our name was not on the list.",
     ("Hawar Salih", "0750 223 6654", "male", "18-59"), None),
    ("data_correction", "hotline-80069", "NFI", "DHK-KBR1", 30, "acknowledged",
     "My phone number changed; messages go to my old number.",
     ("Dilshad Omar", "0751 440 7821", "male", "18-59"), None),
    ("information", "hotline-80069", "NFI", "DHK-DMZ1", 21, "new",
     "Is there a distribution for families who arrived last month?",
     ("Shirin Khalil", "0770 120 5567", "female", "18-59"), None),
    ("exclusion_appeal", "help-desk-domiz1", "NFI", "DHK-DMZ1", 18, "assigned",
     "My mother lives alone and was left out of the list; she is 74.",
     ("Berivan Sido", "0750 902 3311", "female", "18-59"), None),
    ("positive", "hotline-80069", "NFI", "DHK-SHR", 14, "closed",
     "The SMS about the distribution time helped; no waiting this time.",
     ("Fawaz Mahmoud", "0751 662 0098", "male", "60+"), 5),
    ("complaint_assistance", "hotline-80069", "NFI", "DHK-KHN", 10, "new",
     "The kitchen set had no pot lids and the stove leaks gas.",
     ("Nadia Saeed", "0770 987 1234", "female", "18-59"), None),
    ("assistance", "help-desk-domiz1", "NFI", "DHK-DMZ1", 6, "acknowledged",
     "A wheelchair user cannot reach the distribution point over the gravel.",
     ("Kawa Rashid", "0750 554 2210", "male", "18-59"), None),
    ("information", "hotline-80069", "CCCM", "DHK-DMZ2", 3, "new",
     "Will the camp school open again after the holidays?",
     ("Amina Jasim", "0751 210 3344", "female", "18-59"), None),
    ("complaint_assistance", "suggestion-box", "NFI", "DHK-KBR2", 2, "new",
     "The hygiene kits had soap but no sanitary pads.", None, None),
    ("assistance", "hotline-80069", "NFI", "DHK-DMZ1", 1, "new",
     "Our tent burned last night; we need blankets and a stove.",
     ("Jamal Hussein", "0770 443 8765", "male", "18-59"), None),
]  # fmt: skip

SESSIONS: list[dict[str, Any]] = [
    {
        "kind": "focus_group",
        "title": "Women's focus group on the winter kit",
        "topic": "distribution",
        "programme": "NFI",
        "site": "DHK-DMZ1",
        "days_ago": 20,
        "facilitators": "Hana Rashid, Shilan Ahmed",
        "participants": {"female": {"18-59": 11, "60+": 3}},
        "key_findings": (
            "Women prefer distributions in the morning and a separate queue for older "
            "people and people with disabilities. Several did not know the hotline number."
        ),
        "follow_up": "SMS reminder of the hotline number and of the separate queue.",
        "raise_campaign": True,
    },
    {
        "kind": "awareness",
        "title": "Protection from sexual exploitation and abuse: your rights",
        "topic": "psea",
        "programme": "NFI",
        "site": "DHK-KHN",
        "days_ago": 35,
        "facilitators": "Noor Abdullah",
        "participants": {
            "female": {"6-17": 8, "18-59": 19, "60+": 2},
            "male": {"6-17": 6, "18-59": 14, "60+": 3},
        },
        "key_findings": (
            "Most knew that assistance is free; few knew how to report safely. Questions "
            "about reporting anonymously."
        ),
        "follow_up": "Posters with the hotline and the suggestion boxes at the help desks.",
    },
    {
        "kind": "theatre",
        "title": "Theatre: the day of the distribution",
        "topic": "feedback_mechanism",
        "programme": "CCCM",
        "site": "DHK-DMZ2",
        "days_ago": 50,
        "facilitators": "Harikar theatre group",
        "participants": {
            "female": {"0-5": 4, "6-17": 22, "18-59": 30, "60+": 6},
            "male": {"0-5": 5, "6-17": 25, "18-59": 21, "60+": 9},
        },
        "key_findings": (
            "The audience acted out complaining at the help desk; many said they feared "
            "losing assistance if they complained."
        ),
        "follow_up": "Explain at every distribution that complaints never affect assistance.",
    },
]


def _channels() -> dict[str, Channel]:
    out = {}
    for code, name, kind, rate in CHANNELS:
        channel, _ = Channel.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "rate_per_minute": rate}
        )
        out[code] = channel
    return out


def _place(code: str | None) -> Any:
    from sanad.geo.models import Place

    return Place.objects.filter(code=code).first() if code else None


def _contacts() -> tuple[int, int]:
    from sanad.feedback.services.contacts import contacts_from_households
    from sanad.registry.models import Household

    return contacts_from_households(Household.objects.filter(status="active"))


def _sent_campaign(*, manager: Any, sms: Channel, rnd: random.Random) -> Campaign | None:
    """The three-language campaign to Domiz 1: queued, sent through the log channel,
    a few failed, two replies."""
    from sanad.feedback.services.campaigns import (
        campaign_create,
        campaign_queue,
        campaign_refresh_status,
    )
    from sanad.feedback.services.inbound import message_receive
    from sanad.feedback.services.outbox import outbox_process
    from sanad.programmes.models import Programme

    camp = _place(CAMP)
    if camp is None:
        return None
    campaign = campaign_create(
        user=manager,
        data={
            "name": "Winter kit distribution, Domiz 1",
            "topic": "distribution",
            "channel": sms,
            "programme": Programme.objects.filter(code="NFI").first(),
            "audience": {"places": [str(camp.public_id)]},
            **CAMPAIGN_TEXTS,
        },
    )
    # What `campaign_send_now` and its background job do, done here in line so the
    # demo is complete when the command ends.
    with transaction.atomic():
        Campaign.STATUS_MACHINE.transition(campaign, to="queuing", by=manager)
    campaign_queue(campaign=campaign, user=manager)
    outbox_process(channel=sms, limit=100_000)
    sent = list(
        Message.objects.filter(campaign=campaign, direction="out", status="delivered")
        .order_by("id")
        .values_list("pk", flat=True)
    )
    # A gateway reports a few numbers unreachable (the log channel never fails).
    failed = rnd.sample(sent, k=min(len(sent), max(2, len(sent) // 30)))
    Message.objects.filter(pk__in=failed).update(
        status="failed",
        delivered_at=None,
        failed_at=timezone.now(),
        last_error="Number not reachable (demo)",
    )
    repliers = Contact.objects.filter(
        messages__campaign=campaign, messages__status="delivered"
    ).order_by("id")[: len(REPLIES)]
    for contact, text in zip(repliers, REPLIES, strict=False):
        message_receive(channel=sms, phone=contact.phone, text=text)
    campaign.refresh_from_db()
    return campaign_refresh_status(campaign)


def _scheduled_campaign(*, manager: Any, sms: Channel, today: datetime.date) -> Campaign:
    from sanad.feedback.services.campaigns import campaign_create, campaign_schedule
    from sanad.programmes.models import Programme

    campaign = campaign_create(
        user=manager,
        data={
            "name": "Camp safety before winter: heaters and fire",
            "topic": "camp_safety",
            "channel": sms,
            "programme": Programme.objects.filter(code="CCCM").first(),
            "audience": {"governorates": ["IQG09"]},
            "text_ar": (
                "لا تتركوا المدفأة مشتعلة أثناء النوم، وأبقوا مسافة متر بينها وبين الخيمة. "
                "في حالة الحريق اتصلوا بإدارة المخيم."
            ),
            "text_ckb": (
                "لە کاتی خەوتندا سۆبەکە مەهێڵنەوە داگیرساو و مەودای یەک مەتر لە چادرەکە "
                "دووری بخەنەوە. لە کاتی ئاگرکەوتنەوەدا پەیوەندی بە بەڕێوەبەرایەتی کەمپەوە بکەن."
            ),
            "text_kmr": (
                "Dema razanê sobeyê vêxistî nehêlin û metreyek ji konê dûr bixin. "
                "Di agirketinê de li rêveberiya kampê bigerin."
            ),
        },
    )
    send_at = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=5), datetime.time(9, 0))
    )
    return campaign_schedule(user=manager, campaign=campaign, send_at=send_at)


def _log_case(row: tuple[Any, ...], *, users: dict[str, Any], channels: dict[str, Channel],
              now: datetime.datetime, rnd: random.Random) -> Case:  # fmt: skip
    from sanad.feedback.services import cases as svc
    from sanad.programmes.models import Programme

    category, channel, programme, site, days_ago, stage, text, caller, satisfaction = row
    hotline, manager = users["hotline"], users["aap"]
    place = _place(site)
    received = now - datetime.timedelta(days=days_ago, hours=rnd.randint(0, 8))
    data: dict[str, Any] = {
        "channel": channels[channel],
        "category": category,
        "programme": Programme.objects.filter(code=programme).first(),
        "place": place,
        "admin_unit": place.admin_unit if place else None,
        "description": text,
        "received_at": received,
        "anonymous": caller is None,
    }
    if caller:
        name, phone, sex, age = caller
        data.update(caller_name=name, caller_phone=phone, caller_sex=sex, caller_age_group=age)
        data["preferred_response"] = "call"
    else:
        data["preferred_response"] = "none"
    case = svc.case_log(user=hotline, data=data)
    # Who handles it afterwards: the focal point for an abuse report, the manager for a
    # conduct complaint, the hotline for the rest.
    handler = {"sea": users["psea"], "complaint_conduct": manager}.get(category, hotline)
    if stage == "new":
        return case
    at = received + datetime.timedelta(hours=rnd.randint(2, 30))
    svc.case_acknowledge(user=handler, case=case)
    Case.objects.filter(pk=case.pk).update(acknowledged_at=at)
    if stage == "assigned":
        return svc.case_assign(user=manager, case=case, assignee=None, team="CCCM Domiz team")
    if stage == "referred":
        from sanad.accounts.models import Organisation

        partner = Organisation.objects.exclude(acronym="IOM").order_by("name").first()
        if partner is not None:
            return svc.case_refer(
                user=handler,
                case=case,
                organisation=partner,
                note="Housing, land and property question: referred for legal counselling.",
            )
        return case
    if stage == "acknowledged":
        return case
    responded = min(at + datetime.timedelta(days=rnd.randint(1, 12)), now)
    case = svc.case_respond(
        user=handler,
        case=case,
        response="Called back and explained; the team followed up on site.",
        responded_at=responded,
    )
    if stage == "responded":
        return case
    confirmed = stage == "closed"
    return svc.case_close(
        user=handler,
        case=case,
        loop_closed=confirmed,
        closing_note="" if confirmed else "Called three times; the number no longer answers.",
        satisfaction=satisfaction,
    )


def _cases(*, users: dict[str, Any], channels: dict[str, Channel], rnd: random.Random) -> int:
    now = timezone.now()
    for row in CASES:
        _log_case(row, users=users, channels=channels, now=now, rnd=rnd)
    return len(CASES)


def _sessions(*, users: dict[str, Any], today: datetime.date) -> list[Any]:
    from sanad.feedback.services.sessions import session_create, session_raise_campaign
    from sanad.programmes.models import Programme

    manager = users["aap"]
    made = []
    for spec in SESSIONS:
        place = _place(spec["site"])
        if place is None:
            continue
        session = session_create(
            user=manager,
            data={
                "kind": spec["kind"],
                "title": spec["title"],
                "topic": spec["topic"],
                "programme": Programme.objects.filter(code=spec["programme"]).first(),
                "place": place,
                "admin_unit": place.admin_unit,
                "held_on": today - datetime.timedelta(days=spec["days_ago"]),
                "facilitators": spec["facilitators"],
                "participants": spec["participants"],
                "key_findings": spec["key_findings"],
                "follow_up": spec["follow_up"],
            },
        )
        if spec.get("raise_campaign"):
            campaign = session_raise_campaign(user=manager, session=session)
            from sanad.feedback.services.campaigns import campaign_update

            campaign_update(
                user=manager,
                campaign=campaign,
                data={
                    "text_ar": "رقم الشكاوى والاستفسارات المجاني: 80069. الشكوى لا تؤثر على المساعدة.",
                    "text_ckb": "ژمارەی خۆڕایی بۆ سکاڵا و پرسیار: 80069. سکاڵا کار لە هاوکاری ناکات.",
                    "text_kmr": "Hejmara belaş ji bo gilî û pirsan: 80069. Gilî alîkariyê naguherîne.",
                },
            )
        made.append(session)
    return made


def _inbox(*, users: dict[str, Any], sms: Channel, channels: dict[str, Channel]) -> int:
    """Unread messages from families (and one number outside the registry); one of them
    made into a case by the hotline."""
    from sanad.feedback.services.cases import case_log
    from sanad.feedback.services.inbound import message_receive

    registry_contacts = list(
        Contact.objects.filter(source="registry", opted_out_at__isnull=True, last_message_at=None)
        .exclude(place__code=CAMP)
        .order_by("id")[:3]
    )
    received = 0
    for from_registry, text, becomes_case in INBOX:
        if from_registry:
            if not registry_contacts:
                continue
            phone = registry_contacts.pop(0).phone
        else:
            phone = "+9647709876543"
        message = message_receive(channel=sms, phone=phone, text=text)
        received += 1
        if becomes_case:
            case_log(
                user=users["hotline"],
                data={"category": "assistance", "preferred_response": "sms"},
                message=message,
            )
    return received


def seed(
    *, users: dict[str, Any], today: datetime.date, stdout: Any = None
) -> dict[str, Any] | None:
    """Seed the feedback demo. `users` by demo user name: admin, hotline, psea, aap
    (accountability manager). Returns what was made, or None when it already exists."""
    if Channel.objects.filter(code=SMS_CODE).exists():
        return None
    missing = [name for name in ("hotline", "psea", "aap") if users.get(name) is None]
    if missing:
        if stdout is not None:
            stdout.write(f"Feedback demo skipped: demo users missing ({', '.join(missing)}).")
        return None
    # The demo sends no e-mail (abuse-report routing, escalations): the addresses are
    # made up, and a configured mail server would try them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        made = _seed(users=users, today=today)
    if stdout is not None:
        sent = made["campaign"]
        delivered = Message.objects.filter(campaign=sent, status="delivered").count() if sent else 0
        stdout.write(
            f"Feedback: {made['contacts']} contacts, “{sent.name if sent else '-'}” delivered "
            f"to {delivered}, one campaign scheduled, {made['cases']} cases "
            f"({made['escalated']} overdue and escalated), {made['sessions']} community "
            f"sessions, {made['inbox']} new messages in the inbox."
        )
    return made


def _seed(*, users: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    rnd = random.Random(8)
    manager = users["aap"]
    with acting_as(manager, source="command"):
        channels = _channels()
        sms = channels[SMS_CODE]
        created, _updated = _contacts()
        sent = _sent_campaign(manager=manager, sms=sms, rnd=rnd)
        scheduled = _scheduled_campaign(manager=manager, sms=sms, today=today)
        sessions = _sessions(users=users, today=today)
    with acting_as(users["hotline"], source="command"):
        cases = _cases(users=users, channels=channels, rnd=rnd)
        inbox = _inbox(users=users, sms=sms, channels=channels)
    from sanad.feedback.services.cases import cases_escalate_overdue

    escalated = cases_escalate_overdue()
    return {
        "channels": len(channels),
        "contacts": created,
        "campaign": sent,
        "scheduled": scheduled,
        "cases": cases,
        "escalated": escalated,
        "sessions": len(sessions),
        "inbox": inbox,
    }
