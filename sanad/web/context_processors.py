from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext_lazy as _

from sanad.core.areas import ProgrammeArea
from sanad.core.scoping import has_permission

LANGUAGE_LABELS = {"en": "English", "ar": "العربية", "ckb": "کوردی"}


def _nav(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    items: list[dict[str, Any]] = [
        {"label": _("Dashboard"), "url": reverse("web:dashboard"), "icon": "speedometer2"}
    ]
    reporting_children: list[dict[str, Any]] = []
    if has_permission(user, "reporting.view_aggregates"):
        for label, name in (
            (_("Mission overview"), "reporting:dashboard"),
            (_("Indicators"), "reporting:indicators"),
            (_("Achieved against targets"), "reporting:targets"),
        ):
            reporting_children.append({"label": label, "url": reverse(name)})
    if has_permission(user, "reporting.export_reports"):
        for label, name in (
            (_("3W/4W/5W export"), "reporting:exports"),
            (_("Donor reports"), "reporting:donor_reports"),
            (_("Scheduled exports"), "reporting:schedules"),
        ):
            reporting_children.append({"label": label, "url": reverse(name)})
    if reporting_children:
        items.append(
            {
                "label": _("Reporting"),
                "icon": "bar-chart-line",
                "children": reporting_children,
                "url": reporting_children[0]["url"],
            }
        )
    if has_permission(user, "programmes.view_programme"):
        areas = []
        for area in ProgrammeArea:
            if user.scope_grants("programmes.view_programme") and _reaches(user, area.value):
                areas.append(
                    {"label": area.label, "url": reverse("programmes:area", args=[area.value])}
                )
        items.append(
            {
                "label": _("Programmes"),
                "icon": "diagram-3",
                "children": areas,
                "url": reverse("programmes:project_list"),
            }
        )
    registry_children = []
    if has_permission(user, "registry.view_household"):
        registry_children.append(
            {"label": _("Households"), "url": reverse("registry:household_list")}
        )
    if has_permission(user, "registry.import_households"):
        registry_children.append({"label": _("Imports"), "url": reverse("registry:import_list")})
    if has_permission(user, "registry.print_cards"):
        registry_children.append(
            {"label": _("Print household cards"), "url": reverse("registry:card_bulk")}
        )
    if has_permission(user, "assistance.view_assistance"):
        registry_children.append(
            {"label": _("Assistance ledger"), "url": reverse("assistance:record_list")}
        )
    if has_permission(user, "dedup.view_pair"):
        registry_children.append({"label": _("Duplicates"), "url": reverse("dedup:pair_list")})
    elif has_permission(user, "dedup.run"):
        registry_children.append({"label": _("Duplicates"), "url": reverse("dedup:run_list")})
    if registry_children:
        items.append(
            {
                "label": _("Registry"),
                "icon": "people",
                "children": registry_children,
                "url": registry_children[0]["url"],
            }
        )
    if has_permission(user, "targeting.view_list"):
        items.append(
            {
                "label": _("Targeting"),
                "icon": "funnel",
                "url": reverse("targeting:list_list"),
                "children": [
                    {"label": _("Beneficiary lists"), "url": reverse("targeting:list_list")},
                    {"label": _("Eligibility rules"), "url": reverse("targeting:rule_list")},
                    {"label": _("Scoring models"), "url": reverse("targeting:model_list")},
                    {"label": _("Why in or out? (appeals)"), "url": reverse("targeting:appeal")},
                ],
            }
        )
    nfi_children = []
    if has_permission(user, "distribution.view_distribution"):
        nfi_children.append({"label": _("Distributions"), "url": reverse("distribution:plan_list")})
    if has_permission(user, "stock.view_stock"):
        nfi_children += [
            {"label": _("Stock"), "url": reverse("stock:overview")},
            {"label": _("Stock movements"), "url": reverse("stock:movement_list")},
            {"label": _("Warehouses"), "url": reverse("stock:warehouse_list")},
            {"label": _("Items"), "url": reverse("stock:item_list")},
            {"label": _("Kits"), "url": reverse("stock:kit_list")},
            {"label": _("Seasons"), "url": reverse("stock:season_list")},
        ]
    if nfi_children:
        items.append(
            {
                "label": _("NFI kits"),
                "icon": "box-seam",
                "children": nfi_children,
                "url": nfi_children[0]["url"],
            }
        )
    cash_children = []
    if has_permission(user, "cash.view_cash"):
        cash_children += [
            {"label": _("Cash and voucher plans"), "url": reverse("cash:plan_list")},
            {"label": _("Vendors"), "url": reverse("cash:vendor_list")},
            {"label": _("Payment requests"), "url": reverse("cash:payment_list")},
            {"label": _("Transfers through a provider"), "url": reverse("cash:transfer_list")},
            {"label": _("Fraud signals"), "url": reverse("cash:signal_list")},
        ]
    if has_permission(user, "cash.redeem_voucher"):
        cash_children += [
            {"label": _("Redeem a voucher"), "url": reverse("cash:redeem")},
            {"label": _("Our sales"), "url": reverse("cash:my_sales")},
        ]
    if cash_children:
        items.append(
            {
                "label": _("Cash and vouchers"),
                "icon": "wallet2",
                "children": cash_children,
                "url": cash_children[0]["url"],
            }
        )
    shelter_children: list[dict[str, Any]] = []
    if has_permission(user, "shelter.view_shelter"):
        for label, name in (
            (_("Overview by project"), "shelter:home"),
            (_("Damage assessments"), "shelter:assessment_list"),
            (_("Prioritisation"), "shelter:priority_list"),
            (_("Rehabilitation cases"), "shelter:case_list"),
            (_("Inspections"), "shelter:inspection_list"),
            (_("Contractors"), "shelter:contractor_list"),
            (_("Tenders"), "shelter:tender_list"),
            (_("Contracts"), "shelter:contract_list"),
            (_("Site upgrades"), "shelter:upgrade_list"),
            (_("Camp roads"), "shelter:road_list"),
            (_("Price catalogue"), "shelter:catalogue"),
        ):
            shelter_children.append({"label": label, "url": reverse(name)})
    if shelter_children:
        items.append(
            {
                "label": _("Shelter"),
                "icon": "hammer",
                "children": shelter_children,
                "url": shelter_children[0]["url"],
            }
        )
    camps_children: list[dict[str, Any]] = []
    if has_permission(user, "camps.view_site"):
        camps_children += [
            {"label": _("Sites"), "url": reverse("camps:site_list")},
            {"label": _("Map of sites"), "url": reverse("camps:site_map")},
            {"label": _("Monthly monitoring"), "url": reverse("camps:round_list")},
            {"label": _("Gaps against standards"), "url": reverse("camps:gap_report")},
            {"label": _("Maintenance tickets"), "url": reverse("camps:ticket_list")},
            {"label": _("Infrastructure"), "url": reverse("camps:asset_list")},
            {"label": _("Mobile Response Teams"), "url": reverse("camps:mrt_visit_list")},
            {"label": _("Hazards"), "url": reverse("camps:hazard_list")},
            {"label": _("Sites by priority"), "url": reverse("camps:site_priorities")},
            {"label": _("Trainings"), "url": reverse("camps:training_list")},
            {"label": _("Closures and consolidations"), "url": reverse("camps:closure_list")},
        ]
    if camps_children:
        items.append(
            {
                "label": _("Camps"),
                "icon": "house-door",
                "children": camps_children,
                "url": camps_children[0]["url"],
            }
        )
    transport_children: list[dict[str, Any]] = []
    if has_permission(user, "transport.view_movement"):
        for label, name in (
            (_("Movement requests"), "transport:movement_list"),
            (_("Convoys"), "transport:convoy_list"),
            (_("Vehicles"), "transport:vehicle_list"),
            (_("Drivers"), "transport:driver_list"),
            (_("Transport contractors"), "transport:contractor_list"),
        ):
            transport_children.append({"label": label, "url": reverse(name)})
    if transport_children:
        items.append(
            {
                "label": _("Transport"),
                "icon": "bus-front",
                "children": transport_children,
                "url": transport_children[0]["url"],
            }
        )
    revitalization_children: list[dict[str, Any]] = []
    if has_permission(user, "revitalization.view_revitalization"):
        for label, name in (
            (_("Programme dashboard"), "revitalization:dashboard"),
            (_("Communities"), "revitalization:community_list"),
            (_("Community assessments"), "revitalization:assessment_list"),
            (_("Infrastructure projects"), "revitalization:project_list"),
            (_("Grant calls"), "revitalization:call_list"),
            (_("Grant applications"), "revitalization:application_list"),
            (_("Grant agreements"), "revitalization:agreement_list"),
            (_("Business visits due"), "revitalization:visit_due_list"),
            (_("Vocational courses"), "revitalization:course_list"),
            (_("Community centres"), "revitalization:centre_list"),
            (_("Social-cohesion activities"), "revitalization:activity_list"),
        ):
            revitalization_children.append({"label": label, "url": reverse(name)})
    if has_permission(user, "revitalization.score_application"):
        revitalization_children.append(
            {"label": _("Score applications"), "url": reverse("revitalization:scoring_list")}
        )
    if revitalization_children:
        items.append(
            {
                "label": _("Revitalization"),
                "icon": "people",
                "children": revitalization_children,
                "url": revitalization_children[0]["url"],
            }
        )
    feedback_children: list[dict[str, Any]] = []
    if has_permission(user, "feedback.view_case"):
        feedback_children.append({"label": _("Cases"), "url": reverse("feedback:case_list")})
    if has_permission(user, "feedback.log_case"):
        feedback_children.append({"label": _("Log a case"), "url": reverse("feedback:case_create")})
    if has_permission(user, "feedback.view_inbox"):
        feedback_children += [
            {"label": _("Inbox"), "url": reverse("feedback:inbox")},
            {"label": _("Contacts"), "url": reverse("feedback:contact_list")},
        ]
    if has_permission(user, "feedback.view_campaign"):
        feedback_children += [
            {"label": _("Campaigns"), "url": reverse("feedback:campaign_list")},
            {"label": _("Community sessions"), "url": reverse("feedback:session_list")},
            {"label": _("Channels"), "url": reverse("feedback:channel_list")},
        ]
    elif has_permission(user, "feedback.manage_session"):
        feedback_children.append(
            {"label": _("Community sessions"), "url": reverse("feedback:session_list")}
        )
    if has_permission(user, "feedback.view_trends"):
        feedback_children.append({"label": _("Trends"), "url": reverse("feedback:case_trends")})
    if feedback_children:
        items.append(
            {
                "label": _("Feedback"),
                "icon": "chat-dots",
                "children": feedback_children,
                "url": feedback_children[0]["url"],
            }
        )
    place_children: list[dict[str, Any]] = []
    if has_permission(user, "geo.view_place"):
        place_children.append({"label": _("Places"), "url": reverse("geo:place_list")})
    if has_permission(user, "geo.view_adminunit"):
        place_children.append({"label": _("Admin units"), "url": reverse("geo:adminunit_list")})
    if place_children:
        # One menu for both, so the bar fits a laptop screen with every programme area.
        items.append(
            {
                "label": _("Places"),
                "icon": "geo-alt",
                "children": place_children,
                "url": place_children[0]["url"],
            }
        )
    admin_children = []
    if has_permission(user, "accounts.view_user"):
        admin_children.append({"label": _("Users"), "url": reverse("accounts:user_list")})
    if has_permission(user, "accounts.view_organisation"):
        admin_children.append(
            {"label": _("Organisations"), "url": reverse("accounts:organisation_list")}
        )
    if has_permission(user, "core.view_audit"):
        admin_children.append({"label": _("Audit trail"), "url": reverse("core:audit_list")})
        admin_children.append(
            {"label": _("Views of personal records"), "url": reverse("core:access_list")}
        )
    admin_children.append({"label": _("Jobs"), "url": reverse("core:job_list")})
    items.append({"label": _("Administration"), "icon": "gear", "children": admin_children})
    return items


def _reaches(user: Any, code: str) -> bool:
    return any(
        g.all_programmes or code in g.programmes
        for g in user.scope_grants("programmes.view_programme")
    )


def shell(request: HttpRequest) -> dict[str, Any]:
    lang = (get_language() or "en").split("-")[0]
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "nav_items": _nav(request),
        # Pages of lower apps (the household and import pages) offer deduplication's
        # fragments only to those who may use them.
        "can_view_duplicates": signed_in and has_permission(user, "dedup.view_pair"),
        "can_find_duplicates": signed_in and has_permission(user, "dedup.run"),
        "current_lang": lang,
        "is_rtl": get_language_bidi(),
        "language_choices": [
            (code, LANGUAGE_LABELS.get(code, name)) for code, name in settings.LANGUAGES
        ],
        "sanad_env": settings.SANAD_ENV,
    }
