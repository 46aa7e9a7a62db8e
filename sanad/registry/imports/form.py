"""The registration form, defined once.

The same definition produces the XLSForm that field teams fill in KoboCollect or ODK
Collect (`xlsform.py`), names the columns of the Sanad template (`template_file.py`) and
tells the importer how to read a Kobo export of that form with no mapping work
(`mapping.py`): a question's XML name is the column name, its choices' names are the
values, and the labels in English, Arabic and Kurdish (Sorani) are accepted too, because
Kobo can export labels instead of names.

Labels carry all three languages at once (an XLSForm holds every language in one file),
so they are written here rather than looked up in the gettext catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English (en)"),
    ("ar", "Arabic (ar)"),
    ("ckb", "Kurdish (ckb)"),
)

HOUSEHOLD = "household"
MEMBERS = "members"

Labels = dict[str, str]


def L(en: str, ar: str, ckb: str) -> Labels:
    return {"en": en, "ar": ar, "ckb": ckb}


@dataclass(frozen=True)
class Choice:
    name: str
    label: Labels


@dataclass(frozen=True)
class Field:
    """One question of the form.

    kind: text, date, select_one, phone, pcode, yes_no, calculate or note.
    target: where the answer lands (a model field name, or a name the importer knows,
    such as `subdistrict`); None for questions that only help the enumerator.
    """

    name: str
    kind: str
    label: Labels
    group: str  # HOUSEHOLD or MEMBERS
    choices: str | None = None
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Labels | None = None
    hint: Labels | None = None
    choice_filter: str = ""
    calculation: str = ""
    appearance: str = ""
    max_length: int = 0
    target: str | None = None
    import_required: bool = False

    @property
    def imported(self) -> bool:
        return self.target is not None


YES_NO = [Choice("yes", L("Yes", "نعم", "بەڵێ")), Choice("no", L("No", "لا", "نەخێر"))]

CHOICES: dict[str, list[Choice]] = {
    "yes_no": YES_NO,
    "sex": [
        Choice("female", L("Female", "أنثى", "مێ")),
        Choice("male", L("Male", "ذكر", "نێر")),
    ],
    "relationship": [
        Choice("head", L("Head of household", "رب الأسرة", "سەرۆکی خێزان")),
        Choice("spouse", L("Spouse", "الزوج أو الزوجة", "هاوسەر")),
        Choice("son", L("Son", "ابن", "کوڕ")),
        Choice("daughter", L("Daughter", "ابنة", "کچ")),
        Choice("father", L("Father", "الأب", "باوک")),
        Choice("mother", L("Mother", "الأم", "دایک")),
        Choice("brother", L("Brother", "أخ", "برا")),
        Choice("sister", L("Sister", "أخت", "خوشک")),
        Choice("grandchild", L("Grandchild", "حفيد أو حفيدة", "نەوە")),
        Choice("grandparent", L("Grandparent", "جد أو جدة", "باپیر یان داپیر")),
        Choice("son_in_law", L("Son-in-law", "زوج الابنة", "زاوا")),
        Choice("daughter_in_law", L("Daughter-in-law", "زوجة الابن", "بووک")),
        Choice("other_relative", L("Other relative", "قريب آخر", "خزمی تر")),
        Choice("non_relative", L("Not related", "ليس من الأقارب", "خزم نییە")),
    ],
    "marital_status": [
        Choice("single", L("Single", "أعزب أو عزباء", "سەڵت")),
        Choice("married", L("Married", "متزوج أو متزوجة", "خێزاندار")),
        Choice("widowed", L("Widowed", "أرمل أو أرملة", "بێوەژن")),
        Choice("divorced", L("Divorced", "مطلق أو مطلقة", "تەڵاقدراو")),
        Choice("separated", L("Separated", "منفصل أو منفصلة", "جیابووەوە")),
    ],
    # Washington Group short set: the four standard answers.
    "wg": [
        Choice("1", L("No difficulty", "لا توجد صعوبة", "هیچ گرفتێکی نییە")),
        Choice("2", L("Some difficulty", "بعض الصعوبة", "هەندێک گرفتی هەیە")),
        Choice("3", L("A lot of difficulty", "صعوبة كبيرة", "گرفتێکی زۆری هەیە")),
        Choice("4", L("Cannot do at all", "لا يستطيع على الإطلاق", "هەرگیز ناتوانێت")),
    ],
    "displacement_status": [
        Choice("idp_in_camp", L("IDP in camp", "نازح في مخيم", "ئاوارە لە کەمپ")),
        Choice(
            "idp_out_of_camp",
            L("IDP out of camp", "نازح خارج المخيم", "ئاوارە لە دەرەوەی کەمپ"),
        ),
        Choice(
            "idp_informal_site",
            L("IDP in informal site", "نازح في موقع غير رسمي", "ئاوارە لە شوێنی نافەرمی"),
        ),
        Choice("returnee", L("Returnee", "عائد", "گەڕاوە")),
        Choice("host_community", L("Host community", "المجتمع المضيف", "کۆمەڵگەی خانەخوێ")),
        Choice("syrian_refugee", L("Syrian refugee", "لاجئ سوري", "پەنابەری سووری")),
    ],
    "shelter_type": [
        Choice("camp", L("Camp", "مخيم", "کەمپ")),
        Choice(
            "informal_settlement",
            L(
                "Critical shelter: informal settlement",
                "مأوى حرج: تجمع غير رسمي",
                "پەناگەی مەترسیدار: نیشتەجێبوونی نافەرمی",
            ),
        ),
        Choice(
            "religious_building",
            L(
                "Critical shelter: religious building",
                "مأوى حرج: مبنى ديني",
                "پەناگەی مەترسیدار: بینای ئایینی",
            ),
        ),
        Choice(
            "school",
            L(
                "Critical shelter: school building",
                "مأوى حرج: مبنى مدرسة",
                "پەناگەی مەترسیدار: بینای قوتابخانە",
            ),
        ),
        Choice(
            "unfinished_building",
            L(
                "Critical shelter: unfinished or abandoned building",
                "مأوى حرج: مبنى غير مكتمل أو مهجور",
                "پەناگەی مەترسیدار: بینای تەواونەکراو یان چۆڵکراو",
            ),
        ),
        Choice(
            "host_family",
            L("Private: host family", "سكن خاص: عائلة مضيفة", "تایبەت: خێزانی خانەخوێ"),
        ),
        Choice(
            "rented",
            L("Private: rented housing", "سكن خاص: سكن مستأجر", "تایبەت: خانووی بەکرێ"),
        ),
        Choice(
            "hotel",
            L("Private: hotel or motel", "سكن خاص: فندق أو نزل", "تایبەت: ئوتێل یان میوانخانە"),
        ),
        Choice("own_house", L("Private: own house", "سكن خاص: منزل مملوك", "تایبەت: خانووی خۆی")),
        Choice("unknown", L("Unknown", "غير معروف", "نەزانراو")),
    ],
    "document_kind": [
        Choice("national_id", L("National ID card", "البطاقة الوطنية الموحدة", "کارتی نیشتمانی")),
        Choice(
            "civil_id",
            L("Civil status ID", "هوية الأحوال المدنية", "ناسنامەی باری شارستانی"),
        ),
        Choice(
            "pds_card",
            L(
                "Public Distribution System ration card",
                "البطاقة التموينية",
                "کارتی خۆراکی بەشی گشتی",
            ),
        ),
        Choice("passport", L("Passport", "جواز سفر", "پاسپۆرت")),
        Choice("unhcr", L("UNHCR registration", "تسجيل المفوضية السامية للاجئين", "تۆماری UNHCR")),
    ],
    "language": [
        Choice("ar", L("Arabic", "العربية", "عەرەبی")),
        Choice("ckb", L("Kurdish (Sorani)", "الكردية (السورانية)", "کوردی (سۆرانی)")),
        Choice("kmr", L("Kurdish (Kurmanji)", "الكردية (الكرمانجية)", "کوردی (کورمانجی)")),
        Choice("en", L("English", "الإنكليزية", "ئینگلیزی")),
        Choice("tr", L("Turkmen", "التركمانية", "تورکمانی")),
    ],
}

# Admin units are reference data: their choice lists are filled from the database when
# the XLSForm is written (names are current P-codes), and the importer reads P-codes.
ADMIN_LISTS = ("governorate", "district", "subdistrict")

_PHONE_CONSTRAINT = "regex(., '^(\\+?964|00964|0)?7[0-9]{9}$')"
_PHONE_MESSAGE = L(
    "An Iraqi mobile number, such as 0750 123 4567.",
    "رقم هاتف نقال عراقي، مثل 0750 123 4567.",
    "ژمارەی مۆبایلی عێراقی، وەک 0750 123 4567.",
)
_NOT_FUTURE = ". <= today()"
_NOT_FUTURE_MESSAGE = L(
    "The date cannot be in the future.",
    "لا يمكن أن يكون التاريخ في المستقبل.",
    "بەروار نابێت لە داهاتوودا بێت.",
)
_DISPLACED = "${displacement_status} != 'host_community'"

H, M = HOUSEHOLD, MEMBERS

FIELDS: list[Field] = [
    # --- household -------------------------------------------------------------------
    Field(
        "consent",
        "yes_no",
        L(
            "Does the household agree to be registered, and to Sanad keeping its data to provide assistance?",
            "هل توافق الأسرة على التسجيل وعلى حفظ بياناتها في سند لتقديم المساعدة؟",
            "ئایا خێزانەکە ڕازییە تۆمار بکرێت و زانیارییەکانی لە سەنەد بپارێزرێن بۆ پێشکەشکردنی هاوکاری؟",
        ),
        H,
        choices="yes_no",
        required=True,
        target="consent",
        import_required=True,
    ),
    Field(
        "governorate",
        "select_one",
        L("Governorate", "المحافظة", "پارێزگا"),
        H,
        choices="governorate",
        required=True,
        target="governorate",
    ),
    Field(
        "district",
        "select_one",
        L("District", "القضاء", "قەزا"),
        H,
        choices="district",
        required=True,
        choice_filter="governorate=${governorate}",
        target="district",
    ),
    Field(
        "subdistrict",
        "select_one",
        L("Sub-district", "الناحية", "ناحیە"),
        H,
        choices="subdistrict",
        required=True,
        choice_filter="district=${district}",
        hint=L(
            "The list shows each sub-district with its P-code.",
            "تعرض القائمة كل ناحية مع رمزها (P-code).",
            "لیستەکە هەر ناحیەیەک لەگەڵ کۆدەکەی (P-code) پیشان دەدات.",
        ),
        target="subdistrict",
    ),
    Field(
        "place_code",
        "text",
        L(
            "Camp or site code, if the household lives in one",
            "رمز المخيم أو الموقع، إن كانت الأسرة تسكن فيه",
            "کۆدی کەمپ یان شوێن، ئەگەر خێزانەکە تێیدا دەژی",
        ),
        H,
        max_length=40,
        target="place_code",
    ),
    Field(
        "displacement_status",
        "select_one",
        L("Displacement status", "حالة النزوح", "باری ئاوارەبوون"),
        H,
        choices="displacement_status",
        required=True,
        target="displacement_status",
        import_required=True,
    ),
    Field(
        "shelter_type",
        "select_one",
        L("Type of shelter", "نوع المأوى", "جۆری پەناگە"),
        H,
        choices="shelter_type",
        required=True,
        target="shelter_type",
    ),
    Field(
        "origin_governorate",
        "select_one",
        L("Governorate of origin", "محافظة المنشأ", "پارێزگای ڕەسەن"),
        H,
        choices="governorate",
        relevant=_DISPLACED,
        target="origin_governorate",
    ),
    Field(
        "origin_district",
        "select_one",
        L("District of origin", "قضاء المنشأ", "قەزای ڕەسەن"),
        H,
        choices="district",
        relevant=_DISPLACED,
        choice_filter="governorate=${origin_governorate}",
        target="origin_district",
    ),
    Field(
        "origin_place_name",
        "text",
        L(
            "Village or neighbourhood of origin",
            "قرية أو حي المنشأ",
            "گوند یان گەڕەکی ڕەسەن",
        ),
        H,
        relevant=_DISPLACED,
        max_length=200,
        target="origin_place_name",
    ),
    Field(
        "displaced_on",
        "date",
        L("Date of first displacement", "تاريخ النزوح الأول", "بەرواری یەکەم ئاوارەبوون"),
        H,
        relevant=_DISPLACED,
        constraint=_NOT_FUTURE,
        constraint_message=_NOT_FUTURE_MESSAGE,
        target="displaced_on",
    ),
    Field(
        "household_phone",
        "phone",
        L(
            "Main phone number of the household",
            "رقم الهاتف الرئيسي للأسرة",
            "ژمارە تەلەفۆنی سەرەکی خێزان",
        ),
        H,
        constraint=_PHONE_CONSTRAINT,
        constraint_message=_PHONE_MESSAGE,
        appearance="numbers",
        target="household_phone",
    ),
    Field(
        "notes",
        "text",
        L("Notes", "ملاحظات", "تێبینی"),
        H,
        appearance="multiline",
        target="notes",
    ),
    # --- members (a repeat group: one entry per person) --------------------------------
    Field(
        "given_name_ar",
        "text",
        L("Given name (Arabic script)", "الاسم (بالحروف العربية)", "ناو (بە پیتی عەرەبی)"),
        M,
        required=True,
        max_length=80,
        target="given_name_ar",
    ),
    Field(
        "fathers_name_ar",
        "text",
        L(
            "Father's name (Arabic script)",
            "اسم الأب (بالحروف العربية)",
            "ناوی باوک (بە پیتی عەرەبی)",
        ),
        M,
        max_length=80,
        target="fathers_name_ar",
    ),
    Field(
        "grandfathers_name_ar",
        "text",
        L(
            "Grandfather's name (Arabic script)",
            "اسم الجد (بالحروف العربية)",
            "ناوی باپیر (بە پیتی عەرەبی)",
        ),
        M,
        max_length=80,
        target="grandfathers_name_ar",
    ),
    Field(
        "family_name_ar",
        "text",
        L(
            "Family or tribal name (Arabic script)",
            "اللقب أو اسم العشيرة (بالحروف العربية)",
            "نازناو یان ناوی هۆز (بە پیتی عەرەبی)",
        ),
        M,
        max_length=80,
        target="family_name_ar",
    ),
    Field(
        "given_name_en",
        "text",
        L("Given name (Latin script)", "الاسم (بالحروف اللاتينية)", "ناو (بە پیتی لاتینی)"),
        M,
        max_length=80,
        target="given_name_en",
    ),
    Field(
        "fathers_name_en",
        "text",
        L(
            "Father's name (Latin script)",
            "اسم الأب (بالحروف اللاتينية)",
            "ناوی باوک (بە پیتی لاتینی)",
        ),
        M,
        max_length=80,
        target="fathers_name_en",
    ),
    Field(
        "grandfathers_name_en",
        "text",
        L(
            "Grandfather's name (Latin script)",
            "اسم الجد (بالحروف اللاتينية)",
            "ناوی باپیر (بە پیتی لاتینی)",
        ),
        M,
        max_length=80,
        target="grandfathers_name_en",
    ),
    Field(
        "family_name_en",
        "text",
        L(
            "Family or tribal name (Latin script)",
            "اللقب أو اسم العشيرة (بالحروف اللاتينية)",
            "نازناو یان ناوی هۆز (بە پیتی لاتینی)",
        ),
        M,
        max_length=80,
        target="family_name_en",
    ),
    Field(
        "sex",
        "select_one",
        L("Sex", "الجنس", "ڕەگەز"),
        M,
        choices="sex",
        required=True,
        target="sex",
        import_required=True,
    ),
    Field(
        "date_of_birth",
        "date",
        L("Date of birth", "تاريخ الميلاد", "بەرواری لەدایکبوون"),
        M,
        required=True,
        constraint=_NOT_FUTURE,
        constraint_message=_NOT_FUTURE_MESSAGE,
        hint=L(
            "If only the year is known, enter 1 July of that year and answer Yes to the next question.",
            "إذا كانت السنة فقط معروفة، أدخل 1 تموز من تلك السنة وأجب بنعم على السؤال التالي.",
            "ئەگەر تەنها ساڵەکە زانراوە، 1ی تەممووزی ئەو ساڵە بنووسە و وەڵامی پرسیاری داهاتوو بە بەڵێ بدەوە.",
        ),
        target="date_of_birth",
        import_required=True,
    ),
    Field(
        "dob_estimated",
        "yes_no",
        L(
            "Is the date of birth estimated?",
            "هل تاريخ الميلاد تقديري؟",
            "ئایا بەرواری لەدایکبوون خەمڵێنراوە؟",
        ),
        M,
        choices="yes_no",
        target="dob_estimated",
    ),
    Field(
        "age",
        "calculate",
        L("Age", "العمر", "تەمەن"),
        M,
        calculation="int((decimal-date-time(today()) - decimal-date-time(${date_of_birth})) div 365.25)",
    ),
    Field(
        "relationship",
        "select_one",
        L(
            "Relationship to the head of household",
            "صلة القرابة برب الأسرة",
            "پەیوەندی بە سەرۆکی خێزانەوە",
        ),
        M,
        choices="relationship",
        required=True,
        # The head is entered first, and only once.
        constraint="(position(..) = 1 and . = 'head') or (position(..) > 1 and . != 'head')",
        constraint_message=L(
            "Enter the head of household first, and only once.",
            "أدخل رب الأسرة أولاً، ومرة واحدة فقط.",
            "سەرۆکی خێزان یەکەم جار و تەنها یەک جار بنووسە.",
        ),
        target="relationship",
        import_required=True,
    ),
    Field(
        "marital_status",
        "select_one",
        L("Marital status", "الحالة الاجتماعية", "باری خێزانداری"),
        M,
        choices="marital_status",
        relevant="${age} >= 12",
        target="marital_status",
    ),
    Field(
        "is_pregnant",
        "yes_no",
        L("Is she pregnant?", "هل هي حامل؟", "ئایا دووگیانە؟"),
        M,
        choices="yes_no",
        relevant="${sex} = 'female' and ${age} >= 10 and ${age} <= 60",
        target="is_pregnant",
    ),
    Field(
        "wg_seeing",
        "select_one",
        L(
            "Does this person have difficulty seeing, even if wearing glasses?",
            "هل يواجه هذا الشخص صعوبة في الرؤية، حتى مع ارتداء النظارات؟",
            "ئایا ئەم کەسە گرفتی لە بینین هەیە، تەنانەت ئەگەر چاویلکەش بکات؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_seeing",
    ),
    Field(
        "wg_hearing",
        "select_one",
        L(
            "Does this person have difficulty hearing, even if using a hearing aid?",
            "هل يواجه هذا الشخص صعوبة في السمع، حتى مع استخدام سماعة طبية؟",
            "ئایا ئەم کەسە گرفتی لە بیستن هەیە، تەنانەت ئەگەر ئامێری بیستنیش بەکاربهێنێت؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_hearing",
    ),
    Field(
        "wg_walking",
        "select_one",
        L(
            "Does this person have difficulty walking or climbing steps?",
            "هل يواجه هذا الشخص صعوبة في المشي أو صعود الدرج؟",
            "ئایا ئەم کەسە گرفتی لە ڕۆیشتن یان سەرکەوتنی پلیکانە هەیە؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_walking",
    ),
    Field(
        "wg_cognition",
        "select_one",
        L(
            "Does this person have difficulty remembering or concentrating?",
            "هل يواجه هذا الشخص صعوبة في التذكر أو التركيز؟",
            "ئایا ئەم کەسە گرفتی لە بیرهاتنەوە یان سەرنجدان هەیە؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_cognition",
    ),
    Field(
        "wg_selfcare",
        "select_one",
        L(
            "Does this person have difficulty with self-care, such as washing all over or dressing?",
            "هل يواجه هذا الشخص صعوبة في العناية الذاتية، مثل الاستحمام أو ارتداء الملابس؟",
            "ئایا ئەم کەسە گرفتی لە خۆ ڕاگرتندا هەیە، وەک خۆشوشتن یان جلوبەرگ لەبەرکردن؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_selfcare",
    ),
    Field(
        "wg_communication",
        "select_one",
        L(
            "Using their usual language, does this person have difficulty communicating, for example understanding or being understood?",
            "باستخدام لغته المعتادة، هل يواجه هذا الشخص صعوبة في التواصل، مثل أن يَفهم أو يُفهم؟",
            "بە زمانی ئاسایی خۆی، ئایا ئەم کەسە گرفتی لە پەیوەندیکردن هەیە، بۆ نموونە تێگەیشتن یان تێگەیاندن؟",
        ),
        M,
        choices="wg",
        relevant="${age} >= 5",
        target="wg_communication",
    ),
    Field(
        "has_chronic_illness",
        "yes_no",
        L(
            "Does this person have a chronic illness?",
            "هل يعاني هذا الشخص من مرض مزمن؟",
            "ئایا ئەم کەسە نەخۆشییەکی درێژخایەنی هەیە؟",
        ),
        M,
        choices="yes_no",
        target="has_chronic_illness",
    ),
    Field(
        "is_unaccompanied_or_separated",
        "yes_no",
        L(
            "Is this child unaccompanied or separated from their parents?",
            "هل هذا الطفل غير مصحوب أو منفصل عن والديه؟",
            "ئایا ئەم منداڵە بێ هاوڕێیە یان لە دایک و باوکی جیابووەتەوە؟",
        ),
        M,
        choices="yes_no",
        relevant="${age} < 18",
        target="is_unaccompanied_or_separated",
    ),
    Field(
        "phone",
        "phone",
        L("Personal phone number", "رقم الهاتف الشخصي", "ژمارە تەلەفۆنی کەسی"),
        M,
        constraint=_PHONE_CONSTRAINT,
        constraint_message=_PHONE_MESSAGE,
        appearance="numbers",
        target="phone",
    ),
    Field(
        "document_kind",
        "select_one",
        L("Identity document", "وثيقة الهوية", "بەڵگەنامەی ناسنامە"),
        M,
        choices="document_kind",
        target="document_kind",
    ),
    Field(
        "document_number",
        "text",
        L("Document number", "رقم الوثيقة", "ژمارەی بەڵگەنامە"),
        M,
        relevant="${document_kind} != ''",
        required=True,
        max_length=40,
        target="document_number",
    ),
    Field(
        "preferred_language",
        "select_one",
        L("Preferred language", "اللغة المفضلة", "زمانی پەسەندکراو"),
        M,
        choices="language",
        target="preferred_language",
    ),
    Field(
        "is_alternate_collector",
        "yes_no",
        L(
            "May this person collect assistance on the household's behalf?",
            "هل يمكن لهذا الشخص استلام المساعدة نيابة عن الأسرة؟",
            "ئایا ئەم کەسە دەتوانێت لە جیاتی خێزانەکە هاوکاری وەربگرێت؟",
        ),
        M,
        choices="yes_no",
        relevant="${age} >= 18",
        target="is_alternate_collector",
    ),
]

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
HOUSEHOLD_FIELDS: list[Field] = [f for f in FIELDS if f.group == HOUSEHOLD and f.imported]
MEMBER_FIELDS: list[Field] = [f for f in FIELDS if f.group == MEMBERS and f.imported]

GROUP_LABELS: dict[str, Labels] = {
    HOUSEHOLD: L("Household", "الأسرة", "خێزان"),
    MEMBERS: L("Household members", "أفراد الأسرة", "ئەندامانی خێزان"),
}

FORM_TITLE = L(
    "Sanad household registration",
    "سند - تسجيل الأسرة",
    "سەنەد - تۆمارکردنی خێزان",
)
FORM_ID = "sanad_household_registration"

# Columns of the template that are not questions of the form: the household's reference
# inside the file (its members share it) and an optional id from another system that
# keeps a re-import from creating the household twice.
TEMPLATE_HOUSEHOLD_REF = "household_ref"
TEMPLATE_SOURCE_REF = "source_ref"


def template_columns() -> list[str]:
    """Column names of the Sanad template, in order (one row per person)."""
    return [
        TEMPLATE_HOUSEHOLD_REF,
        TEMPLATE_SOURCE_REF,
        *(f.name for f in HOUSEHOLD_FIELDS),
        *(f.name for f in MEMBER_FIELDS),
    ]
