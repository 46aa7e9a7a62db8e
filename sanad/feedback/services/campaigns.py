"""Campaigns: one text per language to an audience, at a time.

draft → scheduled → queuing → sending → done (or cancelled). Queuing is a background job
(`feedback.campaign_queue`, in `jobs_campaigns`): it resolves the audience, creates the
contacts registry households still lack, and bulk-creates one outgoing message per
reachable contact in that contact's language; the outbox worker sends them at the
channel's rate. Queuing twice never queues anyone twice (a unique constraint on campaign
and contact), so a job that died half-way is simply run again.

Audience (`campaign.audience`): {"beneficiary_list": public id | None, "governorates":
[pcode…], "places": [public id…], "languages": [code…], "displacement_statuses": […],
"shelter_types": […], "include_contacts_outside_registry": bool}. The registry part is
the active households matching every filter given (or on the beneficiary list); the
audience never reaches beyond the governorates where the person who queues the campaign
may manage campaigns."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, grants_for, has_permission
from sanad.feedback.models import (
    MANAGE_CAMPAIGN,
    Campaign,
    Channel,
    Contact,
    Language,
    Message,
    Topic,
)
from sanad.feedback.services.contacts import (
    BATCH,
    contact_preview_rows,
    contacts_from_households,
)

STATUS = Campaign.Status
TEXT_FIELDS = ("text_ar", "text_ckb", "text_kmr", "text_en")
AUDIENCE_KEYS = (
    "beneficiary_list",
    "governorates",
    "places",
    "languages",
    "displacement_statuses",
    "shelter_types",
    "include_contacts_outside_registry",
)
SKIP_REASONS = ("no_phone", "opted_out", "no_consent", "no_text")
QUEUE_JOB = "feedback.campaign_queue"
INSERT_BATCH = 1000

ProgressFn = Callable[..., None]


# --- permissions and values ------------------------------------------------------------------
def _require(user: Any, campaign: Campaign | None = None) -> None:
    if not has_permission(user, MANAGE_CAMPAIGN):
        raise PermissionDenied()
    if campaign is not None and not can_reach(user, campaign, MANAGE_CAMPAIGN):
        raise PermissionDenied()


def _strings(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    return sorted({str(v).strip() for v in value if str(v).strip()})


def audience_clean(audience: dict[str, Any] | None) -> dict[str, Any]:
    """A well-formed audience dict (unknown keys dropped, lists sorted and de-duplicated,
    ids of records turned into their public ids / P-codes)."""
    from sanad.registry.models import DisplacementStatus, ShelterType

    raw = dict(audience or {})
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    lst = raw.get("beneficiary_list")
    if lst not in (None, ""):
        lst = str(getattr(lst, "public_id", lst))
        try:
            uuid.UUID(lst)
        except ValueError:
            errors["beneficiary_list"] = [_("Choose a beneficiary list from the list.")]
        out["beneficiary_list"] = lst
    else:
        out["beneficiary_list"] = None
    out["governorates"] = _strings(
        [getattr(g, "pcode", g) for g in (raw.get("governorates") or [])]
    )
    out["places"] = _strings([getattr(p, "public_id", p) for p in (raw.get("places") or [])])
    out["languages"] = _strings(raw.get("languages"))
    if set(out["languages"]) - set(Language.values):
        errors["languages"] = [_("Choose languages from the list.")]
    out["displacement_statuses"] = _strings(raw.get("displacement_statuses"))
    if set(out["displacement_statuses"]) - set(DisplacementStatus.values):
        errors["displacement_statuses"] = [_("Choose displacement statuses from the list.")]
    out["shelter_types"] = _strings(raw.get("shelter_types"))
    if set(out["shelter_types"]) - set(ShelterType.values):
        errors["shelter_types"] = [_("Choose shelter types from the list.")]
    out["include_contacts_outside_registry"] = bool(raw.get("include_contacts_outside_registry"))
    if errors:
        raise ValidationFailed(fields=errors, code="audience_invalid")
    return out


def _governorate_reach(user: Any) -> set[str] | None:
    """The governorates (P-codes) where `user` may run campaigns; None = everywhere (and
    for a system call without a user)."""
    if user is None or not getattr(user, "pk", None):
        return None
    grants = grants_for(user, MANAGE_CAMPAIGN)
    if any(g.all_governorates for g in grants):
        return None
    return {p for g in grants for p in g.governorates}


def audience_households(audience: dict[str, Any], user: Any = None) -> QuerySet[Any]:
    """The registry households of the audience (none when it has no registry part)."""
    from sanad.registry.models import Household
    from sanad.targeting import selectors as targeting

    qs = Household.objects.filter(status=Household.Status.ACTIVE)
    lst_id = audience.get("beneficiary_list")
    if lst_id:
        lst = targeting.lists_all().filter(public_id=lst_id).first()
        if lst is None:
            raise ValidationFailed(_("The beneficiary list was not found."), code="list_not_found")
        qs = qs.filter(pk__in=targeting.list_households(lst).order_by().values("pk"))
    if audience.get("governorates"):
        qs = qs.filter(governorate__pcode__in=audience["governorates"])
    if audience.get("places"):
        qs = qs.filter(place__public_id__in=audience["places"])
    if audience.get("displacement_statuses"):
        qs = qs.filter(displacement_status__in=audience["displacement_statuses"])
    if audience.get("shelter_types"):
        qs = qs.filter(shelter_type__in=audience["shelter_types"])
    reach = _governorate_reach(user)
    if reach is not None:
        qs = qs.filter(governorate__pcode__in=sorted(reach))
    return qs.order_by()


def audience_outside_contacts(audience: dict[str, Any], user: Any = None) -> QuerySet[Contact]:
    """Contacts outside the registry that the audience includes (when it asks for them):
    by governorate, place and language like the households."""
    if not audience.get("include_contacts_outside_registry"):
        return Contact.objects.none()
    qs = Contact.objects.filter(household__isnull=True)
    if audience.get("governorates"):
        qs = qs.filter(governorate__pcode__in=audience["governorates"])
    if audience.get("places"):
        qs = qs.filter(place__public_id__in=audience["places"])
    if audience.get("languages"):
        qs = qs.filter(language__in=audience["languages"])
    reach = _governorate_reach(user)
    if reach is not None:
        qs = qs.filter(governorate__pcode__in=sorted(reach))
    return qs.order_by()


def _clean_fields(data: dict[str, Any], campaign: Campaign | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if "name" in data or campaign is None:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("Give the campaign a name.")]
        out["name"] = name[:200]
    if "topic" in data or campaign is None:
        if data.get("topic") not in Topic.values:
            errors["topic"] = [_("Choose the topic of the campaign.")]
        out["topic"] = data.get("topic")
    if "channel" in data or campaign is None:
        channel = data.get("channel")
        if not isinstance(channel, Channel) or not channel.is_messaging or not channel.active:
            errors["channel"] = [_("Choose an active messaging channel (SMS).")]
        out["channel"] = channel
    if "programme" in data:
        out["programme"] = data.get("programme")
    for field in TEXT_FIELDS:
        if field in data:
            text = str(data.get(field) or "").strip()
            if len(text) > 1600:
                errors[field] = [_("Keep the text under 1,600 characters (ten SMS).")]
            out[field] = text
    if "audience" in data:
        try:
            out["audience"] = audience_clean(data.get("audience"))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if "send_at" in data:
        out["send_at"] = data.get("send_at")
    if "session" in data:
        out["session"] = data.get("session")
    if errors:
        raise ValidationFailed(fields=errors, code="campaign_invalid")
    return out


def _check_programme_scope(user: Any, programme: Any) -> None:
    grants = grants_for(user, MANAGE_CAMPAIGN)
    if any(g.all_programmes for g in grants):
        return
    code = getattr(programme, "code", None)
    if code is None or not any(code in g.programmes for g in grants):
        message = _("Choose a programme you work in.")
        raise ValidationFailed(message, fields={"programme": [message]}, code="out_of_scope")


# --- create, update ----------------------------------------------------------------------
@transaction.atomic
def campaign_create(*, user: Any, data: dict[str, Any]) -> Campaign:
    """A draft campaign. data: name, topic, channel, programme, text_ar/ckb/kmr/en,
    audience, send_at (optional), session (optional)."""
    _require(user)
    values = _clean_fields(data)
    _check_programme_scope(user, values.get("programme"))
    values.setdefault("audience", audience_clean({}))
    campaign = Campaign(**values)
    if getattr(user, "pk", None):
        campaign.created_by = user
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, user: Any, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    """Change a campaign that has not started queuing (draft or scheduled)."""
    _require(user, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (STATUS.DRAFT, STATUS.SCHEDULED):
        raise Conflict(
            _("A campaign can be changed only before it is sent."), code="campaign_started"
        )
    values = _clean_fields(data, campaign)
    if "programme" in values:
        _check_programme_scope(user, values["programme"])
    for field, value in values.items():
        setattr(campaign, field, value)
    campaign.save()
    return campaign


# --- preview -------------------------------------------------------------------------------
def campaign_audience_preview(
    *,
    campaign: Campaign | None = None,
    audience: dict[str, Any] | None = None,
    texts: dict[str, str] | None = None,
    user: Any = None,
) -> dict[str, Any]:
    """What queuing would do, without creating anything: households matched, with a
    phone, contacts reachable, skipped by reason, reachable by language."""
    if campaign is not None:
        audience = campaign.audience
        texts = {f[5:]: getattr(campaign, f) for f in TEXT_FIELDS}
        user = user or campaign.updated_by or campaign.created_by
    audience = audience_clean(audience)
    texts = texts or {}
    probe = Campaign(**{f"text_{k}": v for k, v in texts.items() if f"text_{k}" in TEXT_FIELDS})
    any_text = any(texts.values())
    languages = set(audience["languages"])
    skipped: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    households = audience_households(audience, user)
    if not _has_registry_part(audience):
        households = households.none()
    household_count = households.count()
    consented = households_with_consent_in(households)
    with_phone = 0
    for cand, contact in contact_preview_rows(households):
        with_phone += 1
        if contact is not None and contact.household_id not in (None, cand.household_id):
            continue
        language = contact.language if contact is not None else cand.language
        if languages and language not in languages:
            continue
        if contact is not None and contact.opted_out_at is not None:
            skipped["opted_out"] += 1
        elif cand.household_id not in consented:
            skipped["no_consent"] += 1
        elif any_text and not probe.text_for(language):
            skipped["no_text"] += 1
        else:
            by_language[language] += 1
    skipped["no_phone"] = household_count - with_phone
    outside = audience_outside_contacts(audience, user).values_list(
        "language", "opted_out_at", "consent_given"
    )
    outside_count = 0
    for language, opted_out_at, consent in outside.iterator(chunk_size=BATCH):
        outside_count += 1
        if opted_out_at is not None:
            skipped["opted_out"] += 1
        elif not consent:
            skipped["no_consent"] += 1
        elif any_text and not probe.text_for(language):
            skipped["no_text"] += 1
        else:
            by_language[language] += 1
    return {
        "households": household_count,
        "with_phone": with_phone,
        "outside_registry": outside_count,
        "reachable": sum(by_language.values()),
        "skipped": {reason: skipped.get(reason, 0) for reason in SKIP_REASONS},
        "by_language": dict(sorted(by_language.items())),
    }


# --- schedule, send, cancel ----------------------------------------------------------------
def _check_ready(campaign: Campaign) -> None:
    if not any(getattr(campaign, f) for f in TEXT_FIELDS):
        raise ValidationFailed(
            _("Write the text of the campaign in at least one language."),
            fields={"text_ar": [_("Write the text of the campaign in at least one language.")]},
            code="no_text",
        )
    channel = campaign.channel
    if not channel.is_messaging or not channel.active:
        raise ValidationFailed(
            _("The campaign's channel cannot send messages: choose an active SMS channel."),
            code="channel_cannot_send",
        )


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("channel").get(pk=campaign.pk)


def campaign_schedule(*, user: Any, campaign: Campaign, send_at: datetime.datetime) -> Campaign:
    """Send the campaign at `send_at` (the outbox worker starts it then)."""
    _require(user, campaign)
    if send_at is None or send_at <= timezone.now():
        message = _("Choose a time in the future, or send the campaign now.")
        raise ValidationFailed(message, fields={"send_at": [message]}, code="send_at_past")
    with transaction.atomic():
        campaign = _locked(campaign)
        _check_ready(campaign)
        campaign.send_at = send_at
        if campaign.status == STATUS.SCHEDULED:
            campaign.save(update_fields=["send_at", "updated_at"])
            return campaign
        if campaign.status != STATUS.DRAFT:
            raise InvalidTransition(
                _("Only a draft campaign can be scheduled."), code="campaign_started"
            )
        Campaign.STATUS_MACHINE.transition(
            campaign, to=STATUS.SCHEDULED, by=user, extra_updates=["send_at"]
        )
    return campaign


def _start(campaign: Campaign, user: Any, reason: str = "") -> Campaign:
    """Move to queuing and start the queue job (after commit)."""
    from sanad.core.jobs import job_start

    Campaign.STATUS_MACHINE.transition(campaign, to=STATUS.QUEUING, by=user, reason=reason)
    job = job_start(
        kind=QUEUE_JOB,
        user=user,
        params={"campaign": str(campaign.public_id), "language": get_language() or "en"},
        idempotency_key=f"campaign-queue-{campaign.public_id}-{campaign.updated_at.timestamp()}",
    )
    Campaign.objects.filter(pk=campaign.pk).update(job=job)
    campaign.job = job
    return campaign


def campaign_send_now(*, user: Any, campaign: Campaign) -> Campaign:
    """Queue the campaign's messages now (a background job); the outbox sends them."""
    _require(user, campaign)
    with transaction.atomic():
        campaign = _locked(campaign)
        _check_ready(campaign)
        if campaign.status not in (STATUS.DRAFT, STATUS.SCHEDULED):
            raise InvalidTransition(
                _("This campaign has already been sent or cancelled."), code="campaign_started"
            )
        return _start(campaign, user)


