"""Name tables of the demo registry, by community: given names (male, female, and the
older generation's), family or tribal names, each in Arabic script (Kurdish names in
the Kurdish alphabet) with the Latin spellings enumerators actually use, most common
first.

One line per name: `weight arabic = Latin / Latin / …`. Political family names are
left out on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

Name = tuple[str, str]  # (Arabic script, Latin)


class NameTable:
    """Weighted names. `flat` repeats each (Arabic, Latin) pair in proportion to how
    common the name and that spelling are, so that a draw is one index:
    `table.flat[int(random() * table.size)]`."""

    __slots__ = ("flat", "latin", "size")

    UNITS = 24  # list entries per unit of weight: 13 for the usual spelling, 11 for the others

    def __init__(self, spec: str) -> None:
        flat: list[Name] = []
        latin: dict[str, tuple[str, ...]] = {}
        for raw in spec.strip().splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            head, _, spellings = line.partition("=")
            weight, _, ar = head.strip().partition(" ")
            ar = ar.strip()
            forms = tuple(s.strip() for s in spellings.split("/") if s.strip())
            latin[ar] = forms
            units = round(float(weight) * self.UNITS)
            if len(forms) == 1:
                flat.extend([(ar, forms[0])] * units)
                continue
            usual = units * 13 // 24
            flat.extend([(ar, forms[0])] * usual)
            rest = units - usual
            for i, form in enumerate(forms[1:]):
                share = rest // (len(forms) - 1) + (1 if i < rest % (len(forms) - 1) else 0)
                flat.extend([(ar, form)] * share)
        self.flat = tuple(flat)
        self.size = len(flat)
        self.latin = latin

    def pick(self, r: float) -> Name:
        return self.flat[int(r * self.size)]

    def __add__(self, other: NameTable) -> NameTable:
        joined = NameTable("")
        joined.flat = self.flat + other.flat
        joined.size = len(joined.flat)
        joined.latin = {**other.latin, **self.latin}
        return joined

    def spellings(self) -> dict[str, tuple[str, ...]]:
        return dict(self.latin)


def respell(spellings: tuple[str, ...], r: float) -> str:
    """The most common spelling a bit over half the time, another one otherwise."""
    n = len(spellings)
    if n == 1 or r < 0.55:
        return spellings[0]
    return spellings[min(n - 1, 1 + int((r - 0.55) / 0.45 * (n - 1)))]


# --- Arab (Sunni majority of Anbar and Ninewa, with the names Shia families share) -----
ARAB_MALE = NameTable("""
    10 أحمد = Ahmed / Ahmad / Ahmid
    14 محمد = Mohammed / Muhammad / Mohamed / Mohammad / Mohamad
    8 عمر = Omar / Omer / Umar
    7 علي = Ali / Aly
    6 حسين = Hussein / Hussain / Husain / Hussien
    5 عبد الرحمن = Abdulrahman / Abdul Rahman / Abdelrahman / Abd al-Rahman
    5 عبد الله = Abdullah / Abdallah / Abdulla
    5 مصطفى = Mustafa / Mustapha / Moustafa
    4 ياسر = Yasir / Yaser / Yasser
    5 خالد = Khalid / Khaled
    4 سعد = Saad / Sa'ad
    4 إبراهيم = Ibrahim / Ebrahim / Ibraheem
    4 محمود = Mahmood / Mahmoud / Mahmud
    3 عثمان = Othman / Uthman / Osman
    3 حامد = Hamid / Hamed
    3 صالح = Salih / Saleh
    3 يونس = Younis / Yunus / Younes
    3 وليد = Waleed / Walid
    2 مروان = Marwan
    3 سيف = Saif / Sayf / Seif
    2 أنس = Anas
    3 حمزة = Hamza / Hamzah
    2 فيصل = Faisal / Faysal
    3 جاسم = Jasim / Jassim / Jasem
    2 نواف = Nawaf
    2 عمار = Ammar / Amar
    2 بلال = Bilal / Belal
    2 عبد الكريم = Abdulkareem / Abdul Karim / Abdelkarim
    2 عبد العزيز = Abdulaziz / Abdul Aziz
    3 حسن = Hassan / Hasan
    2 إسماعيل = Ismail / Ismael / Esmail
    2 زياد = Ziyad / Ziad / Zyad
    2 قتيبة = Qutaiba / Qutaybah / Kutaiba
