from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST

from sanad.accounts.services import user_set_language
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import has_permission, scoped
from sanad.geo.models import Place
from sanad.programmes.models import Project


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_permission(user, "cash.redeem_voucher") and not has_permission(user, "cash.view_cash"):
        # A vendor's cashier: the redemption page is the only thing they use.
        from django.shortcuts import redirect

        return redirect("cash:redeem")
    ctx: dict[str, Any] = {"roles": user.roles() if hasattr(user, "roles") else []}
    if has_permission(user, "reporting.view_aggregates"):
        ctx["reached"] = _reached(user)
    if has_permission(user, "geo.view_place"):
        places = scoped(Place.objects.all(), user)
        ctx["place_counts"] = list(
            places.filter(status=Place.Status.OPEN)
            .values("kind")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
        kinds = dict(Place.Kind.choices)
        for row in ctx["place_counts"]:
            row["label"] = kinds.get(row["kind"], row["kind"])
        ctx["places_total"] = places.count()
        ctx["places_by_governorate"] = list(
            places.values(
                "admin_unit__governorate__pcode",
                "admin_unit__governorate__name_en",
                "admin_unit__governorate__name_ar",
            )
            .annotate(n=Count("id"))
            .order_by("-n")[:8]
        )
    if has_permission(user, "programmes.view_programme"):
        projects = scoped(Project.objects.all(), user)
        ctx["projects_active"] = projects.filter(status=Project.Status.ACTIVE).count()
        ctx["budget_by_currency"] = list(
            projects.filter(status=Project.Status.ACTIVE)
            .values("currency")
            .annotate(total=Sum("budget"))
            .order_by("currency")
        )
        ctx["projects_by_programme"] = list(
            projects.values("programme__code").annotate(n=Count("id")).order_by("programme__code")
        )
        ctx["recent_projects"] = projects.select_related("programme", "donor").order_by(
            "-start_date"
        )[:5]
    return render(request, "web/dashboard.html", ctx)


def _reached(user: Any) -> dict[str, Any]:
    """Unique people and households reached in the last 12 months, from the reporting
    summary (suppressed for someone outside the mission)."""
    from sanad.reporting.periods import default_period
    from sanad.reporting.selectors.figures import Filters, reach
    from sanad.reporting.suppression import outside_mission, suppress, threshold

    start, end = default_period(12)
    total = reach(user=user, filters=Filters(start=start, end=end)).total()
    hide = outside_mission(user)
    return {
        "people": suppress(total.people) if hide else total.people,
        "households": suppress(total.households) if hide else total.households,
        "start": start,
        "end": end,
        "min_cell": threshold(),
    }


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: kept in a cookie and, for a signed-in user, on the account."""
    lang = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    try:
        user_set_language(user=request.user, language=lang)
    except ValidationFailed:
        lang = settings.LANGUAGE_CODE
    activate(lang)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def health(request: HttpRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the context processors query the database, which may be
    # what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