def campaign_cancel(*, user: Any, campaign: Campaign, reason: str) -> Campaign:
    """Stop the campaign: messages still waiting in the outbox are cancelled; those
    already sent cannot be called back."""
    _require(user, campaign)
    reason = str(reason or "").strip()
    if not reason:
        message = _("Say why the campaign is cancelled.")
        raise ValidationFailed(message, fields={"reason": [message]}, code="reason_required")
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status == STATUS.QUEUING:
            raise InvalidTransition(
                _("The messages are being queued; cancel again in a minute."),
                code="campaign_queuing",
            )
        if STATUS.CANCELLED not in Campaign.STATUS_MACHINE.allowed(campaign.status):
            raise InvalidTransition(
                _("This campaign is finished and can no longer be cancelled."),
                code="campaign_finished",
            )
        Message.objects.filter(
            campaign=campaign, direction=Message.Direction.OUT, status=Message.Status.QUEUED
        ).update(status=Message.Status.CANCELLED, last_error="campaign_cancelled")
        campaign.completed_at = timezone.now()
        Campaign.STATUS_MACHINE.transition(
            campaign, to=STATUS.CANCELLED, by=user, reason=reason, extra_updates=["completed_at"]
        )
    return campaign


# --- queuing: the job's body --------------------------------------------------------------
def campaign_queue(
    *, campaign: Campaign, progress: ProgressFn | None = None, user: Any = None
) -> dict[str, Any]:
    """Create one queued message per reachable contact of the audience, in bulk, then
    move the campaign to `sending`. Idempotent: contacts already messaged are skipped.

    Each batch commits on its own (a long single transaction would hold back the outbox
    on SQLite and hide progress); a re-run completes what a crash left half-done."""
    campaign = Campaign.objects.select_related("channel").get(pk=campaign.pk)
    if campaign.status not in (STATUS.QUEUING, STATUS.SENDING):
        raise InvalidTransition(
            _("Only a campaign being sent can be queued."), code="campaign_not_queuing"
        )
    user = user or campaign.updated_by or campaign.created_by
    report = progress or (lambda *a, **k: None)
    try:
        counts = _queue(campaign, user, report)
    except Exception:
        if campaign.status == STATUS.QUEUING:
            Campaign.STATUS_MACHINE.transition(
                campaign, to=STATUS.DRAFT, by=None, reason="queuing failed"
            )
        raise
    with transaction.atomic():
        campaign = _locked(campaign)
        campaign.audience_count = counts["audience"]
        campaign.queued_count = Message.objects.filter(
            campaign=campaign, direction=Message.Direction.OUT
        ).count()
        campaign.skipped = counts["skipped"]
        campaign.queued_at = campaign.queued_at or timezone.now()
        fields = ["audience_count", "queued_count", "skipped", "queued_at"]
        if campaign.status == STATUS.QUEUING:
            Campaign.STATUS_MACHINE.transition(
                campaign, to=STATUS.SENDING, by=None, extra_updates=fields
            )
        else:
            campaign.save(update_fields=[*fields, "updated_at"])
    campaign_refresh_status(campaign)
    report(1, 1, _("Finished"), force=True)
    return {
        "queued": counts["queued"],
        "audience": counts["audience"],
        "skipped": counts["skipped"],
    }