""")
ARAB_ELDER = NameTable("""
    4 خلف = Khalaf
    3 حمد = Hamad
    3 عواد = Awad / Awwad
    3 سلمان = Salman
    2 مطلك = Mutlak / Mutlaq
    2 ذياب = Dhiab / Thiab / Diab
    3 حمود = Hamoud / Hamood
    3 عباس = Abbas / Abas
    2 فرحان = Farhan
    2 شاكر = Shakir / Shaker
    2 نايف = Nayef / Naif
""")
ARAB_FEMALE = NameTable("""
    8 فاطمة = Fatima / Fatma / Fatimah
    5 زينب = Zainab / Zaynab / Zeinab
    6 مريم = Maryam / Mariam / Mariyam
    5 عائشة = Aisha / Aysha / Aesha
    6 نور = Noor / Nour / Nur
    4 هبة = Hiba / Heba / Hibah
    4 شهد = Shahad
    4 أسماء = Asmaa / Asma
    3 رسل = Rusul / Rusl
    4 آمنة = Amina / Amna / Ameena
    4 خديجة = Khadija / Khadeeja / Khadijah
    4 سارة = Sara / Sarah
    3 هدى = Huda / Hoda
    3 إيمان = Iman / Eman / Emaan
    2 رنا = Rana
    3 حنان = Hanan
    2 صفاء = Safaa / Safa
    3 إسراء = Israa / Esraa / Isra
    3 دعاء = Duaa / Doaa / Dua
    3 رقية = Ruqaya / Ruqayah / Roqaya
    3 ليلى = Layla / Laila / Leila
    2 سميرة = Samira / Sameera
    2 وفاء = Wafaa / Wafa
    2 شيماء = Shaimaa / Shaima
    2 أمل = Amal
    2 سمية = Sumaya / Somaya
    2 رغد = Raghad
    1 بان = Ban
""")
ARAB_FEMALE_ELDER = NameTable("""
    3 حمدية = Hamdiya / Hamdia
    3 خيرية = Khairiya / Khairia
    3 صبيحة = Sabiha / Sabeeha
    2 نعيمة = Naima / Naeema
    2 بدرية = Badriya / Badria
    2 وصفية = Wasfiya / Wasfia
    2 جميلة = Jamila / Jameela
""")
ARAB_FAMILY = NameTable("""
    8 الجبوري = Al-Jubouri / Aljuburi / Al Jbouri / Al-Juboori / Jubouri / Al-Jabouri
    7 الدليمي = Al-Dulaimi / Aldulaimi / Al Dulaimy / Al-Dleimi / Dulaimi
    6 العبيدي = Al-Obaidi / Alobaidi / Al Ubaidi / Al-Obaydi
    6 الشمري = Al-Shammari / Alshammari / Al Shamari / Shammary
    4 الطائي = Al-Tai / Altaie / Al-Taee / Al Taei
    4 الزبيدي = Al-Zubaidi / Alzubaidi / Al Zubaydi / Zubaidy
    4 الجميلي = Al-Jumaili / Aljumaily / Al Jumaily
    4 العيساوي = Al-Issawi / Alessawi / Al Isawi
    4 الفهداوي = Al-Fahdawi / Alfahdawi / Al Fahdawy
    3 الكربولي = Al-Karbouli / Alkarbuli
    3 الراوي = Al-Rawi / Alrawi
    3 العاني = Al-Ani / Alani / Al-Aani
    3 الحديثي = Al-Hadithi / Alhadithi
    3 المشهداني = Al-Mashhadani / Almashhadani
    4 اللهيبي = Al-Lahibi / Allahibi / Al Luhaibi
    3 الحمداني = Al-Hamdani / Alhamdani
    3 السبعاوي = Al-Sabaawi / Alsabawi
    3 البدراني = Al-Badrani / Albadrani
    3 الحيالي = Al-Hayali / Alhayali
    3 الجحيشي = Al-Juhaishi / Aljuhaishi
