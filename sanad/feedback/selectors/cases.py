"""Reads of feedback cases: the filtered list, one case, what its page shows, and the
trends. Everything starts from `cases_for(user, …)` (selectors.sensitivity), so a
restricted case is neither listed, found, searched, counted nor exported for someone
who may not know it exists."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from sanad.core.errors import NotFound
from sanad.feedback.models import (
    MANAGE_CASE,
    VIEW_CASE,
    VIEW_TRENDS,
    Case,
    CaseNote,
    Category,
    Message,
)
from sanad.feedback.selectors.sensitivity import cases_for, messages_visible

OPEN_STATUSES = ("new", "acknowledged", "assigned", "referred")
FILTERS = (
    "status",
    "category",
    "programme",
    "governorate",
    "place",
    "overdue",
    "mine",
    "household",
    "q",
)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """Not answered and past the response deadline, or not acknowledged past the
    acknowledgement deadline."""
    now = now or timezone.now()
    return Q(status__in=OPEN_STATUSES) & (
        Q(due_at__lt=now) | Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
    )


def with_overdue(queryset: QuerySet[Case], now: datetime.datetime | None = None) -> QuerySet[Case]:
    return queryset.annotate(
        is_overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField())
    )


def case_list(
    *, user: Any, filters: dict[str, Any] | None = None, permission: str = VIEW_CASE
) -> QuerySet[Case]:
    """The cases `user` may see, narrowed by `filters` (status, category, programme
    code, governorate P-code, place public id, overdue, mine, household public id, q —
    searched in the reference, the description and the phone to answer on). Unknown
    or malformed values narrow to nothing rather than being ignored."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    qs = cases_for(user, permission)
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status) if status in Case.Status.values else qs.none()
    category = filters.get("category")
    if category:
        qs = qs.filter(category=category) if category in Category.values else qs.none()
    if filters.get("programme"):
        qs = qs.filter(programme__code=filters["programme"])
    if filters.get("governorate"):
        qs = qs.filter(governorate__pcode=filters["governorate"])
    if filters.get("place"):
        place = _uuid(filters["place"])
        qs = qs.filter(place__public_id=place) if place else qs.none()
    if filters.get("household"):
        household = _uuid(filters["household"])
        qs = qs.filter(household__public_id=household) if household else qs.none()
    if str(filters.get("overdue", "")).lower() in ("1", "true", "on", "yes"):
        qs = qs.filter(overdue_q())
    if str(filters.get("mine", "")).lower() in ("1", "true", "on", "yes"):
        qs = qs.filter(assignee=user) if getattr(user, "pk", None) else qs.none()
    q = str(filters.get("q", "")).strip()
    if q:
        qs = qs.filter(_search_q(q))
    return with_overdue(qs).select_related(
        "channel", "programme", "governorate", "place", "assignee"
    )


def _search_q(text: str) -> Q:
    from sanad.core.text import normalise_phone

    condition = Q()
    for term in text.split()[:5]:
        part = Q(reference__iexact=term) | Q(description__icontains=term)
        if len(term) >= 4:
            part |= Q(reference__icontains=term) | Q(caller_phone__icontains=term.lstrip("0+"))
        with contextlib.suppress(ValueError):
            part |= Q(caller_phone=normalise_phone(term))
        condition &= part
    return condition