def _has_registry_part(audience: dict[str, Any]) -> bool:
    """An audience of only "people outside the registry" has no registry part; any
    registry filter (or none at all) means households."""
    return bool(
        audience["beneficiary_list"]
        or audience["governorates"]
        or audience["places"]
        or audience["displacement_statuses"]
        or audience["shelter_types"]
        or not audience["include_contacts_outside_registry"]
    )


def households_with_consent_in(households: QuerySet[Any]) -> set[int]:
    from sanad.registry.models import Consent

    return set(
        Consent.objects.filter(
            household_id__in=households.order_by().values("pk"),
            purpose=Consent.Purpose.COMMUNICATION,
            given=True,
            withdrawn_on__isnull=True,
        ).values_list("household_id", flat=True)
    )


MESSAGE_FIELDS = (
    "public_id",
    "contact_id",
    "channel_id",
    "direction",
    "text",
    "language",
    "status",
    "campaign_id",
    "external_id",
    "attempts",
    "last_error",
    "created_at",
    "created_by_id",
)


def _queue(campaign: Campaign, user: Any, report: ProgressFn) -> dict[str, Any]:
    """The few big queries of queuing: the audience's contacts (created first for
    registry households), with their consent, in one read; the contacts already messaged
    in another; then the messages in bulk (COPY on PostgreSQL)."""
    from django.db.models import Exists, OuterRef

    from sanad.feedback.services._bulk import bulk_insert
    from sanad.registry.models import Consent

    audience = audience_clean(campaign.audience)
    skipped: Counter[str] = Counter()
    report(0, None, _("Finding the audience"), force=True)
    households = audience_households(audience, user)
    if not _has_registry_part(audience):
        households = households.none()
    household_ids = households.values("pk")
    report(0, None, _("Preparing the contacts"), force=True)
    contacts_from_households(households)
    consent = Consent.objects.filter(
        household_id=OuterRef("household_id"),
        purpose=Consent.Purpose.COMMUNICATION,
        given=True,
        withdrawn_on__isnull=True,
    )
    rows = list(
        Contact.objects.filter(
            Q(household_id__in=household_ids)
            | Q(pk__in=audience_outside_contacts(audience, user).values("pk"))
        )
        .annotate(household_consent=Exists(consent))
        .order_by("pk")
        .values_list(
            "pk", "language", "opted_out_at", "household_id", "consent_given", "household_consent"
        )
    )
    reached = {r[3] for r in rows if r[3] is not None}
    skipped["no_phone"] = max(0, households.count() - len(reached))
    already = set(
        Message.objects.filter(campaign=campaign, direction=Message.Direction.OUT).values_list(
            "contact_id", flat=True
        )
    )
    languages = set(audience["languages"])
    total = len(rows)
    message = _("Queuing the messages")
    report(0, total, message, force=True)
    now = timezone.now()
    by = campaign.updated_by_id or campaign.created_by_id
    texts: dict[str, str] = {}
    queued = 0
    batch: list[tuple[Any, ...]] = []
    step = BATCH * 5
    for n, (pk, language, opted_out_at, household_id, own, household_consent) in enumerate(rows, 1):
        if languages and language not in languages:
            continue
        if opted_out_at is not None:
            skipped["opted_out"] += 1
            continue
        if not (household_consent if household_id is not None else own):
            skipped["no_consent"] += 1
            continue
        if language not in texts:
            texts[language] = campaign.text_for(language)
        text = texts[language]
        if not text:
            skipped["no_text"] += 1
            continue
        queued += 1
        if pk in already:
            continue
        batch.append(
            (
                uuid.uuid4(),
                pk,
                campaign.channel_id,
                Message.Direction.OUT.value,
                text,
                language,
                Message.Status.QUEUED.value,
                campaign.pk,
                "",
                0,
                "",
                now,
                by,
            )
        )
        if len(batch) >= step:
            bulk_insert(Message, MESSAGE_FIELDS, batch)
            batch = []
            report(n, total, message)
    bulk_insert(Message, MESSAGE_FIELDS, batch)
    report(total, total, message)
    counts = {reason: skipped.get(reason, 0) for reason in SKIP_REASONS}
    return {"queued": queued, "skipped": counts, "audience": queued + sum(counts.values())}