""")

# --- Turkmen of Tel Afar (Shia and Sunni) ---------------------------------------------
TURKMEN_MALE = NameTable("""
    8 علي = Ali / Aly
    7 حسين = Hussein / Hussain / Husain
    5 عباس = Abbas / Abas
    5 حسن = Hassan / Hasan
    4 كاظم = Kadhim / Kazim / Kathem
    5 حيدر = Haidar / Haider / Hayder
    3 مهدي = Mahdi / Mehdi
    3 جعفر = Jafar / Jaafar / Ja'far
    3 منتظر = Muntadhar / Muntazar / Montather
    3 كرار = Karrar / Karar
    3 سجاد = Sajjad / Sajad
    5 محمد = Mohammed / Muhammad / Mohamed
    3 أحمد = Ahmed / Ahmad
    3 عمر = Omar / Omer
    2 يونس = Younis / Yunus
    2 إسماعيل = Ismail / Ismael
""")
TURKMEN_FEMALE = NameTable("""
    7 زينب = Zainab / Zaynab / Zeinab
    6 زهراء = Zahraa / Zahra
    6 فاطمة = Fatima / Fatma
    4 رقية = Ruqaya / Ruqayah
    3 معصومة = Masooma / Masuma / Maasoma
    3 بتول = Batool / Batoul / Batul
    3 كوثر = Kawthar / Kauthar / Kawther
    3 سكينة = Sakina / Sakeena
    2 نرجس = Nargis / Narjis
    3 مريم = Maryam / Mariam
    2 نور = Noor / Nour
""")
TURKMEN_FAMILY = NameTable("""
    6 البياتي = Al-Bayati / Albayati / Al Bayaty
    4 التركماني = Al-Turkmani / Alturkmani / Turkmani
    3 الصالحي = Al-Salihi / Alsalihi
    3 القصاب = Al-Qassab / Alqassab / Al Kassab
    4 التلعفري = Al-Talafari / Altalafari / Al-Tel Afari
""")

# --- Christians of the Ninewa plains (Hamdaniya, Bartella) ----------------------------
CHRISTIAN_MALE = NameTable("""
    5 يوسف = Yousif / Yousef / Youssef
    4 بشار = Bashar
    3 رامي = Rami / Ramy
    3 فادي = Fadi / Fady
    3 جورج = George / Georges / Jorj
    4 بهنام = Behnam / Bahnam
    3 سرمد = Sarmad
    3 نبيل = Nabil / Nabeel
    3 بطرس = Boutros / Butros / Petros
    2 إسحاق = Ishaq / Ishak
    3 متي = Matti / Matty
    2 الياس = Elias / Ilyas
""")
CHRISTIAN_FEMALE = NameTable("""
    5 مريم = Maryam / Mariam
    3 مرثا = Martha / Marta
    3 ريتا = Rita
    3 نهرين = Nahrain / Nahrein
    3 رغد = Raghad
    3 نسرين = Nisreen / Nesreen
    2 ساندرا = Sandra
    2 غادة = Ghada
    2 فيان = Vian / Viyan
""")
CHRISTIAN_FAMILY = NameTable("""
    4 متي = Matti / Matty
    4 حنا = Hanna / Hana
    3 توما = Toma / Touma
    3 يعقوب = Yacoub / Yaqub / Jacoub
    3 بهنام = Behnam / Bahnam
    2 شابا = Shaba
