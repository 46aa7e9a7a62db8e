"""Roles and what each may do. A permission is "app.action_thing"; a role assignment
grants its role's permissions within its scope (governorates × programmes).

Later modules add their permissions here, next to the roles that need them: one table
to read when asking "who can see this?".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    IM_OFFICER = "im_officer", _("Information-management officer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    FIELD_ENUMERATOR = "field_enumerator", _("Field enumerator")
    CAMP_MANAGER = "camp_manager", _("Camp manager")
    WAREHOUSE_OFFICER = "warehouse_officer", _("Warehouse officer")
    TRANSPORT_OFFICER = "transport_officer", _("Transport officer")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    PSEA_FOCAL_POINT = "psea_focal_point", _("PSEA focal point")
    FEEDBACK_MANAGER = "feedback_manager", _("Accountability manager (feedback and complaints)")
    MAINTENANCE_TEAM = "maintenance_team", _("Maintenance team (care and maintenance)")
    SHELTER_ENGINEER = "shelter_engineer", _("Shelter engineer (assessments and inspections)")
    GRANT_COMMITTEE = "grant_committee", _("Grant committee member (scores applications)")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    VENDOR_STAFF = "vendor_staff", _("Vendor staff (redeems e-vouchers)")
    ME_VIEWER = "me_viewer", _("M&E viewer")
    DONOR_VIEWER = "donor_viewer", _("Donor viewer (aggregates only)")


# Every permission that exists, with what it allows; tests check that each role's
# permissions are listed here.
PERMISSIONS: dict[str, str] = {
    "geo.view_adminunit": "See the admin units (P-codes) of Iraq.",
    "geo.view_place": "See places (camps, sites, villages, border points, warehouses, offices).",
    "geo.manage_place": "Add places, edit them, open and close them.",
    "geo.export_place": "Export the list of places.",
    "accounts.view_organisation": "See organisations.",
    "accounts.manage_organisation": "Add and edit organisations.",
    "accounts.view_user": "See user accounts and their roles.",
    "accounts.manage_user": "Add users, assign roles and scopes, deactivate accounts.",
    "programmes.view_programme": "See programmes, donor projects, activities and targets.",
    "programmes.manage_programme": "Add and edit donor projects, activities and targets.",
    "reporting.view_aggregates": "See aggregate figures on dashboards.",
    "reporting.manage_indicators": "Define indicators and refresh the reporting summary.",
    "reporting.export_reports": "Export the 3W/4W/5W and donor reports, and schedule exports.",
    "core.view_audit": "Review the audit trail and the log of views of personal records.",
    "core.view_all_jobs": "See every background job, not only one's own.",
    "registry.view_household": "Find households and open their records (names, members, documents).",
    "registry.manage_household": "Register households and edit them, their members and consent.",
    "registry.import_households": "Import households from Kobo exports and spreadsheets.",
    "registry.print_cards": "Print household cards.",
    "assistance.view_assistance": "See the assistance households received.",
    "assistance.record_assistance": "Record a delivery in the assistance ledger by hand.",
    "dedup.view_pair": "See possible duplicates, deduplication runs and merges of households.",
    "dedup.review_pair": "Confirm (merge) or reject possible duplicates, and undo merges.",
    "dedup.run": "Run duplicate detection and link partners' lists to the registry.",
    "dedup.change_settings": "Set the deduplication thresholds of each programme.",
    "targeting.view_list": "See beneficiary lists, their households and why each is in or out.",
    "targeting.manage_list": "Build eligibility rules and beneficiary lists, include or exclude households by hand, lock lists.",
    "targeting.approve_list": "Approve a beneficiary list someone else locked, and close lists.",
    "targeting.manage_model": "Create vulnerability scoring models and their versions (PMT coefficients).",
    "targeting.export_list": "Export beneficiary lists (XLSX, PDF) for field verification.",
    "stock.view_stock": "See the NFI catalogue, warehouses, stock balances, stock cards and movements.",
    "stock.manage_catalogue": "Add and edit items, kits and their versions, item costs and season windows.",
    "stock.manage_warehouse": "Add and edit warehouses, their managers and low-stock levels.",
    "stock.record_movement": "Receive stock, transfer it, assemble kits, request adjustments and record physical counts.",
    "stock.approve_adjustment": "Approve or reject stock adjustments and count differences someone else requested.",
    "distribution.view_distribution": "See distribution plans, events, receipts, reconciliations and monitoring samples.",
    "distribution.manage_plan": "Plan distributions from approved lists, schedule and cancel events, dispatch kits, draw monitoring samples.",
    "distribution.record_receipt": "Check households in on distribution day and record their receipts.",
    "distribution.close_event": "Close a distribution event and reconcile its kits.",
    "cash.view_cash": "See cash and voucher plans, entitlements, vouchers, vendors, redemptions, payment requests, payments and fraud signals.",
    "cash.manage_plan": "Create cash and voucher plans from approved lists, issue, cancel and re-issue vouchers, record conditions met.",
    "cash.approve_plan": "Approve a cash or voucher plan someone else created (its entitlements are then created).",
    "cash.manage_vendor": "Register vendors, their contracts, price lists and staff accounts; suspend vendors.",
    "cash.redeem_voucher": "Redeem e-vouchers at the vendor one works for (vendor staff).",
    "cash.request_payment": "Reconcile vendors' redemptions into payment requests and submit them.",
    "cash.approve_payment": "Approve or reject payment requests someone else submitted, and record them paid.",
    "cash.manage_transfers": "Export payment lists for the financial service provider, import its results, make follow-up lists.",
    "feedback.view_case": "See feedback cases (complaints, requests, feedback) in scope; not the restricted ones.",
    "feedback.log_case": "Record a case from any channel (hotline call, help desk, suggestion box, meeting, message).",
    "feedback.manage_case": "Acknowledge, assign, refer, answer and close feedback cases.",
    "feedback.view_conduct": "See and handle complaints about staff or partner conduct (managers).",
    "feedback.handle_psea": "See and handle reports of sexual exploitation and abuse (PSEA focal points only).",
    "feedback.view_inbox": "See contacts and the two-way inbox of messages.",
    "feedback.reply": "Reply to contacts and turn a message into a case.",
    "feedback.manage_contact": "Add contacts, record their consent, opt them out or back in.",
    "feedback.view_campaign": "See campaigns, their reports, channels and community sessions.",
    "feedback.manage_campaign": "Create campaigns, choose their audience and texts, schedule and send them.",
    "feedback.manage_channel": "Configure channels and their rate limits, and the response deadlines per category.",
    "feedback.manage_session": "Record focus groups, awareness sessions and theatre events and their findings.",
    "feedback.view_trends": "See the trends of feedback cases (counts by category, place, month; response times).",
    "camps.view_site": "See sites (camps, informal sites, collective centres), their population, monitoring, infrastructure, tickets, hazards, trainings and closure plans.",
    "camps.manage_site": "Register sites, their capacity, plots and shelters, and which households live where.",
    "camps.record_monitoring": "Record and submit monthly site monitoring rounds.",
    "camps.manage_standards": "Edit the camp standards indicators are held to.",
    "camps.raise_ticket": "Raise care-and-maintenance tickets (also from residents' feedback cases).",
    "camps.manage_ticket": "Triage, assign and verify maintenance tickets; set preventive maintenance schedules; record assets.",
    "camps.work_ticket": "Record the work done on an assigned maintenance ticket, with photos.",
    "camps.record_mrt": "Record Mobile Response Team visits, hazard assessments and mitigation actions.",
    "camps.manage_training": "Record trainings for camp-management actors, participants and test scores.",
    "camps.manage_closure": "Plan camp closures and consolidations: households, destinations and dates.",
    "shelter.view_shelter": "See damage assessments, rehabilitation cases, inspections, contracts, site upgrades and road projects, and the price catalogue.",
    "shelter.assess_damage": "Record damage assessments of houses, with photos and the bill of quantities.",
    "shelter.inspect_works": "Record and sign off inspections of works (signing off a milestone releases a family's next cash tranche).",
    "shelter.manage_case": "Validate assessments, prioritise them, open rehabilitation cases, record handovers and defects.",
    "shelter.manage_contract": "Register contractors, run tenders, award and manage works contracts, certify milestones and release retention.",
    "shelter.manage_catalogue": "Edit the price catalogue bills of quantities are estimated from.",
    "shelter.manage_site_works": "Plan and follow critical-shelter upgrades in sites and camp-road projects.",
    "transport.view_movement": "See movement requests, their households and passengers, convoys, manifests, incidents and the fleet.",
    "transport.manage_movement": "Create movement requests, record declarations and fitness to travel, plan convoys, print manifests, check departures and arrivals, record incidents.",
    "transport.approve_movement": "Approve a movement request someone else submitted, or return it.",
    "transport.manage_fleet": "Register transport contractors and contracts, vehicles and drivers.",
    "revitalization.view_revitalization": "See communities and their assessments, infrastructure projects, grant calls and applications, courses, community centres, social-cohesion activities and the programme's dashboard.",
    "revitalization.manage_community": "Record communities and their assessments, infrastructure projects (milestones, workers, handover), community centres and social-cohesion activities.",
    "revitalization.manage_grants": "Run business-grant calls: applications, eligibility, selection, business plans, agreements, tranches and follow-up visits.",
    "revitalization.score_application": "Score grant applications as a member of a call's committee (after declaring conflicts of interest).",
    "revitalization.manage_training": "Register training providers and courses, enrol trainees, record attendance, completion and job placement.",
}

ALL = frozenset(PERMISSIONS)
# Knowing that an abuse report or a conduct complaint exists is restricted to the people
# who handle them: not even administrators hold these unless given the role (they can
# assign it, and that assignment is in the audit trail).
SENSITIVE = frozenset({"feedback.handle_psea", "feedback.view_conduct"})
_CASES = {"feedback.view_case", "feedback.log_case", "feedback.manage_case", "feedback.view_trends"}
_SEE_PLACES = {
    "geo.view_adminunit",
    "geo.view_place",
    "programmes.view_programme",
    "accounts.view_organisation",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: ALL - SENSITIVE,
    Role.IM_OFFICER: frozenset(
        _SEE_PLACES
        | {
            "geo.manage_place",
            "geo.export_place",
            "accounts.view_user",
            "reporting.view_aggregates",
            "reporting.manage_indicators",
            "reporting.export_reports",
            "core.view_all_jobs",
            "registry.view_household",
            "registry.manage_household",
            "registry.import_households",
            "registry.print_cards",
            "assistance.view_assistance",
            "dedup.view_pair",
            "dedup.review_pair",
            "dedup.run",
            "targeting.view_list",
            "targeting.manage_list",
            "targeting.manage_model",
            "targeting.export_list",
            "stock.view_stock",
            "distribution.view_distribution",
            "cash.view_cash",
            "feedback.view_campaign",
            "feedback.view_trends",
            "camps.view_site",
            "camps.manage_site",
            "camps.manage_standards",
            "shelter.view_shelter",
            "shelter.manage_catalogue",
            "transport.view_movement",
            "revitalization.view_revitalization",
        }
    ),
    Role.PROGRAMME_OFFICER: frozenset(
        _SEE_PLACES
        | {
            "programmes.manage_programme",
            "reporting.view_aggregates",
            "reporting.export_reports",
            "geo.export_place",
            "registry.view_household",
            "registry.manage_household",
            "registry.print_cards",
            "assistance.view_assistance",
            "assistance.record_assistance",
            "dedup.view_pair",
            "targeting.view_list",
            "targeting.manage_list",
            "targeting.approve_list",
            "targeting.manage_model",
            "targeting.export_list",
            "stock.view_stock",
            "distribution.view_distribution",
            "distribution.manage_plan",
            "distribution.record_receipt",
            "distribution.close_event",
            "cash.view_cash",
            "cash.manage_plan",
            "cash.approve_plan",
            "cash.manage_vendor",
            "feedback.view_case",
            "feedback.log_case",
            "feedback.manage_case",
            "feedback.view_inbox",
            "feedback.reply",
            "feedback.manage_contact",
            "feedback.view_campaign",
            "feedback.manage_campaign",
            "feedback.manage_session",
            "feedback.view_trends",
            "camps.view_site",
            "camps.raise_ticket",
            "camps.manage_training",
            "camps.manage_closure",
            "shelter.view_shelter",
            "shelter.assess_damage",
            "shelter.manage_case",
            "shelter.manage_contract",
            "shelter.manage_catalogue",
            "shelter.manage_site_works",
            "transport.view_movement",
            "transport.manage_movement",
            "transport.approve_movement",
            "revitalization.view_revitalization",
            "revitalization.manage_community",
            "revitalization.manage_grants",
            "revitalization.score_application",
            "revitalization.manage_training",
        }
    ),
    # Field teams verify lists in their governorates (targeting.export_list: the sheets).
    Role.FIELD_ENUMERATOR: frozenset(
        _SEE_PLACES
        | {
            "registry.view_household",
            "registry.manage_household",
            "targeting.view_list",
            "targeting.export_list",
            "distribution.view_distribution",
            "distribution.record_receipt",
            "feedback.log_case",
            "feedback.manage_session",
            "camps.view_site",
            "camps.record_monitoring",
            "camps.raise_ticket",
            "camps.record_mrt",
            "shelter.view_shelter",
            "shelter.assess_damage",
        }
    ),
    Role.CAMP_MANAGER: frozenset(
        _SEE_PLACES
        | {
            "geo.manage_place",
            "reporting.view_aggregates",
            "registry.view_household",
            "registry.manage_household",
            "registry.print_cards",
            "assistance.view_assistance",
            "targeting.view_list",
            "distribution.view_distribution",
            "feedback.view_case",
            "feedback.log_case",
            "feedback.manage_case",
            "feedback.view_campaign",
            "feedback.manage_session",
            "feedback.view_trends",
            "camps.view_site",
            "camps.manage_site",
            "camps.record_monitoring",
            "camps.raise_ticket",
            "camps.manage_ticket",
            "camps.work_ticket",
            "camps.record_mrt",
            "camps.manage_training",
            "camps.manage_closure",
            "shelter.view_shelter",
            "shelter.manage_site_works",
            "transport.view_movement",
        }
    ),
    # Warehouses receive, kit, dispatch and count; approving an adjustment is a second
    # officer's job (never the requester: services check it).
    Role.WAREHOUSE_OFFICER: frozenset(
        _SEE_PLACES
        | {
            "registry.view_household",
            "assistance.view_assistance",
            "stock.view_stock",
            "stock.manage_catalogue",
            "stock.manage_warehouse",
            "stock.record_movement",
            "stock.approve_adjustment",
            "distribution.view_distribution",
            "distribution.close_event",
        }
    ),
    # Transport officers run movements end to end and keep the fleet; at a border point
    # they register new arrivals with a minimal record (registry.manage_household).
    # Approving a movement is a programme officer's (never who submitted it).
    Role.TRANSPORT_OFFICER: frozenset(
        _SEE_PLACES
        | {
            "registry.view_household",
            "registry.manage_household",
            "assistance.view_assistance",
            "camps.view_site",
            "transport.view_movement",
            "transport.manage_movement",
            "transport.manage_fleet",
        }
    ),
    # Care-and-maintenance teams see the sites and record the work on their tickets.
    Role.MAINTENANCE_TEAM: frozenset(_SEE_PLACES | {"camps.view_site", "camps.work_ticket"}),
    # Engineers assess damage and inspect works (signing off milestones); they see the
    # households whose houses they assess, and the sites where upgrades are made.
    Role.SHELTER_ENGINEER: frozenset(
        _SEE_PLACES
        | {
            "registry.view_household",
            "camps.view_site",
            "shelter.view_shelter",
            "shelter.assess_damage",
            "shelter.inspect_works",
        }
    ),
    # The hotline answers "why was I not selected?": the explanation and appeal look-up.
    # It also logs calls as cases, answers the inbox and closes the loop by calling back.
    Role.HOTLINE_OPERATOR: frozenset(
        _SEE_PLACES
        | _CASES
        | {
            "registry.view_household",
            "assistance.view_assistance",
            "targeting.view_list",
            "feedback.view_inbox",
            "feedback.reply",
            "feedback.manage_contact",
            "feedback.view_campaign",
            "camps.raise_ticket",
        }
    ),
    # The only role that sees reports of sexual exploitation and abuse.
    Role.PSEA_FOCAL_POINT: frozenset(
        _SEE_PLACES | _CASES | {"registry.view_household", "feedback.handle_psea"}
    ),
    # Runs the feedback mechanism: channels, deadlines, campaigns, and the complaints
    # about staff or partner conduct (not abuse reports: those are the focal points').
    Role.FEEDBACK_MANAGER: frozenset(
        _SEE_PLACES
        | _CASES
        | {
            "registry.view_household",
            "targeting.view_list",
            "reporting.view_aggregates",
            "feedback.view_conduct",
            "feedback.view_inbox",
            "feedback.reply",
            "feedback.manage_contact",
            "feedback.view_campaign",
            "feedback.manage_campaign",
            "feedback.manage_channel",
            "feedback.manage_session",
            "camps.raise_ticket",
        }
    ),
    # Finance reconciles vendors and pays them, and runs transfers through the provider;
    # the second signature on a payment request is always another finance officer.
    Role.FINANCE_OFFICER: frozenset(
        _SEE_PLACES
        | {
            "cash.view_cash",
            "cash.request_payment",
            "cash.approve_payment",
            "cash.manage_transfers",
            "reporting.view_aggregates",
            "shelter.view_shelter",
        }
    ),
    # A vendor's cashier: the redemption page and nothing about anyone else.
    Role.VENDOR_STAFF: frozenset({"cash.redeem_voucher"}),
    Role.ME_VIEWER: frozenset(
        _SEE_PLACES
        | {
            "reporting.view_aggregates",
            "reporting.manage_indicators",
            "reporting.export_reports",
            "geo.export_place",
            "assistance.view_assistance",
            "stock.view_stock",
            "distribution.view_distribution",
            "cash.view_cash",
            "feedback.view_campaign",
            "feedback.view_trends",
            "camps.view_site",
            "shelter.view_shelter",
            "revitalization.view_revitalization",
        }
    ),
    # Committee members of business-grant calls score the applications they are asked to.
    Role.GRANT_COMMITTEE: frozenset(
        _SEE_PLACES | {"revitalization.view_revitalization", "revitalization.score_application"}
    ),
    # Donors see aggregates and the projects they fund; no records about people or places.
    # Their exports (4W, donor reports) always have small counts suppressed.
    Role.DONOR_VIEWER: frozenset(
        {
            "geo.view_adminunit",
            "programmes.view_programme",
            "reporting.view_aggregates",
            "reporting.export_reports",
        }
    ),
}


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