# --- the worker's periodic calls and the report ------------------------------------------
def campaign_refresh_status(campaign: Campaign) -> Campaign:
    """A sending campaign is done when nothing of it is waiting or being sent."""
    if campaign.status != STATUS.SENDING:
        return campaign
    waiting = Message.objects.filter(
        campaign=campaign,
        direction=Message.Direction.OUT,
        status__in=(Message.Status.QUEUED, Message.Status.SENDING),
    ).exists()
    if waiting:
        return campaign
    campaign.completed_at = timezone.now()
    try:
        Campaign.STATUS_MACHINE.transition(
            campaign, to=STATUS.DONE, by=None, extra_updates=["completed_at"]
        )
    except InvalidTransition:
        campaign.refresh_from_db()
    return campaign


def campaigns_due_start(*, now: datetime.datetime | None = None) -> int:
    """Start the queue job of each scheduled campaign whose time has come; mark the
    sending campaigns that have nothing left in the outbox done. Returns how many
    started. Safe with several workers: the status change is a conditional update."""
    import logging

    from sanad.core.errors import ApplicationError

    now = now or timezone.now()
    started = 0
    for campaign in Campaign.objects.filter(status=STATUS.SCHEDULED, send_at__lte=now):
        user = campaign.updated_by or campaign.created_by
        try:
            with transaction.atomic():
                locked = _locked(campaign)
                if locked.status != STATUS.SCHEDULED:
                    continue
                _check_ready(locked)
                _start(locked, user, reason="scheduled")
        except ApplicationError as exc:
            logging.getLogger(__name__).warning(
                "campaign %s could not start: %s", campaign.public_id, exc.message
            )
            Campaign.objects.filter(pk=campaign.pk, status=STATUS.SCHEDULED).update(
                status=STATUS.DRAFT
            )
            continue
        started += 1
    for campaign in Campaign.objects.filter(status=STATUS.SENDING):
        campaign_refresh_status(campaign)
    return started