""")

# --- Yazidi (Sinjar) -------------------------------------------------------------------
YAZIDI_MALE = NameTable("""
    6 خدر = Khidir / Khider / Khidr / Khudher
    5 دخيل = Dakhil / Dakheel
    5 قاسم = Qasim / Kasim / Qassim
    4 مراد = Murad / Mourad
    4 حجي = Haji / Hajji
    4 سعيد = Saeed / Said / Saed
    4 خلف = Khalaf
    3 الياس = Elias / Ilyas / Eliyas
    3 شمو = Shamo / Shammo
    3 بركات = Barakat
    3 فارس = Faris / Fares
    3 خيري = Kheiri / Khairi / Khayri
    3 سلو = Silo / Sillo
    2 هادي = Hadi
    2 نايف = Nayef / Naif
    3 حسين = Hussein / Hussain
    2 علي = Ali
    2 خديدا = Khudeda / Khudaida / Khdeda
""")
YAZIDI_FEMALE = NameTable("""
    5 ناديا = Nadia / Nadiya
    5 جيهان = Jihan / Jehan / Jihane
    4 لمياء = Lamiya / Lamia / Lamya
    4 بسمة = Basma / Basmah
    3 نازدار = Nazdar
    3 شيرين = Shireen / Shirin
    3 غزال = Ghazal
    3 خالدة = Khalida / Khaleda
    3 أديبة = Adiba / Adeeba
    3 ڤيان = Vian / Vyan / Viyan
    3 گولستان = Gulistan / Golestan
    3 ليلى = Layla / Leila
    2 بيريڤان = Berivan / Birivan
""")
YAZIDI_FAMILY = NameTable("""
    5 حجي = Haji / Hajji
    4 خديدا = Khudeda / Khudaida / Khdeda
    4 شنكالي = Shingali / Shangali / Al-Shingali
    3 ميرزا = Mirza
    3 الياس = Elias / Ilyas
    3 بركات = Barakat
    3 سلو = Silo / Sillo
    3 قاسم = Qasim / Kasim
""")

# --- Iraqi Kurds: Badini (Duhok) and Sorani (Erbil), Kurdish alphabet -----------------
KURD_MALE = NameTable("""
    5 کاروان = Karwan / Karwaan
    5 دلۆڤان = Dilovan / Dlovan / Delovan
    4 ڕێبین = Rebin / Rebeen / Reben
    4 هاوڕێ = Hawre / Hawri / Hawree
    4 دلشاد = Dilshad / Dlshad / Delshad
    4 ئارام = Aram
    4 ئازاد = Azad / Azaad
    3 هێمن = Hemin / Hemn / Himin
    3 شڤان = Shvan / Shivan / Shwan
    3 شێرزاد = Sherzad / Shirzad
    3 بەختیار = Bakhtiyar / Bakhtiar / Bakhtyar
    3 نەوزاد = Nawzad / Nawzaad
    3 ڕێکەوت = Rekawt / Rekaut
    3 سامان = Saman
    3 دارا = Dara
    3 زانا = Zana
    3 سەردار = Sardar
    3 کامەران = Kamaran / Kamran
    3 فەرهاد = Farhad / Farhaad
    5 محمد = Mohammed / Muhammad / Mihemed
    4 أحمد = Ahmed / Ahmad
    3 عمر = Omar / Omer
""")
KURD_FEMALE = NameTable("""
    5 شیلان = Shilan / Shelan / Chilan
    4 نارین = Narin / Nareen
    4 بێریڤان = Berivan / Birivan / Berevan
    4 ئاواز = Awaz / Awaaz
    4 ژیان = Jiyan / Zhiyan / Jian
    4 ئاڤین = Avin / Aveen / Afin
    3 دەلال = Delal / Dalal
    3 هیرۆ = Hero / Hiro
    3 نەسرین = Nasrin / Nasreen
    3 سۆزان = Sozan / Suzan
    3 شیرین = Shirin / Shereen
    3 ئێڤین = Evin / Aivin
    3 لانا = Lana
    2 تریفە = Trifa / Trefa
    2 نیشتمان = Nishtiman
    3 ڕۆژان = Rozhan / Rojan
    3 فاطمة = Fatima / Fatma
