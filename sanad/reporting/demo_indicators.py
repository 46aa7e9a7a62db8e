"""Demo indicators: one for every target of the demo's donor projects
(`sanad.web.demo_data.PROJECTS`), matched to what the modules actually write to the
ledger (the item codes below are those of the demo's deliveries: `seed_demo`'s
assistance plans, the distribution and cash demos, the shelter, transport and
revitalization services), or to a module's own figure where the ledger does not hold it
(metres of road, sites visited, feedback cases, people benefiting from infrastructure);
and a few mission-wide ones. Names in English, Arabic and Kurdish (Sorani).

Idempotent: an indicator whose code exists is left as it is (someone may have edited it).
"""

from __future__ import annotations

from typing import Any

from sanad.reporting.models import Indicator

UPGRADES = [
    "shelter_sealing_off",
    "shelter_windows_doors",
    "shelter_partitions",
    "shelter_latrines",
    "shelter_electrical",
]

# code, (en, ar, ckb), definition, measure, programme, kinds, items, unit, metric, order
INDICATORS: list[dict[str, Any]] = [
    # --- mission-wide --------------------------------------------------------------------------
    {
        "code": "people_reached",
        "names": (
            "Unique people reached",
            "عدد الأشخاص الذين وصلتهم المساعدة (دون تكرار)",
            "ژمارەی ئەو کەسانەی هاوکارییان پێگەیشتووە (بێ دووبارەبوونەوە)",
        ),
        "definition": "Each person once, whatever number of deliveries, programmes, places and "
        "months reached them: the people named on a delivery, and the members of a household "
        "a delivery was made to. Records merged as duplicates count once.",
        "measure": "people",
        "sort_order": 10,
    },
    {
        "code": "households_reached",
        "names": (
            "Unique households reached",
            "عدد الأسر التي وصلتها المساعدة (دون تكرار)",
            "ژمارەی ئەو خێزانانەی هاوکارییان پێگەیشتووە (بێ دووبارەبوونەوە)",
        ),
        "definition": "Each household once, whatever number of deliveries reached it or its "
        "members. Households merged as duplicates count once.",
        "measure": "households",
        "sort_order": 20,
    },
    {
        "code": "value_cash_vouchers_usd",
        "names": (
            "Value of cash and vouchers delivered (USD)",
            "قيمة المساعدات النقدية والقسائم المقدمة (بالدولار الأمريكي)",
            "بەهای پارەی نەختینە و پسوولە گەیەندراوەکان (دۆلاری ئەمریکی)",
        ),
        "definition": "The value of every cash payment and voucher redemption recorded in the "
        "ledger, in US dollars: amounts in Iraqi dinars are converted at the exchange rate "
        "recorded on each payment.",
        "measure": "value_usd",
        "kinds": ["cash", "voucher"],
        "sort_order": 30,
    },
    {
        "code": "feedback_cases_closed",
        "names": (
            "Feedback cases closed",
            "حالات الشكاوى والملاحظات المغلقة",
            "کەیسە داخراوەکانی سکاڵا و تێبینی",
        ),
        "definition": "Complaints, requests and feedback from any channel closed in the "
        "period. Reports of abuse and complaints about staff conduct are not counted.",
        "measure": "module",
        "metric": "cwc_cases_closed",
        "sort_order": 40,
    },
    # --- NFI -----------------------------------------------------------------------------------
    {
        "code": "households_nfi_winter",
        "names": (
            "Households receiving a winter kit",
            "الأسر التي تلقت حقيبة الشتاء",
            "ئەو خێزانانەی کیتی زستانەیان وەرگرتووە",
        ),
        "definition": "Unique households that received a winter kit (item winter_kit), at a "
        "distribution event or recorded directly; a household that received two kits counts "
        "once.",
        "measure": "households",
        "programme": "NFI",
        "kinds": ["in_kind"],
        "items": ["winter_kit"],
        "sort_order": 100,
    },
    {
        "code": "winter_kits_distributed",
        "names": (
            "Winter kits distributed",
            "حقائب الشتاء الموزعة",
            "کیتە زستانەییە دابەشکراوەکان",
        ),
        "definition": "The number of winter kits handed over (the quantity of item winter_kit "
        "in kits): a household that received two kits counts two.",
        "measure": "quantity",
        "programme": "NFI",
        "items": ["winter_kit"],
        "unit": "kit",
        "sort_order": 105,
    },
    {
        "code": "households_nfi_replacement",
        "names": (
            "Households receiving a replacement kit",
            "الأسر التي تلقت حقيبة بديلة",
            "ئەو خێزانانەی کیتی جێگرەوەیان وەرگرتووە",
        ),
        "definition": "Unique households that received a replacement kit (item "
        "winter_replacement_kit), for families newly displaced or who lost their items.",
        "measure": "households",
        "programme": "NFI",
        "items": ["winter_replacement_kit"],
        "sort_order": 110,
    },
    {
        "code": "people_reached_cash",
        "names": (
            "People reached with cash and e-vouchers for NFIs",
            "الأشخاص الذين وصلتهم المساعدات النقدية والقسائم الإلكترونية للمواد غير الغذائية",
            "ئەو کەسانەی پارەی نەختینە و پسوولەی ئەلیکترۆنییان بۆ کەلوپەلی ناخۆراکی پێگەیشتووە",
        ),
        "definition": "Unique people in the households that redeemed an NFI e-voucher or were "
        "paid NFI cash (kinds voucher and cash of the NFI programme); a payment to a household "
        "counts its members.",
        "measure": "people",
        "programme": "NFI",
        "kinds": ["cash", "voucher"],
        "sort_order": 120,
    },
    # --- shelter -------------------------------------------------------------------------------
    {
        "code": "houses_rehabilitated",
        "names": (
            "Houses rehabilitated",
            "المنازل التي أعيد تأهيلها",
            "ئەو خانووانەی نۆژەنکراونەتەوە",
        ),
        "definition": "Houses handed over to their family after rehabilitation, one ledger "
        "record each (item shelter_rehabilitation), whatever the modality: direct, by a "
        "contractor or with cash.",
        "measure": "records",
        "programme": "SHELTER",
        "items": ["shelter_rehabilitation"],
        "sort_order": 200,
    },
    {
        "code": "households_cash_shelter",
        "names": (
            "Households completing rehabilitation with cash",
            "الأسر التي أكملت إعادة تأهيل منازلها بالمساعدة النقدية",
            "ئەو خێزانانەی بە پارەی نەختینە نۆژەنکردنەوەی خانووەکەیان تەواو کردووە",
        ),
        "definition": "Rehabilitation cases in the cash modality (beneficiary-led, paid in "
        "tranches) handed over in the period, one per house. Cash tranches paid to houses not "
        "yet finished are not counted.",
        "measure": "module",
        "programme": "SHELTER",
        "metric": "shelter_cash_houses_completed",
        "sort_order": 210,
    },
    {
        "code": "shelters_upgraded",
        "names": (
            "Shelters upgraded in sites",
            "المآوي التي تم تحسينها في المواقع",
            "ئەو پەناگانەی لە شوێنەکاندا باشترکراون",
        ),
        "definition": "Unique households whose shelter in a camp or site was upgraded: "
        "sealing-off kits, windows and doors, partitions, latrines or electrical rewiring "
        "(items shelter_sealing_off, shelter_windows_doors, shelter_partitions, "
        "shelter_latrines, shelter_electrical); a household reached by two upgrades counts "
        "once.",
        "measure": "households",
        "programme": "SHELTER",
        "items": UPGRADES,
        "sort_order": 220,
    },
    {
        "code": "road_metres",
        "names": (
            "Metres of camp road rehabilitated",
            "أمتار طرق المخيمات التي أعيد تأهيلها",
            "مەتری ڕێگای کەمپەکان کە نۆژەنکراونەتەوە",
        ),
        "definition": "The length of camp road rehabilitated in the period, from the road "
        "projects' progress reports (their whole length once completed).",
        "measure": "module",
        "programme": "SHELTER",
        "metric": "shelter_road_metres",
        "sort_order": 230,
    },
    # --- CCCM ----------------------------------------------------------------------------------
    {
        "code": "sites_mrt_visited",
        "names": (
            "Sites visited by Mobile Response Teams",
            "المواقع التي زارتها فرق الاستجابة المتنقلة",
            "ئەو شوێنانەی تیمە گەڕۆکەکانی وەڵامدانەوە سەردانیان کردوون",
        ),
        "definition": "Informal sites (and other sites) that a Mobile Response Team visited at "
        "least once in the period, each site once. Whether a site was visited every month is "
        "shown by month on the indicator's page.",
        "measure": "module",
        "programme": "CCCM",
        "metric": "cccm_sites_visited_mrt",
        "sort_order": 300,
    },
    {
        "code": "people_in_sites",
        "names": (
            "People living in sites",
            "الأشخاص المقيمون في المواقع",
            "ئەو کەسانەی لە شوێنەکاندا دەژین",
        ),
        "definition": "People living in the camps, informal sites and collective centres open "
        "at the end of the period, from each site's latest population count.",
        "measure": "module",
        "programme": "CCCM",
        "metric": "cccm_people_in_sites",
        "sort_order": 310,
    },
    # --- transport -----------------------------------------------------------------------------
    {
        "code": "people_transported",
        "names": (
            "People transported safely",
            "الأشخاص الذين تم نقلهم بأمان",
            "ئەو کەسانەی بە سەلامەتی گواستراونەتەوە",
        ),
        "definition": "Unique people in the households that arrived on a movement (border to "
        "camp, relocation on camp closure, family reunification): deliveries of kind "
        "transport of the transportation programme, a household's counting its members.",
        "measure": "people",
        "programme": "TRANSPORT",
        "kinds": ["transport"],
        "sort_order": 400,
    },
    # --- communication with communities --------------------------------------------------------
    {
        "code": "feedback_closed_loop",
        "names": (
            "Feedback cases closed with the person informed",
            "حالات الملاحظات المغلقة مع إبلاغ صاحبها بالنتيجة",
            "ئەو کەیسانەی فیدباک کە داخراون و خاوەنەکەی ئاگادار کراوەتەوە",
        ),
        "definition": "Feedback cases closed in the period for which the person confirmed they "
        "were told the outcome (the loop was closed), from any channel and about any "
        "programme. Reports of abuse and complaints about staff conduct are not counted.",
        "measure": "module",
        "metric": "cwc_cases_closed_loop",
        "sort_order": 500,
    },
    # --- community revitalization --------------------------------------------------------------
    {
        "code": "businesses_supported",
        "names": (
            "Small businesses supported with grants",
            "المشاريع الصغيرة المدعومة بالمنح",
            "ئەو کارە بچووکانەی بە بەخشین پشتگیری کراون",
        ),
        "definition": "Unique households paid at least one tranche of a business grant (item "
        "crp_business_grant): one business per household.",
        "measure": "households",
        "programme": "CRP",
        "items": ["crp_business_grant"],
        "sort_order": 600,
    },
    {
        "code": "people_benefiting_infrastructure",
        "names": (
            "People benefiting from rehabilitated infrastructure",
            "الأشخاص المستفيدون من البنى التحتية التي أعيد تأهيلها",
            "ئەو کەسانەی سوود لە ژێرخانە نۆژەنکراوەکان وەردەگرن",
        ),
        "definition": "The population served by community infrastructure projects completed "
        "or handed over in the period, as estimated for each project; within a community only "
        "the largest figure counts.",
        "measure": "module",
        "programme": "CRP",
        "metric": "crp_people_benefiting_infrastructure",
        "sort_order": 610,
    },
    {
        "code": "people_trained",
        "names": (
            "People completing vocational training",
            "الأشخاص الذين أكملوا التدريب المهني",
            "ئەو کەسانەی ڕاهێنانی پیشەییان تەواو کردووە",
        ),
        "definition": "Unique people who completed a vocational training course (item "
        "crp_vocational_training, recorded when a trainee meets the course's completion "
        "rules).",
        "measure": "people",
        "programme": "CRP",
        "kinds": ["training"],
        "items": ["crp_vocational_training"],
        "sort_order": 620,
    },
    {
        "code": "communities_reached",
        "names": (
            "Communities reached by community revitalization",
            "المجتمعات التي وصلها برنامج إنعاش المجتمعات",
            "ئەو کۆمەڵگایانەی بەرنامەی بووژاندنەوەی کۆمەڵگا گەیشتووەتە لایان",
        ),
        "definition": "Each community once where, in the period, an infrastructure project was "
        "completed, a business grant agreement signed, a course finished with trainees who "
        "completed it, or a social-cohesion activity held.",
        "measure": "module",
        "programme": "CRP",
        "metric": "crp_communities_reached",
        "sort_order": 630,
    },
]


def seed(*, user: Any) -> dict[str, int]:
    """Create the demo's indicators that do not exist yet (by code); returns how many
    were created and how many were there already."""
    from sanad.reporting.services.indicators import indicator_create

    existing = set(Indicator.objects.values_list("code", flat=True))
    created = 0
    for spec in INDICATORS:
        if spec["code"] in existing:
            continue
        name_en, name_ar, name_ckb = spec["names"]
        indicator_create(
            user=user,
            data={
                "code": spec["code"],
                "name_en": name_en,
                "name_ar": name_ar,
                "name_ckb": name_ckb,
                "definition": spec["definition"],
                "measure": spec["measure"],
                "programme": spec.get("programme"),
                "kinds": spec.get("kinds", []),
                "items": spec.get("items", []),
                "unit": spec.get("unit", ""),
                "metric": spec.get("metric", ""),
                "sort_order": spec["sort_order"],
            },
        )
        created += 1
    return {"created": created, "existing": len(INDICATORS) - created}