def campaign_report(campaign: Campaign) -> dict[str, Any]:
    """The delivery figures: audience, queued (still waiting), sent, delivered, failed,
    cancelled, replies, the same by language, and the skipped by reason."""
    campaign_refresh_status(campaign)
    statuses = ("queued", "sending", "sent", "delivered", "failed", "cancelled")
    totals: Counter[str] = Counter()
    by_language: dict[str, Counter[str]] = {}
    rows = (
        Message.objects.filter(campaign=campaign, direction=Message.Direction.OUT)
        .values("language", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        totals[row["status"]] += row["n"]
        by_language.setdefault(row["language"] or "", Counter())[row["status"]] += row["n"]
    replies = dict(
        Message.objects.filter(campaign=campaign, direction=Message.Direction.IN)
        .values_list("language")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reply_total = sum(replies.values())
    labels = dict(Language.choices)

    def figures(counter: Counter[str]) -> dict[str, int]:
        out = {s: counter.get(s, 0) for s in statuses}
        out["queued"] += out.pop("sending")
        out["total"] = sum(counter.values())
        # Delivered messages were sent too.
        out["sent"] += out["delivered"]
        return out

    languages = [
        {
            "code": lang,
            "label": labels.get(lang, lang or "—"),
            "replies": replies.get(lang, 0),
            **figures(counter),
        }
        for lang, counter in sorted(by_language.items())
    ]
    result = {
        "status": campaign.status,
        "audience": campaign.audience_count,
        "skipped": {r: (campaign.skipped or {}).get(r, 0) for r in SKIP_REASONS},
        "replies": reply_total,
        "by_language": languages,
        **figures(totals),
    }
    result["finished"] = campaign.status in (STATUS.DONE, STATUS.CANCELLED)
    return result


def campaign_texts_missing(campaign: Campaign) -> list[str]:
    """Languages of the audience without their own text (they get the fallback)."""
    wanted = campaign.audience.get("languages") or [Language.AR, Language.CKB, Language.KMR]
    return [lang for lang in wanted if not getattr(campaign, f"text_{lang}", "")]