""")
KURD_FAMILY_BADINI = NameTable("""
    5 دۆسکی = Doski / Duski / Al-Doski
    5 مزوری = Mizuri / Mzuri / Mezouri
    4 گەردی = Gerdi / Gardi
    4 سندی = Sindi / Sendi
    3 بەرواری = Berwari / Barwari
    3 ڕێکانی = Rekani / Reykani
    3 سلێڤانی = Slevani / Silevani
    3 گۆیی = Goyi / Gooyi
    3 حەسەن = Hassan / Hasan / Hesen
""")
KURD_FAMILY_SORANI = NameTable("""
    5 حەسەن = Hassan / Hasan / Hasen
    4 ئەحمەد = Ahmed / Ahmad
    4 ڕەسوڵ = Rasul / Rasool / Rassul
    4 عەزیز = Aziz / Azeez
    4 قادر = Qadir / Kadir / Qader
    4 مەحموود = Mahmud / Mahmood
    3 کەریم = Karim / Kareem
    3 خۆشناو = Khoshnaw / Khoshnao
    3 شێخانی = Sheikhani / Shekhani
""")

# --- Syrian Kurds (Qamishli, Hasakah, Kobani, Afrin): Latin spellings of Syrian papers -
SYRIAN_KURD_MALE = NameTable("""
    8 محمد = Mohamad / Mohammad / Muhammed / Mohammed
    6 أحمد = Ahmad / Ahmed
    4 محمود = Mahmoud / Mahmud
    3 عبد الباسط = Abdulbaset / Abdul Basit / Abdelbaset
    4 شيار = Shiyar / Shyar
    4 آلان = Alan
    4 جوان = Jwan / Juan
    4 ريزان = Rezan / Rizan
    3 بيوار = Bewar / Biwar
    3 هوزان = Hozan / Huzan
    3 كاوا = Kawa / Kava
    3 ولات = Walat
    3 إبراهيم = Ibrahim / Ebrahim / Brahim
    3 خليل = Khalil / Khaleel
    3 حسن = Hasan / Hassan
    2 رمضان = Ramadan / Ramazan
    2 شيخموس = Sheikhmous / Sheikhmus
""")
SYRIAN_KURD_FEMALE = NameTable("""
    5 روجين = Rojin / Rojeen
    4 هيفين = Hevin / Hivin / Hefin
    4 نسرين = Nesrin / Nisrin / Nasreen
    3 روناهي = Ronahi
    4 بريفان = Berivan / Birivan
    3 زوزان = Zozan / Zuzan
    3 دلبر = Dilber / Dilbar
    3 سوزدار = Sozdar
    3 ايفين = Evin / Evine
    3 گلستان = Gulistan / Golestan
    4 فاطمة = Fatma / Fatima
    3 آمنة = Amina / Emine
    3 ليلى = Leila / Layla
""")
SYRIAN_KURD_FAMILY = NameTable("""
    4 حسو = Hasso / Haso
    4 مامو = Mamo / Mammo
    3 أوسو = Osso / Oso
    3 شيخموس = Sheikhmous / Sheikhmus
    3 خليل = Khalil / Khaleel
    3 يوسف = Youssef / Yousef / Yusuf
    3 عمر = Omar / Umar
    3 علي = Ali / Aly
    3 حسين = Hussein / Hussain