def case_get(*, user: Any, public_id: Any, permission: str = VIEW_CASE) -> Case:
    """One case `user` may reach with `permission`; NotFound otherwise (the same answer
    for a case that does not exist and one they may not know of)."""
    key = _uuid(public_id)
    case = (
        with_overdue(cases_for(user, permission))
        .select_related(
            "channel",
            "programme",
            "governorate",
            "place",
            "admin_unit",
            "contact",
            "household",
            "individual",
            "beneficiary_list",
            "assignee",
            "referred_to",
            "created_by",
        )
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if case is None:
        raise NotFound()
    return case


def case_is_visible(user: Any, case: Case) -> bool:
    return cases_for(user).filter(pk=case.pk).exists()


def case_can_manage(user: Any, case: Case) -> bool:
    return cases_for(user, MANAGE_CASE).filter(pk=case.pk).exists()


def case_notes(case: Case) -> QuerySet[CaseNote]:
    return case.notes.select_related("author").order_by("created_at", "id")


def case_messages(*, user: Any, case: Case) -> QuerySet[Message]:
    return messages_visible(user, case.messages.select_related("channel").order_by("created_at"))


def assignable_users(*, user: Any, case: Case, limit: int = 200) -> list[Any]:
    """People who may handle this case (so may be assigned it): those holding the
    permission to manage cases whose scope (and sensitivity) reaches it."""
    from sanad.feedback.services.cases import _users_with

    candidates = list(_users_with([MANAGE_CASE])[:limit])
    return [u for u in candidates if cases_for(u, MANAGE_CASE).filter(pk=case.pk).exists()]


def appeal_context(*, user: Any, case: Case) -> dict[str, Any] | None:
    """For an exclusion appeal of a registered household: the lists that considered
    it (appeal look-up) and the explanation on the list appealed, when the user may
    see them."""
    if case.category != Category.EXCLUSION_APPEAL or case.household is None:
        return None
    from sanad.targeting import selectors as targeting

    entries = targeting.appeal_lookup(user=user, registration_id=case.household.registration_id)
    explanation = None
    if case.beneficiary_list is not None:
        try:
            lst = targeting.list_get(user=user, public_id=case.beneficiary_list.public_id)
            entry = targeting.entry_get(
                user=user, lst=lst, household_public_id=case.household.public_id
            )
            explanation = targeting.explanation(user=user, lst=lst, entry=entry)
        except NotFound:
            explanation = None
    return {"entries": entries, "explanation": explanation}


# --- trends --------------------------------------------------------------------------------
def _percentile(values: list[float], share: float) -> float | None:
    """The value below which `share` of the sorted values lie (linear interpolation)."""
    if not values:
        return None
    values = sorted(values)
    position = (len(values) - 1) * share
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return round(values[low] + (values[high] - values[low]) * (position - low), 1)


def case_trends(
    *,
    user: Any,
    date_from: datetime.date,
    date_to: datetime.date,
    programme: str | None = None,
    governorate: str | None = None,
) -> dict[str, Any]:
    """Counts of the cases received between the two dates (inclusive) by category,
    governorate, programme and month; the median and 90th-percentile days to respond;
    the share answered in time; average satisfaction; the share of closed cases whose
    loop was confirmed closed. Restricted cases count only for those allowed to see
    them."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    qs = cases_for(user, VIEW_TRENDS).filter(received_at__gte=start, received_at__lt=end)
    if programme:
        qs = qs.filter(programme__code=programme)
    if governorate:
        qs = qs.filter(governorate__pcode=governorate)
    qs = qs.order_by()

    categories = dict(Category.choices)
    by_category = [
        {
            "key": r["category"],
            "label": str(categories.get(r["category"], r["category"])),
            "count": r["n"],
        }
        for r in qs.values("category").annotate(n=Count("id")).order_by("-n", "category")
    ]
    name = (
        "governorate__name_ar"
        if translation.get_language() in ("ar", "ckb")
        else "governorate__name_en"
    )
    by_governorate = [
        {"key": r["governorate__pcode"] or "", "label": r[name] or "", "count": r["n"]}
        for r in qs.values("governorate__pcode", name)
        .annotate(n=Count("id"))
        .order_by("-n", "governorate__pcode")
    ]
    by_programme = [
        {"key": r["programme__code"] or "", "label": r["programme__code"] or "", "count": r["n"]}
        for r in qs.values("programme__code")
        .annotate(n=Count("id"))
        .order_by("-n", "programme__code")
    ]
    by_month = [
        {
            "key": r["month"].strftime("%Y-%m"),
            "label": r["month"].strftime("%Y-%m"),
            "count": r["n"],
        }
        for r in qs.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
        if r["month"] is not None
    ]
    responded: list[tuple[Any, Any, Any]] = list(
        qs.filter(responded_at__isnull=False).values_list("received_at", "responded_at", "due_at")
    )
    days = [(r - c).total_seconds() / 86400 for c, r, _d in responded]
    with_due = [(r, d) for _c, r, d in responded if d is not None]
    in_time = sum(1 for r, d in with_due if r <= d)
    summary = qs.aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status="closed")),
        loop_closed=Count("id", filter=Q(status="closed", loop_closed=True)),
        satisfaction=Avg("satisfaction"),
        overdue=Count("id", filter=overdue_q()),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
    )
    closed = summary["closed"] or 0
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total": summary["total"] or 0,
        "open": summary["open"] or 0,
        "overdue": summary["overdue"] or 0,
        "responded": len(responded),
        "median_days": _percentile(days, 0.5),
        "p90_days": _percentile(days, 0.9),
        "in_time_share": round(in_time / len(with_due), 3) if with_due else None,
        "satisfaction": round(float(summary["satisfaction"]), 2)
        if summary["satisfaction"] is not None
        else None,
        "closed": closed,
        "loop_closed_share": round(summary["loop_closed"] / closed, 3) if closed else None,
        "by_category": by_category,
        "by_governorate": by_governorate,
        "by_programme": by_programme,
        "by_month": by_month,
    }