""")


class Community:
    """The names, languages and documents of one community."""

    __slots__ = (
        "elder_female",
        "elder_male",
        "family",
        "female",
        "key",
        "languages",
        "male",
        "same_family_spouse",
    )

    def __init__(
        self,
        key: str,
        *,
        male: NameTable,
        female: NameTable,
        family: NameTable,
        elder_male: NameTable | None = None,
        elder_female: NameTable | None = None,
        languages: tuple[tuple[str, float], ...] = (("ar", 1.0),),
        same_family_spouse: float = 0.4,
    ) -> None:
        self.key = key
        self.male = male
        self.female = female
        self.family = family
        self.elder_male = male + elder_male if elder_male else male
        self.elder_female = female + elder_female if elder_female else female
        self.languages = languages
        # Marriage within the tribe or clan is common: the spouse's family name is the same.
        self.same_family_spouse = same_family_spouse

    def language(self, r: float) -> str:
        acc = 0.0
        for code, share in self.languages:
            acc += share
            if r < acc:
                return code
        return self.languages[-1][0]


COMMUNITIES: dict[str, Community] = {
    c.key: c
    for c in (
        Community(
            "arab",
            male=ARAB_MALE,
            female=ARAB_FEMALE,
            family=ARAB_FAMILY,
            elder_male=ARAB_ELDER,
            elder_female=ARAB_FEMALE_ELDER,
            same_family_spouse=0.5,
        ),
        Community(
            "turkmen",
            male=TURKMEN_MALE,
            female=TURKMEN_FEMALE,
            family=TURKMEN_FAMILY,
            elder_male=ARAB_ELDER,
            elder_female=ARAB_FEMALE_ELDER,
            languages=(("tr", 0.5), ("ar", 0.5)),
            same_family_spouse=0.5,
        ),
        Community(
            "christian",
            male=CHRISTIAN_MALE,
            female=CHRISTIAN_FEMALE,
            family=CHRISTIAN_FAMILY,
            same_family_spouse=0.15,
        ),
        Community(
            "yazidi",
            male=YAZIDI_MALE,
            female=YAZIDI_FEMALE,
            family=YAZIDI_FAMILY,
            languages=(("kmr", 0.8), ("ar", 0.2)),
            same_family_spouse=0.3,
        ),
        Community(
            "kurd_badini",
            male=KURD_MALE,
            female=KURD_FEMALE,
            family=KURD_FAMILY_BADINI,
            languages=(("kmr", 0.9), ("ar", 0.1)),
            same_family_spouse=0.3,
        ),
        Community(
            "kurd_sorani",
            male=KURD_MALE,
            female=KURD_FEMALE,
            family=KURD_FAMILY_SORANI,
            languages=(("ckb", 0.9), ("en", 0.1)),
            same_family_spouse=0.2,
        ),
        Community(
            "syrian_kurd",
            male=SYRIAN_KURD_MALE,
            female=SYRIAN_KURD_FEMALE,
            family=SYRIAN_KURD_FAMILY,
            languages=(("kmr", 0.85), ("ar", 0.15)),
            same_family_spouse=0.2,
        ),
    )
}

# Spelling variants of Arabic script a second enumerator produces: hamza dropped, taa
# marbuta as heh, alef maqsura as yeh, "عبد" joined, Kurdish letters typed on an
# Arabic keyboard. `core.text.name_tokens` folds all of them, so search still matches.
_ARABIC_VARIANTS: tuple[tuple[str, str], ...] = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ة", "ه"),
    ("ى", "ي"),
    ("عبد ال", "عبدال"),
    ("ڤ", "ف"),
    ("ێ", "ي"),
    ("ۆ", "و"),
    ("ڕ", "ر"),
    ("ە", "ه"),
    ("ی", "ي"),
    ("ک", "ك"),
    ("گ", "ك"),
)


def arabic_variant(text: str, rand: Callable[[], float]) -> str:
    """`text` as another enumerator might type it (unchanged when nothing applies)."""
    out = text
    for old, new in _ARABIC_VARIANTS:
        if old in out and rand() < 0.7:
            out = out.replace(old, new)
    return out


def latin_spellings() -> dict[str, tuple[str, ...]]:
    """Every Arabic-script name → its Latin spellings, across all tables."""
    out: dict[str, tuple[str, ...]] = {}
    for community in COMMUNITIES.values():
        for table in (
            community.elder_male,
            community.elder_female,
            community.family,
        ):
            for ar, spellings in table.spellings().items():
                out.setdefault(ar, spellings)
    return out
